"""Daily check-ins while the policy asks for them, completion per grid, and the health numbers."""

from __future__ import annotations

import pytest
from django.utils import timezone

from fangxian.command.models import Task, TaskSource
from fangxian.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangxian.core.testing import COMMUNITY_A, GRID_A1, GRID_A2, STREET_1
from fangxian.health.models import HealthPolicy
from fangxian.health.selectors.cases import checkin_completion, health_numbers
from fangxian.health.services.cases import case_open, health_report_add
from fangxian.health.services.checkins import checkin_submit, health_policy_set
from fangxian.registry.models import Resident

pytestmark = pytest.mark.django_db


def test_no_check_in_without_a_policy_asking_for_it(world, person):
    with pytest.raises(DomainError) as error:
        checkin_submit(actor=world.actor("resident_a1"), resident_id=person.pk, temperature="36.5")
    assert error.value.code == "checkin_not_required"


def test_a_resident_checks_in_once_a_day_and_a_fever_alerts(world, person, check_in_policy):
    checkin_submit(actor=world.actor("resident_a1"), resident_id=person.pk, temperature="36.5")
    with pytest.raises(Conflict):
        checkin_submit(actor=world.actor("resident_a1"), resident_id=person.pk, temperature="36.5")
    other = Resident.objects.create(area_code=GRID_A1, household=world.households["A1"], name="王二", sex="F")
    checkin_submit(actor=world.actor("grid_a1"), resident_id=other.pk, temperature="38.0")
    assert Task.objects.filter(source=TaskSource.HEALTH, priority="urgent").count() == 1


def test_who_may_check_in_for_whom(world, person, person_b, check_in_policy):
    with pytest.raises(NotFound):
        checkin_submit(actor=world.actor("resident_a1"), resident_id=person_b.pk)
    with pytest.raises(NotFound):
        checkin_submit(actor=world.actor("guard_a"), resident_id=person.pk)
    with pytest.raises(DomainError):
        checkin_submit(actor=world.actor("resident_a1"), resident_id=person.pk, temperature="50")


def test_completion_per_grid(world, person, check_in_policy):
    Resident.objects.create(area_code=GRID_A1, household=world.households["A1"], name="王二", sex="F")
    Resident.objects.create(area_code=GRID_A2, household=world.households["A2"], name="赵三", sex="M")
    checkin_submit(actor=world.actor("resident_a1"), resident_id=person.pk)
    rows = {
        row["area_code"]: row
        for row in checkin_completion(actor=world.actor("commander_a"), area_code=COMMUNITY_A, day=timezone.localdate())
    }
    assert rows[GRID_A1]["residents"] >= 2 and rows[GRID_A1]["checked_in"] == 1
    assert rows[GRID_A2]["checked_in"] == 0 and rows[GRID_A2]["rate"] == 0
    assert checkin_completion(actor=world.actor("commander_b"), area_code=COMMUNITY_A, day=timezone.localdate()) == []


def test_the_commander_sets_the_policy(world, epidemic):
    policy = health_policy_set(
        actor=world.actor("commander_a"), community_code=COMMUNITY_A, level=2, check_in_required=True, monitoring_days=5
    )
    assert policy.check_in_required and policy.monitoring_days == 5 and policy.home_quarantine_days == 14
    with pytest.raises(PermissionDenied):
        health_policy_set(actor=world.actor("grid_a1"), community_code=COMMUNITY_A, level=2)
    with pytest.raises(NotFound):
        health_policy_set(actor=world.actor("commander_b"), community_code=COMMUNITY_A, level=2)
    with pytest.raises(DomainError):
        health_policy_set(actor=world.actor("commander_a"), community_code=COMMUNITY_A, level=2, monitoring_days=0)
    with pytest.raises(DomainError):
        health_policy_set(actor=world.actor("commander_a"), community_code=COMMUNITY_A, level=9)
    assert HealthPolicy.objects.get().monitoring_days == 5


def test_the_numbers_of_an_area(world, person, person_b):
    case = case_open(actor=world.actor("grid_a1"), resident_id=person.pk, kind="home_quarantine")
    health_report_add(actor=world.actor("grid_a1"), case_id=case.pk, temperature="38.0")
    case_open(actor=world.actor("commander_b"), resident_id=person_b.pk, kind="monitoring")
    numbers = health_numbers(actor=world.actor("commander_a"), area_code=COMMUNITY_A)
    assert numbers["under_measure"] == 1 and numbers["fevers"] == 1 and numbers["due_for_release"] == 0
    street = health_numbers(actor=world.actor("street1"), area_code=STREET_1)
    assert street["under_measure"] == 2
    assert health_numbers(actor=world.actor("guard_a"), area_code=COMMUNITY_A)["under_measure"] == 0
