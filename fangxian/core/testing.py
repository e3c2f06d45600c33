"""Fixed personas in a fixed little tree, for tests of every app.

Two streets of one district; the first street has two communities, each with two grids; the
second street one community with one grid. Every role has a persona in community A (and its
first grid); community B, grid A2 and street 2 have their own so that sibling leaks can be
tested in both directions. Names are synthetic.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fangxian.accounts.models import RoleAssignment, User
from fangxian.areas.models import Area, Building, Household, Unit
from fangxian.core.roles import Role
from fangxian.core.scoping import Actor

PASSWORD = "Test-persona-2026!"  # noqa: S105 - synthetic test personas

CITY, DISTRICT = "3702", "370202"
STREET_1, STREET_2 = "370202001", "370202002"
COMMUNITY_A, COMMUNITY_B, COMMUNITY_C = "370202001001", "370202001002", "370202002001"
GRID_A1, GRID_A2, GRID_B1, GRID_C1 = "370202001001001", "370202001001002", "370202001002001", "370202002001001"

TREE = [
    ("37", "山东省"), (CITY, "青岛市"), (DISTRICT, "市南区"),
    (STREET_1, "香港中路街道"), (STREET_2, "八大峡街道"),
    (COMMUNITY_A, "测试甲社区"), (COMMUNITY_B, "测试乙社区"), (COMMUNITY_C, "测试丙社区"),
    (GRID_A1, "甲社区第一网格"), (GRID_A2, "甲社区第二网格"), (GRID_B1, "乙社区第一网格"), (GRID_C1, "丙社区第一网格"),
]


@dataclass
class World:
    users: dict[str, User] = field(default_factory=dict)
    households: dict[str, Household] = field(default_factory=dict)

    def actor(self, name: str) -> Actor:
        return Actor.for_user(self.users[name])


def build_tree() -> None:
    from fangxian.core.areacode import parent_code

    Area.objects.bulk_create(
        [Area(code=code, name=name, level=len(code), parent_id=parent_code(code)) for code, name in TREE],
        ignore_conflicts=True,
    )


def make_household(grid: str, label: str) -> Household:
    building, _ = Building.objects.get_or_create(area_code=grid, estate=f"{label}小区", name="1号楼")
    unit, _ = Unit.objects.get_or_create(area_code=grid, building=building, name="1单元")
    household, _ = Household.objects.get_or_create(area_code=grid, building=building, unit=unit, room="101")
    return household


def make_user(username: str, role: str, area_code: str, household: Household | None = None) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, display_name=username)
    RoleAssignment.objects.create(user=user, role=role, area_code=area_code, household=household)
    return user


# persona name -> (role, area, household label or None)
PERSONAS: dict[str, tuple[str, str, str | None]] = {
    "city": (Role.CITY_OFFICIAL, CITY, None),
    "district": (Role.DISTRICT_OFFICIAL, DISTRICT, None),
    "street1": (Role.STREET_OFFICIAL, STREET_1, None),
    "street2": (Role.STREET_OFFICIAL, STREET_2, None),
    "commander_a": (Role.COMMANDER, COMMUNITY_A, None),
    "commander_b": (Role.COMMANDER, COMMUNITY_B, None),
    "commander_c": (Role.COMMANDER, COMMUNITY_C, None),
    "worker_a": (Role.COMMUNITY_WORKER, COMMUNITY_A, None),
    "worker_b": (Role.COMMUNITY_WORKER, COMMUNITY_B, None),
    "grid_a1": (Role.GRID_WORKER, GRID_A1, None),
    "grid_a2": (Role.GRID_WORKER, GRID_A2, None),
    "grid_b1": (Role.GRID_WORKER, GRID_B1, None),
    "guard_a": (Role.GUARD, COMMUNITY_A, None),
    "guard_b": (Role.GUARD, COMMUNITY_B, None),
    "volunteer_a": (Role.VOLUNTEER, COMMUNITY_A, None),
    "volunteer_b": (Role.VOLUNTEER, COMMUNITY_B, None),
    "counsellor_a": (Role.COUNSELLOR, COMMUNITY_A, None),
    "resident_a1": (Role.RESIDENT, GRID_A1, "A1"),
    "resident_b1": (Role.RESIDENT, GRID_B1, "B1"),
    "admin": (Role.ADMINISTRATOR, CITY, None),
    "admin_street2": (Role.ADMINISTRATOR, STREET_2, None),
}

# Which sibling each persona must not see into: (own area, sibling area) pairs for leak tests.
SIBLINGS = {
    "commander_a": COMMUNITY_B,
    "worker_a": COMMUNITY_B,
    "grid_a1": GRID_A2,
    "street1": STREET_2,
    "commander_b": COMMUNITY_A,
    "grid_b1": GRID_A1,
    "street2": STREET_1,
    "resident_a1": GRID_B1,
}


def build_world() -> World:
    build_tree()
    world = World()
    for label, grid in (("A1", GRID_A1), ("A2", GRID_A2), ("B1", GRID_B1), ("C1", GRID_C1)):
        world.households[label] = make_household(grid, label)
    for name, (role, area, household_label) in PERSONAS.items():
        household = world.households[household_label] if household_label else None
        world.users[name] = make_user(name, role, area, household)
    return world


# --- jurisdiction leak test support ------------------------------------------------------------
# Each app registers, in its tests/factories.py, a factory per model its pages or API show:
# `factory(grid_code, marker, world) -> instance`, placing one row in (or above) that grid whose
# rendering contains `marker`. The leak test fails for a scoped view whose model has none.
LEAK_FACTORIES: dict[type, object] = {}


def leak_factory(model: type):
    def register(function):
        LEAK_FACTORIES[model] = function
        return function

    return register


GRIDS = {"A1": GRID_A1, "A2": GRID_A2, "B1": GRID_B1, "C1": GRID_C1}


def grids_under(area_code: str) -> list[str]:
    return [grid for grid in GRIDS.values() if grid.startswith(area_code)]


def login(client, user) -> None:
    """Log a test client in as `user`, second factor included for the roles that need it."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    if user.requires_two_factor:
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
