"""Training pages: course, session, attendance checklist, each worker's record and who may read it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from fangxian.command.models import Attendance, Course, TrainingSession
from fangxian.core.testing import COMMUNITY_A, login

pytestmark = pytest.mark.django_db


def _as(client, world, persona):
    client.logout()
    login(client, world.users[persona])
    return client


def _course_with_session(client, world) -> TrainingSession:
    _as(client, world, "commander_a")
    response = client.post(
        reverse("command:training-course-new"),
        {"area_code": COMMUNITY_A, "title": "心理急救", "topic": "psychological", "hours": "2.5"},
    )
    course = Course.objects.get()
    assert response.status_code == 302 and response.url == reverse("command:training-course", args=[course.pk])
    when = (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("command:training-session-new", args=[course.pk]),
        {"starts_at": when, "place": "社区二楼会议室", "trainer": "王老师", "area_code": ""},
    )
    session = TrainingSession.objects.get()
    assert response.url == reverse("command:training-session", args=[session.pk])
    return session


def test_commander_marks_attendance_and_the_worker_sees_their_hours(client, world):
    session = _course_with_session(client, world)
    page = client.get(reverse("command:training-session", args=[session.pk])).content.decode()
    assert 'data-testid="attendance-form"' in page and "grid_a1" in page and "grid_b1" not in page
    grid_a1 = world.users["grid_a1"]
    response = client.post(reverse("command:training-attendance", args=[session.pk]), {"present": [grid_a1.pk]})
    assert response.status_code == 302
    assert Attendance.objects.get(user=grid_a1).attended

    workers = client.get(reverse("command:training-workers")).content.decode()
    assert "grid_a1" in workers and "2.5" in workers

    _as(client, world, "grid_a1")
    record = client.get(reverse("command:training-my-record"), follow=True)
    body = record.content.decode()
    assert record.redirect_chain[-1][0] == reverse("command:training-worker", args=[grid_a1.pk])
    assert "心理急救" in body and 'data-testid="total-hours">2.5<' in body


def test_a_workers_record_is_not_found_for_others(client, world):
    grid_a1 = world.users["grid_a1"]
    for persona in ("grid_a2", "worker_a", "commander_b", "street2"):
        _as(client, world, persona)
        assert client.get(reverse("command:training-worker", args=[grid_a1.pk])).status_code == 404, persona
    for persona in ("commander_a", "street1"):
        _as(client, world, persona)
        assert client.get(reverse("command:training-worker", args=[grid_a1.pk])).status_code == 200, persona


def test_workers_cannot_organise_or_list_records(client, world):
    _as(client, world, "worker_a")
    assert client.get(reverse("command:training")).status_code == 200
    assert client.get(reverse("command:training-course-new")).status_code == 403
    assert client.get(reverse("command:training-workers")).status_code == 403


def test_sibling_commander_cannot_touch_the_session(client, world):
    session = _course_with_session(client, world)
    _as(client, world, "commander_b")
    assert client.get(reverse("command:training-session", args=[session.pk])).status_code == 404
    assert client.get(reverse("command:training-course", args=[session.course_id])).status_code == 404
    response = client.post(reverse("command:training-attendance", args=[session.pk]), {"present": []})
    assert response.status_code == 404


def test_course_form_refuses_bad_input(client, world):
    _as(client, world, "commander_a")
    response = client.post(
        reverse("command:training-course-new"),
        {"area_code": "370202001002", "title": "x", "topic": "law", "hours": "1"},
    )
    assert response.status_code == 400 and not Course.objects.exists()
    response = client.post(
        reverse("command:training-course-new"), {"area_code": COMMUNITY_A, "title": "x", "topic": "law", "hours": "0"}
    )
    assert response.status_code == 400 and not Course.objects.exists()
