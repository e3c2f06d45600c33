"""Checkpoints: pages of the gates part (routes collected by fangxian/checkpoints/urls.py).

The commander sets the community's gates up (name, kind, location, hours), puts guards on shifts,
and sets what the gates enforce at each emergency level. Community workers and officials read.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from fangxian.accounts.models import RoleAssignment
from fangxian.areas.models import Area
from fangxian.checkpoints.forms import CheckpointForm, GatePolicyForm, GuardShiftForm
from fangxian.checkpoints.menu import CHECKPOINTS_MENU
from fangxian.checkpoints.models import Checkpoint, GatePolicy, GuardShift
from fangxian.checkpoints.models.gates import COMMUNITY_LENGTH, default_fever_celsius
from fangxian.checkpoints.services.gates import (
    checkpoint_create,
    checkpoint_update,
    gate_policy_set,
    guard_shift_add,
    guard_shift_remove,
)
from fangxian.checkpoints.views.passes import apply_error
from fangxian.command.models import EmergencyLevel
from fangxian.core.errors import DomainError
from fangxian.core.navigation import NavItem, register_nav
from fangxian.core.roles import Role
from fangxian.core.views import ActorRequiredMixin, ScopedDetailView, ScopedListView, leak_exempt

AREA_CHOICES_LIMIT = 300


def on_duty_prefetch(now: dt.datetime) -> Prefetch:
    """The shifts running now, with their guard: one query for a whole list of checkpoints."""
    return Prefetch(
        "shifts",
        queryset=GuardShift.objects.filter(starts_at__lte=now, ends_at__gt=now).select_related("guard"),
        to_attr="on_duty",
    )


def guard_choices(checkpoint: Checkpoint) -> list[tuple[int, str]]:
    """Users holding the guard role over the checkpoint's community (the service checks it again)."""
    codes = [checkpoint.area_code[:n] for n in (2, 4, 6, 9, 12, 15) if n <= len(checkpoint.area_code)]
    grants = (
        RoleAssignment.objects.filter(role=Role.GUARD, area_code__in=codes, active=True)
        .select_related("user")
        .order_by("user__username")[:200]
    )
    seen: dict[int, str] = {}
    for grant in grants:
        seen.setdefault(grant.user_id, grant.user.get_full_name() or grant.user.username)
    return list(seen.items())


class CheckpointListView(ScopedListView):
    """The gates of the jurisdiction: kind, hours, who is on duty now."""

    model = Checkpoint
    capability = "checkpoint.view"
    template_name = "checkpoints/gates/checkpoint_list.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.prefetch_related(on_duty_prefetch(timezone.now())).order_by("area_code", "name", "id")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_manage"] = self.request.actor.can("checkpoint.manage")
        return context


class CheckpointDetailView(ScopedDetailView):
    """One gate: its settings, shifts now and coming, forms to add or remove a shift."""

    model = Checkpoint
    capability = "checkpoint.view"
    template_name = "checkpoints/gates/checkpoint_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        checkpoint = self.object
        context["checkpoint"] = checkpoint
        context["shifts"] = list(
            GuardShift.objects.visible_to(self.request.actor)
            .filter(checkpoint=checkpoint, ends_at__gt=now - dt.timedelta(days=1))
            .select_related("guard")
            .order_by("starts_at", "id")[:100]
        )
        context["now"] = now
        can_manage = self.request.actor.can("checkpoint.manage")
        context["can_manage"] = can_manage
        if can_manage:
            start = timezone.localtime(now).replace(minute=0, second=0, microsecond=0)
            context.setdefault(
                "shift_form",
                GuardShiftForm(
                    guards=guard_choices(checkpoint),
                    initial={"starts_at": start, "ends_at": start + dt.timedelta(hours=8)},
                ),
            )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        if not request.actor.can("checkpoint.manage"):
            raise DjangoPermissionDenied(_("Your role may not change the gates."))
        if request.POST.get("action") == "remove_shift":
            try:
                shift_id = int(request.POST.get("shift", ""))
            except ValueError:
                messages.error(request, _("Choose the shift to remove."))
                return redirect("checkpoints:checkpoint_detail", pk=self.object.pk)
            try:
                guard_shift_remove(actor=request.actor, shift_id=shift_id)
            except DomainError as error:
                messages.error(request, str(error.message))
            else:
                messages.success(request, _("The shift was removed."))
            return redirect("checkpoints:checkpoint_detail", pk=self.object.pk)
        form = GuardShiftForm(request.POST, guards=guard_choices(self.object))
        if form.is_valid():
            try:
                guard_shift_add(
                    actor=request.actor,
                    checkpoint_id=self.object.pk,
                    guard=form.cleaned_data["guard"],
                    starts_at=form.cleaned_data["starts_at"],
                    ends_at=form.cleaned_data["ends_at"],
                )
            except (DomainError, ValidationError) as error:
                apply_error(form, error)
            else:
                messages.success(request, _("The guard was put on duty."))
                return redirect("checkpoints:checkpoint_detail", pk=self.object.pk)
        return self.render_to_response(self.get_context_data(shift_form=form), status=400)


def area_choices(request: HttpRequest) -> list[tuple[str, str]]:
    areas = (
        Area.objects.visible_to(request.actor)
        .filter(level__gte=COMMUNITY_LENGTH)
        .order_by("code")
        .values_list("code", "name")[:AREA_CHOICES_LIMIT]
    )
    return [(code, f"{name} ({code})") for code, name in areas]


