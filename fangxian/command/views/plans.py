"""Command app: plans (pages): list with the review state, detail, versions, write/revise, activate."""

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
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from fangxian.areas.models import Area
from fangxian.command.forms_plans import ActionFormSet, ActivateForm, PlanForm
from fangxian.command.menu import COMMAND_MENU
from fangxian.command.models import EmergencyKind, Plan, PlanVersion
from fangxian.command.selectors.plans import (
    plan_actions_grouped,
    plan_activatable_emergencies,
    plan_activations,
    plan_get,
    plan_version_actions,
    plan_versions,
)
from fangxian.command.services.plans import plan_activate, plan_create, plan_mark_reviewed, plan_revise
from fangxian.command.views.emergencies import actor_login_required, form_error, require_capability
from fangxian.core.errors import DomainError
from fangxian.core.navigation import NavItem, register_nav
from fangxian.core.scoping import Actor
from fangxian.core.views import ScopedDetailView, ScopedListView, leak_exempt

COMMUNITY_LENGTH = 12


class PlanListView(ScopedListView):
    """The plans of the actor's communities, with a badge on those overdue for review."""

    model = Plan
    capability = "plan.view"
    template_name = "command/plans/plan_list.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        hazard = self.request.GET.get("hazard", "")
        if hazard in EmergencyKind.values:
            queryset = queryset.filter(hazard=hazard)
        if self.request.GET.get("overdue") == "1":
            queryset = queryset.filter(review_due_on__lte=timezone.localdate())
        return queryset.select_related("current_version").order_by("area_code", "hazard", "title", "pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_manage"] = self.request.actor.can("plan.manage")
        context["hazards"] = EmergencyKind.choices
        context["hazard"] = self.request.GET.get("hazard", "")
        context["overdue"] = self.request.GET.get("overdue") == "1"
        return context


class PlanDetailView(ScopedDetailView):
    """One plan: the current version's text and checklist by level and duty, history, activations."""

    model = Plan
    capability = "plan.view"
    template_name = "command/plans/plan_detail.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("current_version", "current_version__created_by")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        actor = self.request.actor
        plan: Plan = self.object
        actions = plan_version_actions(actor=actor, version=plan.current_version)
        context["version"] = plan.current_version
        context["groups"] = plan_actions_grouped(actions)
        context["action_count"] = len(actions)
        context["versions"] = plan_versions(actor=actor, plan=plan)
        context["activations"] = plan_activations(actor=actor, plan=plan)
        context["can_manage"] = actor.can("plan.manage") and actor.reaches(plan.area_code)
        context["emergencies"] = (
            plan_activatable_emergencies(actor=actor, plan=plan) if actor.can("plan.activate") else []
        )
        return context


class PlanVersionDetailView(ScopedDetailView):
    """One version of a plan as it was written: text, checklist, who wrote it and what changed."""

    model = PlanVersion
    capability = "plan.view"
    template_name = "command/plans/version_detail.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("plan", "created_by")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["groups"] = plan_actions_grouped(plan_version_actions(actor=self.request.actor, version=self.object))
        return context


def _communities(actor: Actor) -> list[Area]:
    return [
        area
        for area in Area.objects.visible_to(actor).filter(level=COMMUNITY_LENGTH).order_by("code")[:500]
        if actor.reaches(area.code)
    ]


def _show_error(form: PlanForm, formset: Any, error: Exception) -> None:
    if isinstance(error, DomainError) and error.field == "actions" and error.params.get("index"):
        formset.add_action_error(error.params["index"], str(error.message))
    elif isinstance(error, DomainError) and error.field == "actions":
        formset.add_action_error(0, str(error.message))
    else:
        form_error(form, error)


@leak_exempt("form: writes through plan_create, which refuses communities outside the actor's reach")
@actor_login_required
def plan_create_view(request: HttpRequest) -> HttpResponse:
    actor = require_capability(request, "plan.manage")
    form = PlanForm(request.POST or None, areas=_communities(actor))
    formset = ActionFormSet(request.POST or None, prefix="actions")
    if request.method == "POST":
        if form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            try:
                plan = plan_create(
                    actor=actor,
                    area_code=data["area_code"],
                    hazard=data["hazard"],
                    title=data["title"],
                    review_interval_days=data["review_interval_days"],
                    body=data["body"],
                    actions=formset.actions(),
                )
            except (DomainError, ValidationError) as error:
                _show_error(form, formset, error)
            else:
                messages.success(request, _("Plan written: %(title)s.") % {"title": plan.title})
                return redirect("command:plan", pk=plan.pk)
        return render(request, "command/plans/plan_form.html", {"form": form, "formset": formset}, status=400)
    return render(request, "command/plans/plan_form.html", {"form": form, "formset": formset})


