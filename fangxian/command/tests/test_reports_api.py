"""The daily report API: the day's figures, submit replaces, the roll-up; JSON errors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fangxian.command.models import DailyReport
from fangxian.core.testing import COMMUNITY_A, STREET_1, login

pytestmark = pytest.mark.django_db
API = "/api/v1/command"


def _as(client, world, persona):
    client.logout()
    login(client, world.users[persona])
    return client


def test_daily_report_get_submit_replace_and_rollup(client, world):
    _as(client, world, "commander_a")
    day = client.get(f"{API}/reports/daily").json()
    assert day["area_code"] == COMMUNITY_A and day["report"] is None
    assert {s["key"] for s in day["sections"]} >= {"tasks", "directives", "drills"}
    today = timezone.localdate().isoformat()
    first = client.post(
        f"{API}/reports/daily",
        {"area_code": COMMUNITY_A, "date": today, "notes": "平稳"},
        content_type="application/json",
    ).json()
    second = client.post(
        f"{API}/reports/daily",
        {"area_code": COMMUNITY_A, "date": today, "notes": "更正"},
        content_type="application/json",
    ).json()
    assert first["id"] == second["id"] and second["submission_count"] == 2 and second["notes"] == "更正"
    assert DailyReport.objects.count() == 1
    assert client.get(f"{API}/reports/daily/{first['id']}").json()["notes"] == "更正"

    _as(client, world, "street1")
    rollup = client.get(f"{API}/reports/rollup").json()
    assert rollup["area_code"] == STREET_1 and rollup["submitted"] == 1 and rollup["communities"] == 2
    assert [c["report_id"] for c in rollup["columns"]] == [first["id"], None]
    _as(client, world, "street2")
    assert client.get(f"{API}/reports/rollup?area={STREET_1}").status_code == 404
    assert client.get(f"{API}/reports/daily/{first['id']}").status_code == 404


def test_daily_report_api_errors(client, world):
    _as(client, world, "commander_a")
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client.post(
        f"{API}/reports/daily", {"area_code": COMMUNITY_A, "date": tomorrow}, content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["code"] == "report_date_future"
    response = client.post(
        f"{API}/reports/daily",
        {"area_code": STREET_1, "date": timezone.localdate().isoformat()},
        content_type="application/json",
    )
    assert response.json()["code"] == "report_not_community"
    assert client.get(f"{API}/reports/daily?date={tomorrow}").json()["code"] == "report_date_future"
    assert client.get(f"{API}/reports/daily?area=abc").status_code == 422
    _as(client, world, "street1")
    response = client.post(
        f"{API}/reports/daily",
        {"area_code": COMMUNITY_A, "date": timezone.localdate().isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 403
