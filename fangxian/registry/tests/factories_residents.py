import datetime as dt

from fangxian.areas.tests.factories import household
from fangxian.core.testing import leak_factory
from fangxian.registry.models import Resident, Vulnerability, VulnerabilityKind


@leak_factory(Resident)
def resident(grid: str, marker: str, world):
    return Resident.objects.create(area_code=grid, household=household(grid, marker + "H", world), name=marker,
                                   sex="F", birth_date=dt.date(1950, 5, 1))


@leak_factory(Vulnerability)
def vulnerability(grid: str, marker: str, world):
    return Vulnerability.objects.create(area_code=grid, resident=resident(grid, marker + "V", world),
                                        kind=VulnerabilityKind.ELDERLY_ALONE, detail=marker)
