"""Writes of plans: create, revise (a new immutable version each time), mark reviewed, activate.

Activation turns the current version's actions for the emergency's level into tasks, assigned to
whoever holds each duty in the community's command group, in one transaction and a constant
number of queries however many actions the plan has (bulk inserts; one summary audit event,
since bulk inserts fire no signals).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangxian.accounts.models import RoleAssignment
from fangxian.areas.models import Area
from fangxian.command.models import (
    Emergency,
    EmergencyKind,
    Plan,
    PlanAction,
    PlanActivation,
    PlanVersion,
    Task,
    TaskPriority,
    TaskSource,
)
from fangxian.command.models.plans import MAX_DEADLINE_MINUTES
from fangxian.command.selectors.group import community_commander_ids, duty_holder_ids, duty_key
from fangxian.command.selectors.plans import plans_due_for_review
from fangxian.command.services.emergencies import checked_level
from fangxian.command.services.group import checked_duty
from fangxian.core.audit import audit_record
from fangxian.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangxian.core.models import AuditAction
from fangxian.core.roles import Role
from fangxian.core.scoping import Actor

COMMUNITY_LENGTH = 12
MAX_ACTIONS = 200
MAX_REVIEW_INTERVAL_DAYS = 3650
REVIEW_TASK_DUE = dt.timedelta(days=7)
TASK_DESCRIPTION_MAX = 5000


def action_source_ref(action: PlanAction) -> str:
    """What a task created from a plan action points back to (and how activation avoids doubles)."""
    return f"command.planaction:{action.pk}"


def _require(actor: Actor, capability: str, message: str) -> None:
    if not actor.can(capability):
        raise PermissionDenied(message)


def _checked_hazard(hazard: object) -> str:
    if hazard not in EmergencyKind.values:
        choices = ", ".join(str(label) for label in EmergencyKind.labels)
        raise DomainError(
            _("Unknown hazard. Choose one of: %(choices)s.") % {"choices": choices},
            code="unknown_hazard",
            field="hazard",
        )
    return str(hazard)


def _checked_interval(days: object) -> int:
    try:
        value = int(days)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= MAX_REVIEW_INTERVAL_DAYS:
        raise DomainError(
            _("Review a plan every 1 to %(max)d days.") % {"max": MAX_REVIEW_INTERVAL_DAYS},
            code="invalid_interval",
            field="review_interval_days",
        )
    return value


def _checked_text(value: object, *, field: str, limit: int, required: bool, message: str = "") -> str:
    text = str(value or "").strip()
    if required and not text:
        raise DomainError(message or _("This field is required."), code=f"{field}_required", field=field)
    if len(text) > limit:
        raise DomainError(_("Too long: at most %(max)d characters.") % {"max": limit}, code="too_long", field=field)
    return text


def _action_error(index: int, message: str, code: str) -> DomainError:
    return DomainError(
        _("Action %(n)d: %(message)s") % {"n": index, "message": message}, code=code, field="actions", index=index
    )


def checked_actions(actions: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Validate a plan's checklist, each problem named with the action's number (from 1)."""
    result = []
    for index, raw in enumerate(actions, start=1):
        if index > MAX_ACTIONS:
            raise DomainError(
                _("A plan version holds at most %(max)d actions.") % {"max": MAX_ACTIONS},
                code="too_many_actions",
                field="actions",
            )
        try:
            duty, duty_label = checked_duty(raw.get("duty"), raw.get("duty_label", ""))
            level = checked_level(raw.get("level", 4))
        except DomainError as error:
            raise _action_error(index, str(error.message), error.code) from None
        title = str(raw.get("title") or "").strip()
        if not title:
            raise _action_error(index, _("say what is to be done."), "title_required")
        if len(title) > 200:
            raise _action_error(index, _("the action is too long (at most 200 characters)."), "too_long")
        description = str(raw.get("description") or "").strip()
        if len(description) > 5000:
            raise _action_error(index, _("the details are too long (at most 5000 characters)."), "too_long")
        minutes = raw.get("deadline_minutes", 120)
        if isinstance(minutes, bool) or not isinstance(minutes, int | str):
            minutes = None
        try:
            minutes = int(minutes) if minutes is not None else None
        except ValueError:
            minutes = None
        if minutes is None:
            raise _action_error(index, _("the deadline must be a number of minutes."), "invalid_deadline")
        if minutes < 0:
            raise _action_error(
                index,
                _("the deadline cannot be before the activation (%(minutes)d minutes).") % {"minutes": minutes},
                "negative_deadline",
            )
        if minutes > MAX_DEADLINE_MINUTES:
            raise _action_error(index, _("the deadline is at most 30 days after the activation."), "invalid_deadline")
        priority = raw.get("priority") or TaskPriority.NORMAL
        if priority not in TaskPriority.values:
            raise _action_error(index, _("unknown priority."), "unknown_priority")
        order = raw.get("order")
        result.append(
            {
                "duty": duty,
                "duty_label": duty_label,
                "level": level,
                "title": title,
                "description": description,
                "deadline_minutes": minutes,
                "priority": str(priority),
                "order": int(order) if isinstance(order, int) and 0 <= order < 32767 else index,
            }
        )
    return result


