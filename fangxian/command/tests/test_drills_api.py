"""The drills API: scoped list and detail, the quick timeline add, JSON errors."""

from __future__ import annotations

import pytest

from fangxian.command.models.drills import DrillStatus
from fangxian.command.tests.factories_drills import make_drill
from fangxian.core.testing import COMMUNITY_A, COMMUNITY_B, login

pytestmark = pytest.mark.django_db
API = "/api/v1/command"


def _as(client, world, persona):
    client.logout()
    login(client, world.users[persona])
    return client


def test_drill_list_detail_and_timeline(client, world, system_actor):
    drill = make_drill(COMMUNITY_A, "甲社区消防演练", status=DrillStatus.RUNNING)
    drill.participants.add(world.users["grid_a1"])
    make_drill(COMMUNITY_B, "乙社区演练")
    _as(client, world, "commander_a")
    items = client.get(f"{API}/drills/").json()["items"]
    assert [d["title"] for d in items] == ["甲社区消防演练"] and items[0]["plan_title"]
    _as(client, world, "grid_a1")
    response = client.post(f"{API}/drills/{drill.pk}/timeline", {"text": "东门已封闭"}, content_type="application/json")
    assert response.status_code == 201 and response.json()["text"] == "东门已封闭"
    assert response.json()["by"]["name"] == "grid_a1"
    detail = client.get(f"{API}/drills/{drill.pk}").json()
    assert detail["timeline"][0]["text"] == "东门已封闭" and detail["participants"][0]["name"] == "grid_a1"


def test_drill_api_refuses_siblings_and_bad_input(client, world, system_actor):
    drill = make_drill(COMMUNITY_A, "甲社区演练", status=DrillStatus.RUNNING)
    _as(client, world, "commander_b")
    assert client.get(f"{API}/drills/{drill.pk}").json()["code"] == "not_found"
    response = client.post(f"{API}/drills/{drill.pk}/timeline", {"text": "x"}, content_type="application/json")
    assert response.status_code == 404
    _as(client, world, "commander_a")
    response = client.post(
        f"{API}/drills/{drill.pk}/timeline", {"text": "x", "at": "1900-01-01T00:00:00"}, content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid_time"
    response = client.post(f"{API}/drills/{drill.pk}/timeline", {"text": "x" * 501}, content_type="application/json")
    assert response.status_code == 422
    done = make_drill(COMMUNITY_A, "已结束", status=DrillStatus.DONE)
    response = client.post(f"{API}/drills/{done.pk}/timeline", {"text": "x"}, content_type="application/json")
    assert response.status_code == 409 and response.json()["code"] == "drill_not_running"
