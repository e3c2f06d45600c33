"""The daily report (日报): the day's numbers from every app plus a few sentences, submitted upward."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangxian.core.areacode import area_code_index
from fangxian.core.scoping import Jurisdictional


class DailyReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class DailyReport(Jurisdictional):
    """One area's report for one date. Submitting again replaces it: one row per (area, date).

    The figures are frozen when the community submits, so the street reads what the community
    sent even if a task is closed late; the roll-ups sum these frozen figures.
    """

    date = models.DateField(_("date"))
    status = models.CharField(
        _("status"), max_length=10, choices=DailyReportStatus.choices, default=DailyReportStatus.DRAFT
    )
    # {section key: {figure key: number}}, frozen at submission from the registered sections.
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=5000)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    # How many times it was submitted: a second submission replaces the first, and says so.
    submission_count = models.PositiveIntegerField(_("submissions"), default=0)

    # Free text may name people and their health: the trail says it changed, not what it says.
    audit_masked = ("notes",)

    class Meta(Jurisdictional.Meta):
        verbose_name = _("daily report")
        verbose_name_plural = _("daily reports")
        ordering = ["-date", "area_code"]
        constraints = [models.UniqueConstraint(fields=["area_code", "date"], name="daily_report_unique")]
        indexes = [
            area_code_index("area_code", "command_dailyreport_ac"),
            # Roll-ups: one date, every community below a street/district (a prefix on the code).
            models.Index(
                fields=["date", "area_code"],
                name="command_report_date_ac",
                opclasses=["date_ops", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area_code} {self.date}"

    def audit_label(self) -> str:
        return f"daily report {self.area_code} {self.date:%Y-%m-%d}"

    @property
    def is_submitted(self) -> bool:
        return self.status == DailyReportStatus.SUBMITTED
