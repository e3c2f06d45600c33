"""Writes of drills: schedule from a plan, run with a timeline, evaluate, act on the findings.

A drill belongs to its plan's community. Scheduling, starting, ending and evaluating need
`drill.manage` in that community; the people taking part may also add to the timeline while it
runs (a grid worker at the gate types "gate 2 closed" on a phone). A finding is acted on once:
it becomes a task (`task.assign`) or a new plan version (`plan.manage`), and the outcome stays on
the finding.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangxian.command.models import Drill, DrillFinding, DrillTimelineEntry, Plan, PlanVersion, Task
from fangxian.command.models.drills import DrillStatus, FindingOutcome
from fangxian.command.models.tasks import TaskPriority, TaskSource
from fangxian.command.selectors.drills import capability_reaches, drill_participant_choices
from fangxian.command.services.plans import plan_revise
from fangxian.command.services.tasks import task_create
from fangxian.core.audit import audit_record
from fangxian.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangxian.core.models import AuditAction
from fangxian.core.scoping import Actor

# A drill may be put in the calendar up to a year ahead; a little slack for "now" typed on a phone.
SCHEDULE_HORIZON = dt.timedelta(days=366)
SCHEDULE_SLACK = dt.timedelta(minutes=10)
MAX_FINDINGS = 50


def aware_time(value: dt.datetime, *, field: str) -> dt.datetime:
    """A time from a form or a device: naive means local time; years outside 2000-2999 are refused."""
    if not 2000 <= value.year <= 2999:
        raise DomainError(_("This time is not plausible."), code="invalid_time", field=field)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _require(actor: Actor, capability: str, area_code: str, message: str) -> None:
    if not capability_reaches(actor, capability, area_code):
        raise PermissionDenied(message)


def _drill_for_update(actor: Actor, drill_id: int) -> Drill:
    """The drill, locked, or NotFound alike for missing and outside the jurisdiction."""
    visible = Drill.objects.visible_to(actor).filter(pk=drill_id).values("pk")
    drill = Drill.objects.select_for_update().filter(pk__in=visible).first()
    if drill is None:
        raise NotFound(_("Not found."))
    return drill


def _participants(actor: Actor, area_code: str, participant_ids: Iterable[int]) -> list:
    ids = {int(pk) for pk in participant_ids}
    if not ids:
        return []
    users = list(drill_participant_choices(actor=actor, area_code=area_code).filter(pk__in=ids))
    if len(users) != len(ids):
        raise DomainError(
            _("Participants must be users of the drill's community."),
            code="drill_participant_outside",
            field="participants",
        )
    return users


@transaction.atomic
def drill_schedule(
    *,
    actor: Actor,
    plan_id: int,
    scheduled_at: dt.datetime,
    scenario: str,
    title: str = "",
    participant_ids: Iterable[int] = (),
    other_participants: str = "",
) -> Drill:
    """Put a drill of a plan in the calendar of the plan's community."""
    if not actor.can("drill.manage"):
        raise PermissionDenied(_("Your role may not schedule drills."))
    plan = Plan.objects.visible_to(actor).filter(pk=plan_id).first()
    if plan is None:
        raise NotFound(_("This plan does not exist, or it is not in your jurisdiction."), field="plan")
    _require(actor, "drill.manage", plan.area_code, _("You may schedule drills only in your own community."))
    scheduled_at = aware_time(scheduled_at, field="scheduled_at")
    now = timezone.now()
    if scheduled_at < now - SCHEDULE_SLACK:
        raise DomainError(_("A drill cannot be scheduled in the past."), code="drill_in_past", field="scheduled_at")
    if scheduled_at > now + SCHEDULE_HORIZON:
        raise DomainError(
            _("A drill can be scheduled at most a year ahead."), code="drill_too_far", field="scheduled_at"
        )
    drill = Drill(
        area_code=plan.area_code,
        plan=plan,
        title=(title or "").strip() or _("Drill: %(plan)s") % {"plan": plan.title},
        scenario=(scenario or "").strip(),
        scheduled_at=scheduled_at,
        other_participants=(other_participants or "").strip(),
        created_by=actor.user,
    )
    drill.title = drill.title[:200]
    drill.full_clean()
    drill.save()
    people = _participants(actor, plan.area_code, participant_ids)
    drill.participants.set(people)
    if people:
        # The many-to-many rows are not audited by the save signals: say who takes part.
        audit_record(AuditAction.UPDATE, actor=actor, obj=drill, changes={"participants": [u.pk for u in people]})
    return drill


