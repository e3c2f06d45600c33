"""Writes of tasks: create, the status flow, comments, attachments and escalation of overdue tasks.

Every app that gives somebody work calls `task_create` (a fever at a checkpoint, a screening check,
a service request, a directive ...), so that everybody has one inbox. The status flow is

    open -> accepted -> done
      |         |  \\-> cannot_do (with a reason)
      |         \\---> open (handed back)
      \\-> done / cannot_do directly (a quick job needs no separate "accept")
    done / cannot_do -> open (reopened)

and every step is kept as a TaskStatusChange. Jobs call these services with the system actor,
which needs no capability.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterable
from typing import IO, Any

from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from fangxian.accounts.models import User
from fangxian.areas.models import Area
from fangxian.command.models import (
    Duty,
    Emergency,
    Task,
    TaskAttachment,
    TaskComment,
    TaskPriority,
    TaskSource,
    TaskStatus,
    TaskStatusChange,
)
from fangxian.command.models.tasks import CLOSED_STATUSES, OPEN_STATUSES, TASK_TRANSITIONS, TaskCommentKind
from fangxian.core.areacode import AREA_CODE_RE, LEVEL_LENGTHS, ancestor_codes
from fangxian.core.audit import audit_record
from fangxian.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangxian.core.models import AuditAction
from fangxian.core.roles import PERSONAL_DATA_ROLES, Role
from fangxian.core.scoping import Actor
from fangxian.core.uploads import upload_check, upload_safe_name

# A due time typed into a form at 10:00 and saved at 10:00:40 is not "in the past".
DUE_GRACE = dt.timedelta(minutes=1)
MAX_ASSIGNEES = 50
MAX_ATTACHMENTS_PER_TASK = 20
MAX_COMMENT_LENGTH = 5000
MAX_REASON_LENGTH = 500
ESCALATION_BATCH = 500
# Directive tasks close through the directive (acknowledge, report): the copy there is the truth.
DIRECTIVE_REF_PREFIX = "command.directiverecipient:"


# --- checks shared by the services ----------------------------------------------------------------


def _require(actor: Actor, capability: str, message: str) -> None:
    if not actor.is_system and not actor.can(capability):
        raise PermissionDenied(message)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def task_check_due(due_at: dt.datetime | None, *, now: dt.datetime | None = None, field: str = "due_at") -> None:
    """A due time (or a deadline) must not lie in the past."""
    if due_at is None:
        return
    now = now or timezone.now()
    if due_at < now - DUE_GRACE:
        local = timezone.localtime(due_at).strftime("%Y-%m-%d %H:%M")
        raise DomainError(
            _("The time %(time)s is in the past. Choose a time after now.") % {"time": local},
            code="due_in_past",
            field=field,
        )


def task_check_duty(duty: str) -> str:
    duty = (duty or "").strip()
    if duty and duty not in Duty.values:
        raise DomainError(
            _("“%(duty)s” is not a duty of the command group. Choose one of: %(duties)s.")
            % {"duty": duty[:50], "duties": ", ".join(str(label) for label in Duty.labels)},
            code="unknown_duty",
            field="duty",
        )
    return duty


def _check_area(actor: Actor, area_code: str) -> Area:
    if not isinstance(area_code, str) or not AREA_CODE_RE.match(area_code) or len(area_code) not in LEVEL_LENGTHS:
        raise DomainError(
            _("“%(code)s” is not an area code.") % {"code": str(area_code)[:20]}, code="area_invalid", field="area_code"
        )
    area = Area.objects.visible_to(actor).filter(code=area_code).first()
    if area is None or not actor.reaches(area_code):
        raise DomainError(
            _("The area %(code)s is not in your jurisdiction.") % {"code": area_code},
            code="area_out_of_reach",
            field="area_code",
        )
    return area


def task_eligible_assignees(*, actor: Actor, area_code: str) -> Any:
    """Users who may be given a task in `area_code`: active, visible to the actor, holding a role on its branch.

    "On its branch" means a role at the area, above it (the community's commander for a grid's
    task) or below it (a grid worker for a community's task). Volunteers and counsellors qualify
    where their role was granted, which is how a volunteer is explicitly given a community's work.
    Residents are never assignees.
    """
    on_branch = Q(role_assignments__area_code__in=[*ancestor_codes(area_code), area_code]) | Q(
        role_assignments__area_code__within=area_code
    )
    roles = [role for role in Role.values if role != Role.RESIDENT]
    return (
        User.objects.visible_to(actor)
        .filter(is_active=True)
        .filter(on_branch & Q(role_assignments__active=True, role_assignments__role__in=roles))
        .distinct()
    )


def _resolve_assignees(actor: Actor, area_code: str, assignees: Iterable[User | int]) -> list[User]:
    ids = []
    for entry in assignees or ():
        pk = entry.pk if isinstance(entry, User) else entry
        if not isinstance(pk, int) or isinstance(pk, bool):
            raise DomainError(_("Choose assignees from the list."), code="assignee_invalid", field="assignees")
        if pk not in ids:
            ids.append(pk)
    if len(ids) > MAX_ASSIGNEES:
        raise DomainError(
            _("A task can have at most %(n)d assignees.") % {"n": MAX_ASSIGNEES},
            code="too_many_assignees",
            field="assignees",
        )
    if not ids:
        return []
    found = {user.pk: user for user in task_eligible_assignees(actor=actor, area_code=area_code).filter(pk__in=ids)}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise DomainError(
            _("Some of the chosen people hold no role in this area and cannot be given the task."),
            code="assignee_not_eligible",
            field="assignees",
        )
    return [found[pk] for pk in ids]


def _load_task(actor: Actor, task: Task | int, *, lock: bool = True) -> Task:
    pk = task.pk if isinstance(task, Task) else task
    queryset = Task.objects.visible_to(actor)
    if lock:
        queryset = queryset.select_for_update()
    try:
        return queryset.get(pk=pk)
    except (Task.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Not found.")) from None


def _is_assignee(actor: Actor, task: Task) -> bool:
    return actor.user is not None and task.assignees.filter(pk=actor.user.pk).exists()


def task_may_work_on(*, actor: Actor, task: Task) -> bool:
    """Who may move a task along: its assignees; for an unassigned task anyone of the area who
    works on tasks; and whoever may assign tasks in the area (the commander taking over)."""
    if actor.is_system:
        return True
    if not actor.can("task.update"):
        return False
    if _is_assignee(actor, task):
        return True
    in_area = any(task.area_code.startswith(prefix) for prefix in actor.personal_prefixes)
    if in_area and actor.can("task.assign"):
        return True
    return in_area and not task.assignees.exists() and bool(actor.roles & PERSONAL_DATA_ROLES)


def _record(task: Task, *, actor: Actor, from_status: str, to_status: str, reason: str = "") -> TaskStatusChange:
    change = TaskStatusChange(
        area_code=task.area_code,
        task=task,
        from_status=from_status,
        to_status=to_status,
        reason=reason[:MAX_REASON_LENGTH],
        by=actor.user,
    )
    change.full_clean()
    change.save()
    return change


# --- create -------------------------------------------------------------------------------------


@transaction.atomic
def task_create(
    *,
    actor: Actor,
    title: str,
    area_code: str,
    assignees: Iterable[User | int] = (),
    due_at: dt.datetime | None = None,
    priority: str = TaskPriority.NORMAL,
    source: str = TaskSource.MANUAL,
    source_ref: str = "",
    emergency: Emergency | int | None = None,
    duty: str = "",
    description: str = "",
) -> Task:
    """Give somebody (or a whole area's staff, when `assignees` is empty) something to do by a time.

    Called from pages and the API with a person's actor (capability `task.assign`) and from other
    apps' services and jobs, often with the system actor. A `source_ref` names what created the
    task ("health.quarantinecase:17"): while a task with the same reference is still open in the
    same area, calling again returns it instead of creating a second one.
    """
    _require(actor, "task.assign", _("Your role may not assign tasks."))
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Give the task a title."), code="title_required", field="title")
    area = _check_area(actor, area_code)
    due_at = _aware(due_at)
    task_check_due(due_at)
    if priority not in TaskPriority.values:
        raise DomainError(
            _("“%(value)s” is not a priority.") % {"value": str(priority)[:20]},
            code="unknown_priority",
            field="priority",
        )
    if source not in TaskSource.values:
        raise DomainError(
            _("“%(value)s” is not a task source.") % {"value": str(source)[:20]},
            code="unknown_source",
            field="source",
        )
    duty = task_check_duty(duty)
    if emergency is not None:
        try:
            emergency = Emergency.objects.get_visible(
                actor, pk=emergency.pk if isinstance(emergency, Emergency) else emergency
            )
        except Http404:
            raise NotFound(_("There is no such emergency in your jurisdiction."), field="emergency") from None
    people = _resolve_assignees(actor, area.code, assignees)

    if source_ref:
        existing = Task.objects.filter(source_ref=source_ref, area_code=area.code, status__in=OPEN_STATUSES).first()
        if existing is not None:
            return existing

    task = Task(
        area_code=area.code,
        title=title,
        description=(description or "").strip(),
        source=source,
        source_ref=source_ref,
        emergency=emergency,
        duty=duty,
        assigner=actor.user,
        priority=priority,
        due_at=due_at,
        status=TaskStatus.OPEN,
    )
    task.full_clean()
    task.save()
    if people:
        task.assignees.set(people)
    _record(task, actor=actor, from_status="", to_status=TaskStatus.OPEN)
    return task


# --- the status flow ------------------------------------------------------------------------------


def _illegal_message(task: Task, to_status: str) -> str:
    current = task.status
    if current == to_status:
        return {
            TaskStatus.ACCEPTED: _("This task is already accepted."),
            TaskStatus.DONE: _("This task is already done."),
            TaskStatus.CANNOT_DO: _("This task is already marked as not possible."),
            TaskStatus.OPEN: _("This task is already open."),
        }[to_status]
    if current in CLOSED_STATUSES:
        return _("This task is closed (%(status)s). Reopen it first.") % {"status": task.get_status_display()}
    return _("A task that is “%(current)s” cannot become “%(target)s”.") % {
        "current": task.get_status_display(),
        "target": TaskStatus(to_status).label,
    }


def _transition(actor: Actor, task: Task, to_status: str, *, reason: str = "") -> Task:
    """Move a loaded, locked task to `to_status` and record the step (no permission check here)."""
    if to_status not in TASK_TRANSITIONS[task.status]:
        raise Conflict(_illegal_message(task, to_status), code="illegal_transition", field="status")
    from_status = task.status
    task.status = to_status
    if to_status in CLOSED_STATUSES:
        task.closed_at = timezone.now()
        task.status_reason = reason[:MAX_REASON_LENGTH]
    elif to_status == TaskStatus.OPEN:
        task.closed_at = None
        task.status_reason = ""
    task.full_clean()
    task.save()
    _record(task, actor=actor, from_status=from_status, to_status=to_status, reason=reason)
    return task


def _act(actor: Actor, task: Task | int, to_status: str, *, reason: str = "") -> Task:
    _require(actor, "task.update", _("Your role may not work on tasks."))
    loaded = _load_task(actor, task)
    if not task_may_work_on(actor=actor, task=loaded):
        raise PermissionDenied(_("This task is given to somebody else."))
    if (
        loaded.source_ref.startswith(DIRECTIVE_REF_PREFIX)
        and to_status in CLOSED_STATUSES
        and not actor.is_system
        and to_status in TASK_TRANSITIONS[loaded.status]
    ):
        raise Conflict(
            _("This task comes from a directive: acknowledge and report on the directive's page to close it."),
            code="directive_task",
        )
    return _transition(actor, loaded, to_status, reason=reason)


@transaction.atomic
def task_accept(*, actor: Actor, task: Task | int) -> Task:
    """Take the task on. An unassigned task becomes the actor's own."""
    accepted = _act(actor, task, TaskStatus.ACCEPTED)
    if actor.user is not None and not accepted.assignees.exists():
        accepted.assignees.add(actor.user)
    return accepted


@transaction.atomic
def task_complete(*, actor: Actor, task: Task | int, note: str = "") -> Task:
    """The work is done; `note` says what was found or done (optional)."""
    note = (note or "").strip()
    if len(note) > MAX_REASON_LENGTH:
        raise DomainError(
            _("Keep the note under %(n)d characters.") % {"n": MAX_REASON_LENGTH}, code="note_too_long", field="note"
        )
    done = _act(actor, task, TaskStatus.DONE, reason=note)
    if actor.user is not None and not done.assignees.exists():
        done.assignees.add(actor.user)
    return done


@transaction.atomic
def task_cannot_do(*, actor: Actor, task: Task | int, reason: str) -> Task:
    """The task cannot be done; the reason is required (nobody home, wrong address, no supplies ...)."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the task cannot be done."), code="reason_required", field="reason")
    if len(reason) > MAX_REASON_LENGTH:
        raise DomainError(
            _("Keep the reason under %(n)d characters.") % {"n": MAX_REASON_LENGTH},
            code="reason_too_long",
            field="reason",
        )
    return _act(actor, task, TaskStatus.CANNOT_DO, reason=reason)


@transaction.atomic
def task_reopen(*, actor: Actor, task: Task | int, reason: str = "", due_at: dt.datetime | None = None) -> Task:
    """Open a closed task again (or hand an accepted one back), optionally with a new due time."""
    reason = (reason or "").strip()[:MAX_REASON_LENGTH]
    due_at = _aware(due_at)
    task_check_due(due_at)
    reopened = _act(actor, task, TaskStatus.OPEN, reason=reason)
    if due_at is not None:
        reopened.due_at = due_at
        reopened.escalated_at = None
        reopened.full_clean()
        reopened.save(update_fields=["due_at", "escalated_at"])
    return reopened


def task_status_set(*, actor: Actor, task: Task | int, status: str, reason: str = "") -> Task:
    """One entry for the API's and the pages' status buttons: accept, done, cannot_do, open."""
    actions = {
        TaskStatus.ACCEPTED: lambda: task_accept(actor=actor, task=task),
        TaskStatus.DONE: lambda: task_complete(actor=actor, task=task, note=reason),
        TaskStatus.CANNOT_DO: lambda: task_cannot_do(actor=actor, task=task, reason=reason),
        TaskStatus.OPEN: lambda: task_reopen(actor=actor, task=task, reason=reason),
    }
    if status not in actions:
        raise DomainError(
            _("“%(value)s” is not a task status.") % {"value": str(status)[:20]}, code="unknown_status", field="status"
        )
    return actions[status]()


def task_close_for_source(*, actor: Actor, source_ref: str, status: str, reason: str = "") -> int:
    """Move every open task created by `source_ref` along (used by the app that owns the source).

    Accepting leaves accepted tasks alone; closing closes open and accepted ones. Returns how
    many tasks moved. The caller has checked its own permissions; this runs as part of its write.
    """
    moved = 0
    for task in Task.objects.select_for_update().filter(source_ref=source_ref, status__in=OPEN_STATUSES):
        if status == task.status or status not in TASK_TRANSITIONS[task.status]:
            continue
        _transition(actor, task, status, reason=reason)
        moved += 1
    return moved


# --- comments and attachments ---------------------------------------------------------------------


@transaction.atomic
def task_comment_add(*, actor: Actor, task: Task | int, text: str) -> TaskComment:
    _require(actor, "task.update", _("Your role may not work on tasks."))
    loaded = _load_task(actor, task, lock=False)
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write something first."), code="comment_empty", field="text")
    if len(text) > MAX_COMMENT_LENGTH:
        raise DomainError(
            _("Keep the comment under %(n)d characters.") % {"n": MAX_COMMENT_LENGTH},
            code="comment_too_long",
            field="text",
        )
    comment = TaskComment(area_code=loaded.area_code, task=loaded, author=actor.user, text=text)
    comment.full_clean()
    comment.save()
    return comment


def attachment_storage_name(prefix: str, original_name: str) -> str:
    """Files are stored under a random name: the person's file name is shown, never used as a path."""
    extension = os.path.splitext(original_name)[1].lower()[:10]
    today = timezone.localdate()
    return f"{prefix}/{today:%Y/%m}/{uuid.uuid4().hex}{extension}"


@transaction.atomic
def task_attachment_add(*, actor: Actor, task: Task | int, file: IO[bytes], name: str | None = None) -> TaskAttachment:
    """Attach a photo or document to a task, checked by content and size (fangxian.core.uploads)."""
    from django.core.files import File

    _require(actor, "task.update", _("Your role may not work on tasks."))
    loaded = _load_task(actor, task)
    if loaded.attachments.count() >= MAX_ATTACHMENTS_PER_TASK:
        raise DomainError(
            _("A task can hold at most %(n)d files.") % {"n": MAX_ATTACHMENTS_PER_TASK},
            code="too_many_attachments",
            field="file",
        )
    original = upload_safe_name(name if name is not None else getattr(file, "name", "") or "")
    checked = upload_check(file, name=original)
    size = getattr(file, "size", None)
    if not isinstance(size, int):
        file.seek(0, 2)
        size = file.tell()
        file.seek(0)
    attachment = TaskAttachment(
        area_code=loaded.area_code,
        task=loaded,
        original_name=original,
        content_type=checked.content_type,
        size=size,
        sha256=checked.sha256,
        uploaded_by=actor.user,
    )
    attachment.file.save(attachment_storage_name("tasks", original), File(file), save=False)
    try:
        attachment.full_clean()
        attachment.save()
    except Exception:
        # The row failed: do not leave its file behind.
        attachment.file.delete(save=False)
        raise
    return attachment


# --- escalation -----------------------------------------------------------------------------------


def tasks_escalate_overdue(*, now: dt.datetime | None = None, actor: Actor | None = None) -> int:
    """Escalate every open task past its due time that was not escalated yet; return how many.

    Escalating stamps `escalated_at` and writes an "escalated" note on the task. The assigner's
    inbox and home page list overdue tasks they gave ("overdue tasks you assigned", from
    `tasks_overdue`), so the note and the stamp are all the escalation needs. Batches of 500, each
    in its own transaction, so a city's backlog never holds one long lock.
    """
    from fangxian.core.audit import current_actor

    now = now or timezone.now()
    actor = actor or current_actor() or Actor.system("tasks-escalate-overdue")
    total = 0
    while True:
        with transaction.atomic():
            batch = list(
                Task.objects.visible_to(actor)
                .select_for_update(skip_locked=True)
                .filter(status__in=OPEN_STATUSES, due_at__lt=now, escalated_at__isnull=True)
                .order_by("due_at", "pk")
                .values_list("pk", "area_code")[:ESCALATION_BATCH]
            )
            if not batch:
                break
            ids = [pk for pk, _area in batch]
            Task.objects.filter(pk__in=ids, escalated_at__isnull=True).update(escalated_at=now)
            TaskComment.objects.bulk_create(
                [
                    TaskComment(area_code=area, task_id=pk, kind=TaskCommentKind.ESCALATION, text="", created_at=now)
                    for pk, area in batch
                ]
            )
            audit_record(
                AuditAction.UPDATE,
                actor=actor,
                object_type="command.task",
                area_code=_common_prefix([area for _pk, area in batch]),
                changes={"escalated": len(ids), "task_ids": ids[:50]},
            )
            total += len(ids)
        if len(batch) < ESCALATION_BATCH:
            break
    return total


def _common_prefix(codes: list[str]) -> str:
    """The narrowest area code covering all `codes` (the audit event is filed there)."""
    prefix = os.path.commonprefix(codes) if codes else ""
    lengths = [n for n in LEVEL_LENGTHS if n <= len(prefix)]
    return prefix[: lengths[-1]] if lengths else ""


__all__ = [
    "MAX_ATTACHMENTS_PER_TASK",
    "task_accept",
    "task_attachment_add",
    "task_cannot_do",
    "task_check_due",
    "task_check_duty",
    "task_close_for_source",
    "task_comment_add",
    "task_complete",
    "task_create",
    "task_eligible_assignees",
    "task_may_work_on",
    "task_reopen",
    "task_status_set",
    "tasks_escalate_overdue",
]
