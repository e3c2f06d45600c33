"""Ending a care plan records when (the local date) and why: service, page, plan list and API."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from fangxian.core.errors import DomainError, NotFound, PermissionDenied
from fangxian.core.models import AuditEvent
from fangxian.core.testing import GRID_A1, GRID_A2, login
from fangxian.registry.models.care import CarePlan
from fangxian.registry.selectors.care import care_plan_list
from fangxian.registry.services.care import care_plan_end
from fangxian.registry.tests.factories_care import care_plan

pytestmark = pytest.mark.django_db
API = "/api/v1/registry/care/plans"


def _plan_url(plan) -> str:
    return reverse("registry:care_plan", kwargs={"pk": plan.pk})


def _patch(client, url, data):
    return client.patch(url, data=json.dumps(data), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")


# --- the service ------------------------------------------------------------------------------------


def test_the_end_date_is_todays_local_date_not_the_utc_one(world, monkeypatch):
    plan = care_plan(GRID_A1, "老王", world)
    # 17:30 UTC on 1 March is 01:30 on 2 March in Beijing.
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 3, 1, 17, 30, tzinfo=dt.UTC))
    care_plan_end(actor=world.actor("worker_a"), plan=plan, reason="  搬去养老院  ")
    plan.refresh_from_db()
    assert not plan.active
    assert plan.ended_on == dt.date(2026, 3, 2)
    assert plan.end_reason == "搬去养老院"


@pytest.mark.parametrize(
    ("reason", "code"),
    [
        ("", "end_reason_required"),
        ("   \n\t ", "end_reason_required"),
        (None, "end_reason_required"),
        (12345, "end_reason_required"),
        ("x" * 501, "end_reason_too_long"),
        ("合法\x00的理由", "end_reason_invalid"),
    ],
)
def test_a_plan_does_not_end_without_a_sane_reason(world, reason, code):
    plan = care_plan(GRID_A1, "老王", world)
    with pytest.raises(DomainError) as caught:
        care_plan_end(actor=world.actor("worker_a"), plan=plan, reason=reason)
    assert caught.value.code == code and caught.value.field == "reason"
    plan.refresh_from_db()
    assert plan.active and plan.ended_on is None and plan.end_reason == ""


def test_a_reason_of_exactly_500_characters_is_kept_whole(world):
    plan = care_plan(GRID_A1, "老王", world)
    care_plan_end(actor=world.actor("worker_a"), plan=plan, reason="理" * 500)
    assert CarePlan.objects.get(pk=plan.pk).end_reason == "理" * 500


def test_the_reason_is_masked_in_the_audit_and_ending_twice_is_refused(world):
    plan = care_plan(GRID_A1, "老王", world)
    care_plan_end(actor=world.actor("worker_a"), plan=plan.pk, reason="SECRET-REASON 住院")
    assert AuditEvent.objects.filter(object_type="registry.careplan", object_id=str(plan.pk), action="update").exists()
    assert "SECRET-REASON" not in " ".join(str(event.__dict__) for event in AuditEvent.objects.all())
    with pytest.raises(DomainError) as caught:
        care_plan_end(actor=world.actor("worker_a"), plan=plan.pk, reason="再来一次")
    assert caught.value.code == "plan_ended"
    assert CarePlan.objects.get(pk=plan.pk).end_reason == "SECRET-REASON 住院"


def test_a_sibling_community_and_a_role_without_the_capability_cannot_end(world):
    plan = care_plan(GRID_A1, "老王", world)
    with pytest.raises(NotFound):
        care_plan_end(actor=world.actor("commander_b"), plan=plan.pk, reason="不需要")
    with pytest.raises(PermissionDenied):
        care_plan_end(actor=world.actor("grid_a1"), plan=plan.pk, reason="不需要")
    assert CarePlan.objects.get(pk=plan.pk).active


# --- the page ---------------------------------------------------------------------------------------


def test_the_end_form_asks_why_and_the_plan_page_and_list_show_it(world, client):
    plan = care_plan(GRID_A1, "老王", world)
    other = care_plan(GRID_A2, "老李", world)
    login(client, world.users["commander_a"])
    page = client.get(_plan_url(plan)).content.decode()
    assert 'name="reason"' in page and 'data-testid="care-plan-end-submit"' in page

    response = client.post(_plan_url(plan), {"action": "end", "reason": "住进了养老院"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert not plan.active and plan.ended_on == timezone.localdate() and plan.end_reason == "住进了养老院"

    page = client.get(_plan_url(plan), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="care-plan-end-reason"' in page and "住进了养老院" in page
    assert timezone.localdate().isoformat() in page

    ended = client.get(reverse("registry:care_plans") + "?ended=1").content.decode()
    assert "老王" in ended and "老李" not in ended
    assert 'data-testid="care-plan-row-end-reason"' in ended and "住进了养老院" in ended
    assert 'data-testid="care-plan-row-ended"' in ended
    active = client.get(reverse("registry:care_plans")).content.decode()
    assert "老李" in active and "老王" not in active
    assert care_plan_list(actor=world.actor("commander_a"), ended=True).get() == plan
    assert other.pk not in care_plan_list(actor=world.actor("commander_a"), ended=True).values_list("pk", flat=True)


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "This field is required."),
        ("    ", "This field is required."),
        ("x" * 501, "Ensure this value has at most 500 characters"),
        ("有\x00空字符", "Null characters are not allowed."),
    ],
)
def test_the_end_form_refuses_a_missing_or_bad_reason(world, client, reason, message):
    plan = care_plan(GRID_A1, "老王", world)
    login(client, world.users["worker_a"])
    response = client.post(_plan_url(plan), {"action": "end", "reason": reason}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="care-plan-end-error"' in page and message in page
    plan.refresh_from_db()
    assert plan.active and plan.ended_on is None and plan.end_reason == ""


def test_the_end_form_without_a_reason_field_at_all_is_refused(world, client):
    plan = care_plan(GRID_A1, "老王", world)
    login(client, world.users["worker_a"])
    assert client.post(_plan_url(plan), {"action": "end"}).status_code == 400
    assert CarePlan.objects.get(pk=plan.pk).active


def test_the_page_refuses_a_grid_worker_and_a_sibling_community(world, client):
    plan = care_plan(GRID_A1, "老王", world)
    login(client, world.users["grid_a1"])
    assert client.post(_plan_url(plan), {"action": "end", "reason": "不需要"}).status_code == 403
    login(client, world.users["commander_b"])
    assert client.post(_plan_url(plan), {"action": "end", "reason": "不需要"}).status_code == 404
    assert client.get(reverse("registry:care_plans") + "?ended=1").status_code == 200
    assert CarePlan.objects.get(pk=plan.pk).active


def test_a_sibling_community_does_not_see_ended_plans(world, client):
    plan = care_plan(GRID_A1, "老王", world)
    care_plan_end(actor=world.actor("worker_a"), plan=plan, reason="不需要了")
    login(client, world.users["commander_b"])
    page = client.get(reverse("registry:care_plans") + "?ended=1").content.decode()
    assert "老王" not in page and "不需要了" not in page
    assert not care_plan_list(actor=world.actor("commander_b"), ended=True).exists()


# --- the API ----------------------------------------------------------------------------------------


def test_api_ends_a_plan_with_its_reason_and_shows_it(world, client):
    plan = care_plan(GRID_A1, "老王", world)
    login(client, world.users["worker_a"])
    url = f"{API}/{plan.pk}"
    before = client.get(url).json()
    assert before["ended_on"] is None and before["end_reason"] == ""

    response = _patch(client, url, {"active": False, "end_reason": " 去世 "})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["active"] is False
    assert body["ended_on"] == timezone.localdate().isoformat() and body["end_reason"] == "去世"
    assert client.get(url).json()["end_reason"] == "去世"

    listed = client.get(API, {"ended": "true"}).json()["items"]
    assert [(item["id"], item["end_reason"]) for item in listed] == [(plan.pk, "去世")]
    assert client.get(API).json()["items"] == []


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        ({"active": False}, 400, "end_reason_required"),
        ({"active": False, "end_reason": ""}, 400, "end_reason_required"),
        ({"active": False, "end_reason": "  "}, 400, "end_reason_required"),
        ({"active": False, "end_reason": None}, 400, "end_reason_required"),
        ({"active": False, "end_reason": "a\x00b"}, 400, "invalid_characters"),  # NulCharacterMiddleware
        ({"active": False, "end_reason": "x" * 501}, 422, None),
        ({"active": False, "end_reason": ["list"]}, 422, None),
        ({"active": False, "end_reason": {"a": 1}}, 422, None),
    ],
)
def test_api_refuses_to_end_without_a_sane_reason(world, client, data, status, code):
    plan = care_plan(GRID_A1, "老王", world)
    login(client, world.users["worker_a"])
    response = _patch(client, f"{API}/{plan.pk}", data)
    assert response.status_code == status, response.content
    if code:
        assert response.json()["code"] == code
    plan.refresh_from_db()
    assert plan.active and plan.ended_on is None


def test_api_refuses_a_grid_worker_and_a_sibling_community(world, client):
    plan = care_plan(GRID_A1, "老王", world)
    data = {"active": False, "end_reason": "不需要"}
    login(client, world.users["grid_a1"])
    assert _patch(client, f"{API}/{plan.pk}", data).status_code == 403
    login(client, world.users["commander_b"])
    assert _patch(client, f"{API}/{plan.pk}", data).status_code == 404
    care_plan_end(actor=world.actor("worker_a"), plan=plan, reason="不需要了")
    assert client.get(API, {"ended": "true"}).json()["items"] == []
    assert client.get(f"{API}/{plan.pk}").status_code == 404
