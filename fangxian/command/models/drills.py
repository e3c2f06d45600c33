"""Drills (演练): a plan rehearsed, timed, evaluated, and its findings turned into revisions or tasks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangxian.core.scoping import Jurisdictional


class DrillStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Drill(Jurisdictional):
    plan = models.ForeignKey("command.Plan", on_delete=models.PROTECT, related_name="drills", verbose_name=_("plan"))
    title = models.CharField(_("title"), max_length=200)
    scenario = models.TextField(_("scenario"), max_length=10000)
    scheduled_at = models.DateTimeField(_("scheduled for"))
    participants = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="drills", blank=True,
                                          verbose_name=_("participants"))
    other_participants = models.CharField(_("other participants"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=DrillStatus.choices, default=DrillStatus.SCHEDULED)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    went_well = models.TextField(_("what went well"), blank=True, max_length=10000)
    gaps = models.TextField(_("gaps found"), blank=True, max_length=10000)

    class Meta(Jurisdictional.Meta):
        verbose_name = _("drill")
        verbose_name_plural = _("drills")
        ordering = ["-scheduled_at"]

    def __str__(self) -> str:
        return self.title

    def audit_label(self) -> str:
        return self.title


class DrillTimelineEntry(Jurisdictional):
    drill = models.ForeignKey(Drill, on_delete=models.CASCADE, related_name="timeline", verbose_name=_("drill"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    text = models.CharField(_("what happened"), max_length=500)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                           related_name="+", verbose_name=_("recorded by"))

    class Meta(Jurisdictional.Meta):
        verbose_name = _("drill timeline entry")
        verbose_name_plural = _("drill timeline entries")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.text


class FindingOutcome(models.TextChoices):
    OPEN = "open", _("Not yet acted on")
    PLAN_REVISION = "plan_revision", _("Plan revised")
    TASK = "task", _("Task created")


class DrillFinding(Jurisdictional):
    drill = models.ForeignKey(Drill, on_delete=models.CASCADE, related_name="findings", verbose_name=_("drill"))
    text = models.CharField(_("finding"), max_length=1000)
    outcome = models.CharField(_("outcome"), max_length=16, choices=FindingOutcome.choices,
                               default=FindingOutcome.OPEN)
    task = models.ForeignKey("command.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("task"))
    plan_version = models.ForeignKey("command.PlanVersion", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("plan version"))

    class Meta(Jurisdictional.Meta):
        verbose_name = _("drill finding")
        verbose_name_plural = _("drill findings")
        ordering = ["drill", "id"]

    def __str__(self) -> str:
        return self.text
