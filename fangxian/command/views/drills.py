"""Command app: drills (pages). List, detail (timeline, evaluation, findings), schedule form, actions.

The actions are POST-only and write through the services of `fangxian.command.services.drills`,
which load the drill through `visible_to` (404 elsewhere) and check the capability in the drill's
community. The timeline's quick add answers htmx with the timeline itself, so a worker at a gate
types a line on the phone and sees it appear.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fangxian.command.forms_drills import (
    DrillScheduleForm,
    EvaluationForm,
    FindingForm,
    FindingTaskForm,
    TimelineEntryForm,
)
from fangxian.command.menu import COMMAND_MENU
from fangxian.command.models import Drill
from fangxian.command.models.drills import DrillStatus
from fangxian.command.selectors.drills import (
    capability_reaches,
    drill_finding_get,
    drill_findings,
    drill_get,
    drill_participant_choices,
    drill_plan_choices,
    drill_timeline,
)
from fangxian.command.services.drills import (
    drill_cancel,
    drill_end,
    drill_evaluate,
    drill_finding_add,
    drill_finding_to_plan_revision,
    drill_finding_to_task,
    drill_schedule,
    drill_start,
    drill_timeline_add,
)
from fangxian.core.errors import DomainError, NotFound
from fangxian.core.errors import PermissionDenied as DomainPermissionDenied
from fangxian.core.navigation import NavItem, register_nav
from fangxian.core.scoping import Actor
from fangxian.core.views import ScopedDetailView, ScopedListView, leak_exempt

# --- helpers shared by the drill, training and report pages ----------------------------------------


def actor_login_required(view: Callable) -> Callable:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated or not request.actor.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped


def require_capability(request: HttpRequest, capability: str) -> Actor:
    """The capability, before anything is loaded (a 403 says nothing about existence)."""
    if not request.actor.can(capability):
        raise DjangoPermissionDenied(_("Your role does not allow this."))
    return request.actor


def raise_for_page(error: Exception) -> None:
    """Not-found and forbidden from a service become the 404 and 403 pages."""
    if isinstance(error, NotFound):
        raise Http404(str(error.message))
    if isinstance(error, DomainPermissionDenied):
        raise DjangoPermissionDenied(str(error.message))


def form_error(form: forms.BaseForm, error: Exception) -> None:
    """A service's refusal as a form error."""
    raise_for_page(error)
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            for name, items in error.message_dict.items():
                form.add_error(name if name in form.fields else None, items)
        else:
            form.add_error(None, error.messages)
        return
    assert isinstance(error, DomainError)
    form.add_error(error.field if error.field in form.fields else None, str(error.message))


def error_messages(request: HttpRequest, error: Exception) -> None:
    """A service's refusal of a one-button action, shown as a message on the page it redirects to."""
    raise_for_page(error)
    if isinstance(error, ValidationError):
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.error(request, str(error.message))


def form_messages(request: HttpRequest, form: forms.BaseForm) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


# --- pages -------------------------------------------------------------------------------------------


