"""People from outside (外来人员登记) and deliveries dropped at the gate (快递/外卖)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangxian.core.areacode import area_code_index
from fangxian.core.personal import PersonalField, PersonalKind
from fangxian.core.scoping import Actor, Jurisdictional


class VisitorStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the host")
    APPROVED = "approved", _("Approved")
    DENIED = "denied", _("Declined")


class Visitor(Jurisdictional):
    """Somebody from outside the community registered at a gate to visit a household.

    `area_code` is the host household's grid (the checkpoint's community without a host). The host
    household's residents see and decide their visitors. Emergency-bound: purged with the gate log.
    """

    emergency = models.ForeignKey(
        "command.Emergency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("emergency"),
    )
    checkpoint = models.ForeignKey(
        "checkpoints.Checkpoint", on_delete=models.PROTECT, related_name="+", verbose_name=_("checkpoint")
    )
    name = models.CharField(_("name"), max_length=50)
    phone = PersonalField(_("phone"), kind=PersonalKind.PHONE)
    id_number = PersonalField(_("ID card number"), kind=PersonalKind.ID_CARD)
    purpose = models.CharField(_("purpose"), max_length=200)
    origin = models.CharField(_("coming from"), max_length=100, blank=True)
    host_household = models.ForeignKey(
        "areas.Household",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("host household"),
    )
    expected_at = models.DateTimeField(_("expected at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=VisitorStatus.choices, default=VisitorStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)

    personal_data = True
    audit_masked = ("name", "purpose", "origin")

    class Meta(Jurisdictional.Meta):
        verbose_name = _("visitor")
        verbose_name_plural = _("visitors")
        ordering = ["-created_at", "-id"]
        indexes = [area_code_index("area_code", "chk_visitor_ac")]

    def __str__(self) -> str:
        return self.name

    def audit_label(self) -> str:
        return f"visitor #{self.pk}"

    @classmethod
    def scope_personal(cls, actor: Actor) -> Q | None:
        # The host household sees (and decides) its own visitors.
        return Q(host_household_id__in=sorted(actor.household_ids)) if actor.household_ids else None


class DeliveryKind(models.TextChoices):
    EXPRESS = "express", _("Parcel (快递)")
    TAKEAWAY = "takeaway", _("Takeaway (外卖)")


class Delivery(Jurisdictional):
    """A parcel or meal dropped at the gate by a rider; nothing about the rider is kept.

    `area_code` is the checkpoint's.
    """

    emergency = models.ForeignKey(
        "command.Emergency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("emergency"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=DeliveryKind.choices)
    checkpoint = models.ForeignKey(
        "checkpoints.Checkpoint", on_delete=models.PROTECT, related_name="+", verbose_name=_("checkpoint")
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    household = models.ForeignKey(
        "areas.Household",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("household"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    audit_masked = ("note",)

    class Meta(Jurisdictional.Meta):
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-at", "-id"]
        indexes = [area_code_index("area_code", "chk_delivery_ac")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"