def _action_key(action: Mapping[str, Any]) -> tuple[str, int, str]:
    return duty_key(action["duty"], action["duty_label"]), action["level"], action["title"]


def _summary(previous_body: str, previous: list[dict[str, Any]], body: str, actions: list[dict[str, Any]]) -> dict:
    """What a revision changed, by action title: kept with the version as "who changed what"."""
    old = {_action_key(a): a for a in previous}
    new = {_action_key(a): a for a in actions}
    compared = ("description", "deadline_minutes", "priority")
    return {
        "body_changed": previous_body != body,
        "added": [a["title"] for key, a in new.items() if key not in old][:50],
        "removed": [a["title"] for key, a in old.items() if key not in new][:50],
        "changed": [a["title"] for key, a in new.items() if key in old and any(old[key][f] != a[f] for f in compared)][
            :50
        ],
    }


def _action_values(action: PlanAction) -> dict[str, Any]:
    return {
        "duty": action.duty,
        "duty_label": action.duty_label,
        "level": action.level,
        "title": action.title,
        "description": action.description,
        "deadline_minutes": action.deadline_minutes,
        "priority": action.priority,
        "order": action.order,
    }


def _write_version(
    *, actor: Actor, plan: Plan, number: int, body: str, change_note: str, actions: list[dict[str, Any]], summary: dict
) -> PlanVersion:
    version = PlanVersion(
        area_code=plan.area_code,
        plan=plan,
        number=number,
        body=body,
        change_note=change_note,
        summary=summary,
        created_by=actor.user,
        created_at=timezone.now(),
    )
    version.full_clean(exclude=["plan", "created_by"], validate_constraints=False)
    version.save()
    rows = [PlanAction(area_code=plan.area_code, version=version, **values) for values in actions]
    for row in rows:
        row.full_clean(exclude=["version"])
    PlanAction.objects.bulk_create(rows)
    if rows:
        audit_record(
            AuditAction.BULK_CREATE,
            actor=actor,
            obj=version,
            changes={"actions": len(rows), "model": "command.planaction"},
        )
    plan.current_version = version
    plan.save(update_fields=["current_version"])
    return version


def _community(actor: Actor, area_code: str) -> Area:
    area = Area.objects.visible_to(actor).filter(code=area_code).first() if isinstance(area_code, str) else None
    if area is None or not actor.reaches(area_code):
        raise NotFound(_("Not found."), field="area_code")
    if len(area_code) != COMMUNITY_LENGTH:
        raise DomainError(_("A plan belongs to a community."), code="wrong_area_level", field="area_code")
    return area


@transaction.atomic
def plan_create(
    *,
    actor: Actor,
    area_code: str,
    hazard: str,
    title: str,
    review_interval_days: int = 365,
    body: str = "",
    change_note: str = "",
    actions: Iterable[Mapping[str, Any]] = (),
) -> Plan:
    """Write a community's plan for a hazard: version 1 with its checklist. Writing it counts as a review."""
    _require(actor, "plan.manage", _("Your role may not write plans."))
    _community(actor, area_code)
    hazard = _checked_hazard(hazard)
    title = _checked_text(title, field="title", limit=200, required=True, message=_("Give the plan a title."))
    body = _checked_text(body, field="body", limit=50000, required=False)
    change_note = _checked_text(change_note, field="change_note", limit=500, required=False)
    checked = checked_actions(actions)
    now = timezone.now()
    plan = Plan(
        area_code=area_code,
        hazard=hazard,
        title=title,
        review_interval_days=_checked_interval(review_interval_days),
        last_reviewed_at=timezone.localdate(now),
        created_at=now,
    )
    plan.full_clean(exclude=["current_version"])
    plan.save()
    _write_version(
        actor=actor,
        plan=plan,
        number=1,
        body=body,
        change_note=change_note or _("First version"),
        actions=checked,
        summary=_summary("", [], body, checked),
    )
    return plan


def _locked_plan(actor: Actor, plan: Plan | int) -> Plan:
    pk = plan.pk if isinstance(plan, Plan) else plan
    locked = Plan.objects.select_for_update(of=("self",)).select_related("current_version").get_visible(actor, pk=pk)
    if not actor.reaches(locked.area_code):
        raise NotFound(_("Not found."))
    return locked


