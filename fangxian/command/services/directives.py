"""Writes of directives from above (上级指令): send, acknowledge, report, remind.

A street, district or city official sends a directive to some or all communities below; each
community gets its own copy (DirectiveRecipient) and a task in its commanders' inbox. The
community acknowledges, then reports (when a report is required); each step moves its task along,
and the official sees compliance per community. Officials remind the laggards, which stamps
their copies and puts a reminder on their tasks.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import IO

from django.db import transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fangxian.accounts.models import RoleAssignment
from fangxian.areas.models import Area
from fangxian.command.models import (
    Directive,
    DirectiveAttachment,
    DirectiveRecipient,
    Emergency,
    Task,
    TaskComment,
    TaskPriority,
    TaskSource,
    TaskStatus,
    TaskStatusChange,
)
from fangxian.command.models.tasks import OPEN_STATUSES, TaskCommentKind
from fangxian.command.services.tasks import (
    DIRECTIVE_REF_PREFIX,
    attachment_storage_name,
    task_close_for_source,
)
from fangxian.core.audit import audit_record
from fangxian.core.errors import DomainError, NotFound, PermissionDenied
from fangxian.core.models import AuditAction
from fangxian.core.roles import OFFICIAL_ROLES, Role
from fangxian.core.scoping import Actor
from fangxian.core.uploads import upload_check, upload_safe_name

COMMUNITY_LENGTH = 12
MAX_RECIPIENTS = 10_000
MAX_ATTACHMENTS = 10
MAX_REPORT_LENGTH = 20_000
ALL_COMMUNITIES = "all"
_COMMUNITY_RE = re.compile(r"\A[0-9]{12}\Z")


def directive_task_ref(recipient: DirectiveRecipient | int) -> str:
    """The `source_ref` of the task a community's copy of a directive puts in its inbox."""
    pk = recipient.pk if isinstance(recipient, DirectiveRecipient) else recipient
    return f"{DIRECTIVE_REF_PREFIX}{pk}"


def _require(actor: Actor, capability: str, message: str) -> None:
    if not actor.is_system and not actor.can(capability):
        raise PermissionDenied(message)


def _sender_area(actor: Actor, area_code: str | None) -> str:
    """The area a directive is sent from: the actor's official area (which one, if they hold several)."""
    official = sorted({g.area_code for g in actor.grants if g.role in OFFICIAL_ROLES})
    if actor.is_system:
        if not area_code:
            raise DomainError(
                _("Say which area the directive is sent from."), code="sender_area_required", field="area_code"
            )
        return area_code
    if area_code:
        if area_code not in official:
            raise PermissionDenied(_("You may send directives only from an area where you are an official."))
        return area_code
    if len(official) != 1:
        raise DomainError(
            _("You are an official of several areas: say which one the directive is sent from."),
            code="sender_area_required",
            field="area_code",
        )
    return official[0]


def _communities(actor: Actor, sender_area: str, community_codes: str | Iterable[str]) -> list[str]:
    """The communities a directive goes to: every community below the sender's area, or the chosen ones."""
    below = Area.objects.visible_to(actor).within(sender_area).filter(level=COMMUNITY_LENGTH)
    if isinstance(community_codes, str):
        if community_codes.strip().lower() != ALL_COMMUNITIES:
            community_codes = [community_codes]
        else:
            codes = list(below.order_by("code").values_list("code", flat=True)[: MAX_RECIPIENTS + 1])
            if not codes:
                raise DomainError(
                    _("There is no community below your area."), code="no_communities", field="community_codes"
                )
            if len(codes) > MAX_RECIPIENTS:
                raise DomainError(
                    _("Too many communities for one directive."), code="too_many_communities", field="community_codes"
                )
            return codes
    codes: list[str] = []
    for raw in community_codes or ():
        code = str(raw).strip()
        if code.lower() == ALL_COMMUNITIES:
            return _communities(actor, sender_area, ALL_COMMUNITIES)
        if code and code not in codes:
            codes.append(code)
    if not codes:
        raise DomainError(_("Choose at least one community."), code="no_communities", field="community_codes")
    if len(codes) > MAX_RECIPIENTS:
        raise DomainError(
            _("Too many communities for one directive."), code="too_many_communities", field="community_codes"
        )
    malformed = [code for code in codes if not _COMMUNITY_RE.match(code)]
    if malformed:
        raise DomainError(
            _("These are not community codes (12 digits): %(codes)s.")
            % {"codes": ", ".join(c[:20] for c in malformed[:10])},
            code="not_a_community",
            field="community_codes",
        )
    outside = [code for code in codes if not code.startswith(sender_area) or not actor.reaches(code)]
    if outside:
        raise DomainError(
            _("These communities are not below your area: %(codes)s.") % {"codes": ", ".join(outside[:10])},
            code="community_out_of_reach",
            field="community_codes",
        )
    known = set(below.filter(code__in=codes).values_list("code", flat=True))
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise DomainError(
            _("There is no community with the code %(codes)s.") % {"codes": ", ".join(unknown[:10])},
            code="unknown_community",
            field="community_codes",
        )
    return codes


