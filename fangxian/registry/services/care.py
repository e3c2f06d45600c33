"""Writes of the care part: need tags and their details, care plans and visits.

Each service takes the actor first, checks its capability, finds objects through scoping (404
alike for missing and elsewhere), validates with `full_clean()` and writes atomically.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangxian.accounts.models import RoleAssignment, User
from fangxian.core.errors import DomainError, NotFound, PermissionDenied
from fangxian.core.roles import Role
from fangxian.core.scoping import Actor
from fangxian.registry import capabilities_care  # noqa: F401  (until apps.ready imports it)
from fangxian.registry.models import Resident, ResidentStatus, Vulnerability, VulnerabilityKind
from fangxian.registry.models.care import CarePlan, CareVisit, VulnerabilityDetail

CARE_PLAN_REF_PREFIX = "registry.careplan:"
CARE_VISIT_REF_PREFIX = "registry.carevisit:"
# A visit that needs follow-up becomes a task due this many days later.
FOLLOW_UP_DAYS = 2
MAX_FOLLOW_UP_ASSIGNEES = 20
VISITOR_ROLES = frozenset({Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.COMMANDER})


def _require(actor: Actor, capability: str, message: str) -> None:
    if not actor.is_system and not actor.can(capability):
        raise PermissionDenied(message)


def _visible(model: type, actor: Actor, pk: int):
    obj = model.objects.visible_to(actor).filter(pk=pk).first() if isinstance(pk, int) else None
    if obj is None:
        raise NotFound(_("Not found."))
    return obj


def care_visitor_allowed(*, user: User, area_code: str) -> bool:
    """A visitor is staff (grid worker or community staff) whose area covers the resident's grid."""
    return user.is_active and any(
        a.role in VISITOR_ROLES and area_code.startswith(a.area_code) for a in user.active_assignments()
    )


def vulnerability_detail_set(
    *,
    actor: Actor,
    vulnerability: Vulnerability | int,
    disability_grade: str = "",
    chronic_disease: str = "",
    care_level: str = "",
) -> VulnerabilityDetail:
    _require(actor, "care.manage", _("Your role may not change care records."))
    if not isinstance(vulnerability, Vulnerability):
        vulnerability = _visible(Vulnerability, actor, vulnerability)
    with transaction.atomic():
        detail = VulnerabilityDetail.objects.filter(vulnerability=vulnerability).first() or VulnerabilityDetail(
            vulnerability=vulnerability
        )
        detail.area_code = vulnerability.area_code
        detail.disability_grade = disability_grade
        detail.chronic_disease = (chronic_disease or "").strip()
        detail.care_level = care_level
        detail.full_clean()
        detail.save()
    return detail


def vulnerability_add(
    *,
    actor: Actor,
    resident: Resident | int,
    kind: str,
    detail: str = "",
    disability_grade: str = "",
    chronic_disease: str = "",
    care_level: str = "",
) -> Vulnerability:
    """Tag a resident living here with a need (弱势群体), and set its details when any is given."""
    _require(actor, "care.manage", _("Your role may not change care records."))
    resident = _visible(Resident, actor, resident.pk if isinstance(resident, Resident) else resident)
    if resident.status != ResidentStatus.ACTIVE:
        raise DomainError(_("This resident no longer lives here."), code="resident_inactive", field="resident")
    if kind not in VulnerabilityKind.values:
        raise DomainError(_("Choose one of the needs in the list."), code="kind_invalid", field="kind")
    with transaction.atomic():
        if Vulnerability.objects.select_for_update().filter(resident=resident, kind=kind).exists():
            raise DomainError(_("The resident carries this need already."), code="tag_exists", field="kind")
        tag = Vulnerability(area_code=resident.area_code, resident=resident, kind=kind, detail=(detail or "").strip())
        tag.full_clean()
        tag.save()
        if disability_grade or (chronic_disease or "").strip() or care_level:
            vulnerability_detail_set(
                actor=actor,
                vulnerability=tag,
                disability_grade=disability_grade,
                chronic_disease=chronic_disease,
                care_level=care_level,
            )
    return tag


