"""Leak factories and helpers of the care part."""

import datetime as dt

from fangxian.core.testing import leak_factory
from fangxian.registry.models import Vulnerability, VulnerabilityKind
from fangxian.registry.models.care import CarePlan, CareVisit, VulnerabilityDetail
from fangxian.registry.tests.factories_residents import resident

# The visitor of each grid's plans: its grid worker where the world has one, else community staff.
GRID_VISITORS = {
    "370202001001001": "grid_a1",
    "370202001001002": "grid_a2",
    "370202001002001": "grid_b1",
    "370202002001001": "commander_c",
}


def vulnerable_resident(grid: str, marker: str, world, kind: str = VulnerabilityKind.ELDERLY_ALONE):
    person = resident(grid, marker, world)
    Vulnerability.objects.create(area_code=grid, resident=person, kind=kind, detail="")
    return person


@leak_factory(CarePlan)
def care_plan(grid: str, marker: str, world, started_on: dt.date | None = None, frequency_days: int = 7):
    person = vulnerable_resident(grid, marker, world)
    started_on = started_on or dt.date(2026, 1, 1)
    plan = CarePlan(
        area_code=grid,
        resident=person,
        visitor=world.users[GRID_VISITORS[grid]],
        frequency_days=frequency_days,
        started_on=started_on,
    )
    plan.next_due_on = plan.compute_next_due()
    plan.save()
    return plan


@leak_factory(CareVisit)
def care_visit(grid: str, marker: str, world):
    plan = care_plan(grid, marker + "P", world)
    return CareVisit.objects.create(
        area_code=grid, plan=plan, visited_on=dt.date(2026, 1, 2), visitor=plan.visitor, findings=marker
    )


@leak_factory(VulnerabilityDetail)
def vulnerability_detail(grid: str, marker: str, world):
    person = resident(grid, marker + "R", world)
    tag = Vulnerability.objects.create(area_code=grid, resident=person, kind=VulnerabilityKind.CHRONIC)
    return VulnerabilityDetail.objects.create(area_code=grid, vulnerability=tag, chronic_disease=marker)