@transaction.atomic
def plan_revise(
    *,
    actor: Actor,
    plan: Plan | int,
    change_note: str,
    body: str | None = None,
    actions: Iterable[Mapping[str, Any]] | None = None,
    title: str | None = None,
    review_interval_days: int | None = None,
) -> PlanVersion:
    """Write the next version of a plan (the previous ones stay as they were). None keeps a part as it is."""
    _require(actor, "plan.manage", _("Your role may not write plans."))
    plan = _locked_plan(actor, plan)
    current = plan.current_version
    previous_actions = (
        [
            _action_values(a)
            for a in PlanAction.objects.visible_to(actor).filter(version=current).order_by("order", "id")
        ]
        if current
        else []
    )
    previous_body = current.body if current else ""
    change_note = _checked_text(
        change_note, field="change_note", limit=500, required=True, message=_("Say what this revision changes.")
    )
    body = previous_body if body is None else _checked_text(body, field="body", limit=50000, required=False)
    checked = previous_actions if actions is None else checked_actions(actions)
    summary = _summary(previous_body, previous_actions, body, checked)
    plan_changed = False
    if title is not None:
        title = _checked_text(title, field="title", limit=200, required=True, message=_("Give the plan a title."))
        plan_changed |= title != plan.title
        plan.title = title
    if review_interval_days is not None:
        interval = _checked_interval(review_interval_days)
        plan_changed |= interval != plan.review_interval_days
        plan.review_interval_days = interval
    if not (
        plan_changed
        or summary["body_changed"]
        or summary["added"]
        or summary["removed"]
        or summary["changed"]
        or [_action_key(a) for a in previous_actions] != [_action_key(a) for a in checked]
    ):
        raise DomainError(
            _("Nothing changed: this revision would be the same as version %(n)d.")
            % {"n": current.number if current else 0},
            code="no_change",
        )
    if plan_changed:
        plan.full_clean(exclude=["current_version"])
        plan.save(update_fields=["title", "review_interval_days"])
    number = (current.number if current else 0) + 1
    return _write_version(
        actor=actor, plan=plan, number=number, body=body, change_note=change_note, actions=checked, summary=summary
    )


@transaction.atomic
def plan_mark_reviewed(*, actor: Actor, plan: Plan | int, reviewed_on: dt.date | None = None) -> Plan:
    """Record that the plan was read through and still fits: the review reminder starts again."""
    _require(actor, "plan.manage", _("Your role may not review plans."))
    plan = _locked_plan(actor, plan)
    today = timezone.localdate()
    reviewed_on = reviewed_on or today
    if reviewed_on > today:
        raise DomainError(_("A review date cannot be in the future."), code="date_in_future", field="reviewed_on")
    plan.last_reviewed_at = reviewed_on
    plan.full_clean(exclude=["current_version"])
    plan.save(update_fields=["last_reviewed_at"])
    return plan