def vulnerability_remove(
    *, actor: Actor, vulnerability: Vulnerability | int, resident: Resident | int | None = None
) -> None:
    """Take a need tag off (it was wrong, or the need is over); its details go with it.

    With `resident`, the tag must be one of that resident's (else not found, as for a tag elsewhere).
    A care plan of the resident stays: end it on its page if nobody needs to visit any more.
    """
    _require(actor, "care.manage", _("Your role may not change care records."))
    tag = _visible(
        Vulnerability, actor, vulnerability.pk if isinstance(vulnerability, Vulnerability) else vulnerability
    )
    if resident is not None and tag.resident_id != (resident.pk if isinstance(resident, Resident) else resident):
        raise NotFound(_("Not found."))
    with transaction.atomic():
        # The details first, explicitly: each delete writes its own audit row.
        VulnerabilityDetail.objects.filter(vulnerability=tag).delete()
        tag.delete()


def care_plan_create(
    *,
    actor: Actor,
    resident: Resident | int,
    visitor: User | int,
    frequency_days: int,
    started_on: dt.date | None = None,
    notes: str = "",
) -> CarePlan:
    """Start caring for a vulnerable resident: who visits, every how many days."""
    _require(actor, "care.manage", _("Your role may not plan care."))
    if not isinstance(resident, Resident):
        resident = _visible(Resident, actor, resident)
    if resident.status != ResidentStatus.ACTIVE:
        raise DomainError(_("This resident no longer lives here."), code="resident_inactive", field="resident")
    if not Vulnerability.objects.filter(resident=resident).exists():
        raise DomainError(
            _("Tag the resident as vulnerable before planning their care."), code="not_vulnerable", field="resident"
        )
    if not isinstance(visitor, User):
        visitor = User.objects.filter(pk=visitor).first() if isinstance(visitor, int) else None
    if visitor is None or not care_visitor_allowed(user=visitor, area_code=resident.area_code):
        raise DomainError(
            _("The visitor must be a grid or community worker of the resident's area."),
            code="visitor_invalid",
            field="visitor",
        )
    if not isinstance(frequency_days, int) or not 1 <= frequency_days <= 366:
        raise DomainError(
            _("Visit at least once a year and at most once a day (1 to 366 days)."),
            code="frequency_invalid",
            field="frequency_days",
        )
    with transaction.atomic():
        if CarePlan.objects.select_for_update().filter(resident=resident, active=True).exists():
            raise DomainError(_("This resident already has a care plan."), code="plan_exists", field="resident")
        plan = CarePlan(
            area_code=resident.area_code,
            resident=resident,
            visitor=visitor,
            frequency_days=frequency_days,
            started_on=started_on or timezone.localdate(),
            notes=(notes or "").strip(),
        )
        plan.next_due_on = plan.compute_next_due()
        plan.full_clean()
        plan.save()
    return plan


