"""Area selectors: children and counts through the actor's scope, ancestors by code prefixes."""

from __future__ import annotations

import pytest

from fangxian.accounts.models import RoleAssignment
from fangxian.areas.selectors import area_ancestors, area_children, area_children_counts, area_subtree_counts
from fangxian.core.roles import Role
from fangxian.core.testing import (
    CITY,
    COMMUNITY_A,
    COMMUNITY_B,
    COMMUNITY_C,
    DISTRICT,
    GRID_A1,
    GRID_A2,
    GRID_B1,
    STREET_1,
    STREET_2,
    make_household,
)
from fangxian.registry.models import Resident, ResidentStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_and_fast_passwords(settings):
    from django.utils import translation

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with translation.override("en"):
        yield


@pytest.fixture
def people(world):
    """Residents in three grids: A1 has two living there and one moved away, A2 one, B1 one."""
    a2 = world.households["A2"]
    for household, name, status in [
        (world.households["A1"], "甲一", ResidentStatus.ACTIVE),
        (world.households["A1"], "甲二", ResidentStatus.ACTIVE),
        (world.households["A1"], "甲三", ResidentStatus.MOVED_AWAY),
        (a2, "甲四", ResidentStatus.ACTIVE),
        (world.households["B1"], "乙一", ResidentStatus.ACTIVE),
    ]:
        Resident.objects.create(area_code=household.area_code, household=household, name=name, sex="F", status=status)
    make_household(GRID_A2, "A2b")
    return world


def test_children_are_the_visible_areas_one_level_down(world):
    commander = world.actor("commander_a")
    assert [a.code for a in area_children(actor=commander, code=COMMUNITY_A)] == [GRID_A1, GRID_A2]
    assert [a.code for a in area_children(actor=world.actor("street1"), code=DISTRICT)] == [STREET_1]
    assert [a.code for a in area_children(actor=world.actor("district"), code=DISTRICT)] == [STREET_1, STREET_2]


def test_children_of_a_sibling_are_empty(world):
    assert list(area_children(actor=world.actor("commander_a"), code=COMMUNITY_B)) == []
    assert list(area_children(actor=world.actor("resident_a1"), code=COMMUNITY_A)) == []


def test_children_refuse_a_code_that_is_not_digits(world):
    with pytest.raises(ValueError, match="area code"):
        area_children(actor=world.actor("admin"), code="37%")


def test_ancestors_come_top_first_in_one_query(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        ancestors = area_ancestors(GRID_A1)
    assert [a.code for a in ancestors] == ["37", CITY, DISTRICT, STREET_1, COMMUNITY_A]
    assert area_ancestors("37") == []


def test_subtree_counts_for_a_district_official(people, django_assert_num_queries):
    official = people.actor("district")
    with django_assert_num_queries(4):
        counts = area_subtree_counts(actor=official, code=DISTRICT)
    assert counts["levels"] == [
        {"level": 9, "label": "Street", "count": 2},
        {"level": 12, "label": "Community", "count": 3},
        {"level": 15, "label": "Grid", "count": 4},
    ]
    assert counts["households"] == 5
    assert counts["residents"] == 4  # the one who moved away is not counted
    # Everyone with a grant in the district: all personas but the city official and the city admin.
    assert counts["users"] == 19


def test_subtree_counts_of_one_grid(people):
    counts = area_subtree_counts(actor=people.actor("commander_a"), code=GRID_A1)
    assert counts == {"levels": [], "households": 1, "residents": 2, "users": 2}  # grid_a1 and resident_a1


def test_subtree_counts_stay_inside_the_jurisdiction(people):
    commander = people.actor("commander_a")
    assert area_subtree_counts(actor=commander, code=COMMUNITY_B) == {
        "levels": [],
        "households": 0,
        "residents": 0,
        "users": 0,
    }
    # Asking about the whole district still counts only community A.
    counts = area_subtree_counts(actor=commander, code=DISTRICT)
    assert counts["residents"] == 3 and counts["households"] == 3
    assert counts["levels"] == [
        {"level": 12, "label": "Community", "count": 1},
        {"level": 15, "label": "Grid", "count": 2},
    ]


def test_users_are_counted_once_whatever_their_number_of_grants(people):
    user = people.users["grid_a1"]
    RoleAssignment.objects.create(user=user, role=Role.GRID_WORKER, area_code=GRID_A2)
    assert area_subtree_counts(actor=people.actor("commander_a"), code=COMMUNITY_A)["users"] == 8


def test_inactive_grants_and_users_are_not_counted(people):
    RoleAssignment.objects.filter(user=people.users["grid_a1"]).update(active=False)
    people.users["resident_a1"].is_active = False
    people.users["resident_a1"].save()
    assert area_subtree_counts(actor=people.actor("commander_a"), code=GRID_A1)["users"] == 0


def test_children_counts_group_each_child_in_one_query_per_model(people, django_assert_num_queries):
    official = people.actor("street1")
    with django_assert_num_queries(2):
        counts = area_children_counts(actor=official, codes=[COMMUNITY_A, COMMUNITY_B])
    assert counts == {
        COMMUNITY_A: {"households": 3, "residents": 3},
        COMMUNITY_B: {"households": 1, "residents": 1},
    }


def test_children_counts_are_zero_outside_the_jurisdiction(people):
    counts = area_children_counts(actor=people.actor("commander_a"), codes=[COMMUNITY_A, COMMUNITY_B, COMMUNITY_C])
    assert counts[COMMUNITY_B] == {"households": 0, "residents": 0}
    assert counts[COMMUNITY_A]["residents"] == 3
    assert area_children_counts(actor=people.actor("commander_a"), codes=[]) == {}


def test_children_counts_of_grids(people):
    counts = area_children_counts(actor=people.actor("district"), codes=[GRID_A1, GRID_A2, GRID_B1])
    assert counts == {
        GRID_A1: {"households": 1, "residents": 2},
        GRID_A2: {"households": 2, "residents": 1},
        GRID_B1: {"households": 1, "residents": 1},
    }
