"""Care plans, visits and overdue visits: rules of the care services and selectors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fangxian.core.errors import DomainError, NotFound, PermissionDenied
from fangxian.core.models import AuditEvent
from fangxian.core.testing import COMMUNITY_A, GRID_A1, GRID_A2, GRID_B1
from fangxian.registry.models import Vulnerability, VulnerabilityKind
from fangxian.registry.models.care import CarePlan, CareVisit
from fangxian.registry.selectors.care import care_plan_list, care_visits_overdue, care_vulnerable_counts
from fangxian.registry.services.care import care_plan_create, care_visit_record, vulnerability_detail_set
from fangxian.registry.tests.factories_care import care_plan, vulnerable_resident
from fangxian.registry.tests.factories_residents import resident

pytestmark = pytest.mark.django_db
START = dt.date(2026, 3, 1)


@pytest.fixture
def travel(monkeypatch):
    """Set "today" for the code under test: time travel without sleeping."""

    def to(day: dt.date) -> None:
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)

    return to


def test_plan_is_overdue_when_no_visit_within_its_frequency(world, travel):
    plan = care_plan(GRID_A1, "老王", world, started_on=START, frequency_days=7)
    actor = world.actor("grid_a1")
    travel(START + dt.timedelta(days=7))
    assert list(care_visits_overdue(actor=actor)) == []
    travel(START + dt.timedelta(days=8))
    assert list(care_visits_overdue(actor=actor)) == [plan]


def test_a_visit_moves_the_next_due_date_and_clears_overdue(world, travel, system_actor):
    plan = care_plan(GRID_A1, "老王", world, started_on=START, frequency_days=7)
    actor = world.actor("grid_a1")
    travel(START + dt.timedelta(days=10))
    assert list(care_visits_overdue(actor=actor)) == [plan]
    visit = care_visit_record(actor=actor, plan=plan.pk, findings="身体尚可，药已备齐", follow_up_needed=True)
    plan.refresh_from_db()
    assert visit.visitor == world.users["grid_a1"]
    assert plan.last_visited_on == START + dt.timedelta(days=10)
    assert plan.next_due_on == START + dt.timedelta(days=17)
    assert list(care_visits_overdue(actor=actor)) == []
    travel(START + dt.timedelta(days=18))
    assert list(care_visits_overdue(actor=actor)) == [plan]


def test_an_older_visit_recorded_late_does_not_move_the_due_date_back(world, travel):
    plan = care_plan(GRID_A1, "老王", world, started_on=START, frequency_days=7)
    actor = world.actor("grid_a1")
    travel(START + dt.timedelta(days=10))
    care_visit_record(actor=actor, plan=plan, findings="ok", visited_on=START + dt.timedelta(days=9))
    care_visit_record(actor=actor, plan=plan, findings="earlier", visited_on=START + dt.timedelta(days=2))
    plan.refresh_from_db()
    assert plan.last_visited_on == START + dt.timedelta(days=9)


def test_overdue_list_is_per_visitor(world, travel):
    mine = care_plan(GRID_A1, "甲", world, started_on=START)
    care_plan(GRID_A2, "乙", world, started_on=START)
    travel(START + dt.timedelta(days=30))
    assert list(care_visits_overdue(actor=world.actor("grid_a1"))) == [mine]
    # The community worker sees both plans overdue, but visits neither.
    assert care_plan_list(actor=world.actor("worker_a"), overdue=True).count() == 2
    assert list(care_visits_overdue(actor=world.actor("worker_a"))) == []


def test_visit_rules(world, travel):
    plan = care_plan(GRID_A1, "老王", world, started_on=START)
    travel(START + dt.timedelta(days=3))
    actor = world.actor("grid_a1")
    with pytest.raises(DomainError) as error:
        care_visit_record(actor=actor, plan=plan, findings="  ")
    assert error.value.code == "findings_required"
    with pytest.raises(DomainError) as error:
        care_visit_record(actor=actor, plan=plan, findings="x", visited_on=START + dt.timedelta(days=4))
    assert error.value.code == "visit_in_future"
    with pytest.raises(DomainError) as error:
        care_visit_record(actor=actor, plan=plan, findings="x", visited_on=START - dt.timedelta(days=1))
    assert error.value.code == "visit_before_plan"


def test_grid_worker_cannot_visit_another_grids_plan(world):
    plan = care_plan(GRID_A2, "老李", world)
    with pytest.raises(NotFound):
        care_visit_record(actor=world.actor("grid_a1"), plan=plan.pk, findings="x")
    with pytest.raises(NotFound):
        care_visit_record(actor=world.actor("grid_a1"), plan=plan, findings="x")


@pytest.mark.parametrize("persona", ["volunteer_a", "guard_a", "resident_a1", "street1", "admin"])
def test_roles_without_care_cannot_record_visits(world, persona):
    plan = care_plan(GRID_A1, "老王", world)
    with pytest.raises((PermissionDenied, NotFound)):
        care_visit_record(actor=world.actor(persona), plan=plan.pk, findings="x")


def test_community_worker_plans_care_for_a_vulnerable_resident(world, travel):
    travel(START)
    person = vulnerable_resident(GRID_A1, "张奶奶", world)
    plan = care_plan_create(
        actor=world.actor("worker_a"),
        resident=person.pk,
        visitor=world.users["grid_a1"].pk,
        frequency_days=3,
        notes="糖尿病，注意用药",
    )
    assert plan.area_code == GRID_A1
    assert plan.next_due_on == START + dt.timedelta(days=3)
    with pytest.raises(DomainError) as error:
        care_plan_create(
            actor=world.actor("worker_a"), resident=person, visitor=world.users["grid_a1"], frequency_days=3
        )
    assert error.value.code == "plan_exists"


def test_plan_needs_a_vulnerable_resident_a_local_visitor_and_a_sane_frequency(world):
    actor = world.actor("worker_a")
    plain = resident(GRID_A1, "普通人", world)
    with pytest.raises(DomainError) as error:
        care_plan_create(actor=actor, resident=plain, visitor=world.users["grid_a1"], frequency_days=7)
    assert error.value.code == "not_vulnerable"
    person = vulnerable_resident(GRID_A1, "张奶奶", world)
    for visitor in ("grid_a2", "grid_b1", "volunteer_a"):
        with pytest.raises(DomainError) as error:
            care_plan_create(actor=actor, resident=person, visitor=world.users[visitor], frequency_days=7)
        assert error.value.code == "visitor_invalid"
    for days in (0, 367):
        with pytest.raises(DomainError) as error:
            care_plan_create(actor=actor, resident=person, visitor=world.users["grid_a1"], frequency_days=days)
        assert error.value.code == "frequency_invalid"
    with pytest.raises(PermissionDenied):
        care_plan_create(
            actor=world.actor("grid_a1"), resident=person, visitor=world.users["grid_a1"], frequency_days=7
        )
    other = vulnerable_resident(GRID_B1, "乙社区", world)
    with pytest.raises(NotFound):
        care_plan_create(actor=actor, resident=other.pk, visitor=world.users["grid_a1"], frequency_days=7)


def test_free_text_is_masked_in_the_audit(world):
    plan = care_plan(GRID_A1, "老王", world)
    care_visit_record(actor=world.actor("grid_a1"), plan=plan, findings="SECRET-FINDING 血压很高")
    tag = Vulnerability.objects.get(resident=plan.resident)
    vulnerability_detail_set(
        actor=world.actor("worker_a"),
        vulnerability=tag.pk,
        chronic_disease="SECRET-DISEASE",
        care_level="full",
        disability_grade="2",
    )
    dump = " ".join(str(e.__dict__) for e in AuditEvent.objects.all())
    assert "SECRET-FINDING" not in dump
    assert "SECRET-DISEASE" not in dump
    assert CareVisit.objects.count() == 1


def test_counts_of_vulnerable_people_per_area_in_one_query(world, django_assert_num_queries):
    vulnerable_resident(GRID_A1, "一", world)
    two_tags = vulnerable_resident(GRID_A1, "二", world)
    Vulnerability.objects.create(area_code=GRID_A1, resident=two_tags, kind=VulnerabilityKind.CHRONIC)
    vulnerable_resident(GRID_A2, "三", world)
    vulnerable_resident(GRID_B1, "四", world)
    actor = world.actor("worker_a")
    with django_assert_num_queries(1):
        counts = care_vulnerable_counts(actor=actor, codes=[GRID_A1, GRID_A2])
    assert counts == {GRID_A1: 2, GRID_A2: 1}
    assert care_vulnerable_counts(actor=actor, codes=[COMMUNITY_A, "370202001002"]) == {
        COMMUNITY_A: 3,
        "370202001002": 0,
    }
    assert care_vulnerable_counts(actor=world.actor("street1"), codes=["370202001"]) == {"370202001": 4}


def test_plan_ended_is_no_longer_listed(world):
    from fangxian.registry.services.care import care_plan_end

    plan = care_plan(GRID_A1, "老王", world)
    care_plan_end(actor=world.actor("worker_a"), plan=plan.pk, reason="不再需要")
    assert not care_plan_list(actor=world.actor("worker_a")).exists()
    assert CarePlan.objects.get(pk=plan.pk).active is False


def test_overdue_visits_reach_the_visitors_inbox_once_and_close_with_the_visit(world, travel, system_actor):
    from fangxian.command.models import Task, TaskStatus
    from fangxian.command.selectors.tasks import task_inbox
    from fangxian.registry.services.care import care_overdue_tasks_create

    plan = care_plan(GRID_A1, "王大爷", world, started_on=START, frequency_days=7)
    care_plan(GRID_A2, "按时的", world, started_on=START + dt.timedelta(days=5), frequency_days=7)
    travel(START + dt.timedelta(days=9))
    assert care_overdue_tasks_create(actor=system_actor) == 1
    assert care_overdue_tasks_create(actor=system_actor) == 1  # the open task is reused
    task = Task.objects.get()
    assert task.source == "care" and task.source_ref == f"registry.careplan:{plan.pk}"
    assert "王大爷" in task.title
    assert list(task_inbox(actor=world.actor("grid_a1"))) == [task]
    care_visit_record(actor=world.actor("grid_a1"), plan=plan, findings="好")
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


def test_overdue_job_skips_a_visitor_who_lost_their_role(world, travel, system_actor):
    from fangxian.command.models import Task
    from fangxian.registry.services.care import care_overdue_tasks_create

    gone = care_plan(GRID_A1, "甲", world, started_on=START)
    kept = care_plan(GRID_A2, "乙", world, started_on=START)
    gone.visitor.role_assignments.update(active=False)
    travel(START + dt.timedelta(days=30))
    assert care_overdue_tasks_create(actor=system_actor) == 1
    assert list(Task.objects.values_list("source_ref", flat=True)) == [f"registry.careplan:{kept.pk}"]
