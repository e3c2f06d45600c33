from fangxian.areas.models import Area, Building, Household, Unit
from fangxian.core.testing import leak_factory


@leak_factory(Area)
def area(grid: str, marker: str, world):
    community = grid[:12]
    used = set(Area.objects.filter(parent_id=community).values_list("code", flat=True))
    code = next(f"{community}{n:03d}" for n in range(900, 1000) if f"{community}{n:03d}" not in used)
    return Area.objects.create(code=code, name=marker, level=15, parent_id=community)


@leak_factory(Building)
def building(grid: str, marker: str, world):
    return Building.objects.create(area_code=grid, estate=marker, name="9号楼")


@leak_factory(Household)
def household(grid: str, marker: str, world):
    parent = Building.objects.create(area_code=grid, estate=marker, name="8号楼")
    unit = Unit.objects.create(area_code=grid, building=parent, name="1单元")
    return Household.objects.create(area_code=grid, building=parent, unit=unit, room="808", notes=marker)


@leak_factory(Unit)
def unit(grid: str, marker: str, world):
    parent = Building.objects.create(area_code=grid, estate=marker, name="7号楼")
    return Unit.objects.create(area_code=grid, building=parent, name=marker)
