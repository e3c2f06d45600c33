"""Reads of training: courses and sessions, the workers of an area, and each worker's record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from fangxian.accounts.models import RoleAssignment, User
from fangxian.areas.models import Area
from fangxian.command.models import Attendance, Course, CourseTopic, TrainingSession
from fangxian.command.models.training import WORKER_ROLES
from fangxian.core.capabilities import CAPABILITY_ROLES
from fangxian.core.scoping import Actor


def course_list(*, actor: Actor, topic: str = "") -> QuerySet[Course]:
    """Courses of the actor's areas and of the areas above them (a street's course is open to its communities)."""
    courses = Course.objects.visible_to(actor)
    if topic in CourseTopic.values:
        courses = courses.filter(topic=topic)
    return courses.annotate(session_count=Count("sessions", distinct=True)).order_by("title", "pk")


def course_get(*, actor: Actor, course_id: int) -> Course:
    return Course.objects.get_visible(actor, pk=course_id)


def course_sessions(*, actor: Actor, course: Course) -> QuerySet[TrainingSession]:
    return (
        TrainingSession.objects.visible_to(actor)
        .filter(course=course)
        .annotate(attended_count=Count("attendances", filter=Q(attendances__attended=True)))
        .order_by("-starts_at", "-pk")
    )


def session_list(*, actor: Actor, upcoming: bool | None = None) -> QuerySet[TrainingSession]:
    sessions = TrainingSession.objects.visible_to(actor).select_related("course")
    now = timezone.now()
    if upcoming is True:
        sessions = sessions.filter(starts_at__gte=now)
    elif upcoming is False:
        sessions = sessions.filter(starts_at__lt=now)
    return sessions


def session_get(*, actor: Actor, session_id: int) -> TrainingSession:
    return TrainingSession.objects.select_related("course").get_visible(actor, pk=session_id)


def training_workers(*, actor: Actor, area_code: str) -> QuerySet[User]:
    """The workers (commanders, community and grid workers) of `area_code` that the actor sees."""
    assigned = RoleAssignment.objects.filter(active=True, role__in=WORKER_ROLES, area_code__within=area_code).values(
        "user_id"
    )
    return User.objects.visible_to(actor).filter(is_active=True, pk__in=assigned).order_by("display_name", "username")


def session_attendance(*, actor: Actor, session: TrainingSession) -> list[dict]:
    """The checklist of a session: every worker of its area, and whether they attended."""
    attended = dict(Attendance.objects.visible_to(actor).filter(session=session).values_list("user_id", "attended"))
    return [
        {"user": worker, "attended": attended.get(worker.pk, False)}
        for worker in training_workers(actor=actor, area_code=session.area_code)
    ]


def worker_hours(*, actor: Actor, user_ids: Iterable[int]) -> dict[int, Decimal]:
    """Hours attended per worker, in one grouped query."""
    rows = (
        Attendance.objects.visible_to(actor)
        .filter(user_id__in=list(user_ids), attended=True)
        .values("user_id")
        .annotate(hours=Sum("session__course__hours"))
        .order_by()
    )
    return {row["user_id"]: row["hours"] or Decimal(0) for row in rows}


def training_worker_list(*, actor: Actor) -> QuerySet[User]:
    """Workers whose record the actor may read: those of the areas where the actor manages training."""
    if not actor.can("training.manage"):
        return User.objects.none()
    assigned = RoleAssignment.objects.filter(active=True, role__in=WORKER_ROLES).values("user_id")
    return User.objects.visible_to(actor).filter(is_active=True, pk__in=assigned).order_by("display_name", "username")


def training_record_users(*, actor: Actor, queryset: QuerySet[User] | None = None) -> QuerySet[User]:
    """Whose record the actor may open: their own, and with training.manage the workers they see."""
    users = queryset if queryset is not None else User.objects.visible_to(actor)
    if actor.user is None:
        return users.none() if not actor.is_system else users
    if actor.can("training.manage"):
        assigned = RoleAssignment.objects.filter(active=True, role__in=WORKER_ROLES).values("user_id")
        return users.filter(Q(pk__in=assigned) | Q(pk=actor.user.pk))
    return users.filter(pk=actor.user.pk)


@dataclass
class TrainingRecord:
    """A worker's training: the sessions attended, and hours per topic."""

    user: User
    attendances: list[Attendance]
    hours_by_topic: list[dict] = field(default_factory=list)
    total_hours: Decimal = Decimal(0)


def training_record(*, actor: Actor, user_id: int) -> TrainingRecord:
    """A worker's record; 404 alike for a worker outside the jurisdiction and one the actor may not read."""
    user = training_record_users(actor=actor).filter(pk=user_id).first()
    if user is None:
        raise Http404(_("Not found."))
    attendances = list(
        Attendance.objects.visible_to(actor)
        .filter(user=user)
        .select_related("session", "session__course")
        .order_by("-session__starts_at", "-pk")
    )
    hours: dict[str, Decimal] = {}
    for attendance in attendances:
        if attendance.attended:
            topic = attendance.session.course.topic
            hours[topic] = hours.get(topic, Decimal(0)) + attendance.session.course.hours
    labels = dict(CourseTopic.choices)
    by_topic = [
        {"topic": key, "label": str(labels[key]), "hours": hours.get(key, Decimal(0))} for key in CourseTopic.values
    ]
    return TrainingRecord(
        user=user, attendances=attendances, hours_by_topic=by_topic, total_hours=sum(hours.values(), Decimal(0))
    )


def upcoming_sessions(*, actor: Actor, limit: int = 10) -> list[TrainingSession]:
    now = timezone.now() - dt.timedelta(hours=3)
    return list(
        TrainingSession.objects.visible_to(actor)
        .filter(starts_at__gte=now)
        .select_related("course")
        .order_by("starts_at", "pk")[:limit]
    )


def training_manage_areas(*, actor: Actor) -> list[Area]:
    """The areas where the actor organises training: those of their training.manage grants (not grids)."""
    roles = CAPABILITY_ROLES["training.manage"]
    codes = sorted({g.area_code for g in actor.grants if g.role in roles and g.area_code and len(g.area_code) <= 12})
    if not codes:
        return []
    return list(Area.objects.visible_to(actor).filter(code__in=codes).order_by("code"))


def training_session_areas(*, actor: Actor, course: Course) -> list[Area]:
    """The areas a new session of `course` can be for: the course's own, and the actor's areas within it."""
    managed = training_manage_areas(actor=actor)
    areas = {a.code: a for a in managed if a.code.startswith(course.area_code)}
    if any(course.area_code.startswith(a.code) for a in managed):
        own = Area.objects.visible_to(actor).filter(code=course.area_code).first()
        if own is not None:
            areas[own.code] = own
    return [areas[code] for code in sorted(areas)]
