"""Risk areas elsewhere in China (中高风险地区) that decide what an arrival from there gets."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangxian.core.areacode import area_code_index
from fangxian.core.scoping import Jurisdictional
from fangxian.health.models.common import Measure, RiskLevel, user_field

DIVISION_CODE_VALIDATOR = RegexValidator(
    r"^([0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{9}|[0-9]{12})$",
    _("A division code has 2, 4, 6, 9 or 12 digits (province, city, district, street, community)."),
    code="division_code",
)


class RiskArea(Jurisdictional):
    """A place anywhere in China that a commander or an official has declared risky, for a time.

    `area_code` is the area of whoever keeps the list (a community, or a street or district for all
    its communities); `division_code` is the risky place itself, at any level: an arrival from
    `370202001` (a street of Qingdao) or any community below it matches. The gravest matching
    entry kept by the arrival's community or one of its ancestors decides the measure.
    """

    division_code = models.CharField(_("division code"), max_length=12, validators=[DIVISION_CODE_VALIDATOR])
    name = models.CharField(_("place"), max_length=100)
    level = models.CharField(_("risk level"), max_length=8, choices=RiskLevel.choices)
    measure = models.CharField(_("measure for arrivals"), max_length=16, choices=Measure.choices)
    days = models.PositiveSmallIntegerField(
        _("days"), default=14, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    since = models.DateField(_("risky since"))
    until = models.DateField(_("risky until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = user_field(_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta(Jurisdictional.Meta):
        verbose_name = _("risk area")
        verbose_name_plural = _("risk areas")
        ordering = ["division_code", "-since"]
        indexes = [
            area_code_index("area_code", "health_risk_ac"),
            models.Index(fields=["division_code"], name="health_risk_div"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_level_display()})"

    def audit_label(self) -> str:
        return f"risk area {self.division_code}"
