"""A visit that needs follow-up puts a task in the command app's inbox: the visitor's, else the commanders'."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from fangxian.command.models import Task, TaskStatus
from fangxian.command.selectors.tasks import task_inbox
from fangxian.core.errors import DomainError
from fangxian.core.models import AuditEvent
from fangxian.core.roles import Role
from fangxian.core.testing import GRID_A1, GRID_A2, login, make_user
from fangxian.registry.services.care import care_visit_record
from fangxian.registry.services.residents import resident_move
from fangxian.registry.tests.factories_care import care_plan

pytestmark = pytest.mark.django_db


def _overdue_plan(world, grid=GRID_A1, name="王大爷"):
    return care_plan(grid, name, world, started_on=timezone.localdate() - dt.timedelta(days=30), frequency_days=7)


def _follow_ups() -> list[Task]:
    return list(Task.objects.filter(source_ref__startswith="registry.carevisit:"))


def test_follow_up_from_the_page_becomes_a_task_for_the_visitor_due_in_two_days(world, client):
    plan = _overdue_plan(world)
    login(client, world.users["grid_a1"])
    before = timezone.now()
    response = client.post(
        reverse("registry:care_plan", args=[plan.pk]),
        {"visited_on": timezone.localdate().isoformat(), "findings": "药快吃完了，需要代购", "follow_up_needed": "on"},
    )
    assert response.status_code == 302
    [task] = _follow_ups()
    visit = plan.visits.get()
    assert task.source == "care" and task.source_ref == f"registry.carevisit:{visit.pk}"
    assert task.status == TaskStatus.OPEN and task.area_code == GRID_A1
    assert task.description == "药快吃完了，需要代购" and "王大爷" in task.title
    assert list(task.assignees.all()) == [world.users["grid_a1"]]
    assert before + dt.timedelta(days=2) <= task.due_at <= timezone.now() + dt.timedelta(days=2)
    assert task in task_inbox(actor=world.actor("grid_a1"))
    assert AuditEvent.objects.filter(object_type="command.task", object_id=str(task.pk), action="create").exists()
    # The follow-up is not the overdue visit: recording the next visit leaves it open.
    care_visit_record(actor=world.actor("grid_a1"), plan=plan, findings="已代购")
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN and len(_follow_ups()) == 1


def test_a_visit_without_follow_up_makes_no_task(world):
    plan = _overdue_plan(world)
    care_visit_record(actor=world.actor("grid_a1"), plan=plan, findings="一切正常")
    care_visit_record(actor=world.actor("grid_a1"), plan=plan, findings="一切正常", follow_up_needed=False)
    assert _follow_ups() == []


def test_each_follow_up_visit_gets_its_own_task(world):
    plan = _overdue_plan(world)
    care_visit_record(actor=world.actor("grid_a1"), plan=plan, findings="一", follow_up_needed=True)
    care_visit_record(actor=world.actor("worker_a"), plan=plan, findings="二", follow_up_needed=True)
    assert sorted(t.description for t in _follow_ups()) == ["一", "二"]


def test_when_the_visitor_left_the_commanders_of_the_community_get_it(world):
    plan = _overdue_plan(world)
    second = make_user("commander_a2", Role.COMMANDER, GRID_A1[:12])
    plan.visitor.role_assignments.update(active=False)
    care_visit_record(actor=world.actor("worker_a"), plan=plan, findings="腿疼", follow_up_needed=True)
    [task] = _follow_ups()
    assert set(task.assignees.all()) == {world.users["commander_a"], second}
    assert world.users["commander_b"] not in task.assignees.all()


def test_after_a_move_to_a_grid_the_visitor_does_not_cover_the_commanders_get_it(world):
    plan = _overdue_plan(world)
    resident_move(actor=world.actor("worker_a"), resident=plan.resident, household=world.households["A2"])
    care_visit_record(actor=world.actor("grid_a2"), plan=plan, findings="刚搬来，要看看", follow_up_needed=True)
    [task] = _follow_ups()
    assert task.area_code == GRID_A2
    assert list(task.assignees.all()) == [world.users["commander_a"]]


def test_api_visit_with_follow_up_makes_the_task(world, client):
    plan = _overdue_plan(world)
    login(client, world.users["grid_a1"])
    response = client.post(
        f"/api/v1/registry/care/plans/{plan.pk}/visits",
        {"findings": "需要复查", "follow_up_needed": True},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert [t.description for t in _follow_ups()] == ["需要复查"]


@pytest.mark.parametrize(
    "data",
    [
        {"findings": "", "follow_up_needed": "on"},
        {"findings": "   ", "follow_up_needed": "on"},
        {"findings": "x" * 2001, "follow_up_needed": "on"},
        {"findings": "\x00", "follow_up_needed": "on"},
        {"findings": "好", "follow_up_needed": "on", "visited_on": "2999-01-01"},
        {"findings": "好", "follow_up_needed": "on", "visited_on": "not a date"},
    ],
)
def test_a_refused_visit_makes_no_follow_up_task(world, client, data):
    plan = _overdue_plan(world)
    login(client, world.users["grid_a1"])
    response = client.post(reverse("registry:care_plan", args=[plan.pk]), data)
    assert response.status_code == 400
    assert _follow_ups() == [] and not plan.visits.exists()


def test_sibling_and_roles_without_care_make_no_follow_up(world, client):
    plan = _overdue_plan(world)
    data = {"findings": "好", "follow_up_needed": "on"}
    login(client, world.users["grid_b1"])
    assert client.post(reverse("registry:care_plan", args=[plan.pk]), data).status_code == 404
    login(client, world.users["volunteer_a"])
    assert client.post(reverse("registry:care_plan", args=[plan.pk]), data).status_code in (403, 404)
    with pytest.raises(DomainError):
        care_visit_record(actor=world.actor("grid_a2"), plan=plan.pk, findings="好", follow_up_needed=True)
    assert _follow_ups() == []