def care_plan_update(
    *,
    actor: Actor,
    plan: CarePlan | int,
    visitor: User | int | None = None,
    frequency_days: int | None = None,
    notes: str | None = None,
) -> CarePlan:
    """Hand a plan to another visitor or change how often they visit; the due date follows."""
    _require(actor, "care.manage", _("Your role may not plan care."))
    plan = _visible(CarePlan, actor, plan.pk if isinstance(plan, CarePlan) else plan)
    if not plan.active:
        raise DomainError(_("This care plan has ended."), code="plan_ended")
    if visitor is not None:
        if not isinstance(visitor, User):
            visitor = User.objects.filter(pk=visitor).first() if isinstance(visitor, int) else None
        if visitor is None or not care_visitor_allowed(user=visitor, area_code=plan.area_code):
            raise DomainError(
                _("The visitor must be a grid or community worker of the resident's area."),
                code="visitor_invalid",
                field="visitor",
            )
    handed_over = visitor is not None and visitor.pk != plan.visitor_id
    if visitor is not None:
        plan.visitor = visitor
    if frequency_days is not None:
        if not isinstance(frequency_days, int) or isinstance(frequency_days, bool) or not 1 <= frequency_days <= 366:
            raise DomainError(
                _("Visit at least once a year and at most once a day (1 to 366 days)."),
                code="frequency_invalid",
                field="frequency_days",
            )
        plan.frequency_days = frequency_days
        plan.next_due_on = plan.compute_next_due()
    if notes is not None:
        plan.notes = notes.strip()
    plan.full_clean()
    with transaction.atomic():
        plan.save()
        if handed_over:
            _overdue_task_hand_over(actor, plan, _("The care plan was handed to another visitor."))
        elif not plan.is_overdue_on(timezone.localdate()):
            _overdue_task_close(actor, plan, _("The visit is no longer overdue."))
    return plan


END_REASON_MAX_LENGTH = 500


def care_plan_end(*, actor: Actor, plan: CarePlan | int, reason: str) -> CarePlan:
    """Stop visiting, saying why: the plan records today's (local) date and the reason; the plan and
    its visits stay, read-only; its open overdue-visit task closes."""
    _require(actor, "care.manage", _("Your role may not plan care."))
    plan = _visible(CarePlan, actor, plan.pk if isinstance(plan, CarePlan) else plan)
    if not plan.active:
        raise DomainError(_("This care plan has ended."), code="plan_ended")
    reason = reason.strip() if isinstance(reason, str) else ""
    if "\x00" in reason:
        # PostgreSQL refuses a NUL in text; a form never sends one, so this is a malformed request.
        raise DomainError(
            _("The reason holds a character that cannot be stored."), code="end_reason_invalid", field="reason"
        )
    if not reason:
        raise DomainError(_("Say why the plan ends."), code="end_reason_required", field="reason")
    if len(reason) > END_REASON_MAX_LENGTH:
        raise DomainError(
            _("Say why in at most %(limit)d characters.") % {"limit": END_REASON_MAX_LENGTH},
            code="end_reason_too_long",
            field="reason",
        )
    with transaction.atomic():
        plan = CarePlan.objects.select_for_update().get(pk=plan.pk)
        if not plan.active:
            raise DomainError(_("This care plan has ended."), code="plan_ended")
        plan.active = False
        plan.ended_on = timezone.localdate()
        plan.end_reason = reason
        plan.full_clean()
        plan.save(update_fields=["active", "ended_on", "end_reason"])
        _overdue_task_close(actor, plan, _("The care plan ended."))
    return plan


def care_plan_visitor_missing(plan: CarePlan) -> bool:
    """Whether nobody may visit under the plan: it has no visitor (the resident moved to a grid their
    visitor did not cover), or its visitor lost their role in the plan's grid (left the job). The plan
    then needs a new visitor (`care_plan_update`); until then no overdue task is made."""
    return plan.visitor_id is None or not care_visitor_allowed(user=plan.visitor, area_code=plan.area_code)


