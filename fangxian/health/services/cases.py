"""Writes of health cases: open, change the end date, report temperatures, release, transfer, cancel.

A case is one person under home quarantine, health monitoring or centralised quarantine. Its end
date comes from the community's health policy (or the risk area that caused it) and may be changed
with a reason. Reports come twice a day from the person (their household's account) or a worker;
a fever or a symptom puts an urgent task in the grid's inbox; a missed report alerts the grid after
the policy's grace period (`missed_reports_alert`, run by a periodic job). Release needs a final
check on the day: a report without fever or symptoms.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from fangxian.command.models import TaskPriority, TaskSource
from fangxian.command.selectors.emergencies import active_emergency
from fangxian.command.services.tasks import task_create
from fangxian.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangxian.core.measures import body_temperature
from fangxian.core.personal import name_masked
from fangxian.core.scoping import Actor
from fangxian.health.models import (
    CaseKind,
    CaseStatus,
    HealthCase,
    HealthPolicy,
    HealthReport,
    ServiceKind,
    ServiceRequest,
    ServiceStatus,
    Symptom,
)
from fangxian.health.models.cases import default_fever
from fangxian.registry.models import Resident

MAX_CASE_DAYS = 60
# Two reports a day: each slot is due by its hour (local time), then the policy's grace period runs.
REPORT_SLOTS = ((dt.time(6, 0), dt.time(10, 0)), (dt.time(14, 0), dt.time(18, 0)))
SYMPTOMS = frozenset(Symptom.values)


def _require(actor: Actor, capability: str, obj: Any = None) -> None:
    if not actor.can(capability, obj):
        raise PermissionDenied(_("Your role may not do this with health cases."))


def _visible_case(actor: Actor, case_id: int, *, lock: bool = False) -> HealthCase:
    cases = HealthCase.objects.select_related("resident", "household__building", "household__unit")
    if lock:
        cases = cases.select_for_update(of=("self",))
    try:
        return cases.get_visible(actor, pk=case_id)
    except Http404:
        raise NotFound(_("There is no such case in your jurisdiction.")) from None


def full_clean_or_refuse(obj: Any, **options: Any) -> None:
    """`full_clean`, with Django's ValidationError turned into the DomainError pages and the API show."""
    try:
        obj.full_clean(**options)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            field, errors = next(iter(error.error_dict.items()))
            message = errors[0].messages[0]
        else:
            field, message = None, error.messages[0]
        raise DomainError(message, code="invalid", field=None if field == "__all__" else field) from None


def policy_for(community_code: str) -> HealthPolicy:
    """The community's health policy under the active emergency (unsaved defaults without one)."""
    emergency = active_emergency(community_code)
    policy = None
    if emergency is not None:
        policy = HealthPolicy.objects.filter(area_code=community_code, level=emergency.level).first()
    return policy or HealthPolicy(area_code=community_code, level=emergency.level if emergency else 0)


def default_days(kind: str, policy: HealthPolicy) -> int:
    return policy.monitoring_days if kind == CaseKind.MONITORING else policy.home_quarantine_days


def grid_task(
    *, title: str, area_code: str, source_ref: str, description: str = "", urgent: bool = False, hours: int = 24
):
    """A task for the staff of the grid of `area_code`, from the system (the person never assigns)."""
    return task_create(
        actor=Actor.system("health"),
        title=title[:200],
        area_code=area_code,
        source=TaskSource.HEALTH,
        source_ref=source_ref,
        emergency=active_emergency(area_code),
        priority=TaskPriority.URGENT if urgent else TaskPriority.NORMAL,
        due_at=timezone.now() + dt.timedelta(hours=hours),
        description=description,
    )


@transaction.atomic
def case_open(
    *,
    actor: Actor,
    resident_id: int,
    kind: str,
    starts_on: dt.date | None = None,
    days: int | None = None,
    arrival_id: int | None = None,
    screening_entry_id: int | None = None,
) -> HealthCase:
    """Put a resident under a measure; one active case per person (a second answers 409)."""
    _require(actor, "case.manage")
    if kind not in CaseKind.values:
        raise DomainError(_("Choose home quarantine, health monitoring or centralised quarantine."), code="case_kind")
    try:
        resident = Resident.objects.select_related("household").get_visible(actor, pk=resident_id)
    except Http404:
        raise NotFound(_("There is no such resident in your jurisdiction."), field="resident_id") from None
    starts_on = starts_on or timezone.localdate()
    policy = policy_for(resident.area_code[:12])
    days = days if days is not None else default_days(kind, policy)
    if not isinstance(days, int) or not 1 <= days <= MAX_CASE_DAYS:
        raise DomainError(_("A case lasts 1 to %(max)s days.") % {"max": MAX_CASE_DAYS}, code="case_days", field="days")
    case = HealthCase(
        area_code=resident.area_code,
        emergency=active_emergency(resident.area_code),
        resident=resident,
        household=resident.household,
        kind=kind,
        starts_on=starts_on,
        ends_on=starts_on + dt.timedelta(days=days),
        arrival_id=arrival_id,
        screening_entry_id=screening_entry_id,
        opened_by=actor.user,
    )
    active = Conflict(
        _("This person already has an active case: change it rather than open a second."), code="case_active"
    )
    if HealthCase.objects.filter(resident=resident, status=CaseStatus.ACTIVE).exists():
        raise active
    full_clean_or_refuse(case, validate_constraints=False)  # the database decides a race (IntegrityError below)
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        raise active from None
    if kind == CaseKind.HOME_QUARANTINE:
        _offer_services(case)
    return case


