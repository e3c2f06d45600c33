"""Care follows a resident who moves: plans, visits and need details go to the new grid; the
overdue-visit task is handed over or closed; a visitor who does not cover the new grid is taken off
the plan, which then "needs a visitor"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from fangxian.command.models import Task, TaskStatus
from fangxian.core.audit import acting_as
from fangxian.core.models import AuditEvent
from fangxian.core.scoping import Actor
from fangxian.core.testing import GRID_A1, GRID_A2, login, make_household
from fangxian.registry.models.care import CarePlan, CareVisit, VulnerabilityDetail
from fangxian.registry.selectors.care import care_plan_list, care_visits_overdue
from fangxian.registry.services.care import care_overdue_tasks_create, care_plan_end, vulnerability_detail_set
from fangxian.registry.services.residents import resident_move
from fangxian.registry.tests.factories_care import care_plan

pytestmark = pytest.mark.django_db


def _overdue_plan(world, grid=GRID_A1, name="王大爷", visitor=None):
    plan = care_plan(grid, name, world, started_on=timezone.localdate() - dt.timedelta(days=30), frequency_days=7)
    if visitor:
        plan.visitor = world.users[visitor]
        plan.save(update_fields=["visitor"])
    return plan


def _overdue_tasks() -> None:
    with acting_as(Actor.system("test")) as system:
        care_overdue_tasks_create(actor=system)


def _open_task(plan) -> Task | None:
    return Task.objects.filter(source_ref=f"registry.careplan:{plan.pk}", status__in=["open", "accepted"]).first()


def test_moving_to_another_grid_takes_the_plan_visits_and_details_along(world, client):
    plan = _overdue_plan(world)
    person = plan.resident
    tag = person.vulnerabilities.get()
    vulnerability_detail_set(actor=world.actor("worker_a"), vulnerability=tag, care_level="full")
    CareVisit.objects.create(
        area_code=GRID_A1, plan=plan, visited_on=plan.started_on, visitor=plan.visitor, findings="第一次"
    )
    _overdue_tasks()
    old_task = _open_task(plan)
    assert list(old_task.assignees.all()) == [world.users["grid_a1"]]

    login(client, world.users["worker_a"])
    response = client.post(
        reverse("registry:resident_move", args=[person.pk]),
        {"household": world.households["A2"].pk, "reason": "换房"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302

    plan.refresh_from_db()
    # grid_a1 does not cover the new grid: the plan is left without a visitor.
    assert plan.area_code == GRID_A2 and plan.active and plan.visitor is None
    assert set(CareVisit.objects.filter(plan=plan).values_list("area_code", flat=True)) == {GRID_A2}
    assert VulnerabilityDetail.objects.get(vulnerability=tag).area_code == GRID_A2
    assert AuditEvent.objects.filter(object_type="registry.careplan", object_id=str(plan.pk), action="update").exists()

    # grid_a1 does not cover the new grid: the old task closes and no new one is made.
    old_task.refresh_from_db()
    assert old_task.status == TaskStatus.CANNOT_DO and old_task.status_reason
    assert _open_task(plan) is None
    _overdue_tasks()
    assert _open_task(plan) is None

    # The old grid worker loses sight of the plan; the new grid's staff see it, needing a visitor.
    assert not care_visits_overdue(actor=world.actor("grid_a1")).exists()
    assert client.get(reverse("registry:care_plan", args=[plan.pk])).status_code == 200
    login(client, world.users["grid_a1"])
    assert client.get(reverse("registry:care_plan", args=[plan.pk])).status_code == 404
    login(client, world.users["grid_a2"])
    page = client.get(reverse("registry:care_plans") + "?needs_visitor=1").content.decode()
    assert reverse("registry:care_plan", args=[plan.pk]) in page
    assert 'data-testid="care-plan-row-needs-visitor"' in page
    page = client.get(reverse("registry:care_plan", args=[plan.pk])).content.decode()
    assert "第一次" in page and 'data-testid="care-plan-needs-visitor"' in page

    # The community worker chooses the new grid's worker: the overdue task reaches them at once.
    login(client, world.users["worker_a"])
    page = client.get(reverse("registry:care_plan", args=[plan.pk])).content.decode()
    assert f'value="{world.users["grid_a2"].pk}"' in page and f'value="{world.users["grid_a1"].pk}"' not in page
    response = client.post(
        reverse("registry:care_plan", args=[plan.pk]),
        {"action": "change", "visitor": world.users["grid_a2"].pk, "frequency_days": 7},
    )
    assert response.status_code == 302
    new_task = _open_task(plan)
    assert new_task.area_code == GRID_A2 and list(new_task.assignees.all()) == [world.users["grid_a2"]]
    assert not care_plan_list(actor=world.actor("worker_a"), needs_visitor=True).exists()


def test_a_community_level_visitor_keeps_the_plan_and_the_task_moves_with_it(world):
    plan = _overdue_plan(world, visitor="worker_a")
    _overdue_tasks()
    old_task = _open_task(plan)
    assert old_task.area_code == GRID_A1
    resident_move(actor=world.actor("commander_a"), resident=plan.resident, household=world.households["A2"])
    plan.refresh_from_db()
    assert plan.area_code == GRID_A2 and plan.visitor == world.users["worker_a"]
    old_task.refresh_from_db()
    assert old_task.status == TaskStatus.CANNOT_DO
    new_task = _open_task(plan)
    assert new_task.pk != old_task.pk and new_task.area_code == GRID_A2
    assert list(new_task.assignees.all()) == [world.users["worker_a"]]
    assert not care_plan_list(actor=world.actor("worker_a"), needs_visitor=True).exists()


def test_a_plan_on_time_moves_without_any_task(world):
    plan = care_plan(GRID_A1, "按时", world, started_on=timezone.localdate(), frequency_days=7)
    resident_move(actor=world.actor("worker_a"), resident=plan.resident, household=world.households["A2"])
    plan.refresh_from_db()
    assert plan.area_code == GRID_A2
    assert not Task.objects.exists()


def test_moving_within_the_grid_changes_nothing_of_the_plan(world):
    plan = _overdue_plan(world)
    _overdue_tasks()
    task = _open_task(plan)
    next_door = make_household(GRID_A1, "隔壁")
    resident_move(actor=world.actor("grid_a1"), resident=plan.resident, household=next_door)
    plan.refresh_from_db()
    task.refresh_from_db()
    assert plan.area_code == GRID_A1 and task.status == TaskStatus.OPEN


def test_an_ended_plan_stays_in_the_old_grid(world):
    plan = _overdue_plan(world)
    CareVisit.objects.create(
        area_code=GRID_A1, plan=plan, visited_on=plan.started_on, visitor=plan.visitor, findings="x"
    )
    care_plan_end(actor=world.actor("worker_a"), plan=plan, reason="不再需要")
    resident_move(actor=world.actor("worker_a"), resident=plan.resident, household=world.households["A2"])
    plan.refresh_from_db()
    assert plan.area_code == GRID_A1 and not plan.active
    assert CareVisit.objects.get(plan=plan).area_code == GRID_A1


def test_a_refused_move_moves_no_plan(world, client):
    plan = _overdue_plan(world)
    person = plan.resident
    login(client, world.users["worker_a"])
    for household in (world.households["B1"].pk, "0", "abc", "9" * 30, person.household_id):
        response = client.post(reverse("registry:resident_move", args=[person.pk]), {"household": household})
        assert response.status_code == 200, household  # the form again, with its error
    # A sibling community's commander cannot even reach the resident.
    login(client, world.users["commander_b"])
    response = client.post(
        reverse("registry:resident_move", args=[person.pk]), {"household": world.households["B1"].pk}
    )
    assert response.status_code == 404
    # A grid worker cannot move a resident into a grid they do not reach.
    from fangxian.core.errors import NotFound

    with pytest.raises(NotFound):
        resident_move(actor=world.actor("grid_a1"), resident=person, household=world.households["A2"])
    plan.refresh_from_db()
    assert plan.area_code == GRID_A1
    assert CarePlan.objects.filter(area_code=GRID_A2).count() == 0
