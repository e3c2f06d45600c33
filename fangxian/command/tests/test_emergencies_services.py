"""Emergencies: declare, change the level, end; the one selector other apps read."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fangxian.command.models import Emergency, EmergencyKind, EmergencyLevel, EmergencyLevelChange
from fangxian.command.selectors.emergencies import (
    active_emergency,
    declarable_areas,
    emergency_banner,
    emergency_list,
)
from fangxian.command.services.emergencies import emergency_declare, emergency_end, emergency_level_change
from fangxian.command.tests.factories_emergencies import make_emergency
from fangxian.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangxian.core.testing import COMMUNITY_A, COMMUNITY_B, DISTRICT, GRID_A1, GRID_B1, STREET_1, STREET_2

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The messages these tests read are the English ones, whatever language another test left active."""
    from django.utils import translation

    with translation.override("en"):
        yield


def declare(world, persona="commander_a", area=COMMUNITY_A, **kwargs):
    values = {"kind": EmergencyKind.EPIDEMIC, "level": EmergencyLevel.II, **kwargs}
    return emergency_declare(actor=world.actor(persona), area_code=area, **values)


def test_commander_declares_for_their_community_with_the_first_history_row(world):
    emergency = declare(world, title="甲社区疫情")
    assert emergency.area_code == COMMUNITY_A and emergency.level == 2 and emergency.is_active
    assert emergency.declared_by == world.users["commander_a"]
    (row,) = EmergencyLevelChange.objects.filter(emergency=emergency)
    assert row.from_level is None and row.to_level == 2


def test_title_defaults_to_area_and_kind(world):
    assert declare(world).title.startswith("测试甲社区")


def test_street_official_declares_for_the_street_and_it_covers_its_communities(world):
    emergency = declare(world, "street1", STREET_1, kind=EmergencyKind.FLOOD, level=3)
    assert active_emergency(GRID_A1) == emergency
    assert active_emergency(COMMUNITY_B) == emergency
    assert active_emergency(STREET_2 + "001") is None


def test_declaring_outside_ones_area_is_not_found(world):
    with pytest.raises(NotFound):
        declare(world, area=COMMUNITY_B)
    with pytest.raises(NotFound):
        declare(world, "street1", STREET_2)
    with pytest.raises(NotFound):
        declare(world, area="999999999999")


def test_roles_declare_only_at_their_level(world):
    with pytest.raises(DomainError) as error:
        declare(world, area=GRID_A1)
    assert error.value.code == "wrong_area_level"
    with pytest.raises(DomainError) as error:
        declare(world, "street1", COMMUNITY_A)
    assert error.value.code == "wrong_area_level"
    # A district official may declare for the district or one of its streets.
    assert declare(world, "district", DISTRICT).area_code == DISTRICT
    assert declare(world, "district", STREET_2, kind=EmergencyKind.FIRE).area_code == STREET_2


def test_roles_without_the_capability_are_refused(world):
    for persona in ("worker_a", "grid_a1", "guard_a", "resident_a1", "admin"):
        with pytest.raises(PermissionDenied):
            declare(world, persona)


@pytest.mark.parametrize("level", [0, 5, -1, "II", None, True, 99999999999999999999])
def test_a_level_outside_one_to_four_is_refused(world, level):
    with pytest.raises(DomainError) as error:
        declare(world, level=level)
    assert error.value.code == "invalid_level" and "I, II, III or IV" in str(error.value.message)


def test_unknown_kind_is_refused(world):
    with pytest.raises(DomainError) as error:
        declare(world, kind="zombies")
    assert error.value.code == "unknown_kind"


def test_a_start_more_than_five_minutes_ahead_is_refused(world):
    with pytest.raises(DomainError) as error:
        declare(world, started_at=timezone.now() + dt.timedelta(minutes=10))
    assert error.value.code == "start_in_future" and error.value.field == "started_at"
    # Clock skew of a few minutes, and a start in the past, are fine.
    assert declare(world, started_at=timezone.now() + dt.timedelta(minutes=3)).is_active
    past = timezone.now() - dt.timedelta(days=2)
    assert declare(world, kind=EmergencyKind.FIRE, started_at=past).started_at == past


def test_a_second_active_emergency_of_the_same_kind_on_the_same_area_is_refused(world):
    declare(world)
    with pytest.raises(Conflict) as error:
        declare(world, level=1)
    assert error.value.code == "already_active" and "already active" in str(error.value.message)
    # Another kind, or after the first ended, is fine.
    declare(world, kind=EmergencyKind.FLOOD)


def test_after_ending_the_same_kind_may_be_declared_again(world):
    first = declare(world)
    emergency_end(actor=world.actor("commander_a"), emergency=first)
    assert declare(world).pk != first.pk


def test_level_change_keeps_the_history_with_reasons(world):
    emergency = declare(world, level=3)
    actor = world.actor("commander_a")
    emergency_level_change(actor=actor, emergency=emergency, level=2, reason="两例确诊")
    emergency_level_change(actor=actor, emergency=emergency.pk, level=1, reason="社区传播")
    emergency.refresh_from_db()
    assert emergency.level == 1
    history = list(
        EmergencyLevelChange.objects.filter(emergency=emergency).values_list("from_level", "to_level", "reason")
    )
    assert history == [(None, 3, ""), (3, 2, "两例确诊"), (2, 1, "社区传播")]