@leak_exempt("form: the plan is loaded through visible_to (404 elsewhere); covered by test_plans_views")
@actor_login_required
def plan_revise_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = require_capability(request, "plan.manage")
    plan = plan_get(actor=actor, plan_id=pk)
    current = plan_version_actions(actor=actor, version=plan.current_version)
    initial_actions = [
        {
            "duty": a.duty,
            "duty_label": a.duty_label,
            "level": a.level,
            "title": a.title,
            "description": a.description,
            "deadline_minutes": a.deadline_minutes,
            "priority": a.priority,
        }
        for a in sorted(current, key=lambda a: (a.order, a.pk))
    ]
    form = PlanForm(
        request.POST or None,
        revising=True,
        initial={
            "title": plan.title,
            "review_interval_days": plan.review_interval_days,
            "body": plan.current_version.body if plan.current_version else "",
        },
    )
    formset = ActionFormSet(request.POST or None, prefix="actions", initial=initial_actions)
    context = {"form": form, "formset": formset, "plan": plan}
    if request.method == "POST":
        if form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            try:
                version = plan_revise(
                    actor=actor,
                    plan=plan,
                    change_note=data["change_note"],
                    body=data["body"],
                    actions=formset.actions(),
                    title=data["title"],
                    review_interval_days=data["review_interval_days"],
                )
            except (DomainError, ValidationError) as error:
                _show_error(form, formset, error)
            else:
                messages.success(request, _("Version %(n)d written.") % {"n": version.number})
                return redirect("command:plan", pk=plan.pk)
        return render(request, "command/plans/plan_form.html", context, status=400)
    return render(request, "command/plans/plan_form.html", context)


@leak_exempt("POST only: marks reviewed a plan loaded through visible_to (404 elsewhere)")
@actor_login_required
@require_POST
def plan_reviewed_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = require_capability(request, "plan.manage")
    plan = plan_get(actor=actor, plan_id=pk)
    try:
        plan_mark_reviewed(actor=actor, plan=plan)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Marked as reviewed today."))
    return redirect("command:plan", pk=plan.pk)


@leak_exempt("form: the plan and emergencies are loaded through visible_to (404 elsewhere)")
@actor_login_required
def plan_activate_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = require_capability(request, "plan.activate")
    plan = plan_get(actor=actor, plan_id=pk)
    emergencies = plan_activatable_emergencies(actor=actor, plan=plan)
    initial = {"emergency": request.GET.get("emergency")} if request.GET.get("emergency", "").isdigit() else {}
    form = ActivateForm(request.POST or None, emergencies=emergencies, initial=initial)
    actions = plan_version_actions(actor=actor, version=plan.current_version)
    preview = [{"emergency": e, "count": sum(1 for a in actions if a.level >= e.level)} for e in emergencies]
    context = {"form": form, "plan": plan, "preview": preview, "emergencies": emergencies}
    if request.method == "POST":
        if form.is_valid():
            try:
                activation = plan_activate(actor=actor, plan=plan, emergency=form.cleaned_data["emergency"])
            except (DomainError, ValidationError) as error:
                form_error(form, error)
            else:
                messages.success(
                    request,
                    ngettext(
                        "Plan activated: %(n)d task created.",
                        "Plan activated: %(n)d tasks created.",
                        activation.task_count,
                    )
                    % {"n": activation.task_count},
                )
                return redirect("command:emergency", pk=activation.emergency_id)
        return render(request, "command/plans/plan_activate.html", context, status=400)
    return render(request, "command/plans/plan_activate.html", context)


urlpatterns = [
    path("plans/", PlanListView.as_view(), name="plans"),
    path("plans/new/", plan_create_view, name="plan-create"),
    path("plans/<int:pk>/", PlanDetailView.as_view(), name="plan"),
    path("plans/<int:pk>/revise/", plan_revise_view, name="plan-revise"),
    path("plans/<int:pk>/reviewed/", plan_reviewed_view, name="plan-reviewed"),
    path("plans/<int:pk>/activate/", plan_activate_view, name="plan-activate"),
    path("plans/versions/<int:pk>/", PlanVersionDetailView.as_view(), name="plan-version"),
]

register_nav(NavItem(gettext_lazy("Plans"), "command:plans", "plan.view", 24, group=COMMAND_MENU))