def _offer_services(case: HealthCase) -> None:
    """A household that cannot go out is offered groceries, medicine and waste collection, once."""
    offered = set(
        ServiceRequest.objects.filter(
            household_id=case.household_id, status__in=[ServiceStatus.OFFERED, ServiceStatus.REQUESTED]
        ).values_list("kind", flat=True)
    )
    ServiceRequest.objects.bulk_create(
        [
            ServiceRequest(
                area_code=case.area_code, emergency=case.emergency, household_id=case.household_id, case=case, kind=kind
            )
            for kind in ServiceKind.values
            if kind not in offered
        ]
    )


@transaction.atomic
def case_change_end(*, actor: Actor, case_id: int, ends_on: dt.date, reason: str) -> HealthCase:
    """Move the end date (a later test, a policy change); the reason is kept and audited."""
    _require(actor, "case.manage")
    case = _visible_case(actor, case_id, lock=True)
    _require_active(case)
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise DomainError(_("Say why the end date changes."), code="reason_required", field="reason")
    if not isinstance(ends_on, dt.date) or ends_on <= case.starts_on:
        raise DomainError(_("The end date must come after the start."), code="case_dates", field="ends_on")
    if (ends_on - case.starts_on).days > MAX_CASE_DAYS:
        raise DomainError(
            _("A case lasts 1 to %(max)s days.") % {"max": MAX_CASE_DAYS}, code="case_days", field="ends_on"
        )
    case.ends_on, case.end_reason = ends_on, reason[:200]
    full_clean_or_refuse(case)
    case.save()
    return case


def _require_active(case: HealthCase) -> None:
    if case.status != CaseStatus.ACTIVE:
        raise Conflict(_("This case is closed."), code="case_closed")


def _temperature(value: Any) -> Decimal:
    """A report needs a temperature: empty is refused like any other value that is not a number."""
    number = body_temperature(value)
    if number is None:
        raise DomainError(_("The temperature is not a number."), code="temperature", field="temperature")
    return number


def symptoms_clean(values: Any) -> list[str]:
    if values in (None, ""):
        return []
    if not isinstance(values, list | tuple) or len(values) > len(SYMPTOMS):
        raise DomainError(_("Pick symptoms from the list."), code="symptoms", field="symptoms")
    unknown = [v for v in values if v not in SYMPTOMS]
    if unknown:
        raise DomainError(_("Pick symptoms from the list."), code="symptoms", field="symptoms")
    return sorted(set(values))


@transaction.atomic
def health_report_add(
    *, actor: Actor, case_id: int, temperature: Any, symptoms: Any = None, note: str = "", at: dt.datetime | None = None
) -> HealthReport:
    """Record a temperature (and symptoms) for an active case; a fever or a symptom alerts the grid."""
    case = _visible_case(actor, case_id, lock=True)
    _require(actor, "case.report", case)
    _require_active(case)
    now = timezone.now()
    at = at or now
    if at > now + dt.timedelta(minutes=5) or at < now - dt.timedelta(days=2):
        raise DomainError(_("A report is for the last two days."), code="report_time", field="at")
    report = HealthReport(
        area_code=case.area_code,
        case=case,
        at=at,
        temperature=_temperature(temperature),
        symptoms=symptoms_clean(symptoms),
        note=(note or "").strip()[:300],
        by_resident=case.household_id in actor.household_ids,
        reported_by=actor.user,
    )
    full_clean_or_refuse(report)
    report.save()
    if case.last_report_at is None or at > case.last_report_at:
        case.last_report_at = at
        case.save(update_fields=["last_report_at"])
    if report.temperature >= default_fever() or report.symptoms:
        labels = ", ".join(str(Symptom(s).label) for s in report.symptoms)
        grid_task(
            title=_("Health alert: %(name)s %(temperature)s °C %(symptoms)s")
            % {"name": name_masked(case.resident.name), "temperature": report.temperature, "symptoms": labels},
            area_code=case.area_code,
            source_ref=f"health.healthreport:{report.pk}",
            description=_("Reported for %(room)s. Call, re-check, arrange a test or a transfer.")
            % {"room": case.household.address},
            urgent=True,
            hours=1,
        )
    return report


