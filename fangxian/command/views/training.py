"""Command app: training (pages). Courses, sessions with the attendance checklist, workers' records."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fangxian.accounts.models import User
from fangxian.command.forms_training import AttendanceForm, CourseForm, SessionForm
from fangxian.command.menu import COMMAND_MENU
from fangxian.command.models import Course, CourseTopic, TrainingSession
from fangxian.command.selectors.drills import capability_reaches
from fangxian.command.selectors.training import (
    course_get,
    course_sessions,
    session_attendance,
    session_get,
    training_manage_areas,
    training_record,
    training_record_users,
    training_session_areas,
    training_workers,
    upcoming_sessions,
    worker_hours,
)
from fangxian.command.services.training import attendance_mark, course_create, training_session_create
from fangxian.command.views.drills import (
    actor_login_required,
    error_messages,
    form_error,
    form_messages,
    require_capability,
)
from fangxian.core.errors import DomainError
from fangxian.core.navigation import NavItem, register_nav
from fangxian.core.views import ScopedDetailView, ScopedListView, leak_exempt


class CourseListView(ScopedListView):
    """Courses open to the actor's workers (their own areas' and those of the areas above), and what comes next."""

    model = Course
    capability = "training.view"
    template_name = "command/training/course_list.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        topic = self.request.GET.get("topic", "")
        if topic in CourseTopic.values:
            queryset = queryset.filter(topic=topic)
        return queryset.order_by("title", "pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        actor = self.request.actor
        context.update(
            topic=self.request.GET.get("topic", ""),
            topics=CourseTopic.choices,
            upcoming=upcoming_sessions(actor=actor),
            can_manage=bool(training_manage_areas(actor=actor)),
            has_record=actor.user is not None,
        )
        return context


@leak_exempt("course form: lists the actor's own areas; writes through course_create")
@actor_login_required
def course_create_view(request: HttpRequest) -> HttpResponse:
    actor = require_capability(request, "training.manage")
    areas = training_manage_areas(actor=actor)
    form = CourseForm(request.POST or None, areas=areas)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                course = course_create(
                    actor=actor,
                    area_code=data["area_code"],
                    title=data["title"],
                    topic=data["topic"],
                    hours=data["hours"],
                    description=data["description"],
                )
            except (DomainError, ValidationError) as error:
                form_error(form, error)
            else:
                messages.success(request, _("Course created: %(title)s.") % {"title": course.title})
                return redirect("command:training-course", pk=course.pk)
        return render(request, "command/training/course_form.html", {"form": form}, status=400)
    return render(request, "command/training/course_form.html", {"form": form})


class CourseDetailView(ScopedDetailView):
    model = Course
    capability = "training.view"
    template_name = "command/training/course_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        actor = self.request.actor
        context["sessions"] = course_sessions(actor=actor, course=self.object)[:100]
        areas = training_session_areas(actor=actor, course=self.object) if actor.can("training.manage") else []
        context["session_form"] = SessionForm(areas=areas) if areas else None
        return context


@leak_exempt("POST only: adds a session to a course loaded through visible_to (training_session_create)")
@actor_login_required
@require_POST
def session_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = require_capability(request, "training.manage")
    course = course_get(actor=actor, course_id=pk)
    form = SessionForm(request.POST, areas=training_session_areas(actor=actor, course=course))
    if form.is_valid():
        data = form.cleaned_data
        try:
            session = training_session_create(
                actor=actor,
                course_id=course.pk,
                starts_at=data["starts_at"],
                place=data["place"],
                trainer=data["trainer"],
                area_code=data["area_code"],
            )
        except (DomainError, ValidationError) as error:
            error_messages(request, error)
        else:
            messages.success(request, _("Session added."))
            return redirect("command:training-session", pk=session.pk)
    else:
        form_messages(request, form)
    return redirect("command:training-course", pk=course.pk)


class SessionDetailView(ScopedDetailView):
    """One session: who attended, and for its organisers the checklist of the area's workers."""

    model = TrainingSession
    capability = "training.view"
    template_name = "command/training/session_detail.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("course")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        actor = self.request.actor
        session: TrainingSession = self.object
        rows = session_attendance(actor=actor, session=session)
        can_mark = capability_reaches(actor, "training.manage", session.area_code)
        context.update(
            rows=rows,
            attended=[row for row in rows if row["attended"]],
            can_mark=can_mark,
            started=session.starts_at <= timezone.now(),
        )
        return context


@leak_exempt("POST only: marks attendance of a session loaded through visible_to (attendance_mark)")
@actor_login_required
@require_POST
def attendance_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = require_capability(request, "training.manage")
    session = session_get(actor=actor, session_id=pk)
    form = AttendanceForm(request.POST, workers=training_workers(actor=actor, area_code=session.area_code))
    if form.is_valid():
        try:
            counts = attendance_mark(actor=actor, session_id=session.pk, present_user_ids=form.cleaned_data["present"])
        except (DomainError, ValidationError) as error:
            error_messages(request, error)
        else:
            messages.success(request, _("Attendance saved: %(present)d present, %(absent)d absent.") % counts)
    else:
        form_messages(request, form)
    return redirect("command:training-session", pk=session.pk)


class WorkerListView(ScopedListView):
    """The workers whose training the actor follows, with the hours each has attended."""

    model = User
    capability = "training.manage"
    template_name = "command/training/worker_list.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return training_record_users(actor=self.request.actor, queryset=queryset).order_by("display_name", "username")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        workers = list(context["object_list"])
        hours = worker_hours(actor=self.request.actor, user_ids=[w.pk for w in workers])
        context["workers"] = [{"user": w, "hours": hours.get(w.pk, 0)} for w in workers]
        return context


class WorkerRecordView(ScopedDetailView):
    """A worker's training record: hours per topic and the sessions attended. Their own, or their workers'."""

    model = User
    capability = "training.view"
    template_name = "command/training/worker_record.html"
    context_object_name = "worker"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return training_record_users(actor=self.request.actor, queryset=queryset)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["record"] = training_record(actor=self.request.actor, user_id=self.object.pk)
        return context


@leak_exempt("redirects to the actor's own record")
@actor_login_required
def my_record_view(request: HttpRequest) -> HttpResponse:
    require_capability(request, "training.view")
    return redirect("command:training-worker", pk=request.user.pk)


register_nav(NavItem(gettext_lazy("Training"), "command:training", "training.view", 54, group=COMMAND_MENU))

urlpatterns = [
    path("training/", CourseListView.as_view(), name="training"),
    path("training/courses/new/", course_create_view, name="training-course-new"),
    path("training/courses/<int:pk>/", CourseDetailView.as_view(), name="training-course"),
    path("training/courses/<int:pk>/sessions/", session_create_view, name="training-session-new"),
    path("training/sessions/<int:pk>/", SessionDetailView.as_view(), name="training-session"),
    path("training/sessions/<int:pk>/attendance/", attendance_view, name="training-attendance"),
    path("training/workers/", WorkerListView.as_view(), name="training-workers"),
    path("training/workers/<int:pk>/", WorkerRecordView.as_view(), name="training-worker"),
    path("training/record/", my_record_view, name="training-my-record"),
]
