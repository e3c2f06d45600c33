import datetime as dt

from fangxian.areas.tests.factories import household
from fangxian.core.testing import leak_factory
from fangxian.registry.models import Resident, Vulnerability, VulnerabilityKind
from fangxian.registry.models.residents import ResidentMove


@leak_factory(Resident)
def resident(grid: str, marker: str, world):
    return Resident.objects.create(
        area_code=grid,
        household=household(grid, marker + "H", world),
        name=marker,
        sex="F",
        birth_date=dt.date(1950, 5, 1),
    )


@leak_factory(Vulnerability)
def vulnerability(grid: str, marker: str, world):
    return Vulnerability.objects.create(
        area_code=grid,
        resident=resident(grid, marker + "V", world),
        kind=VulnerabilityKind.ELDERLY_ALONE,
        detail=marker,
    )


@leak_factory(ResidentMove)
def resident_move(grid: str, marker: str, world):
    from fangxian.registry.models.residents import ResidentChangeKind, ResidentStatus

    person = resident(grid, marker + "R", world)
    return ResidentMove.objects.create(
        area_code=grid,
        resident=person,
        kind=ResidentChangeKind.DEREGISTER,
        from_household=person.household,
        to_household=person.household,
        from_area_code=grid,
        from_status=ResidentStatus.ACTIVE,
        to_status=ResidentStatus.MOVED_AWAY,
        on_date=dt.date(2026, 1, 1),
        reason=marker,
    )