@leak_exempt("form that writes through checkpoint_create, which checks the area against the actor's reach")
class CheckpointCreateView(ActorRequiredMixin, View):
    capability = "checkpoint.manage"
    template_name = "checkpoints/gates/checkpoint_form.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = CheckpointForm(areas=area_choices(request))
        return render(request, self.template_name, {"form": form, "creating": True})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CheckpointForm(request.POST, areas=area_choices(request))
        if form.is_valid():
            try:
                checkpoint = checkpoint_create(actor=request.actor, **form.cleaned_data)
            except (DomainError, ValidationError) as error:
                apply_error(form, error)
            else:
                messages.success(request, _("The checkpoint was set up."))
                return redirect("checkpoints:checkpoint_detail", pk=checkpoint.pk)
        return render(request, self.template_name, {"form": form, "creating": True}, status=400)


class CheckpointEditView(ScopedDetailView):
    """Change a gate's name, kind, location, hours, or take it out of service."""

    model = Checkpoint
    capability = "checkpoint.manage"
    template_name = "checkpoints/gates/checkpoint_form.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        c = self.object
        initial = {f: getattr(c, f) for f in ("name", "kind", "location", "opens_at", "closes_at", "active")}
        context.setdefault("form", CheckpointForm(initial=initial, editing=True))
        context["checkpoint"] = c
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        form = CheckpointForm(request.POST, editing=True)
        if form.is_valid():
            try:
                checkpoint_update(actor=request.actor, checkpoint_id=self.object.pk, **form.cleaned_data)
            except (DomainError, ValidationError) as error:
                apply_error(form, error)
            else:
                messages.success(request, _("The checkpoint was changed."))
                return redirect("checkpoints:checkpoint_detail", pk=self.object.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


def policy_rows(policies: dict[int, GatePolicy]) -> list[dict[str, Any]]:
    return [{"level": value, "label": label, "policy": policies.get(value)} for value, label in EmergencyLevel.choices]


class GatePolicyListView(ScopedListView):
    """The communities of the jurisdiction with what their gates enforce at each emergency level."""

    model = Area
    capability = "checkpoint.view"
    template_name = "checkpoints/gates/policy_list.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.filter(level=COMMUNITY_LENGTH).order_by("code")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        communities = list(context["object_list"])
        codes = [area.code for area in communities]
        by_area: dict[str, dict[int, GatePolicy]] = {}
        for policy in GatePolicy.objects.visible_to(self.request.actor).filter(area_code__in=codes):
            by_area.setdefault(policy.area_code, {})[policy.level] = policy
        context["communities"] = [{"area": a, "levels": policy_rows(by_area.get(a.code, {}))} for a in communities]
        return context


class GatePolicyDetailView(ScopedDetailView):
    """A community's gate policy for each emergency level, each editable by the commander."""

    model = Area
    capability = "checkpoint.view"
    slug_field = "code"
    slug_url_kwarg = "code"
    template_name = "checkpoints/gates/policy_detail.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.filter(level=COMMUNITY_LENGTH)

    def policies(self) -> dict[int, GatePolicy]:
        rows = GatePolicy.objects.visible_to(self.request.actor).filter(area_code=self.object.code)
        return {policy.level: policy for policy in rows}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        failed: tuple[int, GatePolicyForm] | None = kwargs.get("failed")
        can_manage = self.request.actor.can("checkpoint.manage")
        rows = policy_rows(self.policies())
        for row in rows:
            if failed and failed[0] == row["level"]:
                row["form"] = failed[1]
            elif can_manage:
                policy = row["policy"]
                initial = (
                    {name: getattr(policy, name) for name in GatePolicyForm.base_fields}
                    if policy
                    else {"fever_celsius": default_fever_celsius(), "quota_days": 1, "quota_persons": 0}
                )
                row["form"] = GatePolicyForm(initial=initial, prefix=f"l{row['level']}")
        context["community"] = self.object
        context["rows"] = rows
        context["can_manage"] = can_manage
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        if not request.actor.can("checkpoint.manage"):
            raise DjangoPermissionDenied(_("Your role may not change the gate policies."))
        try:
            level = int(request.POST.get("level", ""))
        except ValueError:
            level = 0
        if level not in EmergencyLevel.values:
            messages.error(request, _("Choose an emergency level (I to IV)."))
            return redirect("checkpoints:policy_detail", code=self.object.code)
        form = GatePolicyForm(request.POST, prefix=f"l{level}")
        if form.is_valid():
            try:
                gate_policy_set(actor=request.actor, community_code=self.object.code, level=level, **form.cleaned_data)
            except (DomainError, ValidationError) as error:
                apply_error(form, error)
            else:
                messages.success(request, _("The gate policy was saved."))
                return redirect("checkpoints:policy_detail", code=self.object.code)
        return self.render_to_response(self.get_context_data(failed=(level, form)), status=400)


register_nav(
    NavItem(gettext_lazy("Checkpoints"), "checkpoints:checkpoints", "checkpoint.view", 56, group=CHECKPOINTS_MENU),
    NavItem(gettext_lazy("Gate policies"), "checkpoints:policies", "checkpoint.view", 57, group=CHECKPOINTS_MENU),
)

urlpatterns = [
    path("gates/", CheckpointListView.as_view(), name="checkpoints"),
    path("gates/new/", CheckpointCreateView.as_view(), name="checkpoint_create"),
    path("gates/<int:pk>/", CheckpointDetailView.as_view(), name="checkpoint_detail"),
    path("gates/<int:pk>/edit/", CheckpointEditView.as_view(), name="checkpoint_edit"),
    path("policies/", GatePolicyListView.as_view(), name="policies"),
    path("policies/<slug:code>/", GatePolicyDetailView.as_view(), name="policy_detail"),
]
