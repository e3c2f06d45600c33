"""Emergency plans (预案): versioned checklists of actions per duty and level, activated into tasks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangxian.command.models.emergencies import Emergency, EmergencyKind, EmergencyLevel
from fangxian.command.models.group import Duty
from fangxian.command.models.tasks import TaskPriority
from fangxian.core.scoping import Jurisdictional

# A relative deadline is at most this long after activation (30 days).
MAX_DEADLINE_MINUTES = 30 * 24 * 60


class Plan(Jurisdictional):
    """A community's plan for one hazard. Its text and actions live in versions; every revision is kept."""

    hazard = models.CharField(_("hazard"), max_length=16, choices=EmergencyKind.choices)
    title = models.CharField(_("title"), max_length=200)
    review_interval_days = models.PositiveSmallIntegerField(_("review every (days)"), default=365)
    last_reviewed_at = models.DateField(_("last reviewed"), null=True, blank=True)
    # last_reviewed_at + review_interval_days, kept on save so that "due for review" is one
    # indexed comparison on both databases (no per-row date arithmetic in SQL).
    review_due_on = models.DateField(_("review due on"), null=True, blank=True, db_index=True)
    current_version = models.ForeignKey(
        "PlanVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current version"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta(Jurisdictional.Meta):
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["area_code", "hazard", "title"]

    def __str__(self) -> str:
        return self.title

    def audit_label(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.review_due_on = self.compute_review_due_on()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = [*kwargs["update_fields"], "review_due_on"]
        super().save(*args, **kwargs)

    def compute_review_due_on(self) -> dt.date:
        reviewed = self.last_reviewed_at or timezone.localdate(self.created_at)
        return reviewed + dt.timedelta(days=self.review_interval_days)

    @property
    def review_overdue(self) -> bool:
        return self.review_due_on is not None and self.review_due_on <= timezone.localdate()


class ImmutableRow(Jurisdictional):
    """A row written once: a later save or delete is refused (the history must not change)."""

    class Meta(Jurisdictional.Meta):
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise RuntimeError(f"{self._meta.label} rows are immutable: write a new version instead")
        super().save(*args, **kwargs)


class PlanVersion(ImmutableRow):
    """One revision of a plan: immutable once written, with who changed what and why."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions", verbose_name=_("plan"))
    number = models.PositiveIntegerField(_("version"))
    body = models.TextField(_("text"), blank=True, max_length=50000)
    change_note = models.CharField(_("what changed"), max_length=500, blank=True)
    # What the revision changed compared with the previous version, computed when it is written:
    # {"body_changed": bool, "added": [...], "removed": [...], "changed": [...]} (action titles).
    summary = models.JSONField(_("changes"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by"),
    )
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    class Meta(Jurisdictional.Meta):
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        ordering = ["plan", "-number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="plan_version_unique")]

    def __str__(self) -> str:
        return f"{self.plan_id} v{self.number}"

    def audit_label(self) -> str:
        return f"plan #{self.plan_id} v{self.number}"


class PlanAction(ImmutableRow):
    """A checklist item of a plan version: what a duty does, from which level, within how long."""

    version = models.ForeignKey(
        PlanVersion, on_delete=models.CASCADE, related_name="actions", verbose_name=_("plan version")
    )
    duty = models.CharField(_("duty"), max_length=16, choices=Duty.choices)
    duty_label = models.CharField(
        _("duty name"), max_length=50, blank=True, help_text=_("For another duty: what it is.")
    )
    # The action applies when the emergency's level is this grave or graver (I=1 is the gravest).
    level = models.PositiveSmallIntegerField(_("from level"), choices=EmergencyLevel.choices, default=EmergencyLevel.IV)
    title = models.CharField(_("action"), max_length=200)
    description = models.TextField(_("details"), blank=True, max_length=5000)
    deadline_minutes = models.PositiveIntegerField(_("due within (minutes of activation)"), default=120)
    priority = models.CharField(_("priority"), max_length=8, choices=TaskPriority.choices, default=TaskPriority.NORMAL)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta(Jurisdictional.Meta):
        verbose_name = _("plan action")
        verbose_name_plural = _("plan actions")
        ordering = ["version", "level", "order", "id"]

    def __str__(self) -> str:
        return self.title

    def audit_label(self) -> str:
        return f"plan action #{self.pk}"

    @property
    def duty_display(self) -> str:
        return self.duty_label if self.duty == Duty.CUSTOM and self.duty_label else str(self.get_duty_display())

    @property
    def deadline_display(self) -> str:
        hours, minutes = divmod(self.deadline_minutes, 60)
        if hours and minutes:
            return _("within %(h)d h %(m)d min") % {"h": hours, "m": minutes}
        if hours:
            return _("within %(h)d h") % {"h": hours}
        return _("within %(m)d min") % {"m": minutes}


class PlanActivation(Jurisdictional):
    """A plan version put into force for an emergency: the moment its actions became tasks."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="activations", verbose_name=_("plan"))
    version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("version"))
    emergency = models.ForeignKey(
        Emergency, on_delete=models.PROTECT, related_name="plan_activations", verbose_name=_("emergency")
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=EmergencyLevel.choices)
    activated_at = models.DateTimeField(_("activated at"), default=timezone.now)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("activated by"),
    )
    task_count = models.PositiveIntegerField(_("tasks created"), default=0)

    class Meta(Jurisdictional.Meta):
        verbose_name = _("plan activation")
        verbose_name_plural = _("plan activations")
        ordering = ["-activated_at"]

    def __str__(self) -> str:
        return f"{self.plan_id} @ {self.emergency_id}"

    def audit_label(self) -> str:
        return f"plan #{self.plan_id} activated for emergency #{self.emergency_id}"