@transaction.atomic
def drill_start(*, actor: Actor, drill_id: int) -> Drill:
    drill = _drill_for_update(actor, drill_id)
    _require(actor, "drill.manage", drill.area_code, _("Your role may not start this drill."))
    if drill.status != DrillStatus.SCHEDULED:
        raise Conflict(_("Only a scheduled drill can be started."), code="drill_not_scheduled")
    drill.status = DrillStatus.RUNNING
    drill.started_at = timezone.now()
    drill.save(update_fields=["status", "started_at"])
    DrillTimelineEntry.objects.create(
        area_code=drill.area_code, drill=drill, at=drill.started_at, text=_("Drill started"), by=actor.user
    )
    return drill


@transaction.atomic
def drill_end(*, actor: Actor, drill_id: int) -> Drill:
    drill = _drill_for_update(actor, drill_id)
    _require(actor, "drill.manage", drill.area_code, _("Your role may not end this drill."))
    if drill.status != DrillStatus.RUNNING:
        raise Conflict(_("Only a running drill can be ended."), code="drill_not_running")
    drill.status = DrillStatus.DONE
    drill.ended_at = timezone.now()
    drill.save(update_fields=["status", "ended_at"])
    DrillTimelineEntry.objects.create(
        area_code=drill.area_code, drill=drill, at=drill.ended_at, text=_("Drill ended"), by=actor.user
    )
    return drill


@transaction.atomic
def drill_cancel(*, actor: Actor, drill_id: int) -> Drill:
    drill = _drill_for_update(actor, drill_id)
    _require(actor, "drill.manage", drill.area_code, _("Your role may not cancel this drill."))
    if drill.status != DrillStatus.SCHEDULED:
        raise Conflict(_("Only a scheduled drill can be cancelled."), code="drill_not_scheduled")
    drill.status = DrillStatus.CANCELLED
    drill.save(update_fields=["status"])
    return drill


def _may_record(actor: Actor, drill: Drill) -> bool:
    if capability_reaches(actor, "drill.manage", drill.area_code):
        return True
    # The people taking part record what they see, whatever their role.
    return actor.user is not None and drill.participants.filter(pk=actor.user.pk).exists()


@transaction.atomic
def drill_timeline_add(*, actor: Actor, drill_id: int, text: str, at: dt.datetime | None = None) -> DrillTimelineEntry:
    """Record one moment of a running drill (now, unless the recorder gives the time it happened)."""
    visible = Drill.objects.visible_to(actor).filter(pk=drill_id).first()
    if visible is None:
        raise NotFound(_("Not found."))
    if not _may_record(actor, visible):
        raise PermissionDenied(_("Only the drill's organisers and participants may record its timeline."))
    drill = _drill_for_update(actor, drill_id)
    if drill.status != DrillStatus.RUNNING:
        raise Conflict(_("The timeline is recorded while the drill runs."), code="drill_not_running")
    now = timezone.now()
    at = aware_time(at, field="at") if at is not None else now
    if at > now + dt.timedelta(minutes=5) or (drill.started_at and at < drill.started_at - dt.timedelta(hours=1)):
        raise DomainError(_("The time must lie within the drill."), code="drill_time_outside", field="at")
    entry = DrillTimelineEntry(area_code=drill.area_code, drill=drill, at=at, text=(text or "").strip(), by=actor.user)
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def drill_evaluate(*, actor: Actor, drill_id: int, went_well: str, gaps: str, findings: Iterable[str] = ()) -> Drill:
    """Write what went well and the gaps of a finished drill; each finding becomes a row to act on."""
    drill = _drill_for_update(actor, drill_id)
    _require(actor, "drill.manage", drill.area_code, _("Your role may not evaluate this drill."))
    if drill.status != DrillStatus.DONE:
        raise Conflict(_("A drill is evaluated after it has ended."), code="drill_not_done")
    drill.went_well = (went_well or "").strip()
    drill.gaps = (gaps or "").strip()
    drill.evaluated_at = timezone.now()
    drill.full_clean()
    drill.save()
    texts = [t.strip() for t in findings if t and t.strip()]
    if drill.findings.count() + len(texts) > MAX_FINDINGS:
        raise DomainError(
            _("A drill has at most %(n)d findings.") % {"n": MAX_FINDINGS}, code="too_many_findings", field="findings"
        )
    for text in texts:
        _finding_create(drill, text)
    return drill


def _finding_create(drill: Drill, text: str) -> DrillFinding:
    finding = DrillFinding(area_code=drill.area_code, drill=drill, text=text)
    finding.full_clean()
    finding.save()
    return finding


@transaction.atomic
def drill_finding_add(*, actor: Actor, drill_id: int, text: str) -> DrillFinding:
    drill = _drill_for_update(actor, drill_id)
    _require(actor, "drill.manage", drill.area_code, _("Your role may not evaluate this drill."))
    if drill.status != DrillStatus.DONE:
        raise Conflict(_("A drill is evaluated after it has ended."), code="drill_not_done")
    if drill.findings.count() >= MAX_FINDINGS:
        raise DomainError(_("A drill has at most %(n)d findings.") % {"n": MAX_FINDINGS}, code="too_many_findings")
    return _finding_create(drill, (text or "").strip())


