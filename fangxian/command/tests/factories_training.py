"""Leak factories of training: a course, a session and an attendance in the grid."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fangxian.accounts.tests.factories import user as make_user
from fangxian.command.models import Attendance, Course, TrainingSession
from fangxian.core.testing import leak_factory


@leak_factory(Course)
def course(grid: str, marker: str, world):
    return Course.objects.create(area_code=grid, title=marker, topic="emergency", hours=2)


@leak_factory(TrainingSession)
def training_session(grid: str, marker: str, world):
    parent = Course.objects.create(area_code=grid, title="应急知识", topic="emergency", hours=2)
    return TrainingSession.objects.create(
        area_code=grid, course=parent, place=marker, starts_at=timezone.now() + dt.timedelta(days=2)
    )


@leak_factory(Attendance)
def attendance(grid: str, marker: str, world):
    parent = Course.objects.create(area_code=grid, title=marker, topic="law", hours=3)
    session = TrainingSession.objects.create(
        area_code=grid, course=parent, place="社区会议室", starts_at=timezone.now() - dt.timedelta(days=2)
    )
    worker = make_user(grid, marker + "W", world)
    return Attendance.objects.create(area_code=grid, session=session, user=worker, attended=True)