@transaction.atomic
def case_release(*, actor: Actor, case_id: int, note: str = "") -> HealthCase:
    """Release on or after the end date, after a final check today without fever or symptoms."""
    _require(actor, "case.manage")
    case = _visible_case(actor, case_id, lock=True)
    _require_active(case)
    today = timezone.localdate()
    if today < case.ends_on:
        raise DomainError(
            _("This case ends on %(date)s: change the end date first to release earlier.")
            % {"date": case.ends_on.isoformat()},
            code="release_too_early",
        )
    start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    final = case.reports.filter(at__gte=start).order_by("-at").first()
    if final is None:
        raise DomainError(_("Record today's final check before the release."), code="final_check_missing")
    if final.temperature >= default_fever() or final.symptoms:
        raise DomainError(
            _("Today's check shows a fever or symptoms: the person cannot be released."), code="final_check_failed"
        )
    _close(case, actor, CaseStatus.RELEASED, note)
    ServiceRequest.objects.filter(case=case, status=ServiceStatus.OFFERED).update(status=ServiceStatus.DECLINED)
    return case


@transaction.atomic
def case_close(*, actor: Actor, case_id: int, status: str, note: str) -> HealthCase:
    """Transfer (to hospital or a quarantine hotel) or cancel (opened by mistake), with a note."""
    _require(actor, "case.manage")
    if status not in (CaseStatus.TRANSFERRED, CaseStatus.CANCELLED):
        raise DomainError(_("A case is closed as transferred or cancelled."), code="close_status", field="status")
    note = (note or "").strip()
    if len(note) < 2:
        raise DomainError(_("Say why the case is closed."), code="reason_required", field="note")
    case = _visible_case(actor, case_id, lock=True)
    _require_active(case)
    _close(case, actor, status, note)
    ServiceRequest.objects.filter(case=case, status=ServiceStatus.OFFERED).update(status=ServiceStatus.DECLINED)
    return case


def _close(case: HealthCase, actor: Actor, status: str, note: str) -> None:
    case.status, case.closed_by, case.closed_at = status, actor.user, timezone.now()
    case.close_note = (note or "").strip()[:500]
    full_clean_or_refuse(case)
    case.save()


def _slot_state(now: dt.datetime) -> tuple[dt.datetime, dt.datetime] | None:
    """The report slot whose deadline has passed most recently today: (slot start, deadline)."""
    local = timezone.localtime(now)
    latest = None
    for start, due in REPORT_SLOTS:
        deadline = timezone.make_aware(dt.datetime.combine(local.date(), due))
        if deadline <= now:
            latest = (timezone.make_aware(dt.datetime.combine(local.date(), start)), deadline)
    return latest


def missed_reports_alert(*, now: dt.datetime | None = None) -> int:
    """Alert the grid for every active case without a report in the latest slot, once its grace is over.

    Idempotent: a case alerted for a slot is not alerted again for it (`alerted_at`). Returns the
    number of alerts created. `now` is a parameter so that tests travel in time without sleeping.
    """
    now = now or timezone.now()
    slot = _slot_state(now)
    if slot is None:
        return 0
    slot_start, deadline = slot
    today = timezone.localtime(now).date()
    late = (
        HealthCase.objects.filter(status=CaseStatus.ACTIVE, starts_on__lt=today, ends_on__gte=today)
        .exclude(last_report_at__gte=slot_start)
        .exclude(alerted_at__gte=slot_start)
        .select_related("resident", "household__building", "household__unit")
    )
    policies: dict[str, HealthPolicy] = {}
    alerted = 0
    for case in late:
        community = case.area_code[:12]
        if community not in policies:
            policies[community] = policy_for(community)
        if now < deadline + dt.timedelta(hours=policies[community].report_grace_hours):
            continue
        with transaction.atomic():
            grid_task(
                title=_("Missed health report: %(name)s, %(room)s")
                % {"name": name_masked(case.resident.name), "room": case.household.address},
                area_code=case.area_code,
                source_ref=f"health.healthcase:{case.pk}:missed:{slot_start:%Y%m%d%H}",
                description=_("No temperature since %(time)s. Call the household and record the report.")
                % {"time": timezone.localtime(slot_start).strftime("%Y-%m-%d %H:%M")},
                urgent=False,
                hours=2,
            )
            HealthCase.objects.filter(pk=case.pk).update(alerted_at=now)
        alerted += 1
    return alerted


@transaction.atomic
def service_request_answer(*, actor: Actor, service_request_id: int, needed: bool, note: str = "") -> ServiceRequest:
    """The household says whether it needs an offered service (groceries, medicine, waste collection)."""
    try:
        service = ServiceRequest.objects.select_for_update().get_visible(actor, pk=service_request_id)
    except Http404:
        raise NotFound(_("There is no such service request.")) from None
    if not actor.can("case.report", service):
        raise PermissionDenied(_("Only the household or its workers answer this."))
    if service.status not in (ServiceStatus.OFFERED, ServiceStatus.REQUESTED, ServiceStatus.DECLINED):
        raise Conflict(_("This service was provided already."), code="service_done")
    service.status = ServiceStatus.REQUESTED if needed else ServiceStatus.DECLINED
    service.note = (note or "").strip()[:300]
    full_clean_or_refuse(service)
    service.save()
    if needed:
        grid_task(
            title=_("%(service)s for %(room)s (home quarantine)")
            % {"service": service.get_kind_display(), "room": service.household.address},
            area_code=service.area_code,
            source_ref=f"health.servicerequest:{service.pk}",
            description=service.note,
            hours=12,
        )
    return service
