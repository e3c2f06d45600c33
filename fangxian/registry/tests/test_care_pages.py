"""Care pages: change or end a care plan, add and remove need tags, from the pages; bad input refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from fangxian.command.models import Task, TaskStatus
from fangxian.core.audit import acting_as
from fangxian.core.models import AuditEvent
from fangxian.core.scoping import Actor
from fangxian.core.testing import GRID_A1, GRID_A2, login
from fangxian.registry.models.care import CarePlan
from fangxian.registry.services.care import care_overdue_tasks_create
from fangxian.registry.tests.factories_care import care_plan

pytestmark = pytest.mark.django_db


def _overdue_plan(world, grid=GRID_A1, name="王大爷"):
    return care_plan(grid, name, world, started_on=timezone.localdate() - dt.timedelta(days=30), frequency_days=7)


def _plan_url(plan) -> str:
    return reverse("registry:care_plan", kwargs={"pk": plan.pk})


def _overdue_task(plan) -> Task:
    with acting_as(Actor.system("test")) as system:
        care_overdue_tasks_create(actor=system)
    return Task.objects.get(source_ref=f"registry.careplan:{plan.pk}", status=TaskStatus.OPEN)


# --- change or end a plan -------------------------------------------------------------------------


def test_community_worker_hands_the_plan_to_another_visitor_and_changes_the_frequency(world, client):
    plan = _overdue_plan(world)
    old_task = _overdue_task(plan)
    login(client, world.users["worker_a"])
    page = client.get(_plan_url(plan)).content.decode()
    assert 'data-testid="care-plan-change"' in page and 'data-testid="care-plan-end"' in page
    response = client.post(
        _plan_url(plan), {"action": "change", "visitor": world.users["worker_a"].pk, "frequency_days": 10}
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.visitor == world.users["worker_a"] and plan.frequency_days == 10
    assert plan.next_due_on == plan.started_on + dt.timedelta(days=10)
    assert AuditEvent.objects.filter(object_type="registry.careplan", object_id=str(plan.pk), action="update").exists()
    # The overdue-visit task follows the plan to its new visitor.
    old_task.refresh_from_db()
    assert old_task.status == TaskStatus.CANNOT_DO
    new_task = Task.objects.get(source_ref=f"registry.careplan:{plan.pk}", status=TaskStatus.OPEN)
    assert list(new_task.assignees.all()) == [world.users["worker_a"]]


def test_a_longer_frequency_that_brings_the_plan_back_on_time_closes_the_overdue_task(world, client):
    plan = _overdue_plan(world)
    task = _overdue_task(plan)
    login(client, world.users["commander_a"])
    response = client.post(_plan_url(plan), {"action": "change", "visitor": plan.visitor_id, "frequency_days": 60})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.CANNOT_DO and not Task.objects.filter(status=TaskStatus.OPEN).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"visitor": "grid_b1", "frequency_days": 7}, "Select a valid choice"),
        ({"visitor": "grid_a2", "frequency_days": 7}, "Select a valid choice"),
        ({"visitor": "grid_a1", "frequency_days": 0}, "greater than or equal to 1"),
        ({"visitor": "grid_a1", "frequency_days": 367}, "less than or equal to 366"),
        ({"visitor": "grid_a1", "frequency_days": "10" * 40}, "less than or equal to 366"),
        ({"visitor": "grid_a1", "frequency_days": "七"}, "Enter a whole number"),
        ({"visitor": "1 OR 1=1", "frequency_days": 7}, "Select a valid choice"),
        ({"visitor": "", "frequency_days": 7}, "This field is required"),
        ({"visitor": "grid_a1"}, "This field is required"),
    ],
)
def test_change_form_shows_errors_and_changes_nothing(world, client, data, message):
    plan = _overdue_plan(world)
    login(client, world.users["worker_a"])
    payload = {"action": "change", **data}
    if payload.get("visitor") in world.users:
        payload["visitor"] = world.users[payload["visitor"]].pk
    response = client.post(_plan_url(plan), payload, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert message in response.content.decode()
    fresh = CarePlan.objects.get(pk=plan.pk)
    assert (fresh.visitor_id, fresh.frequency_days) == (plan.visitor_id, plan.frequency_days)


def test_grid_worker_may_visit_but_not_change_or_end(world, client):
    plan = _overdue_plan(world)
    login(client, world.users["grid_a1"])
    page = client.get(_plan_url(plan)).content.decode()
    assert 'data-testid="care-plan-change"' not in page and 'data-testid="care-visit-form"' in page
    change = {"action": "change", "visitor": world.users["grid_a1"].pk, "frequency_days": 3}
    assert client.post(_plan_url(plan), change).status_code == 403
    assert client.post(_plan_url(plan), {"action": "end"}).status_code == 403
    plan.refresh_from_db()
    assert plan.active and plan.frequency_days == 7


def test_sibling_community_gets_not_found(world, client):
    plan = _overdue_plan(world)
    login(client, world.users["commander_b"])
    assert client.post(_plan_url(plan), {"action": "end"}).status_code == 404
    change = {"action": "change", "visitor": world.users["commander_b"].pk, "frequency_days": 3}
    assert client.post(_plan_url(plan), change).status_code == 404
    assert CarePlan.objects.get(pk=plan.pk).active


def test_commander_ends_the_plan_and_its_overdue_task_closes(world, client):
    plan = _overdue_plan(world)
    task = _overdue_task(plan)
    login(client, world.users["commander_a"])
    response = client.post(_plan_url(plan), {"action": "end"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert not plan.active
    task.refresh_from_db()
    assert task.status == TaskStatus.CANNOT_DO and task.status_reason
    assert AuditEvent.objects.filter(object_type="registry.careplan", object_id=str(plan.pk), action="update").exists()
    page = client.get(_plan_url(plan), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "ended" in page and 'data-testid="care-plan-change"' not in page
    assert 'data-testid="care-visit-form"' not in page
    # Ending twice, or changing an ended plan, says so and changes nothing.
    response = client.post(_plan_url(plan), {"action": "end"}, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "This care plan has ended." in response.content.decode()
    change = {"action": "change", "visitor": world.users["commander_a"].pk, "frequency_days": 3}
    response = client.post(_plan_url(plan), change, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "This care plan has ended." in response.content.decode()
    assert CarePlan.objects.get(pk=plan.pk).frequency_days == 7


def test_unknown_action_is_read_as_a_visit_and_validated(world, client):
    plan = _overdue_plan(world)
    login(client, world.users["worker_a"])
    response = client.post(_plan_url(plan), {"action": "x" * 10000})
    assert response.status_code == 400
    assert CarePlan.objects.get(pk=plan.pk).active


def test_plan_list_marks_and_filters_plans_whose_visitor_left(world, client):
    gone = _overdue_plan(world, GRID_A1, "没人管")
    _overdue_plan(world, GRID_A2, "有人管")
    gone.visitor.role_assignments.update(active=False)
    login(client, world.users["worker_a"])
    page = client.get(reverse("registry:care_plans")).content.decode()
    assert page.count('data-testid="care-plan-row-needs-visitor"') == 1
    page = client.get(reverse("registry:care_plans") + "?needs_visitor=1").content.decode()
    assert "没人管" in page and "有人管" not in page
    page = client.get(_plan_url(gone)).content.decode()
    assert 'data-testid="care-plan-visitor-warning"' in page
