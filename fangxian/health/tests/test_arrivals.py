"""Arrivals: the risk of the origin decides the suggestion, a worker confirms, a case opens; the public page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from fangxian.command.models import Task, TaskSource
from fangxian.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangxian.core.testing import COMMUNITY_A, COMMUNITY_B, COMMUNITY_C
from fangxian.health.models import Arrival, CaseStatus, HealthCase, RiskArea, ServiceRequest
from fangxian.health.selectors.risk import origin_risk
from fangxian.health.services.arrivals import arrival_confirm, arrival_register, arrival_report_public
from fangxian.health.tests.conftest import ID_A

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def details(**extra):
    return {
        "origin_code": "420106001",
        "origin_name": "武汉市武昌区积玉桥街道",
        "arrived_on": TODAY() - dt.timedelta(days=1),
        "transport": "train",
        "transport_detail": "G1234",
        "companions": 1,
        **extra,
    }


def test_the_gravest_risk_area_in_force_kept_by_the_community_or_above_decides(world, wuhan):
    on = TODAY()
    assert origin_risk(community_code=COMMUNITY_A, origin_code="420106001002", on=on).level == "high"
    assert origin_risk(community_code=COMMUNITY_A, origin_code="420106", on=on).measure == "home_quarantine"
    assert origin_risk(community_code=COMMUNITY_A, origin_code="420107", on=on).level == ""  # the next district
    # Kept by street 1: its community B applies it, community C of street 2 does not.
    assert origin_risk(community_code=COMMUNITY_B, origin_code="420106", on=on).level == "high"
    assert origin_risk(community_code=COMMUNITY_C, origin_code="420106", on=on).level == ""
    RiskArea.objects.create(
        area_code=COMMUNITY_A, division_code="42", name="湖北省", level="low", measure="monitoring", days=7, since=on
    )
    assert origin_risk(community_code=COMMUNITY_A, origin_code="420106", on=on).level == "high"
    assert origin_risk(community_code=COMMUNITY_A, origin_code="4201", on=on).level == "low"
    # Not yet, or no longer, in force.
    assert origin_risk(community_code=COMMUNITY_A, origin_code="420106", on=on - dt.timedelta(days=11)).level == ""
    wuhan.until = on - dt.timedelta(days=1)
    wuhan.save()
    assert origin_risk(community_code=COMMUNITY_A, origin_code="420106", on=on).level == "low"  # Hubei still


def test_a_worker_registers_an_arrival_from_a_risk_area_and_the_grid_gets_an_urgent_task(world, person, wuhan):
    arrival = arrival_register(
        actor=world.actor("grid_a1"), household_id=person.household_id, resident_id=person.pk, name="", **details()
    )
    assert arrival.risk_level == "high" and arrival.suggested_measure == "home_quarantine"
    assert arrival.suggested_days == 14 and arrival.source == "worker" and arrival.name == "王小明"
    task = Task.objects.get(source=TaskSource.HEALTH)
    assert task.priority == "urgent" and "王**" in task.title and "王小明" not in task.title
    assert arrival.task_id == task.pk


def test_confirming_home_quarantine_opens_a_case_offers_services_and_closes_the_task(world, person, wuhan):
    arrival = arrival_register(
        actor=world.actor("grid_a1"), household_id=person.household_id, resident_id=person.pk, name="", **details()
    )
    arrival_confirm(actor=world.actor("grid_a1"), arrival_id=arrival.pk, measure="home_quarantine")
    case = HealthCase.objects.get()
    assert case.kind == "home_quarantine" and case.status == CaseStatus.ACTIVE
    assert case.starts_on == arrival.arrived_on and case.ends_on == arrival.arrived_on + dt.timedelta(days=14)
    assert sorted(ServiceRequest.objects.values_list("kind", flat=True)) == ["groceries", "medicine", "waste"]
    assert Task.objects.get(pk=arrival.task_id).status == "done"
    with pytest.raises(Conflict):
        arrival_confirm(actor=world.actor("grid_a1"), arrival_id=arrival.pk, measure="none")


def test_an_arrival_from_nowhere_risky_is_confirmed_without_a_case(world, person, wuhan):
    arrival = arrival_register(
        actor=world.actor("grid_a1"),
        household_id=person.household_id,
        resident_id=person.pk,
        name="",
        **details(origin_code="3702", origin_name="青岛市"),
    )
    assert arrival.risk_level == "" and arrival.suggested_measure == "none"
    arrival_confirm(actor=world.actor("grid_a1"), arrival_id=arrival.pk, measure="none")
    assert not HealthCase.objects.exists()


@pytest.mark.parametrize(
    "bad",
    [
        {"origin_code": "abc"},
        {"origin_code": "4201061"},
        {"origin_name": ""},
        {"origin_name": "长" * 101},
        {"arrived_on": "2026-01-01"},
        {"arrived_on": TODAY() + dt.timedelta(days=1)},
        {"arrived_on": TODAY() - dt.timedelta(days=31)},
        {"transport": "rocket"},
        {"companions": 99},
        {"companions": "many"},
        {"transport_detail": "x" * 51},
    ],
)
def test_bad_arrival_details_are_refused_and_nothing_is_written(world, person, bad):
    with pytest.raises(DomainError):
        arrival_register(
            actor=world.actor("grid_a1"), household_id=person.household_id, name="王小明", **details(**bad)
        )
    assert not Arrival.objects.exists() and not Task.objects.exists()


def test_who_may_register_and_confirm(world, person, person_b):
    with pytest.raises(NotFound):  # a sibling community's household
        arrival_register(actor=world.actor("grid_a1"), household_id=person_b.household_id, name="李四", **details())
    with pytest.raises(NotFound):  # guards reach places, not households' people... nor households of others
        arrival_register(actor=world.actor("resident_a1"), household_id=person_b.household_id, name="x", **details())
    own = arrival_register(
        actor=world.actor("resident_a1"), household_id=person.household_id, name="王小明", **details()
    )
    assert own.source == "self"
    with pytest.raises(PermissionDenied):
        arrival_confirm(actor=world.actor("resident_a1"), arrival_id=own.pk, measure="none")
    with pytest.raises(NotFound):
        arrival_confirm(actor=world.actor("commander_b"), arrival_id=own.pk, measure="none")


@pytest.fixture
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_the_public_page_recognises_a_resident_by_id_name_and_room(world, person, wuhan, fresh_cache):
    for room in ("101", "1-1-101", "1号楼1单元101", person.household.address):
        arrival = arrival_report_public(
            community_code=COMMUNITY_A,
            name="王小明",
            id_number=ID_A.lower(),
            room=room,
            source_ip="10.0.0.1",
            **details(),
        )
        assert arrival.resident_id == person.pk and arrival.source == "self" and arrival.risk_level == "high"
    assert Arrival.objects.count() == 4


@pytest.mark.parametrize(
    "who",
    [
        {"name": "王小红", "id_number": ID_A, "room": "101"},  # wrong name
        {"name": "王小明", "id_number": "110105195001011234", "room": "101"},  # another ID
        {"name": "王小明", "id_number": ID_A, "room": "102"},  # wrong room
    ],
)
def test_the_public_page_never_says_which_part_was_wrong(world, person, who, fresh_cache):
    with pytest.raises(DomainError) as error:
        arrival_report_public(community_code=COMMUNITY_A, source_ip="10.0.0.2", **who, **details())
    assert error.value.code == "not_recognised"
    assert not Arrival.objects.exists()


def test_the_public_page_is_for_the_communitys_own_residents_and_refuses_a_bad_id(world, person, fresh_cache):
    with pytest.raises(DomainError) as error:
        arrival_report_public(
            community_code=COMMUNITY_B, name="王小明", id_number=ID_A, room="101", source_ip="10.0.0.3", **details()
        )
    assert error.value.code == "not_recognised"
    with pytest.raises(DomainError) as error:
        arrival_report_public(
            community_code=COMMUNITY_A, name="王小明", id_number="123", room="101", source_ip="10.0.0.3", **details()
        )
    assert error.value.code == "id_number"


def test_the_public_page_stops_guessing_after_ten_tries(world, person, fresh_cache):
    for _attempt in range(10):
        with pytest.raises(DomainError):
            arrival_report_public(
                community_code=COMMUNITY_A, name="猜", id_number=ID_A, room="101", source_ip="10.9.9.9", **details()
            )
    with pytest.raises(DomainError) as error:
        arrival_report_public(
            community_code=COMMUNITY_A, name="王小明", id_number=ID_A, room="101", source_ip="10.9.9.9", **details()
        )
    assert error.value.code == "too_many_attempts" and error.value.status == 429
