"""A care plan without a visitor: a resident moved to a grid their visitor does not cover.

The plan keeps its resident, frequency and visits, "needs a visitor", gets no overdue task, and is
listed for the community until a new visitor is chosen (page or API).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from fangxian.command.models import Task
from fangxian.core.audit import acting_as
from fangxian.core.errors import DomainError, NotFound, PermissionDenied
from fangxian.core.scoping import Actor
from fangxian.core.testing import GRID_A1, GRID_A2, login
from fangxian.registry.home_care import care_panel
from fangxian.registry.models.care import CarePlan
from fangxian.registry.selectors.care import care_plan_list, care_visits_overdue
from fangxian.registry.services.care import (
    care_overdue_tasks_create,
    care_plan_update,
    care_plan_visitor_missing,
    care_visit_record,
)
from fangxian.registry.services.residents import resident_move
from fangxian.registry.tests.factories_care import care_plan

pytestmark = pytest.mark.django_db
API = "/api/v1/registry/care/plans"


def _moved_plan(world, name="王大爷") -> CarePlan:
    """An overdue plan of grid_a1 whose resident moved to grid A2: grid_a1 does not cover it."""
    plan = care_plan(GRID_A1, name, world, started_on=timezone.localdate() - dt.timedelta(days=30), frequency_days=7)
    resident_move(actor=world.actor("worker_a"), resident=plan.resident, household=world.households["A2"])
    plan.refresh_from_db()
    return plan


def _overdue_tasks() -> int:
    with acting_as(Actor.system("test")) as system:
        return care_overdue_tasks_create(actor=system)


def _open_task(plan) -> Task | None:
    return Task.objects.filter(source_ref=f"registry.careplan:{plan.pk}", status__in=["open", "accepted"]).first()


def test_a_move_to_a_grid_the_visitor_does_not_cover_leaves_the_plan_without_visitor(world):
    plan = _moved_plan(world)
    assert plan.visitor is None and plan.active and plan.area_code == GRID_A2
    assert care_plan_visitor_missing(plan)
    assert list(care_plan_list(actor=world.actor("worker_a"), needs_visitor=True)) == [plan]
    assert not care_visits_overdue(actor=world.actor("grid_a1")).exists()
    assert not care_visits_overdue(actor=world.actor("grid_a2")).exists()


def test_the_overdue_job_skips_a_plan_without_visitor_and_keeps_it_listed(world):
    moved = _moved_plan(world)
    kept = care_plan(GRID_A2, "按时的", world, started_on=timezone.localdate() - dt.timedelta(days=30))
    assert _overdue_tasks() == 1
    assert _open_task(moved) is None and _open_task(kept) is not None
    overdue = care_plan_list(actor=world.actor("commander_a"), overdue=True)
    assert set(overdue) == {moved, kept}
    assert [p.pk for p in overdue if p.visitor_missing] == [moved.pk]


def test_both_kinds_of_missing_visitor_are_listed_together(world):
    moved = _moved_plan(world)
    left = care_plan(GRID_A1, "没人管", world)
    left.visitor.role_assignments.update(active=False)
    care_plan(GRID_A2, "有人管", world)
    assert set(care_plan_list(actor=world.actor("worker_a"), needs_visitor=True)) == {moved, left}


def test_pages_show_a_plan_without_visitor(world, client):
    plan = _moved_plan(world)
    login(client, world.users["worker_a"])
    page = client.get(reverse("registry:care_plan", args=[plan.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="care-plan-no-visitor"' in page and 'data-testid="care-plan-needs-visitor"' in page
    assert "Nobody visits under this plan" in page
    page = client.get(reverse("registry:care_plans") + "?needs_visitor=1").content.decode()
    assert 'data-testid="care-plan-row-needs-visitor"' in page and "王大爷" in page
    # The new grid's worker sees it, records a visit (under their own name) and their home page works.
    login(client, world.users["grid_a2"])
    response = client.post(
        reverse("registry:care_plan", args=[plan.pk]),
        {"visited_on": timezone.localdate().isoformat(), "findings": "还好"},
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.visitor is None and plan.visits.get().visitor == world.users["grid_a2"]
    assert client.get(reverse("core:home")).status_code == 200
    assert care_panel(world.actor("grid_a2"))["overdue"] == []


def test_a_follow_up_on_a_plan_without_visitor_goes_to_the_commanders(world):
    plan = _moved_plan(world)
    care_visit_record(actor=world.actor("grid_a2"), plan=plan, findings="要跟进", follow_up_needed=True)
    task = Task.objects.get(source_ref__startswith="registry.carevisit:")
    assert list(task.assignees.all()) == [world.users["commander_a"]]


def test_choosing_a_new_visitor_on_the_page_gives_them_the_overdue_task(world, client):
    plan = _moved_plan(world)
    login(client, world.users["worker_a"])
    page = client.get(reverse("registry:care_plan", args=[plan.pk])).content.decode()
    assert f'value="{world.users["grid_a2"].pk}"' in page
    response = client.post(
        reverse("registry:care_plan", args=[plan.pk]),
        {"action": "change", "visitor": world.users["grid_a2"].pk, "frequency_days": 7},
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.visitor == world.users["grid_a2"] and not care_plan_visitor_missing(plan)
    assert list(_open_task(plan).assignees.all()) == [world.users["grid_a2"]]


def test_changing_only_the_frequency_keeps_the_plan_without_visitor(world):
    plan = _moved_plan(world)
    care_plan_update(actor=world.actor("worker_a"), plan=plan, frequency_days=30)
    plan.refresh_from_db()
    assert plan.visitor is None and plan.frequency_days == 30
    assert _open_task(plan) is None


def test_api_shows_a_plan_without_visitor_and_a_new_visitor_is_chosen(world, client):
    plan = _moved_plan(world)
    login(client, world.users["worker_a"])
    assert [item["visitor_id"] for item in client.get(API).json()["items"]] == [None]
    assert client.get(f"{API}/{plan.pk}").json()["visitor_id"] is None
    response = client.patch(
        f"{API}/{plan.pk}", json.dumps({"visitor_id": world.users["grid_a2"].pk}), content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["visitor_id"] == world.users["grid_a2"].pk
    login(client, world.users["grid_a2"])
    assert [item["id"] for item in client.get("/api/v1/registry/care/overdue").json()] == [plan.pk]


@pytest.mark.parametrize(
    ("visitor", "status"),
    [
        ("grid_b1", 400),  # a sibling community's grid worker
        ("grid_a1", 400),  # the old visitor, who does not cover the new grid
        ("volunteer_a", 400),  # not staff
        (0, 422),
        (2**63, 422),
        ("abc", 422),
        (None, 200),  # no change
    ],
)
def test_api_refuses_a_visitor_who_may_not_visit(world, client, visitor, status):
    plan = _moved_plan(world)
    login(client, world.users["worker_a"])
    value = world.users[visitor].pk if visitor in world.users else visitor
    response = client.patch(f"{API}/{plan.pk}", json.dumps({"visitor_id": value}), content_type="application/json")
    assert response.status_code == status, response.content
    plan.refresh_from_db()
    assert plan.visitor is None


def test_a_sibling_community_and_a_role_without_the_capability_cannot_choose_the_visitor(world, client):
    plan = _moved_plan(world)
    with pytest.raises(PermissionDenied):
        care_plan_update(actor=world.actor("grid_a2"), plan=plan, visitor=world.users["grid_a2"])
    with pytest.raises(NotFound):
        care_plan_update(actor=world.actor("commander_b"), plan=plan.pk, visitor=world.users["grid_b1"])
    login(client, world.users["commander_b"])
    change = {"action": "change", "visitor": world.users["grid_b1"].pk, "frequency_days": 7}
    assert client.post(reverse("registry:care_plan", args=[plan.pk]), change).status_code == 404
    assert client.get(reverse("registry:care_plans") + "?needs_visitor=1").content.decode().count("王大爷") == 0
    plan.refresh_from_db()
    assert plan.visitor is None


def test_the_overdue_task_helper_refuses_a_plan_without_visitor(world):
    from fangxian.registry.services.care import _overdue_task_create

    plan = _moved_plan(world)
    with pytest.raises(DomainError), acting_as(Actor.system("test")) as system:
        _overdue_task_create(system, plan)
    assert _open_task(plan) is None
