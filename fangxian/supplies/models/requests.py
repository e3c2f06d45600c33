"""Requests for supplies up the tree (物资申领), allocations of scarce stock down it (调配), disinfection."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangxian.core.areacode import area_code_index
from fangxian.core.roles import Role
from fangxian.core.scoping import Actor, Jurisdictional, prefix_q
from fangxian.supplies.models.catalogue import Item, Store


def _volunteers_of_their_area() -> classmethod:
    """Volunteers hold no area reach; they see the disinfection points and bins of the areas they serve."""

    def scope(cls, actor: Actor) -> Q | None:
        return prefix_q("area_code", [grant.area_code for grant in actor.grants if grant.role == Role.VOLUNTEER])

    return classmethod(scope)


def _user(verbose_name):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose_name,
    )


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    PARTLY_APPROVED = "partly_approved", _("Partly approved")
    REJECTED = "rejected", _("Rejected")
    FULFILLED = "fulfilled", _("Fulfilled")
    CANCELLED = "cancelled", _("Cancelled")


class SupplyRequest(Jurisdictional):
    """A community asks the area above for items, with quantities and a justification.

    `area_code` is the requesting community; `to_area_code` the area asked (its street). The
    street sees the request through `scope_personal` (its reach over `to_area_code`).
    """

    emergency = models.ForeignKey(
        "command.Emergency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("emergency"),
    )
    to_area_code = models.CharField(_("asked of"), max_length=15, db_index=True)
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="+", verbose_name=_("deliver to"))
    justification = models.CharField(_("justification"), max_length=500)
    status = models.CharField(
        _("status"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.SUBMITTED
    )
    created_by = _user(_("requested by"))
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = _user(_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("note on the decision"), max_length=300, blank=True)
    draft = models.BooleanField(_("drafted automatically"), default=False)

    class Meta(Jurisdictional.Meta):
        verbose_name = _("supply request")
        verbose_name_plural = _("supply requests")
        ordering = ["-created_at", "-id"]
        indexes = [area_code_index("area_code", "sup_request_ac")]

    def __str__(self) -> str:
        return f"request #{self.pk}"

    @classmethod
    def scope_personal(cls, actor: Actor) -> Q | None:
        return prefix_q("to_area_code", actor.area_prefixes)


class RequestLine(models.Model):
    request = models.ForeignKey(
        SupplyRequest, on_delete=models.CASCADE, related_name="lines", verbose_name=_("request")
    )
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))
    quantity = models.PositiveBigIntegerField(_("quantity asked"))
    approved = models.PositiveBigIntegerField(_("quantity approved"), null=True, blank=True)
    sent = models.PositiveBigIntegerField(_("quantity sent"), default=0)

    class Meta:
        verbose_name = _("request line")
        verbose_name_plural = _("request lines")
        constraints = [models.UniqueConstraint(fields=["request", "item"], name="sup_request_item_once")]

    def __str__(self) -> str:
        return f"{self.request_id}/{self.item_id}: {self.quantity}"


class AllocationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")


class Allocation(Jurisdictional):
    """A street or district shares out scarce stock of one item among the communities below it.

    Each share comes with its reason in plain words (need, stock already held, days of supply).
    The official may adjust the shares, then issue: one transfer per community in one action.
    """

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))
    from_store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="+", verbose_name=_("from store"))
    total = models.PositiveBigIntegerField(_("quantity to share"))
    coverage_days = models.DecimalField(_("days of supply reached"), max_digits=10, decimal_places=3, null=True)
    status = models.CharField(
        _("status"), max_length=8, choices=AllocationStatus.choices, default=AllocationStatus.DRAFT
    )
    created_by = _user(_("created by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)

    class Meta(Jurisdictional.Meta):
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["-created_at", "-id"]
        indexes = [area_code_index("area_code", "sup_alloc_ac")]

    def __str__(self) -> str:
        return f"allocation #{self.pk}"


class AllocationShare(models.Model):
    allocation = models.ForeignKey(
        Allocation, on_delete=models.CASCADE, related_name="shares", verbose_name=_("allocation")
    )
    area_code = models.CharField(_("community"), max_length=15)
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="+", verbose_name=_("to store"))
    daily_need = models.DecimalField(_("daily need"), max_digits=14, decimal_places=3)
    on_hand = models.BigIntegerField(_("on hand"), default=0)
    requested = models.BigIntegerField(_("requested"), default=0)
    share = models.BigIntegerField(_("share"))
    adjusted = models.BooleanField(_("adjusted by hand"), default=False)
    reason = models.CharField(_("reason"), max_length=400)
    transfer = models.ForeignKey(
        "supplies.Transfer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("transfer"),
    )

    class Meta:
        verbose_name = _("allocation share")
        verbose_name_plural = _("allocation shares")
        ordering = ["allocation", "area_code"]

    def __str__(self) -> str:
        return f"{self.allocation_id}/{self.area_code}: {self.share}"


class PointKind(models.TextChoices):
    LIFT = "lift", _("Lift")
    STAIRWELL = "stairwell", _("Stairwell")
    GATE = "gate", _("Gate")
    RUBBISH = "rubbish", _("Rubbish point")
    OTHER = "other", _("Other public area")


class DisinfectionPoint(Jurisdictional):
    """A public area disinfected on a schedule (消杀点): every N hours."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=PointKind.choices)
    building = models.ForeignKey(
        "areas.Building", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("building")
    )
    every_hours = models.PositiveSmallIntegerField(_("every (hours)"), default=24)
    active = models.BooleanField(_("active"), default=True)
    last_done_at = models.DateTimeField(_("last done"), null=True, blank=True)

    scope_personal = _volunteers_of_their_area()

    class Meta(Jurisdictional.Meta):
        verbose_name = _("disinfection point")
        verbose_name_plural = _("disinfection points")
        ordering = ["area_code", "name"]
        indexes = [area_code_index("area_code", "sup_dpoint_ac")]

    def __str__(self) -> str:
        return self.name


