"""Leak factories of the health app: one row per model in (or above) a test grid, carrying the marker."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from fangxian.core.testing import leak_factory
from fangxian.health.models import (
    Arrival,
    CheckIn,
    HealthCase,
    HealthPolicy,
    HealthReport,
    RiskArea,
    ScreeningEntry,
    ScreeningList,
    ServiceRequest,
)
from fangxian.registry.tests.factories_residents import resident


@leak_factory(RiskArea)
def risk_area(grid: str, marker: str, world):
    return RiskArea.objects.create(
        area_code=grid[:12],
        division_code="420106",
        name=marker,
        level="high",
        measure="home_quarantine",
        days=14,
        since=timezone.localdate() - dt.timedelta(days=3),
    )


@leak_factory(HealthPolicy)
def health_policy(grid: str, marker: str, world):
    # One per community and level: the level is picked free so that two grids of one community fit.
    community = grid[:12]
    used = set(HealthPolicy.objects.filter(area_code=community).values_list("level", flat=True))
    level = next(n for n in (1, 2, 3, 4) if n not in used)
    return HealthPolicy.objects.create(area_code=community, level=level, check_in_required=True)


@leak_factory(ScreeningList)
def screening_list(grid: str, marker: str, world):
    return ScreeningList.objects.create(
        area_code=grid, title=marker, source=marker, deadline=timezone.now() + dt.timedelta(days=1)
    )


@leak_factory(ScreeningEntry)
def screening_entry(grid: str, marker: str, world):
    person = resident(grid, marker, world)
    return ScreeningEntry.objects.create(
        area_code=grid,
        screening_list=screening_list(grid, marker + "L", world),
        row_number=1,
        name=marker,
        reason=marker,
        resident=person,
        match="id",
    )


@leak_factory(Arrival)
def arrival(grid: str, marker: str, world):
    person = resident(grid, marker, world)
    return Arrival.objects.create(
        area_code=grid,
        household=person.household,
        resident=person,
        name=marker,
        origin_code="420106",
        origin_name=marker,
        arrived_on=timezone.localdate(),
        transport="train",
        transport_detail=marker,
        suggested_measure="home_quarantine",
        source="worker",
    )


def case(grid: str, marker: str, world) -> HealthCase:
    person = resident(grid, marker, world)
    today = timezone.localdate()
    return HealthCase.objects.create(
        area_code=grid,
        resident=person,
        household=person.household,
        kind="home_quarantine",
        starts_on=today,
        ends_on=today + dt.timedelta(days=14),
        end_reason=marker,
    )


leak_factory(HealthCase)(case)


@leak_factory(HealthReport)
def health_report(grid: str, marker: str, world):
    return HealthReport.objects.create(
        area_code=grid, case=case(grid, marker + "R", world), temperature=Decimal("36.6"), note=marker
    )


@leak_factory(CheckIn)
def check_in(grid: str, marker: str, world):
    person = resident(grid, marker, world)
    return CheckIn.objects.create(
        area_code=grid, resident=person, household=person.household, day=timezone.localdate(), symptoms=[marker]
    )


@leak_factory(ServiceRequest)
def service_request(grid: str, marker: str, world):
    person = resident(grid, marker, world)
    return ServiceRequest.objects.create(area_code=grid, household=person.household, kind="groceries", note=marker)
