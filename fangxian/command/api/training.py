"""Command app API: training (courses, sessions, attendance, my record and my workers' records).

Mounted at /api/v1/command/training/. Reads go through the training selectors (scoped), writes
through the training services.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from fangxian.command.api.drills import MAX_ID, id_page
from fangxian.command.models import Course, CourseTopic, TrainingSession
from fangxian.command.selectors.training import (
    course_get,
    course_list,
    session_get,
    session_list,
    training_record,
)
from fangxian.command.services.training import attendance_mark, course_create, training_session_create
from fangxian.core.api import api_actor, require, scope_detail, scope_exempt, scope_list
from fangxian.core.errors import PermissionDenied

router = Router(tags=["training"])
MAX_LIMIT = 200
AREA_CODE_PATTERN = r"^[0-9]{2,15}$"
CourseIdPath = Path(..., ge=1, le=MAX_ID, description="The course's id")
SessionIdPath = Path(..., ge=1, le=MAX_ID, description="The session's id")
UserIdPath = Path(..., ge=1, le=MAX_ID, description="The worker's user id")


class CourseOut(Schema):
    id: int
    area_code: str
    title: str
    topic: str
    topic_label: str
    description: str
    hours: Decimal

    @staticmethod
    def resolve_topic_label(obj: Course) -> str:
        return str(obj.get_topic_display())


class CoursePage(Schema):
    items: list[CourseOut]
    next_cursor: int | None


class CourseIn(Schema):
    area_code: str = Field(..., pattern=AREA_CODE_PATTERN)
    title: str = Field(..., min_length=1, max_length=200)
    topic: CourseTopic
    hours: Decimal = Field(Decimal(2), ge=Decimal("0.5"), le=Decimal(200), decimal_places=1)
    description: str = Field("", max_length=5000)


class SessionOut(Schema):
    id: int
    area_code: str
    course_id: int
    course_title: str
    starts_at: dt.datetime
    place: str
    trainer: str

    @staticmethod
    def resolve_course_title(obj: TrainingSession) -> str:
        return obj.course.title


class SessionPage(Schema):
    items: list[SessionOut]
    next_cursor: int | None


class SessionIn(Schema):
    course_id: int = Field(..., ge=1, le=MAX_ID)
    starts_at: dt.datetime
    place: str = Field("", max_length=200)
    trainer: str = Field("", max_length=100)
    area_code: str = Field("", pattern=r"^([0-9]{2,15})?$", description="Leave empty for the course's area")


class AttendanceIn(Schema):
    present: list[int] = Field(..., max_length=5000, description="User ids of the workers who attended")


class AttendanceCountsOut(Schema):
    present: int
    absent: int


class TopicHoursOut(Schema):
    topic: str
    label: str
    hours: Decimal


class RecordEntryOut(Schema):
    session_id: int
    course_id: int
    course_title: str
    topic: str
    starts_at: dt.datetime
    hours: Decimal
    attended: bool


class RecordOut(Schema):
    user_id: int
    name: str
    total_hours: Decimal
    hours_by_topic: list[TopicHoursOut]
    sessions: list[RecordEntryOut]


class PageParams(Schema):
    after: int | None = Field(None, ge=1, le=MAX_ID, description="next_cursor of the previous page")
    limit: int = Field(50, ge=1, le=MAX_LIMIT)


class CourseListParams(PageParams):
    topic: CourseTopic | None = None


class SessionListParams(PageParams):
    course_id: int | None = Field(None, ge=1, le=MAX_ID)
    upcoming: bool | None = None


@router.get(
    "/courses",
    response=CoursePage,
    openapi_extra=scope_list("command.Course"),
    summary="Courses open to my area's workers",
)
def course_list_endpoint(request: HttpRequest, params: Query[CourseListParams]):
    actor = api_actor(request)
    require(actor, "training.view")
    return id_page(course_list(actor=actor, topic=params.topic or ""), after=params.after, limit=params.limit)


@router.get("/courses/{course_id}", response=CourseOut, openapi_extra=scope_detail("command.Course", "pk", "course_id"))
def course_detail_endpoint(request: HttpRequest, course_id: int = CourseIdPath):
    actor = api_actor(request)
    require(actor, "training.view")
    return course_get(actor=actor, course_id=course_id)


@router.post("/courses", response={201: CourseOut}, summary="Offer a course to an area's workers (training.manage)")
def course_create_endpoint(request: HttpRequest, payload: CourseIn):
    actor = api_actor(request)
    course = course_create(
        actor=actor,
        area_code=payload.area_code,
        title=payload.title,
        topic=payload.topic,
        hours=payload.hours,
        description=payload.description,
    )
    return Status(201, course)


@router.get(
    "/sessions",
    response=SessionPage,
    openapi_extra=scope_list("command.TrainingSession"),
    summary="Sessions of my area's courses",
)
def session_list_endpoint(request: HttpRequest, params: Query[SessionListParams]):
    actor = api_actor(request)
    require(actor, "training.view")
    sessions = session_list(actor=actor, upcoming=params.upcoming)
    if params.course_id:
        sessions = sessions.filter(course_id=params.course_id)
    return id_page(sessions, after=params.after, limit=params.limit)


@router.get(
    "/sessions/{session_id}",
    response=SessionOut,
    openapi_extra=scope_detail("command.TrainingSession", "pk", "session_id"),
)
def session_detail_endpoint(request: HttpRequest, session_id: int = SessionIdPath):
    actor = api_actor(request)
    require(actor, "training.view")
    return session_get(actor=actor, session_id=session_id)


@router.post("/sessions", response={201: SessionOut}, summary="Add a session of a course (training.manage)")
def session_create_endpoint(request: HttpRequest, payload: SessionIn):
    actor = api_actor(request)
    session = training_session_create(
        actor=actor,
        course_id=payload.course_id,
        starts_at=payload.starts_at,
        place=payload.place,
        trainer=payload.trainer,
        area_code=payload.area_code,
    )
    return Status(201, session)


@router.post(
    "/sessions/{session_id}/attendance",
    response=AttendanceCountsOut,
    summary="Mark who attended; the other workers of the session's area are marked absent",
)
def attendance_endpoint(request: HttpRequest, payload: AttendanceIn, session_id: int = SessionIdPath):
    actor = api_actor(request)
    ids = [pk for pk in payload.present if 1 <= pk <= MAX_ID]
    return attendance_mark(actor=actor, session_id=session_id, present_user_ids=ids)


def _record(actor: Any, user_id: int) -> dict[str, Any]:
    record = training_record(actor=actor, user_id=user_id)
    return {
        "user_id": record.user.pk,
        "name": str(record.user),
        "total_hours": record.total_hours,
        "hours_by_topic": record.hours_by_topic,
        "sessions": [
            {
                "session_id": a.session_id,
                "course_id": a.session.course_id,
                "course_title": a.session.course.title,
                "topic": a.session.course.topic,
                "starts_at": a.session.starts_at,
                "hours": a.session.course.hours,
                "attended": a.attended,
            }
            for a in record.attendances
        ],
    }


@router.get(
    "/record",
    response=RecordOut,
    openapi_extra=scope_exempt("the caller's own training record"),
    summary="My training record: hours per topic and the sessions attended",
)
def my_record_endpoint(request: HttpRequest):
    actor = api_actor(request)
    require(actor, "training.view")
    if actor.user is None:
        raise PermissionDenied(_("Only a person has a training record."))
    return _record(actor, actor.user.pk)


@router.get(
    "/record/{user_id}",
    response=RecordOut,
    openapi_extra=scope_detail("accounts.User", "pk", "user_id"),
    summary="A worker's training record (mine, or a worker of the area where I manage training)",
)
def record_endpoint(request: HttpRequest, user_id: int = UserIdPath):
    actor = api_actor(request)
    require(actor, "training.view")
    return _record(actor, user_id)
