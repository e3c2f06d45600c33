"""Emergencies in the API: the same services as the pages, errors as JSON with stable codes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fangxian.accounts.models import RoleAssignment
from fangxian.accounts.services import api_token_create
from fangxian.command.models import EmergencyKind
from fangxian.command.tests.factories_emergencies import make_emergency
from fangxian.core.testing import COMMUNITY_A, COMMUNITY_B, COMMUNITY_C, GRID_A1, STREET_1, login

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    # Messages are asserted in English, the source language (the default is Chinese).
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


BASE = "/api/v1/command/emergencies"


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_declare_change_and_end(world, client):
    login(client, world.users["commander_a"])
    response = post(client, f"{BASE}/", {"area_code": COMMUNITY_A, "kind": "epidemic", "level": 3})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["level"] == 3 and body["is_active"] and body["level_changes"][0]["from_level"] is None
    pk = body["id"]
    response = post(client, f"{BASE}/{pk}/level", {"level": 2, "reason": "新增病例"})
    assert response.status_code == 200 and response.json()["level"] == 2
    assert [c["to_level"] for c in response.json()["level_changes"]] == [3, 2]
    response = post(client, f"{BASE}/{pk}/end", {"note": "结束"})
    assert response.status_code == 200 and not response.json()["is_active"]
    again = post(client, f"{BASE}/{pk}/end", {})
    assert again.status_code == 409 and again.json()["code"] == "emergency_ended"


@pytest.mark.parametrize(
    "payload,status,code",
    [
        ({"area_code": COMMUNITY_A, "kind": "epidemic", "level": 5}, 400, "invalid_level"),
        ({"area_code": COMMUNITY_A, "kind": "epidemic", "level": 0}, 400, "invalid_level"),
        ({"area_code": COMMUNITY_A, "kind": "meteor", "level": 2}, 400, "unknown_kind"),
        ({"area_code": COMMUNITY_B, "kind": "epidemic", "level": 2}, 404, "not_found"),
        ({"area_code": GRID_A1, "kind": "epidemic", "level": 2}, 400, "wrong_area_level"),
        ({"area_code": "37020200100x", "kind": "epidemic", "level": 2}, 422, "invalid"),
        ({"area_code": COMMUNITY_A, "kind": "epidemic"}, 422, "invalid"),
    ],
)
def test_bad_input_gets_a_clear_error(world, client, payload, status, code):
    login(client, world.users["commander_a"])
    response = post(client, f"{BASE}/", payload)
    assert response.status_code == status and response.json()["code"] == code
    assert response.json()["message"]


def test_a_start_in_the_future_is_refused(world, client):
    login(client, world.users["commander_a"])
    started = (timezone.now() + dt.timedelta(hours=1)).isoformat()
    response = post(client, f"{BASE}/", {"area_code": COMMUNITY_A, "kind": "fire", "level": 2, "started_at": started})
    assert response.status_code == 400 and response.json()["code"] == "start_in_future"
    assert response.json()["field"] == "started_at"


def test_a_duplicate_is_a_conflict(world, client):
    make_emergency(COMMUNITY_A)
    login(client, world.users["commander_a"])
    response = post(client, f"{BASE}/", {"area_code": COMMUNITY_A, "kind": "epidemic", "level": 1})
    assert response.status_code == 409 and response.json()["code"] == "already_active"


def test_missing_capability_is_forbidden_and_a_sibling_not_found(world, client):
    emergency = make_emergency(COMMUNITY_A)
    login(client, world.users["worker_a"])
    assert client.get(f"{BASE}/{emergency.pk}").status_code == 200
    response = post(client, f"{BASE}/", {"area_code": COMMUNITY_A, "kind": "fire", "level": 2})
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert post(client, f"{BASE}/{emergency.pk}/level", {"level": 1, "reason": "x"}).status_code == 403
    client.logout()
    login(client, world.users["commander_b"])
    response = client.get(f"{BASE}/{emergency.pk}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert post(client, f"{BASE}/{emergency.pk}/end", {}).status_code == 404
    client.logout()
    login(client, world.users["resident_a1"])
    assert client.get(f"{BASE}/").status_code == 403


def test_list_pages_by_cursor_and_filters(world, client):
    for index in range(5):
        make_emergency(COMMUNITY_A, title=f"E{index}", kind=EmergencyKind.values[index], ended=index % 2 == 1)
    make_emergency(COMMUNITY_B, title="乙")
    login(client, world.users["commander_a"])
    titles, after = [], None
    while True:
        page = client.get(f"{BASE}/?limit=2" + (f"&after={after}" if after else "")).json()
        titles += [e["title"] for e in page["items"]]
        after = page["next_cursor"]
        if not after:
            break
    assert sorted(titles) == ["E0", "E1", "E2", "E3", "E4"]
    active = client.get(f"{BASE}/?active=true").json()["items"]
    assert {e["title"] for e in active} == {"E0", "E2", "E4"}
    assert client.get(f"{BASE}/?limit=0").status_code == 422


def test_active_for_an_area_with_a_device_token(world, client):
    make_emergency(STREET_1, title="街道疫情", level=2)
    make_emergency(COMMUNITY_C, title="丙社区疫情", level=1)
    user = world.users["grid_a1"]
    _token, secret = api_token_create(
        actor=world.actor("grid_a1"), assignment=RoleAssignment.objects.get(user=user), name="gate scanner"
    )
    headers = {"Authorization": f"Bearer {secret}"}
    body = client.get(f"{BASE}/active", headers=headers).json()
    assert body["area_code"] == GRID_A1 and body["emergency"]["title"] == "街道疫情" and body["emergency"]["level"] == 2
    # An area the caller does not see answers with no emergency, not the other area's.
    other = client.get(f"{BASE}/active?area_code={COMMUNITY_C}", headers=headers).json()
    assert other["emergency"] is None
