"""Command app: emergencies (pages), and the banner of the active emergency on every page."""

from __future__ import annotations

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

from fangxian.command.forms_emergencies import EmergencyDeclareForm, EmergencyEndForm, EmergencyLevelForm
from fangxian.command.menu import COMMAND_MENU
from fangxian.command.models import Emergency
from fangxian.command.selectors.emergencies import (
    can_declare_over,
    declarable_areas,
    emergency_banner,
    emergency_get,
    emergency_level_history,
    emergency_plan_activations,
)
from fangxian.command.services.emergencies import emergency_declare, emergency_end, emergency_level_change
from fangxian.core.errors import DomainError, NotFound
from fangxian.core.errors import PermissionDenied as DomainPermissionDenied
from fangxian.core.navigation import NavItem, register_nav
from fangxian.core.panels import register_page_banner
from fangxian.core.scoping import Actor
from fangxian.core.views import ScopedDetailView, ScopedListView, leak_exempt


def form_error(form: forms.BaseForm, error: Exception) -> None:
    """A service's refusal as a form error; not-found and forbidden become the 404 and 403 pages."""
    if isinstance(error, NotFound):
        raise Http404(str(error.message))
    if isinstance(error, DomainPermissionDenied):
        raise DjangoPermissionDenied(str(error.message))
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            for name, items in error.message_dict.items():
                form.add_error(name if name in form.fields else None, items)
        else:
            form.add_error(None, error.messages)
        return
    assert isinstance(error, DomainError)
    form.add_error(error.field if error.field in form.fields else None, str(error.message))


def require_capability(request: HttpRequest, capability: str) -> Actor:
    """Login and the capability, before anything is loaded (a 403 says nothing about existence)."""
    actor = request.actor
    if not actor.is_authenticated:
        raise Http404
    if not actor.can(capability):
        raise DjangoPermissionDenied(_("Your role does not allow this."))
    return actor


def actor_login_required(view):
    from functools import wraps

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated or not request.actor.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped


def can_manage(actor: Actor, emergency: Emergency) -> bool:
    return (
        actor.can("emergency.manage")
        and actor.reaches(emergency.area_code)
        and can_declare_over(actor, emergency.area_code)
    )


class EmergencyListView(ScopedListView):
    """Emergencies of the actor's areas and those declared above them, active ones first."""

    model = Emergency
    capability = "emergency.view"
    template_name = "command/emergencies/emergency_list.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        state = self.request.GET.get("state", "")
        if state == "active":
            queryset = queryset.filter(ended_at__isnull=True)
        elif state == "ended":
            queryset = queryset.filter(ended_at__isnull=False)
        active_first = Case(When(ended_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField())
        return queryset.annotate(active_rank=active_first).order_by("active_rank", "-started_at", "-pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        actor = self.request.actor
        context["state"] = self.request.GET.get("state", "")
        context["can_declare"] = actor.can("emergency.manage") and bool(declarable_areas(actor=actor, limit=1))
        return context


class EmergencyDetailView(ScopedDetailView):
    """One emergency: its level history, the plans activated for it, and the commander's actions."""

    model = Emergency
    capability = "emergency.view"
    template_name = "command/emergencies/emergency_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from fangxian.command.selectors.plans import plan_list

        context = super().get_context_data(**kwargs)
        actor = self.request.actor
        emergency: Emergency = self.object
        context["history"] = emergency_level_history(actor=actor, emergency=emergency)
        context["activations"] = emergency_plan_activations(actor=actor, emergency=emergency)
        context["can_manage"] = emergency.is_active and can_manage(actor, emergency)
        if context["can_manage"]:
            context["level_form"] = EmergencyLevelForm(initial={"level": emergency.level})
            context["end_form"] = EmergencyEndForm()
        context["plans"] = []
        if emergency.is_active and actor.can("plan.activate"):
            context["plans"] = [
                plan
                for plan in plan_list(actor=actor).filter(hazard__in=[emergency.kind, "other"])[:50]
                if emergency.covers(plan.area_code)
            ]
        return context


@leak_exempt("declaration form: writes through emergency_declare, which refuses areas outside the actor's reach")
@actor_login_required
def emergency_declare_view(request: HttpRequest) -> HttpResponse:
    actor = require_capability(request, "emergency.manage")
    areas = declarable_areas(actor=actor)
    form = EmergencyDeclareForm(request.POST or None, areas=areas)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                emergency = emergency_declare(
                    actor=actor,
                    area_code=data["area_code"],
                    kind=data["kind"],
                    level=data["level"],
                    title=data["title"],
                    description=data["description"],
                    started_at=data["started_at"],
                )
            except (DomainError, ValidationError) as error:
                form_error(form, error)
            else:
                messages.success(request, _("Emergency declared: %(title)s.") % {"title": emergency.title})
                return redirect("command:emergency", pk=emergency.pk)
        return render(request, "command/emergencies/emergency_declare.html", {"form": form}, status=400)
    return render(request, "command/emergencies/emergency_declare.html", {"form": form, "no_area": not areas})


@leak_exempt("level form: the emergency is loaded through visible_to (404 elsewhere); covered by view tests")
@actor_login_required
def emergency_level_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = require_capability(request, "emergency.manage")
    emergency = emergency_get(actor=actor, emergency_id=pk)
    form = EmergencyLevelForm(request.POST or None, initial={"level": emergency.level})
    if request.method == "POST":
        if form.is_valid():
            try:
                emergency_level_change(
                    actor=actor,
                    emergency=emergency,
                    level=form.cleaned_data["level"],
                    reason=form.cleaned_data["reason"],
                )
            except (DomainError, ValidationError) as error:
                form_error(form, error)
            else:
                messages.success(request, _("The level is changed."))
                return redirect("command:emergency", pk=emergency.pk)
        return render(
            request, "command/emergencies/emergency_level.html", {"form": form, "emergency": emergency}, status=400
        )
    return render(request, "command/emergencies/emergency_level.html", {"form": form, "emergency": emergency})


@leak_exempt("POST only: ends an emergency loaded through visible_to (404 elsewhere)")
@actor_login_required
@require_POST
def emergency_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = require_capability(request, "emergency.manage")
    form = EmergencyEndForm(request.POST)
    emergency = emergency_get(actor=actor, emergency_id=pk)
    if form.is_valid():
        try:
            emergency_end(actor=actor, emergency=emergency, note=form.cleaned_data["note"])
        except (DomainError, ValidationError) as error:
            form_error(form, error)
        else:
            messages.success(request, _("The emergency has ended."))
            return redirect("command:emergency", pk=emergency.pk)
    for error in form.non_field_errors() + form.errors.get("note", []):
        messages.error(request, error)
    return redirect("command:emergency", pk=emergency.pk)


urlpatterns = [
    path("emergencies/", EmergencyListView.as_view(), name="emergencies"),
    path("emergencies/declare/", emergency_declare_view, name="emergency-declare"),
    path("emergencies/<int:pk>/", EmergencyDetailView.as_view(), name="emergency"),
    path("emergencies/<int:pk>/level/", emergency_level_view, name="emergency-level"),
    path("emergencies/<int:pk>/end/", emergency_end_view, name="emergency-end"),
]

register_nav(NavItem(gettext_lazy("Emergencies"), "command:emergencies", "emergency.view", 20, group=COMMAND_MENU))
register_page_banner(emergency_banner)
