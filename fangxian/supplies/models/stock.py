"""Lots on hand and the append-only ledger of every movement (台账).

A lot row is one batch of one item in one store, with its expiry and source; `quantity` is its
balance on hand, changed only together with a ledger entry in the same transaction, under a row
lock, and never below zero (a database CHECK). The ledger is append-only (a trigger on PostgreSQL,
the model elsewhere): a wrong movement is corrected by another movement, never edited.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangxian.core.areacode import area_code_index
from fangxian.core.scoping import Actor, Jurisdictional, prefix_q
from fangxian.supplies.models.catalogue import Item, Store


class LotSource(models.TextChoices):
    PURCHASE = "purchase", _("Purchase")
    ALLOCATION = "allocation", _("Allocation from above")
    DONATION = "donation", _("Donation")
    TRANSFER = "transfer", _("Transfer from another store")


class Lot(Jurisdictional):
    """A batch of an item in a store: where it came from, when it expires, how much is left."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="lots", verbose_name=_("store"))
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))
    lot_code = models.CharField(_("lot number"), max_length=50, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=12, choices=LotSource.choices)
    donor = models.CharField(_("donor"), max_length=100, blank=True)
    origin = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("transferred from")
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    quantity = models.BigIntegerField(_("on hand"), default=0)

    class Meta(Jurisdictional.Meta):
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        ordering = ["store", "item", "expires_on", "id"]
        indexes = [
            area_code_index("area_code", "sup_lot_ac"),
            models.Index(fields=["store", "item", "expires_on"], name="sup_lot_store_item"),
            models.Index(fields=["expires_on"], name="sup_lot_expiry", condition=Q(quantity__gt=0)),
        ]
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=0), name="sup_lot_never_negative")]

    def __str__(self) -> str:
        return f"{self.item_id}/{self.lot_code or self.pk}"


class MovementKind(models.TextChoices):
    RECEIVE = "receive", _("Received")
    ISSUE = "issue", _("Issued")
    TRANSFER_OUT = "transfer_out", _("Sent to another store")
    TRANSFER_IN = "transfer_in", _("Received from another store")
    ADJUST = "adjust", _("Stocktake adjustment")
    DISPOSE = "dispose", _("Disposed of")


class RecipientKind(models.TextChoices):
    WORKER = "worker", _("A worker")
    TEAM = "team", _("A team")
    HOUSEHOLD = "household", _("A household")
    CHECKPOINT = "checkpoint", _("A checkpoint")
    DISINFECTION = "disinfection", _("Disinfection")


class Movement(Jurisdictional):
    """One line of the ledger: a signed quantity of a lot, what it was, for whom, by whom, why.

    `balance_after` is the lot's balance right after it, written under the lot's row lock: reading
    the ledger in order reproduces every balance, which the check command verifies.
    """

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="movements", verbose_name=_("lot"))
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="+", verbose_name=_("store"))
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))
    kind = models.CharField(_("movement"), max_length=12, choices=MovementKind.choices)
    quantity = models.BigIntegerField(_("quantity"))
    balance_after = models.BigIntegerField(_("balance after"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    recipient_kind = models.CharField(_("issued to"), max_length=12, choices=RecipientKind.choices, blank=True)
    recipient = models.CharField(_("recipient"), max_length=100, blank=True)
    household = models.ForeignKey(
        "areas.Household",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("household"),
    )
    checkpoint = models.ForeignKey(
        "checkpoints.Checkpoint",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checkpoint"),
    )
    transfer = models.ForeignKey(
        "supplies.Transfer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("transfer"),
    )
    counted = models.BigIntegerField(_("counted"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    idempotency_key = models.UUIDField(_("idempotency key"), null=True, blank=True, unique=True)

    class Meta(Jurisdictional.Meta):
        verbose_name = _("movement")
        verbose_name_plural = _("movements")
        ordering = ["-at", "-id"]
        indexes = [
            area_code_index("area_code", "sup_move_ac"),
            models.Index(fields=["lot", "id"], name="sup_move_lot"),
            models.Index(fields=["store", "item", "at"], name="sup_move_store_item_at"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise RuntimeError("the supplies ledger is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("the supplies ledger is append-only")


class TransferStatus(models.TextChoices):
    IN_TRANSIT = "in_transit", _("In transit")
    RECEIVED = "received", _("Received")
    CANCELLED = "cancelled", _("Cancelled")


class Transfer(Jurisdictional):
    """Goods sent from one store to another: out of the first at once, into the second on receipt.

    `area_code` is the sending store's area; `to_area_code` the receiving store's. Both sides see
    the transfer: the sender by its area, the receiver through `scope_personal` (its area reach
    over `to_area_code`). Neither sees the other's stores or stock by it.
    """

    from_store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="+", verbose_name=_("from"))
    to_store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="+", verbose_name=_("to"))
    to_area_code = models.CharField(_("receiving area"), max_length=15, db_index=True)
    status = models.CharField(
        _("status"), max_length=12, choices=TransferStatus.choices, default=TransferStatus.IN_TRANSIT
    )
    request = models.ForeignKey(
        "supplies.SupplyRequest", on_delete=models.PROTECT, null=True, blank=True, related_name="transfers"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("received by"),
    )

    class Meta(Jurisdictional.Meta):
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-sent_at", "-id"]
        indexes = [area_code_index("area_code", "sup_transfer_ac")]

    def __str__(self) -> str:
        return f"transfer #{self.pk}"

    @classmethod
    def scope_personal(cls, actor: Actor) -> Q | None:
        return prefix_q("to_area_code", actor.area_prefixes)


class TransferLine(models.Model):
    """One lot sent in a transfer, and the lot it became in the receiving store."""

    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="lines", verbose_name=_("transfer"))
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))
    from_lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="+", verbose_name=_("from lot"))
    to_lot = models.ForeignKey(
        Lot, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("to lot")
    )
    quantity = models.PositiveBigIntegerField(_("quantity"))

    class Meta:
        verbose_name = _("transfer line")
        verbose_name_plural = _("transfer lines")

    def __str__(self) -> str:
        return f"{self.transfer_id}: {self.quantity}"