def care_records_follow_resident(*, actor: Actor, resident: Resident) -> list[CarePlan]:
    """Move the resident's need details and active care plans (with their visits) to the grid the
    resident now lives in, so that the new grid's staff see and visit them. Returns the plans moved.

    Called by `resident_move` inside its transaction, after the resident's `area_code` changed (the
    tags themselves are moved there); the caller checked its capability. A visitor who does not
    cover the new grid is taken off the plan (its visits keep their names): the plan is left without
    a visitor, shows "needs a visitor" and gets no overdue task until a new visitor is chosen. The
    open overdue-visit task of the old grid closes; one is made in the new grid at once when the
    visit is overdue and the visitor covers the new grid. Ended plans stay where they were, with
    their visits.
    """
    area_code = resident.area_code
    for detail in VulnerabilityDetail.objects.filter(vulnerability__resident=resident).exclude(area_code=area_code):
        detail.area_code = area_code
        detail.save(update_fields=["area_code"])
    moved = []
    for plan in (
        CarePlan.objects.select_for_update().filter(resident=resident, active=True).exclude(area_code=area_code)
    ):
        plan.area_code = area_code
        if plan.visitor_id is not None and not care_visitor_allowed(user=plan.visitor, area_code=area_code):
            plan.visitor = None
        plan.full_clean()
        plan.save(update_fields=["area_code", "visitor"])
        for visit in plan.visits.exclude(area_code=area_code):
            visit.area_code = area_code
            visit.save(update_fields=["area_code"])
        _overdue_task_hand_over(actor, plan, _("The resident moved to another grid; the care plan went with them."))
        moved.append(plan)
    return moved


def care_visit_record(
    *,
    actor: Actor,
    plan: CarePlan | int,
    findings: str,
    follow_up_needed: bool = False,
    visited_on: dt.date | None = None,
) -> CareVisit:
    """Record a visit; the plan's next visit falls due `frequency_days` after it."""
    _require(actor, "care.visit", _("Your role may not record care visits."))
    if actor.user is None:
        raise PermissionDenied(_("Only a person can record a visit."))
    if not isinstance(plan, CarePlan):
        plan = _visible(CarePlan, actor, plan)
    elif not CarePlan.objects.visible_to(actor).filter(pk=plan.pk).exists():
        raise NotFound(_("Not found."))
    if not plan.active:
        raise DomainError(_("This care plan has ended."), code="plan_ended")
    today = timezone.localdate()
    visited_on = visited_on or today
    if visited_on > today:
        raise DomainError(_("A visit cannot be in the future."), code="visit_in_future", field="visited_on")
    if visited_on < plan.started_on:
        raise DomainError(_("The visit is before the care plan started."), code="visit_before_plan", field="visited_on")
    findings = (findings or "").strip()
    if not findings:
        raise DomainError(_("Say what you found."), code="findings_required", field="findings")
    with transaction.atomic():
        plan = CarePlan.objects.select_for_update().get(pk=plan.pk)
        visit = CareVisit(
            area_code=plan.area_code,
            plan=plan,
            visited_on=visited_on,
            visitor=actor.user,
            findings=findings,
            follow_up_needed=bool(follow_up_needed),
        )
        visit.full_clean()
        visit.save()
        if plan.last_visited_on is None or visited_on > plan.last_visited_on:
            plan.last_visited_on = visited_on
            plan.next_due_on = plan.compute_next_due()
            plan.save(update_fields=["last_visited_on", "next_due_on"])
        if not plan.is_overdue_on(today):
            _close_overdue_task(actor, plan)
        if visit.follow_up_needed:
            _follow_up_task_create(plan, visit)
    return visit


def _follow_up_task_create(plan: CarePlan, visit: CareVisit) -> None:
    """A visit that needs follow-up becomes a task, due in FOLLOW_UP_DAYS, with what was found.

    It goes to the plan's visitor while they cover the plan's grid, else to the commanders of the
    grid's community (else to the grid's staff as a whole). Made as the platform, like the overdue
    tasks: the grid worker who records the visit may not assign tasks themselves.
    """
    from fangxian.command.models import TaskSource
    from fangxian.command.services.tasks import task_create

    system = Actor.system("care-follow-up")
    fields = {
        "title": _("Follow-up after a care visit: %(name)s (visited %(date)s)")
        % {"name": plan.resident.name, "date": visit.visited_on.isoformat()},
        "description": visit.findings,
        "area_code": plan.area_code,
        "due_at": timezone.now() + dt.timedelta(days=FOLLOW_UP_DAYS),
        "source": TaskSource.CARE,
        "source_ref": f"{CARE_VISIT_REF_PREFIX}{visit.pk}",
    }
    if not care_plan_visitor_missing(plan):
        try:
            with transaction.atomic():
                task_create(actor=system, assignees=[plan.visitor_id], **fields)
            return
        except DomainError:
            pass  # the visitor has no task inbox in this grid: the commanders take it
    task_create(actor=system, assignees=_grid_commanders(plan.area_code), **fields)


