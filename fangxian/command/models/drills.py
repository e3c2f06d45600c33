"""Drills (演练): a plan rehearsed, timed, evaluated, and its findings turned into revisions or tasks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangxian.core.areacode import area_code_index
from fangxian.core.scoping import Actor, Jurisdictional


class DrillStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Drill(Jurisdictional):
    """A rehearsal of a community's plan: scheduled, run with a live timeline, then evaluated.

    `area_code` is the plan's area (the community). Participants are the community's users who
    take part; people without an account (the property company, a unit's staff) are named in
    `other_participants`.
    """

    plan = models.ForeignKey("command.Plan", on_delete=models.PROTECT, related_name="drills", verbose_name=_("plan"))
    title = models.CharField(_("title"), max_length=200)
    scenario = models.TextField(_("scenario"), max_length=10000)
    scheduled_at = models.DateTimeField(_("scheduled for"))
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="drills", blank=True, verbose_name=_("participants")
    )
    other_participants = models.CharField(_("other participants"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=DrillStatus.choices, default=DrillStatus.SCHEDULED)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    went_well = models.TextField(_("what went well"), blank=True, max_length=10000)
    gaps = models.TextField(_("gaps found"), blank=True, max_length=10000)
    evaluated_at = models.DateTimeField(_("evaluated at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("scheduled by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta(Jurisdictional.Meta):
        verbose_name = _("drill")
        verbose_name_plural = _("drills")
        ordering = ["-scheduled_at"]
        indexes = [
            area_code_index("area_code", "command_drill_ac"),
            # The daily report counts drills held on a day and drills still to come.
            models.Index(fields=["status", "scheduled_at"], name="command_drill_status"),
        ]

    def __str__(self) -> str:
        return self.title

    def audit_label(self) -> str:
        return self.title

    @classmethod
    def scope_personal(cls, actor: Actor) -> Q | None:
        # The people taking part see the drill (a grid worker's grant does not reach the community
        # the drill is filed under). A subquery keeps rows unique.
        if actor.user is None or not actor.user.pk:
            return None
        return Q(pk__in=cls.participants.through.objects.filter(user_id=actor.user.pk).values("drill_id"))

    @property
    def is_running(self) -> bool:
        return self.status == DrillStatus.RUNNING


def _of_drills_taken_part_in(actor: Actor) -> Q | None:
    if actor.user is None or not actor.user.pk:
        return None
    return Q(drill_id__in=Drill.participants.through.objects.filter(user_id=actor.user.pk).values("drill_id"))


class DrillTimelineEntry(Jurisdictional):
    """One moment of a drill as it happened ("14:05 alarm raised", "14:12 gate 2 closed"), typed on a phone."""

    drill = models.ForeignKey(Drill, on_delete=models.CASCADE, related_name="timeline", verbose_name=_("drill"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    text = models.CharField(_("what happened"), max_length=500)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta(Jurisdictional.Meta):
        verbose_name = _("drill timeline entry")
        verbose_name_plural = _("drill timeline entries")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.text

    def audit_label(self) -> str:
        return f"drill #{self.drill_id} timeline #{self.pk}"

    @classmethod
    def scope_personal(cls, actor: Actor) -> Q | None:
        return _of_drills_taken_part_in(actor)


class FindingOutcome(models.TextChoices):
    OPEN = "open", _("Not yet acted on")
    PLAN_REVISION = "plan_revision", _("Plan revised")
    TASK = "task", _("Task created")


class DrillFinding(Jurisdictional):
    """Something the evaluation found (a gap, a lesson), and what was done about it: a task or a plan revision."""

    drill = models.ForeignKey(Drill, on_delete=models.CASCADE, related_name="findings", verbose_name=_("drill"))
    text = models.CharField(_("finding"), max_length=1000)
    outcome = models.CharField(_("outcome"), max_length=16, choices=FindingOutcome.choices, default=FindingOutcome.OPEN)
    task = models.ForeignKey(
        "command.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("task")
    )
    plan_version = models.ForeignKey(
        "command.PlanVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("plan version"),
    )
    acted_at = models.DateTimeField(_("acted on at"), null=True, blank=True)
    acted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acted on by"),
    )

    class Meta(Jurisdictional.Meta):
        verbose_name = _("drill finding")
        verbose_name_plural = _("drill findings")
        ordering = ["drill", "id"]

    def __str__(self) -> str:
        return self.text

    def audit_label(self) -> str:
        return f"drill #{self.drill_id} finding #{self.pk}"

    @classmethod
    def scope_personal(cls, actor: Actor) -> Q | None:
        return _of_drills_taken_part_in(actor)

    @property
    def is_open(self) -> bool:
        return self.outcome == FindingOutcome.OPEN
