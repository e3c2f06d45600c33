"""Plan pages and API: list with the review badge, write with a checklist, revise, review, activate."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fangxian.command.models import Duty, EmergencyKind, Plan, PlanVersion, Task
from fangxian.command.tests.factories_emergencies import make_emergency
from fangxian.command.tests.factories_group import make_member
from fangxian.command.tests.factories_plans import make_plan
from fangxian.core.testing import COMMUNITY_A, COMMUNITY_B, login

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    # Messages are asserted in English, the source language (the default is Chinese).
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def plan_data(actions, *, initial: int = 0, **fields):
    data = {
        "area_code": COMMUNITY_A,
        "hazard": "epidemic",
        "title": "疫情防控预案",
        "review_interval_days": "180",
        "body": "总则",
        "actions-TOTAL_FORMS": str(len(actions)),
        "actions-INITIAL_FORMS": str(initial),
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "200",
        **fields,
    }
    for index, action in enumerate(actions):
        values = {
            "duty": "",
            "duty_label": "",
            "level": "4",
            "title": "",
            "description": "",
            "deadline_minutes": "120",
            "priority": "normal",
            **action,
        }
        data.update({f"actions-{index}-{key}": value for key, value in values.items()})
    return data


ACTIONS = [
    {"duty": "logistics", "level": "4", "title": "清点物资"},
    {"duty": "medical", "level": "2", "title": "设置隔离点", "deadline_minutes": "60"},
    {},  # an empty extra line is ignored
]


def test_commander_writes_a_plan_with_its_checklist(world, client):
    login(client, world.users["commander_a"])
    assert client.get("/command/plans/new/").status_code == 200
    response = client.post("/command/plans/new/", plan_data(ACTIONS))
    plan = Plan.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/command/plans/{plan.pk}/"
    assert plan.review_interval_days == 180
    assert sorted(plan.current_version.actions.values_list("title", flat=True)) == ["清点物资", "设置隔离点"]
    body = client.get(response["Location"]).content.decode()
    assert "清点物资" in body and 'data-testid="actions-level-2"' in body and "within 1 h" in body


def test_bad_actions_are_shown_on_the_action_at_fault(world, client):
    login(client, world.users["commander_a"])
    response = client.post("/command/plans/new/", plan_data([ACTIONS[0], {**ACTIONS[1], "deadline_minutes": "-30"}]))
    body = response.content.decode()
    assert response.status_code == 400 and "Action 2: the deadline cannot be before the activation" in body
    response = client.post("/command/plans/new/", plan_data([{**ACTIONS[0], "duty": "catering"}]))
    assert response.status_code == 400 and 'data-testid="form-error"' in response.content.decode()
    response = client.post("/command/plans/new/", plan_data([{"duty": "custom", "title": "心理疏导"}]))
    assert response.status_code == 400 and "Action 1: Name the other duty." in response.content.decode()
    assert not Plan.objects.exists()


def test_revise_keeps_every_version_and_lists_who_changed_what(world, client):
    plan = make_plan(COMMUNITY_A, title="疫情防控预案", actions=[{"title": "清点物资", "level": 4}])
    login(client, world.users["worker_a"])
    page = client.get(f"/command/plans/{plan.pk}/revise/").content.decode()
    assert "清点物资" in page
    data = plan_data(
        [
            {"duty": "logistics", "level": "4", "title": "清点物资"},
            {"duty": "publicity", "level": "3", "title": "张贴告示"},
        ],
        initial=1,
        change_note="增加宣传组行动",
    )
    response = client.post(f"/command/plans/{plan.pk}/revise/", data)
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.current_version.number == 2 and plan.versions.count() == 2
    body = client.get(f"/command/plans/{plan.pk}/").content.decode()
    assert "增加宣传组行动" in body and "张贴告示" in body and "worker_a" in body
    first = plan.versions.get(number=1)
    old = client.get(f"/command/plans/versions/{first.pk}/").content.decode()
    assert "清点物资" in old and "张贴告示" not in old
    response = client.post(f"/command/plans/{plan.pk}/revise/", {**data, "change_note": ""})
    assert response.status_code == 400 and PlanVersion.objects.filter(plan=plan).count() == 2


def test_overdue_badge_and_mark_reviewed(world, client):
    plan = make_plan(
        COMMUNITY_A,
        title="旧预案",
        review_interval_days=30,
        last_reviewed_at=timezone.localdate() - dt.timedelta(days=31),
    )
    make_plan(COMMUNITY_A, title="新预案")
    login(client, world.users["commander_a"])
    body = client.get("/command/plans/").content.decode()
    assert body.count('data-testid="review-overdue"') == 1
    assert "新预案" not in client.get("/command/plans/?overdue=1").content.decode()
    assert client.post(f"/command/plans/{plan.pk}/reviewed/").status_code == 302
    assert 'data-testid="review-overdue"' not in client.get("/command/plans/").content.decode()


def test_activate_page_creates_the_tasks(world, client):
    make_member(COMMUNITY_A, Duty.LOGISTICS, user=world.users["worker_a"])
    emergency = make_emergency(COMMUNITY_A, level=2)
    plan = make_plan(COMMUNITY_A, actions=[{"title": "清点物资", "level": 4}, {"title": "封控", "level": 1}])
    login(client, world.users["commander_a"])
    page = client.get(f"/command/plans/{plan.pk}/activate/?emergency={emergency.pk}").content.decode()
    assert 'data-testid="activation-preview"' in page and "1 task" in page
    response = client.post(f"/command/plans/{plan.pk}/activate/", {"emergency": emergency.pk}, follow=True)
    assert "Plan activated: 1 task created." in response.content.decode()
    assert list(Task.objects.values_list("title", flat=True)) == ["清点物资"]
    response = client.post(f"/command/plans/{plan.pk}/activate/", {"emergency": emergency.pk})
    assert response.status_code == 400 and "already active for this emergency" in response.content.decode()


def test_plan_pages_refuse_others(world, client):
    plan = make_plan(COMMUNITY_A, title="甲预案")
    login(client, world.users["worker_a"])
    assert client.get(f"/command/plans/{plan.pk}/activate/").status_code == 403
    client.logout()
    login(client, world.users["grid_a1"])
    assert client.get("/command/plans/new/").status_code == 403
    client.logout()
    login(client, world.users["commander_b"])
    assert client.get(f"/command/plans/{plan.pk}/").status_code == 404
    assert client.get(f"/command/plans/{plan.pk}/revise/").status_code == 404
    assert client.get(f"/command/plans/versions/{plan.current_version_id}/").status_code == 404
    assert client.post(f"/command/plans/{plan.pk}/reviewed/").status_code == 404
    assert client.get(f"/command/plans/{plan.pk}/activate/").status_code == 404
    assert "甲预案" not in client.get("/command/plans/").content.decode()


def test_the_api_lists_details_and_activates(world, client):
    make_member(COMMUNITY_A, Duty.MEDICAL, user=world.users["grid_a1"])
    emergency = make_emergency(COMMUNITY_A, level=3)
    plan = make_plan(COMMUNITY_A, title="甲预案", actions=[{"duty": Duty.MEDICAL, "title": "巡诊", "level": 3}])
    make_plan(COMMUNITY_B, title="乙预案")
    login(client, world.users["commander_a"])
    items = client.get("/api/v1/command/plans/").json()["items"]
    assert [p["title"] for p in items] == ["甲预案"] and items[0]["version"] == 1
    detail = client.get(f"/api/v1/command/plans/{plan.pk}").json()
    assert detail["actions"][0]["duty_name"] == "Medical" and detail["versions"][0]["number"] == 1
    url = f"/api/v1/command/plans/{plan.pk}/activate"
    response = client.post(url, {"emergency_id": emergency.pk}, content_type="application/json")
    assert response.status_code == 201 and response.json()["task_count"] == 1
    again = client.post(url, {"emergency_id": emergency.pk}, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "already_activated"
    flood = make_emergency(COMMUNITY_A, kind=EmergencyKind.FLOOD)
    mismatch = client.post(url, {"emergency_id": flood.pk}, content_type="application/json")
    assert mismatch.status_code == 400 and mismatch.json()["code"] == "hazard_mismatch"
    client.logout()
    login(client, world.users["worker_a"])
    forbidden = client.post(url, {"emergency_id": emergency.pk}, content_type="application/json")
    assert forbidden.status_code == 403
    client.logout()
    login(client, world.users["commander_b"])
    assert client.get(f"/api/v1/command/plans/{plan.pk}").status_code == 404
    assert client.post(url, {"emergency_id": emergency.pk}, content_type="application/json").status_code == 404
