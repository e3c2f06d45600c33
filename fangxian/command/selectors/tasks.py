"""Reads of tasks: the inbox, overdue work, counts per area and per duty.

Every function starts from `Task.objects.visible_to(actor)`: a task given to the actor is visible
wherever it lies (`Task.scope_personal`), everything else only inside the actor's areas.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from fangxian.accounts.models import User
from fangxian.areas.models import Area
from fangxian.command.models import Duty, Emergency, Task, TaskAttachment, TaskComment, TaskStatus, TaskStatusChange
from fangxian.command.models.tasks import CLOSED_STATUSES, OPEN_STATUSES, PRIORITY_RANK
from fangxian.core.areacode import LEVEL_LENGTHS
from fangxian.core.roles import OFFICIAL_ROLES, Role
from fangxian.core.scoping import Actor

# Roles whose inbox also holds the unassigned tasks of their area: whoever is on duty there picks
# them up. Officials see unassigned tasks of their own office only (exactly their area), not every
# community's queue below them.
STAFF_ROLES = frozenset({Role.COMMANDER, Role.COMMUNITY_WORKER, Role.GRID_WORKER})

ASSIGNABLE_ROLES = [role for role in Role.values if role != Role.RESIDENT]

# Tabs of the inbox and the status filters behind them.
INBOX_TABS = ("todo", "overdue", "open", "accepted", "done")


def _assigned_to(actor: Actor) -> Q:
    if actor.user is None:
        return Q(pk__in=[])
    return Q(pk__in=Task.assignees.through.objects.filter(user_id=actor.user.pk).values("task_id"))


def _unassigned_here(actor: Actor) -> Q | None:
    """Unassigned tasks of the areas where the actor is on duty."""
    parts = []
    for grant in actor.grants:
        if grant.role in STAFF_ROLES:
            parts.append(Q(area_code__within=grant.area_code))
        elif grant.role in OFFICIAL_ROLES:
            parts.append(Q(area_code=grant.area_code))
    if not parts:
        return None
    combined = parts[0]
    for part in parts[1:]:
        combined |= part
    return combined & Q(has_assignee=False)


def _with_rank(queryset: QuerySet[Task]) -> QuerySet[Task]:
    return queryset.annotate(
        priority_rank=Case(
            *[When(priority=value, then=Value(rank)) for value, rank in PRIORITY_RANK.items()],
            default=Value(9),
            output_field=IntegerField(),
        )
    )


def task_inbox_narrow(queryset: QuerySet[Task], *, actor: Actor, tab: str = "todo") -> QuerySet[Task]:
    """Narrow already scoped tasks to the actor's inbox and one tab (see `task_inbox`)."""
    now = timezone.now()
    queryset = queryset.alias(has_assignee=Exists(Task.assignees.through.objects.filter(task_id=OuterRef("pk"))))
    mine = _assigned_to(actor)
    unassigned = _unassigned_here(actor)
    queryset = queryset.filter(mine | unassigned if unassigned is not None else mine)
    if tab == "open":
        queryset = queryset.filter(status=TaskStatus.OPEN)
    elif tab == "accepted":
        queryset = queryset.filter(status=TaskStatus.ACCEPTED)
    elif tab == "overdue":
        queryset = queryset.filter(status__in=OPEN_STATUSES, due_at__lt=now)
    elif tab == "done":
        queryset = queryset.filter(status__in=CLOSED_STATUSES)
    else:
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    queryset = _with_rank(queryset).select_related("emergency").prefetch_related("assignees")
    if tab == "done":
        return queryset.order_by("-closed_at", "-pk")
    return queryset.order_by(F("due_at").asc(nulls_last=True), "priority_rank", "pk")


def task_inbox(
    *, actor: Actor, status: str | None = None, overdue: bool = False, tab: str | None = None
) -> QuerySet[Task]:
    """The actor's work: tasks given to them, and unassigned tasks of the areas where they are on duty.

    `status` is "open", "accepted" or "done" (done includes "cannot be done"); without it, every
    task still to do. `overdue` keeps the open ones past their due time. Soonest due first, the
    gravest priority first among equals; closed tasks most recent first.
    """
    if tab is None:
        tab = "overdue" if overdue else (status if status in ("open", "accepted", "done") else "todo")
    return task_inbox_narrow(Task.objects.visible_to(actor), actor=actor, tab=tab)


def tasks_overdue(*, actor: Actor, now: dt.datetime | None = None) -> QuerySet[Task]:
    """Open tasks past their due time that concern the actor: given to them, given by them, or
    unassigned in the areas where they are on duty. The assigner sees the ones they gave here:
    that is where an escalation lands."""
    now = now or timezone.now()
    queryset = Task.objects.visible_to(actor).alias(
        has_assignee=Exists(Task.assignees.through.objects.filter(task_id=OuterRef("pk")))
    )
    concern = _assigned_to(actor)
    if actor.user is not None:
        concern |= Q(assigner_id=actor.user.pk)
    unassigned = _unassigned_here(actor)
    if unassigned is not None:
        concern |= unassigned
    return (
        _with_rank(queryset.filter(concern, status__in=OPEN_STATUSES, due_at__lt=now))
        .select_related("assigner")
        .prefetch_related("assignees")
        .order_by("due_at", "priority_rank", "pk")
    )