class DisinfectionLog(Jurisdictional):
    """Who disinfected a point when, with which product and how much (drawn from the ledger)."""

    point = models.ForeignKey(DisinfectionPoint, on_delete=models.PROTECT, related_name="logs", verbose_name=_("point"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = _user(_("by"))
    movement = models.ForeignKey(
        "supplies.Movement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("product used"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    scope_personal = _volunteers_of_their_area()

    class Meta(Jurisdictional.Meta):
        verbose_name = _("disinfection log")
        verbose_name_plural = _("disinfection logs")
        ordering = ["-at", "-id"]
        indexes = [area_code_index("area_code", "sup_dlog_ac")]

    def __str__(self) -> str:
        return f"{self.point_id} {self.at:%Y-%m-%d %H:%M}"


class RecyclingPoint(Jurisdictional):
    """A bin for used masks (废弃口罩回收点) and its collection log."""

    name = models.CharField(_("name"), max_length=100)
    location = models.CharField(_("location"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    scope_personal = _volunteers_of_their_area()

    class Meta(Jurisdictional.Meta):
        verbose_name = _("mask recycling point")
        verbose_name_plural = _("mask recycling points")
        indexes = [area_code_index("area_code", "sup_rpoint_ac")]

    def __str__(self) -> str:
        return self.name


class RecyclingCollection(Jurisdictional):
    point = models.ForeignKey(
        RecyclingPoint, on_delete=models.PROTECT, related_name="collections", verbose_name=_("point")
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = _user(_("by"))
    bags = models.PositiveSmallIntegerField(_("bags"), default=1)
    note = models.CharField(_("note"), max_length=200, blank=True)

    scope_personal = _volunteers_of_their_area()

    class Meta(Jurisdictional.Meta):
        verbose_name = _("recycling collection")
        verbose_name_plural = _("recycling collections")
        ordering = ["-at", "-id"]
        indexes = [area_code_index("area_code", "sup_rcoll_ac")]

    def __str__(self) -> str:
        return f"{self.point_id} {self.at:%Y-%m-%d}"