def _grid_commanders(area_code: str) -> list[int]:
    """The active commanders whose community (or a wider area) holds the grid."""
    from fangxian.core.areacode import ancestor_codes

    return list(
        RoleAssignment.objects.filter(
            active=True,
            role=Role.COMMANDER,
            area_code__in=[*ancestor_codes(area_code), area_code],
            user__is_active=True,
        )
        .order_by("user_id")
        .values_list("user_id", flat=True)
        .distinct()[:MAX_FOLLOW_UP_ASSIGNEES]
    )


def _close_overdue_task(actor: Actor, plan: CarePlan) -> None:
    _overdue_task_close(actor, plan, _("Visit recorded."), done=True)


def _overdue_task_close(actor: Actor, plan: CarePlan, reason: str, *, done: bool = False) -> int:
    """Close the plan's open overdue-visit task: done when visited, "cannot be done" (with why) otherwise."""
    from fangxian.command.models import TaskStatus
    from fangxian.command.services.tasks import task_close_for_source

    status = TaskStatus.DONE if done else TaskStatus.CANNOT_DO
    return task_close_for_source(
        actor=actor, source_ref=f"{CARE_PLAN_REF_PREFIX}{plan.pk}", status=status, reason=reason
    )


def _overdue_task_hand_over(actor: Actor, plan: CarePlan, reason: str) -> None:
    """The plan changed hands or grids: close its open overdue-visit task, and if the visit is still
    overdue give a new one to the visitor now in charge (when they cover the plan's grid)."""
    _overdue_task_close(actor, plan, reason)
    if plan.is_overdue_on(timezone.localdate()) and not care_plan_visitor_missing(plan):
        try:
            # As the platform, like the morning job: the person handing over may not assign tasks.
            _overdue_task_create(Actor.system("care-hand-over"), plan)
        except DomainError:
            # No task inbox for the visitor here: the plan stays on the overdue list; the job retries.
            pass


def care_overdue_tasks_create(*, actor: Actor, today: dt.date | None = None) -> int:
    """Put every overdue visit in its visitor's task inbox (the periodic job runs it as the system).

    One task per plan while it stays open (task_create returns the open one for the same
    reference); recording the visit closes it. Returns how many plans were overdue.
    """
    today = today or timezone.localdate()
    plans = (
        CarePlan.objects.visible_to(actor)
        # A plan without a visitor has nobody to give the task to: it stays on the community's lists.
        .filter(active=True, next_due_on__lt=today, visitor__isnull=False)
        .select_related("resident")
        .order_by("next_due_on", "id")
    )
    count = 0
    for plan in plans.iterator(chunk_size=500):
        try:
            _overdue_task_create(actor, plan)
        except DomainError:
            # The visitor lost their role here: the plan stays overdue on the community's list.
            continue
        count += 1
    return count


def _overdue_task_create(actor: Actor, plan: CarePlan) -> None:
    from fangxian.command.models import TaskPriority, TaskSource
    from fangxian.command.services.tasks import task_create

    if plan.visitor_id is None:
        raise DomainError(_("The care plan has no visitor."), code="visitor_missing")
    # A savepoint per plan: one refused task leaves the others written.
    with transaction.atomic():
        task_create(
            actor=actor,
            title=_("Care visit overdue: %(name)s (due %(date)s)")
            % {"name": plan.resident.name, "date": plan.next_due_on.isoformat()},
            area_code=plan.area_code,
            assignees=[plan.visitor_id],
            priority=TaskPriority.HIGH,
            source=TaskSource.CARE,
            source_ref=f"{CARE_PLAN_REF_PREFIX}{plan.pk}",
        )