def tasks_assigned_by_overdue(*, actor: Actor, now: dt.datetime | None = None) -> QuerySet[Task]:
    """Overdue tasks the actor gave to others: "overdue tasks you assigned"."""
    if actor.user is None:
        return Task.objects.none()
    return tasks_overdue(actor=actor, now=now).filter(assigner_id=actor.user.pk).exclude(_assigned_to(actor))


def task_counts(*, actor: Actor, area_code: str, now: dt.datetime | None = None) -> dict[str, int]:
    """Open, overdue and done-today tasks in an area's subtree, for dashboards and the daily report."""
    now = now or timezone.now()
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    open_q = Q(status__in=OPEN_STATUSES)
    result = (
        Task.objects.visible_to(actor)
        .within(area_code)
        .aggregate(
            open=Count("pk", filter=open_q),
            overdue=Count("pk", filter=open_q & Q(due_at__lt=now)),
            done_today=Count("pk", filter=Q(status=TaskStatus.DONE, closed_at__gte=start_of_day)),
        )
    )
    return {key: result[key] or 0 for key in ("open", "overdue", "done_today")}


def task_counts_for_day(*, actor: Actor, area_code: str, date: dt.date) -> dict[str, int]:
    """A day's task figures of an area, as the day stood at its end (or now, for today): created, done
    and cannot be done that day; open and overdue at that moment."""
    start = timezone.make_aware(dt.datetime.combine(date, dt.time.min))
    end = start + dt.timedelta(days=1)
    moment = min(end, timezone.now())
    tasks = Task.objects.visible_to(actor).within(area_code)
    open_then = Q(created_at__lt=moment) & (Q(closed_at__isnull=True) | Q(closed_at__gte=moment))
    closed_that_day = Q(closed_at__gte=start, closed_at__lt=moment)
    result = tasks.aggregate(
        created=Count("pk", filter=Q(created_at__gte=start, created_at__lt=moment)),
        done=Count("pk", filter=Q(status=TaskStatus.DONE) & closed_that_day),
        cannot_do=Count("pk", filter=Q(status=TaskStatus.CANNOT_DO) & closed_that_day),
        open=Count("pk", filter=open_then),
        overdue=Count("pk", filter=open_then & Q(due_at__lt=moment)),
    )
    return {key: value or 0 for key, value in result.items()}


def tasks_by_duty(
    *, actor: Actor, emergency: Emergency | int | None, area_code: str = "", now: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """Open and overdue tasks of an emergency per duty of the command group, for the command dashboard.

    One row per duty that has tasks, in the order of the Duty choices, then a row for tasks
    without a duty (key ""). Done counts every task of the emergency closed as done. Without an
    emergency, every task the actor sees (below `area_code`, if given) is counted.
    """
    now = now or timezone.now()
    open_q = Q(status__in=OPEN_STATUSES)
    tasks = Task.objects.visible_to(actor)
    if emergency is not None:
        tasks = tasks.filter(emergency_id=emergency.pk if isinstance(emergency, Emergency) else emergency)
    if area_code:
        tasks = tasks.within(area_code)
    rows = {
        row["duty"]: row
        for row in tasks.values("duty")
        .annotate(
            open=Count("pk", filter=open_q),
            overdue=Count("pk", filter=open_q & Q(due_at__lt=now)),
            done=Count("pk", filter=Q(status=TaskStatus.DONE)),
            total=Count("pk"),
        )
        .order_by()
    }
    labels = dict(Duty.choices)
    result = []
    for duty in [*Duty.values, ""]:
        if duty in rows:
            row = rows[duty]
            result.append(
                {
                    "duty": duty,
                    "label": str(labels.get(duty, "")) if duty else "",
                    "open": row["open"],
                    "overdue": row["overdue"],
                    "done": row["done"],
                    "total": row["total"],
                }
            )
    return result


def task_history(*, actor: Actor, task: Task) -> QuerySet[TaskStatusChange]:
    return TaskStatusChange.objects.visible_to(actor).filter(task=task).select_related("by").order_by("at", "pk")


def task_comments(*, actor: Actor, task: Task) -> QuerySet[TaskComment]:
    return TaskComment.objects.visible_to(actor).filter(task=task).select_related("author").order_by("created_at", "pk")


def task_attachments(*, actor: Actor, task: Task) -> QuerySet[TaskAttachment]:
    return (
        TaskAttachment.objects.visible_to(actor)
        .filter(task=task)
        .select_related("uploaded_by")
        .order_by("uploaded_at", "pk")
    )


def task_area_choices(*, actor: Actor, limit: int = 500) -> list[Area]:
    """Areas in which the actor may create tasks: each of their areas and two levels below it."""
    prefixes = [p for p in actor.area_prefixes if p]
    if not prefixes:
        return []
    query = Q()
    for prefix in prefixes:
        index = LEVEL_LENGTHS.index(len(prefix)) if len(prefix) in LEVEL_LENGTHS else 0
        lengths = LEVEL_LENGTHS[index : index + 3]
        query |= Q(code__within=prefix, level__in=lengths)
    return list(Area.objects.visible_to(actor).filter(query).order_by("code")[:limit])


def task_assignee_choices(*, actor: Actor, limit: int = 300) -> QuerySet[User]:
    """People the actor may give tasks to (the service checks each against the chosen area)."""
    return (
        User.objects.visible_to(actor)
        .filter(is_active=True, role_assignments__active=True, role_assignments__role__in=ASSIGNABLE_ROLES)
        .distinct()
        .order_by("display_name", "username")[:limit]
    )
