"""Checkpoints (防控点), the guards' shifts at them, and the gate policy per emergency level."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangxian.command.models import EmergencyLevel
from fangxian.core.areacode import area_code_index
from fangxian.core.scoping import Jurisdictional

COMMUNITY_LENGTH = 12


def default_fever_celsius() -> Decimal:
    return Decimal(str(settings.FANGXIAN_FEVER_CELSIUS))


def validate_community_or_finer(value: str) -> None:
    if len(value or "") < COMMUNITY_LENGTH:
        raise ValidationError(_("A checkpoint belongs to a community or a grid."), code="area_level")


class CheckpointKind(models.TextChoices):
    PEDESTRIAN = "pedestrian", _("Pedestrians")
    VEHICLE = "vehicle", _("Vehicles")
    BOTH = "both", _("Pedestrians and vehicles")


class Checkpoint(Jurisdictional):
    """A gate of a community where people and vehicles are checked (防控点); `area_code` is the community or grid."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=CheckpointKind.choices, default=CheckpointKind.BOTH)
    location = models.CharField(_("location"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    # Both empty: always open. closes_at before opens_at: open overnight.
    opens_at = models.TimeField(_("opens at"), null=True, blank=True)
    closes_at = models.TimeField(_("closes at"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta(Jurisdictional.Meta):
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        ordering = ["area_code", "name"]
        indexes = [area_code_index("area_code", "chk_checkpoint_ac")]

    def __str__(self) -> str:
        return self.name

    def audit_label(self) -> str:
        return self.name

    def clean(self) -> None:
        validate_community_or_finer(self.area_code)
        if (self.opens_at is None) != (self.closes_at is None):
            raise ValidationError(_("Give both opening and closing times, or neither (always open)."))

    @property
    def community_code(self) -> str:
        return self.area_code[:COMMUNITY_LENGTH]

    @property
    def always_open(self) -> bool:
        return self.opens_at is None


class GuardShift(Jurisdictional):
    """A guard on duty at a checkpoint from one time to another (值守排班)."""

    checkpoint = models.ForeignKey(
        Checkpoint, on_delete=models.CASCADE, related_name="shifts", verbose_name=_("checkpoint")
    )
    guard = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("guard")
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))

    class Meta(Jurisdictional.Meta):
        verbose_name = _("guard shift")
        verbose_name_plural = _("guard shifts")
        ordering = ["starts_at", "id"]
        indexes = [
            area_code_index("area_code", "chk_shift_ac"),
            models.Index(fields=["checkpoint", "starts_at"], name="chk_shift_cp_start"),
        ]

    def __str__(self) -> str:
        return f"{self.checkpoint_id}: {self.starts_at:%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("A shift ends after it starts.")})


class GatePolicy(Jurisdictional):
    """What a community's gates enforce while an emergency of one level is active (封控措施).

    `area_code` is the community. The active emergency's level picks the row; with no emergency,
    or no row for that level, the gates are open (only the fever rule applies).
    """

    level = models.PositiveSmallIntegerField(_("emergency level"), choices=EmergencyLevel.choices)
    residents_only = models.BooleanField(_("residents only"), default=False)
    # persons (exits) per household per N days; 0 persons = no quota.
    quota_persons = models.PositiveSmallIntegerField(
        _("exits per household"), default=0, validators=[MaxValueValidator(99)]
    )
    quota_days = models.PositiveSmallIntegerField(
        _("every N days"), default=1, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    # Hours when residents may go out and visitors come in; both empty = any time.
    hours_from = models.TimeField(_("from"), null=True, blank=True)
    hours_to = models.TimeField(_("to"), null=True, blank=True)
    visitors_need_host_approval = models.BooleanField(_("visitors need the host's approval"), default=False)
    vehicles_by_plate_list = models.BooleanField(_("vehicles by plate list only"), default=False)
    fever_celsius = models.DecimalField(
        _("fever threshold (°C)"),
        max_digits=3,
        decimal_places=1,
        default=default_fever_celsius,
        validators=[MinValueValidator(Decimal("35.0")), MaxValueValidator(Decimal("42.0"))],
    )

    # What the guards read on their scanning page, and residents on their pass, while this level applies.
    notice = models.CharField(_("notice at the gate"), max_length=200, blank=True)

    class Meta(Jurisdictional.Meta):
        verbose_name = _("gate policy")
        verbose_name_plural = _("gate policies")
        ordering = ["area_code", "level"]
        indexes = [area_code_index("area_code", "chk_policy_ac")]
        constraints = [models.UniqueConstraint(fields=["area_code", "level"], name="chk_policy_one_per_level")]

    def __str__(self) -> str:
        return f"{self.area_code} / {self.level}"

    def audit_label(self) -> str:
        return f"gate policy {self.area_code} level {self.level}"

    def clean(self) -> None:
        if len(self.area_code or "") != COMMUNITY_LENGTH:
            raise ValidationError(_("A gate policy is set per community."), code="area_level")
        if (self.hours_from is None) != (self.hours_to is None):
            raise ValidationError(_("Give both hours, or neither (any time)."))

    @property
    def has_quota(self) -> bool:
        return self.quota_persons > 0

    @property
    def has_hours(self) -> bool:
        return self.hours_from is not None and self.hours_to is not None