STATUS_ORDER = Case(
    When(status=DrillStatus.RUNNING, then=Value(0)),
    When(status=DrillStatus.SCHEDULED, then=Value(1)),
    When(status=DrillStatus.DONE, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


class DrillListView(ScopedListView):
    """The drills of the actor's jurisdiction: running first, then the calendar, then past ones."""

    model = Drill
    capability = "drill.view"
    template_name = "command/drills/drill_list.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        status = self.request.GET.get("status", "")
        if status in DrillStatus.values:
            queryset = queryset.filter(status=status)
        return (
            queryset.select_related("plan")
            .annotate(status_rank=STATUS_ORDER)
            .order_by("status_rank", "-scheduled_at", "-pk")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["status"] = self.request.GET.get("status", "")
        context["statuses"] = DrillStatus.choices
        context["can_schedule"] = self.request.actor.can("drill.manage")
        return context


def _people(actor: Actor, area_codes: list[str]) -> list:
    people: dict[int, Any] = {}
    for code in sorted(set(area_codes)):
        for user in drill_participant_choices(actor=actor, area_code=code):
            people[user.pk] = user
    return sorted(people.values(), key=lambda u: (str(u), u.pk))


class DrillDetailView(ScopedDetailView):
    """One drill: the timeline (with quick add while it runs), the evaluation and its findings."""

    model = Drill
    capability = "drill.view"
    template_name = "command/drills/drill_detail.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("plan", "created_by").prefetch_related("participants")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        actor = self.request.actor
        drill: Drill = self.object
        can_manage = capability_reaches(actor, "drill.manage", drill.area_code)
        is_participant = actor.user is not None and any(u.pk == actor.user.pk for u in drill.participants.all())
        findings = list(drill_findings(actor=actor, drill=drill))
        context.update(
            timeline=list(drill_timeline(actor=actor, drill=drill)),
            findings=findings,
            can_manage=can_manage,
            can_record=drill.is_running and (can_manage or is_participant),
            timeline_form=TimelineEntryForm(),
        )
        if can_manage and drill.status == DrillStatus.DONE:
            context["evaluation_form"] = EvaluationForm(initial={"went_well": drill.went_well, "gaps": drill.gaps})
            context["finding_form"] = FindingForm()
            context["can_assign"] = capability_reaches(actor, "task.assign", drill.area_code)
            context["can_revise"] = capability_reaches(actor, "plan.manage", drill.area_code)
            if context["can_assign"] and any(f.is_open for f in findings):
                people = _people(actor, [drill.area_code])
                for finding in findings:
                    if finding.is_open:
                        finding.task_form = FindingTaskForm(people=people, prefix=f"finding{finding.pk}")
        return context


@leak_exempt(
    "schedule form: lists the actor's plans and people through scoped selectors; writes through drill_schedule"
)
@actor_login_required
def drill_schedule_view(request: HttpRequest) -> HttpResponse:
    actor = require_capability(request, "drill.manage")
    plans = list(drill_plan_choices(actor=actor)[:500])
    people = _people(actor, [plan.area_code for plan in plans])
    initial = {}
    if request.GET.get("plan", "").isdigit():
        initial["plan"] = int(request.GET["plan"])
    form = DrillScheduleForm(request.POST or None, plans=plans, people=people, initial=initial)
    context = {"form": form, "no_plan": not plans}
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                drill = drill_schedule(
                    actor=actor,
                    plan_id=data["plan"],
                    scheduled_at=data["scheduled_at"],
                    scenario=data["scenario"],
                    title=data["title"],
                    participant_ids=data["participants"],
                    other_participants=data["other_participants"],
                )
            except (DomainError, ValidationError) as error:
                form_error(form, error)
            else:
                messages.success(request, _("Drill scheduled: %(title)s.") % {"title": drill.title})
                return redirect("command:drill", pk=drill.pk)
        return render(request, "command/drills/drill_schedule.html", context, status=400)
    return render(request, "command/drills/drill_schedule.html", context)


def _action(service: Callable, done: str) -> Callable:
    @leak_exempt("POST only: a drill action through its service, which loads the drill through visible_to")
    @actor_login_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        try:
            service(actor=request.actor, drill_id=pk)
        except (DomainError, ValidationError) as error:
            error_messages(request, error)
        else:
            messages.success(request, str(done))
        return redirect("command:drill", pk=pk)

    return view


drill_start_view = _action(drill_start, gettext_lazy("The drill has started. Record what happens as it happens."))
drill_end_view = _action(drill_end, gettext_lazy("The drill has ended. Evaluate it below."))
drill_cancel_view = _action(drill_cancel, gettext_lazy("The drill is cancelled."))


@leak_exempt("POST only: adds to the timeline of a drill loaded through visible_to; answers htmx with that timeline")
@actor_login_required
@require_POST
def drill_timeline_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor
    form = TimelineEntryForm(request.POST)
    if form.is_valid():
        try:
            drill_timeline_add(actor=actor, drill_id=pk, text=form.cleaned_data["text"])
        except (DomainError, ValidationError) as error:
            form_error(form, error)
        else:
            form = TimelineEntryForm()
    if not request.htmx:
        if form.errors:
            form_messages(request, form)
        return redirect("command:drill", pk=pk)
    drill = drill_get(actor=actor, drill_id=pk)
    # 200 even with an error: htmx swaps only successful answers, and the form must show it.
    return render(
        request,
        "command/drills/_timeline.html",
        {
            "object": drill,
            "timeline": list(drill_timeline(actor=actor, drill=drill)),
            "timeline_form": form,
            "can_record": drill.is_running,
        },
    )


@leak_exempt("POST only: evaluates a drill loaded through visible_to by drill_evaluate")
@actor_login_required
@require_POST
def drill_evaluate_view(request: HttpRequest, pk: int) -> HttpResponse:
    form = EvaluationForm(request.POST)
    if form.is_valid():
        try:
            drill_evaluate(
                actor=request.actor,
                drill_id=pk,
                went_well=form.cleaned_data["went_well"],
                gaps=form.cleaned_data["gaps"],
                findings=form.finding_lines(),
            )
        except (DomainError, ValidationError) as error:
            error_messages(request, error)
        else:
            messages.success(request, _("The evaluation is saved."))
    else:
        form_messages(request, form)
    return redirect("command:drill", pk=pk)


@leak_exempt("POST only: adds a finding to a drill loaded through visible_to by drill_finding_add")
@actor_login_required
@require_POST
def drill_finding_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    form = FindingForm(request.POST)
    if form.is_valid():
        try:
            drill_finding_add(actor=request.actor, drill_id=pk, text=form.cleaned_data["text"])
        except (DomainError, ValidationError) as error:
            error_messages(request, error)
    else:
        form_messages(request, form)
    return redirect("command:drill", pk=pk)


@leak_exempt("POST only: turns a finding loaded through visible_to into a task (drill_finding_to_task)")
@actor_login_required
@require_POST
def drill_finding_task_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor
    finding = drill_finding_get(actor=actor, finding_id=pk)
    people = _people(actor, [finding.area_code])
    form = FindingTaskForm(request.POST, people=people, prefix=f"finding{pk}")
    if form.is_valid():
        try:
            task = drill_finding_to_task(
                actor=actor,
                finding_id=pk,
                assignee_ids=form.cleaned_data["assignees"],
                due_at=form.cleaned_data["due_at"],
                priority=form.cleaned_data["priority"],
            )
        except (DomainError, ValidationError) as error:
            error_messages(request, error)
        else:
            messages.success(request, _("Task created: %(title)s.") % {"title": task.title})
    else:
        form_messages(request, form)
    return redirect("command:drill", pk=finding.drill_id)


@leak_exempt("POST only: turns a finding loaded through visible_to into a plan revision")
@actor_login_required
@require_POST
def drill_finding_revise_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor
    finding = drill_finding_get(actor=actor, finding_id=pk)
    try:
        version = drill_finding_to_plan_revision(actor=actor, finding_id=pk)
    except (DomainError, ValidationError) as error:
        error_messages(request, error)
    else:
        messages.success(
            request,
            _("Version %(number)d of the plan is written with this finding. Edit it on the plan's page.")
            % {"number": version.number},
        )
    return redirect("command:drill", pk=finding.drill_id)


register_nav(NavItem(gettext_lazy("Drills"), "command:drills", "drill.view", 52, group=COMMAND_MENU))

urlpatterns = [
    path("drills/", DrillListView.as_view(), name="drills"),
    path("drills/new/", drill_schedule_view, name="drill-schedule"),
    path("drills/<int:pk>/", DrillDetailView.as_view(), name="drill"),
    path("drills/<int:pk>/start/", drill_start_view, name="drill-start"),
    path("drills/<int:pk>/end/", drill_end_view, name="drill-end"),
    path("drills/<int:pk>/cancel/", drill_cancel_view, name="drill-cancel"),
    path("drills/<int:pk>/timeline/", drill_timeline_view, name="drill-timeline"),
    path("drills/<int:pk>/evaluate/", drill_evaluate_view, name="drill-evaluate"),
    path("drills/<int:pk>/findings/", drill_finding_add_view, name="drill-finding-add"),
    path("drills/findings/<int:pk>/task/", drill_finding_task_view, name="drill-finding-task"),
    path("drills/findings/<int:pk>/revise/", drill_finding_revise_view, name="drill-finding-revise"),
]