def _create_tasks(actor: Actor, directive: Directive, recipients: Sequence[DirectiveRecipient]) -> int:
    """One task per community copy, given to the community's commanders (unassigned when it has none).

    Written in bulk (a city's directive reaches thousands of communities); one audit event sums them.
    """
    if not recipients:
        return 0
    codes = [r.area_code for r in recipients]
    commanders: dict[str, list[int]] = {}
    for area_code, user_id in (
        RoleAssignment.objects.visible_to(actor)
        .filter(role=Role.COMMANDER, active=True, area_code__in=codes, user__is_active=True)
        .values_list("area_code", "user_id")
    ):
        commanders.setdefault(area_code, []).append(user_id)
    now = timezone.now()
    tasks = [
        Task(
            area_code=recipient.area_code,
            title=directive.title,
            description=directive.body[:5000],
            source=TaskSource.DIRECTIVE,
            source_ref=directive_task_ref(recipient),
            emergency_id=directive.emergency_id,
            assigner=actor.user,
            priority=TaskPriority.HIGH,
            due_at=directive.deadline,
            status=TaskStatus.OPEN,
            created_at=now,
        )
        for recipient in recipients
    ]
    for task in tasks:
        task.full_clean(exclude=["assigner", "emergency"])
    Task.objects.bulk_create(tasks)
    through = Task.assignees.through
    through.objects.bulk_create(
        [through(task_id=task.pk, user_id=user_id) for task in tasks for user_id in commanders.get(task.area_code, [])]
    )
    TaskStatusChange.objects.bulk_create(
        [
            TaskStatusChange(
                area_code=task.area_code,
                task_id=task.pk,
                from_status="",
                to_status=TaskStatus.OPEN,
                by=actor.user,
                at=now,
            )
            for task in tasks
        ]
    )
    audit_record(
        AuditAction.BULK_CREATE,
        actor=actor,
        object_type="command.task",
        area_code=directive.area_code,
        changes={"source": TaskSource.DIRECTIVE, "directive": directive.pk, "tasks": len(tasks)},
    )
    return len(tasks)


