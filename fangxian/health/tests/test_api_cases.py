"""Health API: risk areas, arrivals, cases, reports, check-ins, policy, numbers; masked, scoped, refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fangxian.core.testing import COMMUNITY_A, STREET_1, login
from fangxian.health.models import HealthCase
from fangxian.health.tests.conftest import ID_A

pytestmark = pytest.mark.django_db
BASE = "/api/v1/health"


def post(client, path, body):
    return client.post(BASE + path, body, content_type="application/json")


def test_an_arrival_through_the_api_to_a_case_with_reports(client, world, person, wuhan):
    login(client, world.users["grid_a1"])
    body = {
        "household_id": person.household_id,
        "resident_id": person.pk,
        "id_number": ID_A,
        "phone": "13800138000",
        "origin_code": "420106",
        "origin_name": "武汉市武昌区",
        "arrived_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "transport": "plane",
        "transport_detail": "CA1234",
    }
    created = post(client, "/arrivals", body)
    assert created.status_code == 201, created.content
    arrival = created.json()
    assert arrival["risk_level"] == "high" and arrival["suggested_measure"] == "home_quarantine"
    assert ID_A not in created.content.decode() and "13800138000" not in created.content.decode()
    assert arrival["id_number_masked"].endswith("002X")
    confirmed = post(client, f"/arrivals/{arrival['id']}/confirm", {"measure": "home_quarantine"})
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    case = client.get(BASE + "/cases").json()["items"][0]
    assert case["kind"] == "home_quarantine" and case["arrival_id"] == arrival["id"]
    report = post(client, f"/cases/{case['id']}/reports", {"temperature": "36.6", "symptoms": ["cough"]})
    assert report.status_code == 201 and report.json()["symptoms"] == ["cough"]
    assert len(client.get(f"{BASE}/cases/{case['id']}/reports").json()["items"]) == 1
    changed = post(client, f"/cases/{case['id']}/end-date", {"ends_on": case["starts_on"], "reason": "错误"})
    assert changed.status_code == 400
    numbers = client.get(BASE + "/numbers").json()
    assert numbers["under_measure"] == 1 and numbers["arrivals"] == 1


def test_bad_and_hostile_bodies_are_refused(client, world, person):
    login(client, world.users["grid_a1"])
    for body in (
        {
            "household_id": person.household_id,
            "origin_code": "42x",
            "origin_name": "x",
            "arrived_on": "2026-11-01",
            "transport": "train",
        },
        {
            "household_id": person.household_id,
            "origin_code": "420106",
            "origin_name": "x\x00",
            "arrived_on": "2026-11-01",
            "transport": "train",
        },
        {
            "household_id": 0,
            "origin_code": "420106",
            "origin_name": "x",
            "arrived_on": "2026-11-01",
            "transport": "train",
        },
        {
            "household_id": person.household_id,
            "origin_code": "420106",
            "origin_name": "x",
            "arrived_on": "nope",
            "transport": "train",
        },
    ):
        assert post(client, "/arrivals", body).status_code in (400, 422), body
    case_body = {"resident_id": person.pk, "kind": "home_quarantine", "days": 99}
    assert post(client, "/cases", case_body).status_code in (400, 422)
    opened = post(client, "/cases", {"resident_id": person.pk, "kind": "monitoring"})
    assert opened.status_code == 201
    assert post(client, "/cases", {"resident_id": person.pk, "kind": "monitoring"}).status_code == 409
    case_id = opened.json()["id"]
    for body in ({"temperature": "99"}, {"temperature": "36.5", "symptoms": ["zombie"]}, {"temperature": "abc"}):
        assert post(client, f"/cases/{case_id}/reports", body).status_code in (400, 422), body


def test_a_sibling_community_reads_nothing_and_a_guard_nothing(client, world, person):
    login(client, world.users["grid_a1"])
    case_id = post(client, "/cases", {"resident_id": person.pk, "kind": "monitoring"}).json()["id"]
    login(client, world.users["commander_b"])
    assert client.get(f"{BASE}/cases/{case_id}").status_code == 404
    assert client.get(BASE + "/cases").json()["items"] == []
    assert post(client, f"/cases/{case_id}/reports", {"temperature": "36.5"}).status_code == 404
    login(client, world.users["guard_a"])
    assert client.get(BASE + "/cases").status_code in (200, 403)
    assert client.get(BASE + "/cases").status_code == 403 or client.get(BASE + "/cases").json()["items"] == []
    assert post(client, "/cases", {"resident_id": person.pk, "kind": "monitoring"}).status_code in (403, 404)


def test_risk_areas_policy_and_check_ins(client, world, person, epidemic):
    login(client, world.users["street1"])
    created = post(
        client,
        "/risk-areas",
        {
            "area_code": STREET_1,
            "division_code": "420106",
            "name": "武昌区",
            "level": "high",
            "measure": "home_quarantine",
        },
    )
    assert created.status_code == 201, created.content
    assert len(client.get(BASE + "/risk-areas?current=true").json()["items"]) == 1
    ended = post(client, f"/risk-areas/{created.json()['id']}/end", {})
    assert ended.status_code == 200 and ended.json()["until"] == timezone.localdate().isoformat()
    login(client, world.users["commander_a"])
    policy = client.put(
        BASE + "/policies",
        {"community_code": COMMUNITY_A, "level": 2, "check_in_required": True},
        content_type="application/json",
    )
    assert policy.status_code == 200 and policy.json()["check_in_required"]
    login(client, world.users["resident_a1"])
    checked = post(client, "/check-ins", {"resident_id": person.pk, "temperature": "36.5"})
    assert checked.status_code == 201
    assert post(client, "/check-ins", {"resident_id": person.pk}).status_code == 409
    login(client, world.users["commander_a"])
    rows = client.get(BASE + "/check-ins/completion").json()
    assert sum(row["checked_in"] for row in rows) == 1
    assert not HealthCase.objects.exists()