def _finding_for_update(actor: Actor, finding_id: int) -> DrillFinding:
    visible = DrillFinding.objects.visible_to(actor).filter(pk=finding_id).values("pk")
    finding = DrillFinding.objects.select_for_update().select_related("drill").filter(pk__in=visible).first()
    if finding is None:
        raise NotFound(_("Not found."))
    if not finding.is_open:
        raise Conflict(_("This finding has already been acted on."), code="finding_already_acted")
    return finding


@transaction.atomic
def drill_finding_to_task(
    *,
    actor: Actor,
    finding_id: int,
    assignee_ids: Iterable[int],
    due_at: dt.datetime | None = None,
    priority: str = TaskPriority.NORMAL,
    title: str = "",
) -> Task:
    """Turn a finding into a task for people of the drill's community; the finding records it."""
    finding = _finding_for_update(actor, finding_id)
    drill = finding.drill
    _require(actor, "drill.manage", drill.area_code, _("Your role may not act on this drill's findings."))
    _require(actor, "task.assign", drill.area_code, _("Your role may not assign tasks."))
    assignees = _participants(actor, drill.area_code, assignee_ids)
    if not assignees:
        raise DomainError(_("Choose who is to do it."), code="task_no_assignee", field="assignees")
    if priority not in TaskPriority.values:
        raise DomainError(_("Unknown priority."), code="invalid_priority", field="priority")
    if due_at is not None:
        due_at = aware_time(due_at, field="due_at")
    if due_at is not None and due_at < timezone.now():
        raise DomainError(_("The due time has already passed."), code="due_in_past", field="due_at")
    task = _task_create(
        actor=actor,
        title=(title or "").strip()[:200] or finding.text[:200],
        area_code=drill.area_code,
        assignees=assignees,
        due_at=due_at,
        priority=priority,
        source_ref=f"command.drillfinding:{finding.pk}",
        description=_("From the evaluation of the drill “%(drill)s”: %(finding)s")
        % {"drill": drill.title, "finding": finding.text},
    )
    finding.outcome = FindingOutcome.TASK
    finding.task = task
    finding.acted_at = timezone.now()
    finding.acted_by = actor.user
    finding.save(update_fields=["outcome", "task", "acted_at", "acted_by"])
    return task


def _task_create(
    *,
    actor: Actor,
    title: str,
    area_code: str,
    assignees: list,
    due_at: dt.datetime | None,
    priority: str,
    source_ref: str,
    description: str,
) -> Task:
    # The task service owns the task's rules (status history, de-duplication by source_ref).
    return task_create(
        actor=actor,
        title=title,
        area_code=area_code,
        assignees=assignees,
        due_at=due_at,
        priority=priority,
        source=TaskSource.DRILL,
        source_ref=source_ref,
        description=description[:5000],
    )


@transaction.atomic
def drill_finding_to_plan_revision(*, actor: Actor, finding_id: int) -> PlanVersion:
    """Write the next version of the drilled plan through the plan service, the finding recorded in it.

    The finding is appended to the plan's text (so the version differs from the last: the plan
    service refuses a revision that changes nothing) and is its change note; the actions are
    carried over. The commander then works it into the plan on the plan's page; the finding links
    to the version, so the plan's history says which drill prompted the change.
    """
    finding = _finding_for_update(actor, finding_id)
    drill = finding.drill
    _require(actor, "drill.manage", drill.area_code, _("Your role may not act on this drill's findings."))
    plan = Plan.objects.visible_to(actor).select_related("current_version").filter(pk=drill.plan_id).first()
    if plan is None:
        raise NotFound(_("Not found."))
    _require(actor, "plan.manage", plan.area_code, _("Your role may not revise plans."))
    day = timezone.localdate(drill.started_at or drill.scheduled_at).isoformat()
    addition = _("Drill finding (%(date)s, “%(drill)s”): %(finding)s") % {
        "date": day,
        "drill": drill.title,
        "finding": finding.text,
    }
    body = plan.current_version.body.rstrip() if plan.current_version else ""
    note = _("Drill “%(drill)s”: %(finding)s") % {"drill": drill.title, "finding": finding.text}
    version = plan_revise(
        actor=actor, plan=plan.pk, change_note=note[:500], body=f"{body}\n\n{addition}" if body else addition
    )
    finding.outcome = FindingOutcome.PLAN_REVISION
    finding.plan_version = version
    finding.acted_at = timezone.now()
    finding.acted_by = actor.user
    finding.save(update_fields=["outcome", "plan_version", "acted_at", "acted_by"])
    return version