@transaction.atomic
def plan_activate(*, actor: Actor, plan: Plan | int, emergency: Emergency | int) -> PlanActivation:
    """Put the plan into force for an emergency: one task per action of the emergency's level.

    Actions apply when their level is the emergency's or less grave (`action.level >= level`, I=1
    is the gravest). Each task goes to the active command-group members holding the action's duty
    who are users; when nobody holds it, to the community's commander(s), and the task says so.
    Activating again (after the level rose) adds only the actions that have no task yet.
    """
    _require(actor, "plan.activate", _("Your role may not activate plans."))
    plan = _locked_plan(actor, plan)
    emergency_pk = emergency.pk if isinstance(emergency, Emergency) else emergency
    emergency = Emergency.objects.get_visible(actor, pk=emergency_pk)
    if not emergency.is_active:
        raise Conflict(_("This emergency has already ended."), code="emergency_ended", field="emergency")
    if not emergency.covers(plan.area_code):
        raise DomainError(
            _("This emergency does not cover the plan's community."), code="not_covering", field="emergency"
        )
    if plan.hazard not in (EmergencyKind.OTHER, emergency.kind):
        raise DomainError(
            _("This plan is for %(hazard)s; the emergency is %(kind)s.")
            % {"hazard": plan.get_hazard_display(), "kind": emergency.get_kind_display()},
            code="hazard_mismatch",
            field="emergency",
        )
    version = plan.current_version
    if version is None:
        raise DomainError(_("This plan has no version yet."), code="no_version")
    actions = list(
        PlanAction.objects.visible_to(actor)
        .filter(version=version, level__gte=emergency.level)
        .order_by("-level", "order", "id")
    )
    refs = {action_source_ref(a): a for a in actions}
    existing = set(
        Task.objects.visible_to(actor)
        .filter(emergency=emergency, source_ref__in=list(refs))
        .values_list("source_ref", flat=True)
    )
    todo = [a for ref, a in refs.items() if ref not in existing]
    if not todo:
        if actions:
            raise Conflict(
                _("This plan is already active for this emergency at this level: every action has its task."),
                code="already_activated",
            )
        raise DomainError(
            _("The plan has no actions for level %(level)s.") % {"level": emergency.level_numeral}, code="no_actions"
        )

    holders = duty_holder_ids(plan.area_code, {(a.duty, a.duty_label) for a in todo})
    commanders = community_commander_ids(plan.area_code) or ([actor.user.pk] if actor.user else [])
    now = timezone.now()
    activation = PlanActivation(
        area_code=plan.area_code,
        plan=plan,
        version=version,
        emergency=emergency,
        level=emergency.level,
        activated_at=now,
        activated_by=actor.user,
        task_count=len(todo),
    )
    activation.full_clean(exclude=["plan", "version", "emergency", "activated_by"])
    activation.save()

    tasks: list[Task] = []
    assignees: list[list[int]] = []
    for action in todo:
        users = holders.get(duty_key(action.duty, action.duty_label))
        description = action.description
        if not users:
            users = commanders
            note = _(
                "Nobody in the command group holds the duty “%(duty)s”: assigned to the community's commander."
            ) % {"duty": action.duty_display}
            description = f"{description}\n\n{note}".strip()
        task = Task(
            area_code=plan.area_code,
            title=action.title,
            description=description[:TASK_DESCRIPTION_MAX],
            source=TaskSource.PLAN,
            source_ref=action_source_ref(action),
            emergency=emergency,
            duty=action.duty,
            assigner=actor.user,
            priority=action.priority,
            due_at=now + dt.timedelta(minutes=action.deadline_minutes),
            created_at=now,
        )
        task.full_clean(exclude=["emergency", "assigner", "assignees"])
        tasks.append(task)
        assignees.append(users)
    Task.objects.bulk_create(tasks)
    through = Task.assignees.through
    links = [
        through(task_id=task.pk, user_id=user_id)
        for task, users in zip(tasks, assignees, strict=True)
        for user_id in users
    ]
    through.objects.bulk_create(links)
    audit_record(
        AuditAction.BULK_CREATE,
        actor=actor,
        obj=activation,
        changes={
            "model": "command.task",
            "tasks": len(tasks),
            "assignees": len(links),
            "emergency": emergency.pk,
            "version": version.number,
            "level": emergency.level,
        },
    )
    return activation


@transaction.atomic
def plan_review_reminders_create(*, actor: Actor, today: dt.date | None = None) -> int:
    """Give the commanders of each community a task to review every plan past its review date.

    Meant for a daily job (as the system actor); idempotent: one reminder per plan and due date.
    Returns the number of tasks created.
    """
    _require(actor, "plan.manage", _("Your role may not review plans."))
    plans = list(plans_due_for_review(actor=actor, today=today))
    refs = {f"command.plan:{p.pk}:review:{p.review_due_on.isoformat()}": p for p in plans}
    existing = set(
        Task.objects.visible_to(actor).filter(source_ref__in=list(refs)).values_list("source_ref", flat=True)
    )
    todo = [(ref, plan) for ref, plan in refs.items() if ref not in existing]
    if not todo:
        return 0
    commanders: dict[str, list[int]] = {}
    for area_code, user_id in RoleAssignment.objects.filter(
        area_code__in=sorted({p.area_code for _ref, p in todo}),
        role=Role.COMMANDER,
        active=True,
        user__is_active=True,
    ).values_list("area_code", "user_id"):
        commanders.setdefault(area_code, []).append(user_id)
    now = timezone.now()
    tasks = [
        Task(
            area_code=plan.area_code,
            title=(_("Review the plan “%(title)s”") % {"title": plan.title})[:200],
            description=_(
                "Last reviewed on %(date)s; the plan is to be reviewed every %(days)d days. Read it "
                "through, revise it if needed, and mark it reviewed."
            )
            % {"date": plan.last_reviewed_at or "-", "days": plan.review_interval_days},
            source=TaskSource.PLAN,
            source_ref=ref,
            created_at=now,
            due_at=now + REVIEW_TASK_DUE,
        )
        for ref, plan in todo
    ]
    Task.objects.bulk_create(tasks)
    through = Task.assignees.through
    through.objects.bulk_create(
        [
            through(task_id=task.pk, user_id=user_id)
            for task, (_ref, plan) in zip(tasks, todo, strict=True)
            for user_id in commanders.get(plan.area_code, [])
        ]
    )
    audit_record(
        AuditAction.BULK_CREATE,
        actor=actor,
        object_type="command.task",
        object_label="plan review reminders",
        area_code=actor.primary_area_code,
        changes={"tasks": len(tasks), "plans": [p.pk for _ref, p in todo][:100]},
    )
    return len(tasks)
