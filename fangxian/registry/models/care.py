"""Care of vulnerable residents (弱势群体关爱): details of their needs, care plans and visits.

A community keeps, for each vulnerable person, who visits them and how often; a grid worker
records each visit. A plan is overdue when its last visit (or, before the first, its start) is
older than its frequency: `next_due_on` holds that date so that "my overdue visits" is one
indexed query.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangxian.core.areacode import area_code_index
from fangxian.core.scoping import Jurisdictional


class DisabilityGrade(models.TextChoices):
    GRADE_1 = "1", _("Grade 1 (most severe)")
    GRADE_2 = "2", _("Grade 2")
    GRADE_3 = "3", _("Grade 3")
    GRADE_4 = "4", _("Grade 4")


class CareLevel(models.TextChoices):
    SELF_CARE = "self", _("Looks after themselves")
    PARTIAL = "partial", _("Needs some help")
    FULL = "full", _("Needs full care")


class VulnerabilityDetail(Jurisdictional):
    """The details behind a vulnerability tag: disability grade, chronic disease, care level."""

    vulnerability = models.OneToOneField(
        "registry.Vulnerability", on_delete=models.CASCADE, related_name="care_detail", verbose_name=_("vulnerability")
    )
    disability_grade = models.CharField(
        _("disability grade"), max_length=1, choices=DisabilityGrade.choices, blank=True
    )
    chronic_disease = models.CharField(_("chronic disease"), max_length=100, blank=True)
    care_level = models.CharField(_("care level"), max_length=10, choices=CareLevel.choices, blank=True)

    personal_data = True
    audit_masked = ("chronic_disease",)

    class Meta(Jurisdictional.Meta):
        verbose_name = _("vulnerability detail")
        verbose_name_plural = _("vulnerability details")
        # The default name would pass the 30 characters Django allows for an index.
        indexes = [area_code_index("area_code", "registry_vulndetail_ac")]

    def __str__(self) -> str:
        return f"{self.vulnerability_id}"

    def audit_label(self) -> str:
        return f"vulnerability #{self.vulnerability_id}: detail"


class CarePlan(Jurisdictional):
    """Who visits a vulnerable resident and how often; `area_code` is the resident's grid.

    `visitor` is empty when the resident moved to a grid their visitor does not cover: the plan then
    "needs a visitor" until the community chooses one (no overdue task is made meanwhile).
    """

    resident = models.ForeignKey(
        "registry.Resident", on_delete=models.CASCADE, related_name="care_plans", verbose_name=_("resident")
    )
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="care_plans",
        verbose_name=_("visitor"),
    )
    frequency_days = models.PositiveSmallIntegerField(_("visit every (days)"))
    started_on = models.DateField(_("started on"))
    active = models.BooleanField(_("active"), default=True)
    last_visited_on = models.DateField(_("last visited on"), null=True, blank=True)
    next_due_on = models.DateField(_("next visit due on"), db_index=True)
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    # Set when the plan ends (`care_plan_end`): the local date, and why nobody visits any more.
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("why it ended"), max_length=500, blank=True)

    personal_data = True
    audit_masked = ("notes", "end_reason")

    class Meta(Jurisdictional.Meta):
        verbose_name = _("care plan")
        verbose_name_plural = _("care plans")
        ordering = ["next_due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resident"], condition=models.Q(active=True), name="careplan_one_active_per_resident"
            ),
            models.CheckConstraint(
                condition=models.Q(frequency_days__gte=1, frequency_days__lte=366), name="careplan_frequency_range"
            ),
        ]

    def __str__(self) -> str:
        return f"care plan #{self.pk}"

    def audit_label(self) -> str:
        return f"care plan #{self.pk} of resident #{self.resident_id}"

    def compute_next_due(self) -> dt.date:
        return (self.last_visited_on or self.started_on) + dt.timedelta(days=self.frequency_days)

    def is_overdue_on(self, today: dt.date) -> bool:
        return self.active and self.next_due_on < today


class CareVisit(Jurisdictional):
    """One visit to a vulnerable resident: when, by whom, what was found, whether to follow up."""

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="visits", verbose_name=_("care plan"))
    visited_on = models.DateField(_("visited on"))
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="care_visits",
        verbose_name=_("visitor"),
    )
    findings = models.TextField(_("what was found"), max_length=2000)
    follow_up_needed = models.BooleanField(_("follow-up needed"), default=False)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    personal_data = True
    audit_masked = ("findings",)

    class Meta(Jurisdictional.Meta):
        verbose_name = _("care visit")
        verbose_name_plural = _("care visits")
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"care visit #{self.pk}"

    def audit_label(self) -> str:
        return f"care visit #{self.pk} (plan #{self.plan_id})"