def test_level_change_needs_a_reason_a_new_level_and_an_active_emergency(world):
    emergency = declare(world)
    actor = world.actor("commander_a")
    with pytest.raises(DomainError) as error:
        emergency_level_change(actor=actor, emergency=emergency, level=1, reason="  ")
    assert error.value.code == "reason_required"
    with pytest.raises(DomainError) as error:
        emergency_level_change(actor=actor, emergency=emergency, level=2, reason="same")
    assert error.value.code == "same_level"
    with pytest.raises(DomainError) as error:
        emergency_level_change(actor=actor, emergency=emergency, level=7, reason="x")
    assert error.value.code == "invalid_level"
    emergency_end(actor=actor, emergency=emergency, note="解除")
    with pytest.raises(Conflict) as error:
        emergency_level_change(actor=actor, emergency=emergency, level=1, reason="x")
    assert error.value.code == "emergency_ended"
    with pytest.raises(Conflict):
        emergency_end(actor=actor, emergency=emergency)


def test_a_sibling_cannot_change_or_end_and_gets_not_found(world):
    emergency = declare(world)
    with pytest.raises(Http404):
        emergency_level_change(actor=world.actor("commander_b"), emergency=emergency, level=1, reason="x")
    with pytest.raises(Http404):
        emergency_end(actor=world.actor("street2"), emergency=emergency)


def test_a_commander_sees_but_cannot_change_the_streets_emergency(world):
    emergency = declare(world, "street1", STREET_1)
    actor = world.actor("commander_a")
    assert emergency in emergency_list(actor=actor)
    with pytest.raises(PermissionDenied):
        emergency_level_change(actor=actor, emergency=emergency, level=1, reason="x")
    with pytest.raises(PermissionDenied):
        emergency_end(actor=actor, emergency=emergency)
    # The street above may change its own; a district official above it too.
    emergency_level_change(actor=world.actor("district"), emergency=emergency, level=1, reason="区级升级")


def test_end_sets_who_and_when(world):
    emergency = declare(world)
    ended = emergency_end(actor=world.actor("commander_a"), emergency=emergency, note="疫情结束")
    assert ended.ended_at is not None and ended.ended_by == world.users["commander_a"]
    assert ended.end_note == "疫情结束" and active_emergency(COMMUNITY_A) is None


def test_active_emergency_prefers_the_gravest_then_the_most_specific(world):
    street = make_emergency(STREET_1, title="街道", level=3, kind=EmergencyKind.FLOOD)
    community = make_emergency(COMMUNITY_A, title="社区", level=3)
    assert active_emergency(GRID_A1) == community  # same level: the more specific
    assert active_emergency(COMMUNITY_B) == street
    make_emergency(DISTRICT, title="区", level=1, kind=EmergencyKind.EARTHQUAKE)
    assert active_emergency(GRID_A1).title == "区"  # graver wins
    make_emergency(GRID_B1, title="网格", level=1, ended=True)
    assert active_emergency(GRID_B1).title == "区"  # ended ones do not count


def test_active_emergency_is_one_query_and_rejects_non_codes(world):
    make_emergency(COMMUNITY_A)
    with CaptureQueriesContext(connection) as queries:
        assert active_emergency(GRID_A1) is not None
    assert len(queries) == 1
    for bad in ("", "37020200100%", "abc", None):
        with pytest.raises(ValueError):
            active_emergency(bad)


def test_active_emergency_uses_the_active_index_on_postgresql(world):
    if connection.vendor != "postgresql":
        pytest.skip("EXPLAIN of PostgreSQL")
    # A city in a bad week: many active emergencies elsewhere, more ended ones.
    Emergency.objects.bulk_create(
        [
            Emergency(
                area_code=f"370203{i:03d}{j:03d}",
                kind="fire",
                level=4,
                title="x",
                ended_at=timezone.now() if j % 2 else None,
            )
            for i in range(1, 40)
            for j in range(1, 40)
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE command_emergency")
        cursor.execute("SET enable_seqscan = off")
        codes = [COMMUNITY_A[:n] for n in (2, 4, 6, 9, 12)]
        plan = Emergency.objects.filter(area_code__in=codes, ended_at__isnull=True).explain()
    # Either partial index over active rows serves it (the planner picks by cost): never a scan of all.
    assert "command_emergency_active" in plan or "command_emergency_one_active" in plan, plan


def test_declarable_areas_are_the_communities_of_commanders_and_the_streets_of_officials(world):
    assert [a.code for a in declarable_areas(actor=world.actor("commander_a"))] == [COMMUNITY_A]
    assert [a.code for a in declarable_areas(actor=world.actor("street1"))] == [STREET_1]
    assert {a.code for a in declarable_areas(actor=world.actor("district"))} == {DISTRICT, STREET_1, STREET_2}
    assert declarable_areas(actor=world.actor("worker_a")) == []


def test_banner_shows_the_covering_emergency_and_for_officials_those_below(world):
    make_emergency(STREET_1, title="街道洪水", level=3, kind=EmergencyKind.FLOOD)
    make_emergency(COMMUNITY_A, title="甲社区疫情", level=2)
    make_emergency(COMMUNITY_B, title="乙社区疫情", level=4)
    banner = emergency_banner(world.actor("grid_a1"))["context"]
    assert banner["emergency"].title == "甲社区疫情" and banner["others"] == 1 and banner["below_count"] == 0
    banner = emergency_banner(world.actor("commander_b"))["context"]
    assert banner["emergency"].title == "街道洪水"  # graver than the community's own level IV
    banner = emergency_banner(world.actor("street1"))["context"]
    assert banner["emergency"].title == "街道洪水"
    assert {e.title for e in banner["below"]} == {"甲社区疫情", "乙社区疫情"}
    assert emergency_banner(world.actor("street2")) is None
    with CaptureQueriesContext(connection) as queries:
        emergency_banner(world.actor("street1"))
    assert len(queries) == 1
