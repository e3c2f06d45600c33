"""The training API: courses, sessions, attendance, records; scoped reads, capability on writes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fangxian.command.models import Course, TrainingSession
from fangxian.core.testing import COMMUNITY_A, STREET_1, login

pytestmark = pytest.mark.django_db
API = "/api/v1/command"


def _as(client, world, persona):
    client.logout()
    login(client, world.users[persona])
    return client


def test_courses_sessions_attendance_and_record(client, world):
    _as(client, world, "street1")
    course = client.post(
        f"{API}/training/courses",
        {"area_code": STREET_1, "title": "传染病防治法", "topic": "law", "hours": "3"},
        content_type="application/json",
    )
    assert course.status_code == 201
    course_id = course.json()["id"]
    _as(client, world, "commander_a")
    assert [c["id"] for c in client.get(f"{API}/training/courses").json()["items"]] == [course_id]
    starts = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    session = client.post(
        f"{API}/training/sessions", {"course_id": course_id, "starts_at": starts}, content_type="application/json"
    )
    assert session.status_code == 201 and session.json()["area_code"] == COMMUNITY_A
    grid_a1 = world.users["grid_a1"]
    counts = client.post(
        f"{API}/training/sessions/{session.json()['id']}/attendance",
        {"present": [grid_a1.pk]},
        content_type="application/json",
    ).json()
    assert counts == {"present": 1, "absent": 3}
    assert client.get(f"{API}/training/record/{grid_a1.pk}").json()["total_hours"] in ("3.0", "3", 3)
    _as(client, world, "grid_a1")
    mine = client.get(f"{API}/training/record").json()
    assert mine["user_id"] == grid_a1.pk and mine["sessions"][0]["course_title"] == "传染病防治法"
    law = next(t for t in mine["hours_by_topic"] if t["topic"] == "law")
    assert float(law["hours"]) == 3.0
    _as(client, world, "commander_b")
    assert client.get(f"{API}/training/record/{grid_a1.pk}").status_code == 404
    assert client.get(f"{API}/training/sessions/{session.json()['id']}").status_code == 404


def test_training_writes_need_the_capability(client, world):
    _as(client, world, "worker_a")
    response = client.post(
        f"{API}/training/courses",
        {"area_code": COMMUNITY_A, "title": "x", "topic": "law", "hours": "1"},
        content_type="application/json",
    )
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert not Course.objects.exists() and not TrainingSession.objects.exists()
