"""Scoping: who sees which rows (`visible_to`), the prefix lookup behind it, and capabilities."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from hypothesis import given
from hypothesis import strategies as st

from fangxian.areas.models import Household
from fangxian.core.areacode import LEVEL_LENGTHS, minimal_prefixes, validate_area_code
from fangxian.core.capabilities import CAPABILITY_ROLES, actor_can
from fangxian.core.scoping import Actor, Grant
from fangxian.core.testing import (
    COMMUNITY_A,
    COMMUNITY_B,
    GRID_A1,
    GRID_A2,
    GRID_B1,
    GRID_C1,
    STREET_1,
    make_household,
)
from fangxian.registry.models import Resident


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The personas' passwords are hashed twenty times per test; the default hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def populated(world, system_actor):
    """One resident per persona household, plus a neighbour household in grid A1."""
    world.households["A1-neighbour"] = neighbour = Household.objects.create(
        area_code=GRID_A1, building=world.households["A1"].building, unit=world.households["A1"].unit, room="102"
    )
    for label, household in world.households.items():
        Resident.objects.create(household=household, area_code=household.area_code, name=f"居民{label}", sex="F")
    assert neighbour.pk
    return world


def visible_households(world, actor) -> set[str]:
    labels = {household.pk: label for label, household in world.households.items()}
    return {labels[pk] for pk in Household.objects.visible_to(actor).values_list("pk", flat=True)}


def visible_residents(world, actor) -> set[str]:
    return {name.removeprefix("居民") for name in Resident.objects.visible_to(actor).values_list("name", flat=True)}


EVERYTHING = {"A1", "A1-neighbour", "A2", "B1", "C1"}
EXPECTED = {
    "city": EVERYTHING,
    "district": EVERYTHING,
    "admin": EVERYTHING,
    "street1": {"A1", "A1-neighbour", "A2", "B1"},
    "street2": {"C1"},
    "admin_street2": {"C1"},
    "commander_a": {"A1", "A1-neighbour", "A2"},
    "worker_a": {"A1", "A1-neighbour", "A2"},
    "guard_a": {"A1", "A1-neighbour", "A2"},
    "commander_b": {"B1"},
    "commander_c": {"C1"},
    "grid_a1": {"A1", "A1-neighbour"},
    "grid_a2": {"A2"},
    "grid_b1": {"B1"},
    "volunteer_a": set(),
    "volunteer_b": set(),
    "counsellor_a": set(),
    "resident_a1": {"A1"},
    "resident_b1": {"B1"},
}


ADMINISTRATORS = {"admin", "admin_street2"}
# Area roles that reach places but not people (DESIGN.md section 1).
NO_PERSONAL_DATA = ADMINISTRATORS | {"guard_a", "guard_b"}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_each_persona_sees_exactly_its_jurisdiction(populated, persona):
    actor = populated.actor(persona)
    assert visible_households(populated, actor) == EXPECTED[persona]
    if persona not in NO_PERSONAL_DATA:
        assert visible_residents(populated, actor) == EXPECTED[persona]


@pytest.mark.parametrize("persona", sorted(NO_PERSONAL_DATA))
def test_administrators_and_guards_see_no_residents_by_default(populated, persona):
    assert visible_residents(populated, populated.actor(persona)) == set()


def test_commander_sees_own_community_and_not_the_sibling(populated):
    actor = populated.actor("commander_a")
    codes = set(Household.objects.visible_to(actor).values_list("area_code", flat=True))
    assert codes == {GRID_A1, GRID_A2}
    assert all(code.startswith(COMMUNITY_A) for code in codes)
    assert not any(code.startswith(COMMUNITY_B) for code in codes)


def test_grid_worker_cannot_see_other_grid(populated):
    assert not Resident.objects.visible_to(populated.actor("grid_a1")).filter(area_code=GRID_A2).exists()


def test_street_official_sees_both_communities_of_the_street_but_not_the_other_street(populated):
    codes = set(Resident.objects.visible_to(populated.actor("street1")).values_list("area_code", flat=True))
    assert codes == {GRID_A1, GRID_A2, GRID_B1}
    assert GRID_C1 not in codes


def test_anonymous_and_grantless_actors_see_nothing(populated):
    assert not Household.objects.visible_to(Actor.anonymous("10.0.0.1")).exists()
    assert not Resident.objects.visible_to(Actor.anonymous()).exists()
    assert Resident.objects.visible_to(Actor.anonymous()).query.is_empty()


def test_resident_sees_own_household_not_the_neighbours_in_the_same_grid(populated):
    actor = populated.actor("resident_a1")
    assert list(Household.objects.visible_to(actor)) == [populated.households["A1"]]
    assert set(Resident.objects.visible_to(actor).values_list("household_id", flat=True)) == {
        populated.households["A1"].pk
    }


def test_inactive_user_and_revoked_assignment_see_nothing(populated):
    user = populated.users["commander_a"]
    user.role_assignments.update(active=False)
    user.refresh_from_db()
    assert not Household.objects.visible_to(Actor.for_user(user)).exists()
    street = populated.users["street1"]
    street.is_active = False
    assert not Household.objects.visible_to(Actor.for_user(street)).exists()


def test_within_narrows_a_scoped_queryset_but_never_widens_it(populated):
    scoped = Household.objects.visible_to(populated.actor("commander_a"))
    assert {h.area_code for h in scoped.within(GRID_A2)} == {GRID_A2}
    assert not scoped.within(COMMUNITY_B).exists()
    assert not scoped.within(STREET_1).filter(area_code=GRID_B1).exists()


def test_get_visible_answers_404_alike_for_elsewhere_and_missing(populated):
    actor = populated.actor("commander_a")
    own = populated.households["A1"]
    assert Household.objects.get_visible(actor, pk=own.pk) == own
    messages = []
    for pk in (populated.households["B1"].pk, populated.households["C1"].pk, 999_999, "not-a-number"):
        with pytest.raises(Http404) as excinfo:
            Household.objects.get_visible(actor, pk=pk)
        messages.append(str(excinfo.value))
    assert len(set(messages)) == 1


def test_get_visible_for_anonymous_is_404_even_for_existing_rows(populated):
    with pytest.raises(Http404):
        Resident.objects.get_visible(Actor.anonymous(), pk=Resident.objects.first().pk)


def test_within_lookup_matches_the_subtree_and_itself(populated):
    assert set(Household.objects.filter(area_code__within=COMMUNITY_A).values_list("area_code", flat=True)) == {
        GRID_A1, GRID_A2,
    }
    assert Household.objects.filter(area_code__within=GRID_B1).count() == 1
    # The empty prefix is the root: everything (the system actor's grant).
    assert Household.objects.filter(area_code__within="").count() == len(populated.households)


@pytest.mark.parametrize("prefix", ["37%", "3702_", "370202' OR '1'='1", "３７", "37 02", "370202\n", 370202,
                                    "3702020010010010"])
def test_within_lookup_rejects_anything_but_a_digit_prefix(db, prefix):
    with pytest.raises(ValueError, match="area code prefix"):
        list(Household.objects.filter(area_code__within=prefix))


def test_within_lookup_rejects_none(db):
    with pytest.raises(ValueError):
        list(Household.objects.filter(area_code__within=None))


@pytest.mark.parametrize("value", ["37020\n", "370202001\n", "3702a0", "3702020"])
def test_area_code_validator_rejects_non_codes(value):
    with pytest.raises(ValidationError):
        validate_area_code(value)


@pytest.mark.parametrize("value", ["", "37", "3702", "370202", STREET_1, COMMUNITY_A, GRID_A1])
def test_area_code_validator_accepts_every_level(value):
    validate_area_code(value)


def test_minimal_prefixes_drops_codes_covered_by_a_shorter_one():
    codes = [GRID_A1, COMMUNITY_A, STREET_1, GRID_C1, "370202002", COMMUNITY_A]
    assert minimal_prefixes(codes) == (STREET_1, "370202002")
    assert minimal_prefixes([GRID_A1, GRID_A2]) == (GRID_A1, GRID_A2)
    assert minimal_prefixes([]) == ()
    assert minimal_prefixes(["", GRID_A1]) == ("",)


codes = st.builds(
    lambda digits, length: digits[:length],
    st.from_regex(r"\A37020[0-9]{10}\Z"),
    st.sampled_from(LEVEL_LENGTHS[1:]),
)


@given(st.lists(codes, max_size=12))
def test_minimal_prefixes_cover_the_same_subtrees_with_no_redundancy(values):
    result = minimal_prefixes(values)
    assert all(any(code.startswith(prefix) for prefix in result) for code in values)
    assert set(result) <= set(values)
    assert not any(a != b and b.startswith(a) for a in result for b in result)
    assert list(result) == sorted(result)


def test_actor_area_prefixes_ignore_roles_without_area_reach():
    actor = Actor(user=None, grants=(
        Grant(role="volunteer", area_code=COMMUNITY_A),
        Grant(role="grid_worker", area_code=GRID_B1),
        Grant(role="commander", area_code=COMMUNITY_B),
    ))
    assert actor.area_prefixes == (COMMUNITY_B,)
    assert actor.reaches(GRID_B1) and not actor.reaches(GRID_A1)


# --- query plans: the prefix scan must use the area-code index ---------------------------------

def plan_of(queryset) -> str:
    return queryset.explain()


def test_within_uses_the_area_code_index_on_sqlite(db):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite plan")
    for queryset in (
        Resident.objects.filter(area_code__within=STREET_1),
        Resident.objects.filter(area_code__within=GRID_A1).order_by(),
        Resident.objects.visible_to(Actor(user=None, grants=(Grant(role="commander", area_code=COMMUNITY_A),))),
    ):
        plan = plan_of(queryset)
        assert "USING INDEX registry_resident_ac" in plan or "USING COVERING INDEX registry_resident_ac" in plan, plan
        assert "SCAN registry_resident\n" not in plan + "\n" and not plan.rstrip().endswith("SCAN registry_resident")


@pytest.mark.postgres_only
def test_within_can_use_the_pattern_ops_index_on_postgresql(db):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL plan")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'registry_resident'"
            " AND indexname = 'registry_resident_ac'"
        )
        (indexdef,) = cursor.fetchone()
        assert "varchar_pattern_ops" in indexdef
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = plan_of(Resident.objects.filter(area_code__within=COMMUNITY_A))
    assert "registry_resident_ac" in plan, plan


@pytest.mark.postgres_only
def test_narrow_grid_prefix_uses_an_index_scan_with_real_statistics(db, system_actor):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL plan")
    household = make_household(GRID_A1, "A1")
    # 5,000 residents over 100 grids of one street: one grid is 1 % of the table.
    grids = [f"370202001{community:03d}{grid:03d}" for community in range(1, 11) for grid in range(1, 11)]
    Resident.objects.bulk_create(
        [Resident(household=household, area_code=grids[index % len(grids)], name=f"居民{index}", sex="M")
         for index in range(5000)],
        batch_size=1000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE registry_resident")
        cursor.execute("SET LOCAL enable_seqscan = on")
    for queryset in (Resident.objects.filter(area_code__within=grids[17]).order_by(),
                     Resident.objects.filter(area_code__within=grids[17])):
        plan = plan_of(queryset)
        assert "registry_resident_ac" in plan, plan
        assert "Index Scan" in plan or "Index Only Scan" in plan, plan
        assert "Seq Scan on registry_resident" not in plan, plan
    assert Resident.objects.filter(area_code__within=grids[17]).count() == 50


# --- capabilities --------------------------------------------------------------------------------

def test_unknown_capability_raises_key_error():
    with pytest.raises(KeyError):
        actor_can(Actor.system(), "resident.teleport")
    with pytest.raises(KeyError):
        Actor.anonymous().can("no.such.thing")


def test_system_actor_can_everything():
    system = Actor.system("test")
    assert CAPABILITY_ROLES
    assert all(system.can(capability) for capability in CAPABILITY_ROLES)


def test_anonymous_can_nothing():
    anonymous = Actor.anonymous()
    assert not any(anonymous.can(capability) for capability in CAPABILITY_ROLES)


@pytest.mark.parametrize(
    "persona,capability,allowed",
    [
        ("grid_a1", "personal.reveal", True),
        ("commander_a", "personal.reveal", True),
        ("volunteer_a", "personal.reveal", False),
        ("street1", "personal.reveal", False),
        ("resident_a1", "household.view", True),
        ("resident_a1", "token.manage", False),
        ("admin", "user.manage", True),
        ("commander_a", "user.manage", False),
    ],
)
def test_capability_follows_the_role(world, persona, capability, allowed):
    assert world.actor(persona).can(capability) is allowed
