"""Training: courses per area, sessions, attendance from the workers' checklist, each worker's hours."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404
from django.utils import timezone

from fangxian.command.models import Attendance, Course
from fangxian.command.selectors.training import (
    course_list,
    session_attendance,
    training_record,
    training_worker_list,
    training_workers,
)
from fangxian.command.services.training import attendance_mark, course_create, training_session_create
from fangxian.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangxian.core.testing import COMMUNITY_A, COMMUNITY_B, GRID_A1, STREET_1, STREET_2

pytestmark = pytest.mark.django_db


def _ago(hours: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=hours)


def _session(world, course, persona="commander_a", hours_ago=2, **extra):
    return training_session_create(
        actor=world.actor(persona), course_id=course.pk, starts_at=_ago(hours_ago), place="社区会议室", **extra
    )


def test_commander_creates_a_course_for_the_community(world):
    course = course_create(
        actor=world.actor("commander_a"),
        area_code=COMMUNITY_A,
        title="心理急救基础",
        topic="psychological",
        hours=Decimal("1.5"),
    )
    assert course.area_code == COMMUNITY_A and course.hours == Decimal("1.5")


def test_street_official_creates_a_course_for_the_street(world):
    course = course_create(actor=world.actor("street1"), area_code=STREET_1, title="传染病防治法", topic="law", hours=3)
    assert course.area_code == STREET_1


def test_commander_cannot_create_a_course_for_the_street(world):
    with pytest.raises(NotFound):  # the street is above the commander's jurisdiction
        course_create(actor=world.actor("commander_a"), area_code=STREET_1, title="x", topic="law", hours=1)


def test_course_for_a_sibling_community_is_not_found(world):
    with pytest.raises(NotFound):
        course_create(actor=world.actor("commander_a"), area_code=COMMUNITY_B, title="x", topic="law", hours=1)


@pytest.mark.parametrize("persona", ["worker_a", "grid_a1"])
def test_workers_do_not_organise_training(world, persona):
    with pytest.raises(PermissionDenied):
        course_create(actor=world.actor(persona), area_code=COMMUNITY_A, title="x", topic="law", hours=1)


def test_grid_level_courses_and_bad_topics_are_refused(world):
    with pytest.raises(DomainError) as error:
        course_create(actor=world.actor("commander_a"), area_code=GRID_A1, title="x", topic="law", hours=1)
    assert error.value.code == "training_area_level"
    with pytest.raises(DomainError) as error:
        course_create(actor=world.actor("commander_a"), area_code=COMMUNITY_A, title="x", topic="cooking", hours=1)
    assert error.value.code == "invalid_topic"


def test_a_streets_course_is_open_to_its_communities_only(world):
    street_course = course_create(
        actor=world.actor("street1"), area_code=STREET_1, title="街道课程", topic="law", hours=2
    )
    own = course_create(
        actor=world.actor("commander_a"), area_code=COMMUNITY_A, title="甲社区课程", topic="media", hours=1
    )
    assert set(course_list(actor=world.actor("commander_a"))) == {street_course, own}
    assert set(course_list(actor=world.actor("grid_a1"))) == {street_course, own}
    assert set(course_list(actor=world.actor("commander_b"))) == {street_course}
    assert list(course_list(actor=world.actor("commander_c"))) == []
    assert list(course_list(actor=world.actor("street2"))) == []


def test_commander_holds_a_session_of_the_streets_course_for_the_community(world):
    street_course = course_create(
        actor=world.actor("street1"), area_code=STREET_1, title="街道课程", topic="law", hours=2
    )
    session = _session(world, street_course)
    assert session.area_code == COMMUNITY_A
    street_session = _session(world, street_course, persona="street1")
    assert street_session.area_code == STREET_1
    with pytest.raises(DomainError):
        _session(world, street_course, persona="street1", area_code=STREET_2)


def test_attendance_checklist_lists_the_areas_workers(world):
    course = course_create(actor=world.actor("commander_a"), area_code=COMMUNITY_A, title="c", topic="law", hours=2)
    session = _session(world, course)
    names = {row["user"].username for row in session_attendance(actor=world.actor("commander_a"), session=session)}
    assert names == {"commander_a", "worker_a", "grid_a1", "grid_a2"}


def test_marking_attendance_replaces_earlier_marks(world):
    actor = world.actor("commander_a")
    course = course_create(actor=actor, area_code=COMMUNITY_A, title="c", topic="law", hours=2)
    session = _session(world, course)
    grid_a1, worker_a = world.users["grid_a1"], world.users["worker_a"]
    counts = attendance_mark(actor=actor, session_id=session.pk, present_user_ids=[grid_a1.pk, worker_a.pk])
    assert counts == {"present": 2, "absent": 2}
    assert Attendance.objects.get(user=grid_a1).area_code == GRID_A1  # filed under the worker's own area
    attendance_mark(actor=actor, session_id=session.pk, present_user_ids=[worker_a.pk])
    assert dict(Attendance.objects.values_list("user__username", "attended")) == {"grid_a1": False, "worker_a": True}


def test_attendance_of_a_stranger_or_before_the_start_is_refused(world):
    actor = world.actor("commander_a")
    course = course_create(actor=actor, area_code=COMMUNITY_A, title="c", topic="law", hours=2)
    session = _session(world, course)
    with pytest.raises(DomainError) as error:
        attendance_mark(actor=actor, session_id=session.pk, present_user_ids=[world.users["grid_b1"].pk])
    assert error.value.code == "attendance_not_worker"
    future = training_session_create(actor=actor, course_id=course.pk, starts_at=timezone.now() + dt.timedelta(days=1))
    with pytest.raises(Conflict):
        attendance_mark(actor=actor, session_id=future.pk, present_user_ids=[])
    with pytest.raises(NotFound):
        attendance_mark(actor=world.actor("commander_b"), session_id=session.pk, present_user_ids=[])


def _record_setup(world):
    actor = world.actor("commander_a")
    emergency = course_create(actor=actor, area_code=COMMUNITY_A, title="应急知识", topic="emergency", hours=2)
    law = course_create(
        actor=world.actor("street1"), area_code=STREET_1, title="法律法规", topic="law", hours=Decimal("3.5")
    )
    grid_a1 = world.users["grid_a1"]
    for course, persona in ((emergency, "commander_a"), (law, "street1")):
        session = _session(world, course, persona=persona)
        attendance_mark(actor=world.actor(persona), session_id=session.pk, present_user_ids=[grid_a1.pk])
    missed = _session(world, emergency, hours_ago=30)
    attendance_mark(actor=actor, session_id=missed.pk, present_user_ids=[])
    return grid_a1


def test_training_record_sums_hours_per_topic(world):
    grid_a1 = _record_setup(world)
    record = training_record(actor=world.actor("grid_a1"), user_id=grid_a1.pk)
    hours = {row["topic"]: row["hours"] for row in record.hours_by_topic}
    assert hours["emergency"] == Decimal(2) and hours["law"] == Decimal("3.5") and hours["media"] == 0
    assert record.total_hours == Decimal("5.5")
    assert len([a for a in record.attendances if a.attended]) == 2


def test_record_is_read_by_the_worker_and_their_commander_only(world):
    grid_a1 = _record_setup(world)
    assert training_record(actor=world.actor("commander_a"), user_id=grid_a1.pk).total_hours == Decimal("5.5")
    assert training_record(actor=world.actor("street1"), user_id=grid_a1.pk).total_hours == Decimal("5.5")
    for persona in ("grid_a2", "worker_a", "commander_b", "street2"):
        with pytest.raises(Http404):
            training_record(actor=world.actor(persona), user_id=grid_a1.pk)


def test_worker_list_is_for_those_who_manage_training(world):
    names = {u.username for u in training_worker_list(actor=world.actor("commander_a"))}
    assert names == {"commander_a", "worker_a", "grid_a1", "grid_a2"}
    assert list(training_worker_list(actor=world.actor("worker_a"))) == []
    assert {u.username for u in training_workers(actor=world.actor("street1"), area_code=STREET_1)} >= {
        "commander_a",
        "commander_b",
        "grid_b1",
    }


def test_course_needs_a_title(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        course_create(actor=world.actor("commander_a"), area_code=COMMUNITY_A, title=" ", topic="law", hours=1)
    assert not Course.objects.exists()
