"""Writes of training: courses, sessions and attendance (`training.manage`).

Officials run courses for their street, district or city; a commander runs them for the community.
A session is held for an area at or below its course's area (a commander may hold a session of the
street's course for the community's own workers). Attendance is marked from the checklist of the
session area's workers, and every row is filed under the worker's own area so that the record
follows the worker.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangxian.accounts.models import RoleAssignment
from fangxian.areas.models import Area
from fangxian.command.models import Attendance, Course, CourseTopic, TrainingSession
from fangxian.command.models.training import WORKER_ROLES
from fangxian.command.selectors.drills import capability_reaches
from fangxian.command.selectors.training import training_workers
from fangxian.command.services.drills import aware_time
from fangxian.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangxian.core.scoping import Actor

COMMUNITY_LENGTH = 12
SESSION_HORIZON = dt.timedelta(days=366)


def _managed_area(actor: Actor, area_code: str) -> Area:
    area = Area.objects.visible_to(actor).filter(code=area_code).first()
    if area is None:
        raise NotFound(_("This area does not exist, or it is not in your jurisdiction."), field="area_code")
    if len(area.code) > COMMUNITY_LENGTH:
        raise DomainError(
            _("Training is organised for a community or a wider area, not a grid."),
            code="training_area_level",
            field="area_code",
        )
    if not capability_reaches(actor, "training.manage", area.code):
        raise PermissionDenied(_("You may organise training only in your own area."))
    return area


@transaction.atomic
def course_create(
    *, actor: Actor, area_code: str, title: str, topic: str, hours: Decimal | float | int, description: str = ""
) -> Course:
    if not actor.can("training.manage"):
        raise PermissionDenied(_("Your role may not organise training."))
    area = _managed_area(actor, area_code)
    if topic not in CourseTopic.values:
        raise DomainError(_("Unknown topic."), code="invalid_topic", field="topic")
    course = Course(
        area_code=area.code,
        title=(title or "").strip(),
        topic=topic,
        hours=Decimal(str(hours)),
        description=(description or "").strip(),
        created_by=actor.user,
    )
    course.full_clean()
    course.save()
    return course


@transaction.atomic
def course_update(
    *, actor: Actor, course_id: int, title: str, topic: str, hours: Decimal | float | int, description: str = ""
) -> Course:
    course = Course.objects.visible_to(actor).filter(pk=course_id).first()
    if course is None:
        raise NotFound(_("Not found."))
    if not capability_reaches(actor, "training.manage", course.area_code):
        raise PermissionDenied(_("You may change only the courses of your own area."))
    if topic not in CourseTopic.values:
        raise DomainError(_("Unknown topic."), code="invalid_topic", field="topic")
    course.title = (title or "").strip()
    course.topic = topic
    course.hours = Decimal(str(hours))
    course.description = (description or "").strip()
    course.full_clean()
    course.save()
    return course


def _session_area(actor: Actor, course: Course, area_code: str) -> str:
    """The area a new session is for: the one asked for, else the course's, else the actor's own below it."""
    if area_code:
        if not area_code.startswith(course.area_code):
            raise DomainError(
                _("A session is held for the course's area or an area within it."),
                code="session_area_outside",
                field="area_code",
            )
        return _managed_area(actor, area_code).code
    if capability_reaches(actor, "training.manage", course.area_code):
        return course.area_code
    own = sorted(
        (
            g.area_code
            for g in actor.grants
            if g.area_code.startswith(course.area_code) and capability_reaches(actor, "training.manage", g.area_code)
        ),
        key=len,
    )
    if not own:
        raise PermissionDenied(_("You may organise training only in your own area."))
    return _managed_area(actor, own[0]).code


@transaction.atomic
def training_session_create(
    *,
    actor: Actor,
    course_id: int,
    starts_at: dt.datetime,
    place: str = "",
    trainer: str = "",
    area_code: str = "",
) -> TrainingSession:
    if not actor.can("training.manage"):
        raise PermissionDenied(_("Your role may not organise training."))
    course = Course.objects.visible_to(actor).filter(pk=course_id).first()
    if course is None:
        raise NotFound(_("This course does not exist, or it is not in your jurisdiction."), field="course")
    session_area = _session_area(actor, course, area_code or "")
    starts_at = aware_time(starts_at, field="starts_at")
    now = timezone.now()
    if not now - SESSION_HORIZON <= starts_at <= now + SESSION_HORIZON:
        raise DomainError(
            _("The session must lie within a year of today."), code="session_time_outside", field="starts_at"
        )
    session = TrainingSession(
        area_code=session_area,
        course=course,
        starts_at=starts_at,
        place=(place or "").strip(),
        trainer=(trainer or "").strip(),
        created_by=actor.user,
    )
    session.full_clean()
    session.save()
    return session


def _worker_area(user_id: int, session_area: str) -> str:
    """The area a worker's attendance is filed under: their own worker grant within the session's area."""
    codes = list(
        RoleAssignment.objects.filter(
            user_id=user_id, active=True, role__in=WORKER_ROLES, area_code__within=session_area
        )
        .order_by("area_code")
        .values_list("area_code", flat=True)
    )
    # The narrowest of the widest: a commander's community before their grid role, if both.
    return min(codes, key=len) if codes else session_area


@transaction.atomic
def attendance_mark(*, actor: Actor, session_id: int, present_user_ids: Iterable[int]) -> dict[str, int]:
    """Mark who attended a session from the checklist of its area's workers; the others are marked absent.

    Marking again replaces the earlier marks (one row per worker and session).
    """
    if not actor.can("training.manage"):
        raise PermissionDenied(_("Your role may not mark attendance."))
    visible = TrainingSession.objects.visible_to(actor).filter(pk=session_id).values("pk")
    session = TrainingSession.objects.select_for_update().filter(pk__in=visible).first()
    if session is None:
        raise NotFound(_("Not found."))
    if not capability_reaches(actor, "training.manage", session.area_code):
        raise PermissionDenied(_("You may mark attendance only for sessions of your own area."))
    if session.starts_at > timezone.now():
        raise Conflict(_("Attendance is marked once the session has started."), code="session_not_started")
    present = {int(pk) for pk in present_user_ids}
    workers = {w.pk: w for w in training_workers(actor=actor, area_code=session.area_code)}
    strangers = present - set(workers)
    if strangers:
        raise DomainError(
            _("Only workers of the session's area can be marked present."),
            code="attendance_not_worker",
            field="present",
        )
    existing = {a.user_id: a for a in Attendance.objects.filter(session=session)}
    now = timezone.now()
    counts = {"present": 0, "absent": 0}
    for user_id in workers:
        attended = user_id in present
        counts["present" if attended else "absent"] += 1
        row = existing.get(user_id)
        if row is None:
            if not attended:
                continue  # nobody needs a row saying a worker missed a session they were never marked at
            row = Attendance(session=session, user_id=user_id, area_code=_worker_area(user_id, session.area_code))
        elif row.attended == attended:
            continue
        row.attended = attended
        row.marked_by = actor.user
        row.marked_at = now
        row.full_clean(validate_constraints=False)
        row.save()
    return counts