@transaction.atomic
def directive_send(
    *,
    actor: Actor,
    title: str,
    body: str,
    deadline: dt.datetime,
    report_required: bool = True,
    community_codes: str | Iterable[str],
    area_code: str | None = None,
    attachments: Iterable[IO[bytes]] = (),
    emergency: Emergency | int | None = None,
) -> Directive:
    """Send a directive to some or all communities below the official's area ("all" for every one).

    Every attachment is checked before anything is written, so a bad file sends nothing.
    """
    _require(actor, "directive.send", _("Your role may not send directives."))
    title = (title or "").strip()
    body = (body or "").strip()
    if not title:
        raise DomainError(_("Give the directive a title."), code="title_required", field="title")
    if not body:
        raise DomainError(_("Write what the communities must do."), code="body_required", field="body")
    if deadline is None:
        raise DomainError(_("Set a deadline."), code="deadline_required", field="deadline")
    if timezone.is_naive(deadline):
        deadline = timezone.make_aware(deadline)
    if deadline <= timezone.now():
        local = timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")
        raise DomainError(
            _("The deadline %(time)s is in the past. Choose a time after now.") % {"time": local},
            code="deadline_in_past",
            field="deadline",
        )
    sender_area = _sender_area(actor, area_code)
    codes = _communities(actor, sender_area, community_codes)
    if emergency is not None:
        try:
            emergency = Emergency.objects.get_visible(
                actor, pk=emergency.pk if isinstance(emergency, Emergency) else emergency
            )
        except Http404:
            raise NotFound(_("There is no such emergency in your jurisdiction."), field="emergency") from None

    files = list(attachments or ())
    if len(files) > MAX_ATTACHMENTS:
        raise DomainError(
            _("A directive can carry at most %(n)d files.") % {"n": MAX_ATTACHMENTS},
            code="too_many_attachments",
            field="attachments",
        )
    checked = []
    for file in files:
        name = upload_safe_name(getattr(file, "name", "") or "")
        checked.append((file, name, upload_check(file, name=name)))

    directive = Directive(
        area_code=sender_area,
        title=title,
        body=body,
        deadline=deadline,
        report_required=bool(report_required),
        emergency=emergency,
        sent_by=actor.user,
    )
    directive.full_clean()
    directive.save()

    DirectiveRecipient.objects.bulk_create([DirectiveRecipient(directive=directive, area_code=code) for code in codes])
    recipients = list(DirectiveRecipient.objects.filter(directive=directive).order_by("area_code"))
    audit_record(
        AuditAction.BULK_CREATE,
        actor=actor,
        object_type="command.directiverecipient",
        area_code=sender_area,
        changes={"directive": directive.pk, "communities": len(recipients)},
    )
    _create_tasks(actor, directive, recipients)
    _save_attachments(directive, checked)
    return directive


def _save_attachments(directive: Directive, checked: list) -> None:
    from django.core.files import File

    saved: list[DirectiveAttachment] = []
    try:
        for file, name, result in checked:
            size = getattr(file, "size", None)
            if not isinstance(size, int):
                file.seek(0, 2)
                size = file.tell()
                file.seek(0)
            attachment = DirectiveAttachment(
                area_code=directive.area_code,
                directive=directive,
                original_name=name,
                content_type=result.content_type,
                size=size,
                sha256=result.sha256,
            )
            attachment.file.save(attachment_storage_name("directives", name), File(file), save=False)
            saved.append(attachment)
            attachment.full_clean()
            attachment.save()
    except Exception:
        for attachment in saved:
            attachment.file.delete(save=False)
        raise


def _recipient(actor: Actor, directive: Directive | int, community_code: str | None) -> DirectiveRecipient:
    """The actor's community's copy of a directive, locked; 404 when the directive did not go to them."""
    directive_id = directive.pk if isinstance(directive, Directive) else directive
    # Lock the community's copy only: other communities answer the same directive at the same time.
    copies = (
        DirectiveRecipient.objects.visible_to(actor).select_for_update(of=("self",)).filter(directive_id=directive_id)
    )
    if community_code:
        copies = copies.filter(area_code=community_code)
    found = list(copies.select_related("directive")[:2])
    if not found:
        raise NotFound(_("Not found."))
    if len(found) > 1:
        raise DomainError(
            _("This directive went to several of your communities: say which one answers."),
            code="community_required",
            field="community_code",
        )
    return found[0]


@transaction.atomic
def directive_acknowledge(
    *, actor: Actor, directive: Directive | int, community_code: str | None = None
) -> DirectiveRecipient:
    """The community has read the directive. Its task is accepted, or done when no report is required.

    Acknowledging twice changes nothing.
    """
    _require(actor, "directive.respond", _("Your role may not answer directives."))
    copy = _recipient(actor, directive, community_code)
    if copy.acknowledged_at is None:
        copy.acknowledged_at = timezone.now()
        copy.acknowledged_by = actor.user
        copy.full_clean()
        copy.save(update_fields=["acknowledged_at", "acknowledged_by"])
    ref = directive_task_ref(copy)
    if copy.directive.report_required and copy.reported_at is None:
        task_close_for_source(actor=actor, source_ref=ref, status=TaskStatus.ACCEPTED)
    else:
        task_close_for_source(actor=actor, source_ref=ref, status=TaskStatus.DONE)
    return copy


