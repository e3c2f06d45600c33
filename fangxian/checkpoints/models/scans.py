"""The gate log (出入登记) and the counts that outlive it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangxian.core.areacode import area_code_index
from fangxian.core.scoping import Jurisdictional


class Direction(models.TextChoices):
    IN = "in", _("In")
    OUT = "out", _("Out")


class Verdict(models.TextChoices):
    ALLOW = "allow", _("Allowed")
    DENY = "deny", _("Denied")


class ScanReason(models.TextChoices):
    """Why a scan was allowed or denied: stable codes for devices, translated labels for people."""

    OK = "ok", _("Allowed")
    PASS_INVALID = "pass_invalid", _("The code is not a valid pass (damaged or forged)")
    PASS_EXPIRED = "pass_expired", _("The pass has expired")
    PASS_REVOKED = "pass_revoked", _("The pass was revoked")
    PASS_UNKNOWN = "pass_unknown", _("No such pass")
    OTHER_COMMUNITY = "other_community", _("The pass belongs to another community")
    RESIDENT_INACTIVE = "resident_inactive", _("The resident no longer lives here")
    RESIDENTS_ONLY = "residents_only", _("Residents only")
    QUOTA = "quota", _("The household's outings for this period are used up")
    HOURS = "hours", _("Outside the permitted hours")
    CHECKPOINT_CLOSED = "checkpoint_closed", _("The checkpoint is closed")
    VISITOR_PENDING = "visitor_pending", _("The host has not approved the visit yet")
    VISITOR_DENIED = "visitor_denied", _("The host declined the visit")
    PLATE_NOT_LISTED = "plate_not_listed", _("The vehicle is not on the plate list")
    FEVER = "fever", _("Temperature too high: entry denied, the duty worker is alerted")
    NOBODY = "nobody", _("No pass, resident, visitor or plate given")


class GateScan(Jurisdictional):
    """One entry or exit at a checkpoint, with its verdict (the gate log). The biggest table: kept lean.

    `area_code` is the checkpoint's. Rows are written with bulk inserts (`ON CONFLICT DO NOTHING`
    on the idempotency key), so a device that uploads the same scans twice adds nothing; the row
    itself is the record of who scanned whom, when and where, so no audit event is written per row.
    Emergency-bound: purged (after being counted into GateCount) when the emergency has been over
    for FANGXIAN_RETENTION_DAYS.
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
        "checkpoints.Checkpoint",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("checkpoint"),
    )
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    at = models.DateTimeField(_("at"))
    guard = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("guard"),
    )
    gate_pass = models.ForeignKey(
        "checkpoints.Pass",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_column="pass_id",
        verbose_name=_("pass"),
    )
    resident = models.ForeignKey(
        "registry.Resident",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("resident"),
    )
    household = models.ForeignKey(
        "areas.Household",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("household"),
    )
    visitor = models.ForeignKey(
        "checkpoints.Visitor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("visitor"),
    )
    plate = models.CharField(_("plate"), max_length=8, blank=True)
    temperature = models.DecimalField(_("temperature (°C)"), max_digits=3, decimal_places=1, null=True, blank=True)
    verdict = models.CharField(_("verdict"), max_length=5, choices=Verdict.choices)
    reason = models.CharField(_("reason"), max_length=20, choices=ScanReason.choices)
    idempotency_key = models.UUIDField(_("idempotency key"), unique=True)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    personal_data = True

    class Meta(Jurisdictional.Meta):
        verbose_name = _("gate scan")
        verbose_name_plural = _("gate scans")
        indexes = [
            area_code_index("area_code", "chk_scan_ac"),
            # Live view and aggregates: per checkpoint per hour.
            models.Index(fields=["checkpoint", "at"], name="chk_scan_cp_at"),
            # Contact tracing and quotas: per person (and per household) in a time window.
            models.Index(fields=["resident", "at"], name="chk_scan_res_at", condition=Q(resident__isnull=False)),
            models.Index(fields=["household", "at"], name="chk_scan_hh_at", condition=Q(household__isnull=False)),
            models.Index(fields=["visitor", "at"], name="chk_scan_vis_at", condition=Q(visitor__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"scan #{self.pk}"

    def audit_label(self) -> str:
        return f"gate scan #{self.pk}"


class GateCount(Jurisdictional):
    """How many went in and out at a checkpoint in one hour of one day: what stays after the gate log is purged."""

    checkpoint = models.ForeignKey(
        "checkpoints.Checkpoint", on_delete=models.PROTECT, related_name="+", verbose_name=_("checkpoint")
    )
    emergency = models.ForeignKey(
        "command.Emergency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("emergency"),
    )
    day = models.DateField(_("day"))
    hour = models.PositiveSmallIntegerField(_("hour"))
    entries = models.PositiveIntegerField(_("entries allowed"), default=0)
    exits = models.PositiveIntegerField(_("exits allowed"), default=0)
    denied = models.PositiveIntegerField(_("denied"), default=0)
    fevers = models.PositiveIntegerField(_("fevers"), default=0)

    class Meta(Jurisdictional.Meta):
        verbose_name = _("gate count")
        verbose_name_plural = _("gate counts")
        ordering = ["day", "hour"]
        indexes = [area_code_index("area_code", "chk_count_ac")]
        constraints = [
            models.UniqueConstraint(fields=["checkpoint", "emergency", "day", "hour"], name="chk_count_one_per_hour")
        ]

    def __str__(self) -> str:
        return f"{self.checkpoint_id} {self.day} {self.hour:02d}h"
