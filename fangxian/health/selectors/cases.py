"""Reads of arrivals, cases, reports, check-ins and the health numbers of an area."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from fangxian.core.scoping import Actor
from fangxian.health.models import (
    Arrival,
    CaseStatus,
    CheckIn,
    EntryStatus,
    HealthCase,
    HealthReport,
    ScreeningEntry,
    ServiceRequest,
)
from fangxian.health.models.cases import default_fever
from fangxian.registry.models import Resident
from fangxian.registry.models.residents import ResidentStatus


def arrival_list(*, actor: Actor, status: str = "", area_code: str = "") -> QuerySet[Arrival]:
    arrivals = Arrival.objects.visible_to(actor).select_related("household__building", "household__unit")
    if area_code:
        arrivals = arrivals.within(area_code)
    if status:
        arrivals = arrivals.filter(status=status)
    return arrivals


def arrival_get(*, actor: Actor, arrival_id: int) -> Arrival:
    return Arrival.objects.select_related("household__building", "household__unit", "resident").get_visible(
        actor, pk=arrival_id
    )


def case_list(
    *, actor: Actor, status: str = CaseStatus.ACTIVE, kind: str = "", area_code: str = ""
) -> QuerySet[HealthCase]:
    cases = HealthCase.objects.visible_to(actor).select_related("resident", "household__building", "household__unit")
    if area_code:
        cases = cases.within(area_code)
    if status:
        cases = cases.filter(status=status)
    if kind:
        cases = cases.filter(kind=kind)
    return cases


def case_get(*, actor: Actor, case_id: int) -> HealthCase:
    return HealthCase.objects.select_related(
        "resident", "household__building", "household__unit", "arrival", "opened_by", "closed_by"
    ).get_visible(actor, pk=case_id)


def case_reports(*, actor: Actor, case: HealthCase) -> QuerySet[HealthReport]:
    return HealthReport.objects.visible_to(actor).filter(case=case).select_related("reported_by")


def service_requests_of(*, actor: Actor, household_id: int) -> QuerySet[ServiceRequest]:
    return ServiceRequest.objects.visible_to(actor).filter(household_id=household_id)


def checkin_completion(*, actor: Actor, area_code: str, day: dt.date) -> list[dict[str, object]]:
    """Per grid of `area_code`: active residents, check-ins that day, the rate. Two grouped queries."""
    residents = (
        Resident.objects.visible_to(actor)
        .within(area_code)
        .filter(status=ResidentStatus.ACTIVE)
        .values("area_code")
        .annotate(n=Count("pk"))
        .order_by()
    )
    done = dict(
        CheckIn.objects.visible_to(actor)
        .within(area_code)
        .filter(day=day)
        .values("area_code")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("area_code", "n")
    )
    rows = []
    for row in sorted(residents, key=lambda r: r["area_code"]):
        checked = done.get(row["area_code"], 0)
        rows.append(
            {
                "area_code": row["area_code"],
                "residents": row["n"],
                "checked_in": checked,
                "rate": round(100 * checked / row["n"]) if row["n"] else 0,
            }
        )
    return rows


def health_numbers(*, actor: Actor, area_code: str, day: dt.date | None = None) -> dict[str, int]:
    """The health figures of an area for a day: the home panel and the daily report. Five queries."""
    day = day or timezone.localdate()
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    end = start + dt.timedelta(days=1)
    cases = HealthCase.objects.visible_to(actor).within(area_code)
    counted = cases.aggregate(
        under_measure=Count("pk", filter=Q(status=CaseStatus.ACTIVE, starts_on__lte=day)),
        due_for_release=Count("pk", filter=Q(status=CaseStatus.ACTIVE, ends_on__lte=day)),
        missed_reports=Count("pk", filter=Q(status=CaseStatus.ACTIVE, alerted_at__gte=start, alerted_at__lt=end)),
        released=Count("pk", filter=Q(status=CaseStatus.RELEASED, closed_at__gte=start, closed_at__lt=end)),
    )
    fever = Q(temperature__gte=default_fever())
    fevers = (
        HealthReport.objects.visible_to(actor).within(area_code).filter(fever, at__gte=start, at__lt=end).count()
        + CheckIn.objects.visible_to(actor).within(area_code).filter(fever, day=day).count()
    )
    arrivals = Arrival.objects.visible_to(actor).within(area_code).filter(reported_at__gte=start, reported_at__lt=end)
    entries = (
        ScreeningEntry.objects.visible_to(actor)
        .within(area_code)
        .aggregate(
            open=Count("pk", filter=Q(status=EntryStatus.OPEN)),
            answered_today=Count("pk", filter=Q(answered_at__gte=start, answered_at__lt=end)),
        )
    )
    return {
        "under_measure": counted["under_measure"],
        "due_for_release": counted["due_for_release"],
        "missed_reports": counted["missed_reports"],
        "released": counted["released"],
        "fevers": fevers,
        "arrivals": arrivals.count(),
        "screening_open": entries["open"],
        "screening_answered": entries["answered_today"],
    }