@transaction.atomic
def directive_report(
    *, actor: Actor, directive: Directive | int, text: str, community_code: str | None = None
) -> DirectiveRecipient:
    """The community reports what it did (required when the directive asks for a report).

    Reporting acknowledges as well, closes the community's task, and may be sent again to amend
    the report (the audit trail keeps every version's time).
    """
    _require(actor, "directive.respond", _("Your role may not answer directives."))
    copy = _recipient(actor, directive, community_code)
    text = (text or "").strip()
    if not text and copy.directive.report_required:
        raise DomainError(
            _("This directive needs a completion report: write what was done."), code="report_required", field="text"
        )
    if len(text) > MAX_REPORT_LENGTH:
        raise DomainError(
            _("Keep the report under %(n)d characters.") % {"n": MAX_REPORT_LENGTH},
            code="report_too_long",
            field="text",
        )
    now = timezone.now()
    if copy.acknowledged_at is None:
        copy.acknowledged_at = now
        copy.acknowledged_by = actor.user
    copy.reported_at = now
    copy.reported_by = actor.user
    copy.report = text
    copy.full_clean()
    copy.save()
    task_close_for_source(actor=actor, source_ref=directive_task_ref(copy), status=TaskStatus.DONE, reason=text[:500])
    return copy


def directive_laggards_q() -> Q:
    """Copies that have not complied: not acknowledged, or not reported where a report is required."""
    return Q(acknowledged_at__isnull=True) | Q(directive__report_required=True, reported_at__isnull=True)


@transaction.atomic
def directive_remind(*, actor: Actor, directive: Directive | int) -> int:
    """Remind every community that has not complied yet; returns how many were reminded.

    Each laggard's copy records the reminder (time and count); its open task gets a reminder note
    and becomes urgent, or, when its task was closed meanwhile, a new task is created.
    """
    _require(actor, "directive.send", _("Your role may not send directives."))
    directive_id = directive.pk if isinstance(directive, Directive) else directive
    try:
        loaded = Directive.objects.get_visible(actor, pk=directive_id)
    except Http404:
        raise NotFound(_("Not found.")) from None
    if not actor.is_system and not actor.reaches(loaded.area_code):
        raise PermissionDenied(_("Only the office that sent a directive (or one above it) may remind."))
    laggards = list(
        DirectiveRecipient.objects.visible_to(actor)
        .select_for_update()
        .filter(directive=loaded)
        .filter(directive_laggards_q())
        .order_by("area_code")
    )
    if not laggards:
        return 0
    now = timezone.now()
    ids = [copy.pk for copy in laggards]
    DirectiveRecipient.objects.filter(pk__in=ids).update(reminded_at=now, reminder_count=F("reminder_count") + 1)
    refs = {directive_task_ref(copy): copy for copy in laggards}
    open_tasks = list(Task.objects.filter(source_ref__in=list(refs), status__in=OPEN_STATUSES))
    Task.objects.filter(pk__in=[t.pk for t in open_tasks]).update(priority=TaskPriority.URGENT)
    TaskComment.objects.bulk_create(
        [
            TaskComment(
                area_code=task.area_code, task=task, author=actor.user, kind=TaskCommentKind.REMINDER, created_at=now
            )
            for task in open_tasks
        ]
    )
    with_task = {task.source_ref for task in open_tasks}
    _create_tasks(actor, loaded, [copy for ref, copy in refs.items() if ref not in with_task])
    audit_record(
        AuditAction.UPDATE,
        actor=actor,
        obj=loaded,
        changes={"reminded": len(ids), "communities": [copy.area_code for copy in laggards][:100]},
    )
    return len(ids)


def directive_remind_message(count: int) -> str:
    if not count:
        return _("Every community has complied: nobody to remind.")
    return ngettext("Reminded %(n)d community.", "Reminded %(n)d communities.", count) % {"n": count}
