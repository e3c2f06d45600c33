"""Registry: care of vulnerable residents (pages).

Community staff see the care plans of their jurisdiction, plan care for a tagged resident, hand a
plan to another visitor, change how often they visit or end it; a grid worker opens "my overdue
visits" on a phone, taps a plan and records the visit.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangxian.accounts.models import RoleAssignment, User
from fangxian.core.errors import DomainError
from fangxian.core.errors import PermissionDenied as DomainPermissionDenied
from fangxian.core.exports import ExportColumn
from fangxian.core.navigation import NavItem, register_nav
from fangxian.core.views import ScopedDetailView, ScopedListView
from fangxian.registry import capabilities_care, home_care  # noqa: F401  (capabilities, home panel)
from fangxian.registry.forms_care import (
    CarePlanChangeForm,
    CarePlanEndForm,
    CarePlanForm,
    CareVisitForm,
    VulnerabilityDetailForm,
)
from fangxian.registry.menu import REGISTRY_MENU
from fangxian.registry.models import Resident
from fangxian.registry.models.care import CarePlan, VulnerabilityDetail
from fangxian.registry.selectors.care import (
    care_plan_list,
    care_plan_visits,
    care_plans_with_visitor_state,
    care_residents_unplanned,
    care_visits_overdue,
)
from fangxian.registry.services.care import (
    VISITOR_ROLES,
    care_plan_create,
    care_plan_end,
    care_plan_update,
    care_plan_visitor_missing,
    care_visit_record,
    vulnerability_detail_set,
)


def apply_error(form: Any, error: Exception) -> None:
    """Show a service error on the form, on its field when the form has it."""
    if isinstance(error, DomainPermissionDenied):
        raise DjangoPermissionDenied(str(error.message))
    if isinstance(error, ValidationError):
        for message in error.messages:
            form.add_error(None, message)
        return
    field = getattr(error, "field", None)
    form.add_error(field if field in form.fields else None, str(getattr(error, "message", error)))


class CarePlanListView(ScopedListView):
    """The care plans of the jurisdiction, next due first; `?overdue=1` keeps the overdue ones,
    `?needs_visitor=1` those without a visitor who covers their grid; `?ended=1` lists the ended ones."""

    model = CarePlan
    capability = "care.view"
    template_name = "registry/care/plan_list.html"
    export_name = "care-plans"
    export_columns = [
        ExportColumn(gettext_lazy("Resident"), lambda p: p.resident.name),
        ExportColumn(gettext_lazy("Grid code"), lambda p: p.area_code),
        ExportColumn(gettext_lazy("Visitor"), lambda p: str(p.visitor.display_name or p.visitor) if p.visitor else ""),
        ExportColumn(gettext_lazy("Visit every (days)"), lambda p: p.frequency_days),
        ExportColumn(gettext_lazy("Last visited on"), lambda p: p.last_visited_on),
        ExportColumn(gettext_lazy("Next visit due on"), lambda p: p.next_due_on if p.active else None),
        ExportColumn(gettext_lazy("Ended on"), lambda p: p.ended_on),
        ExportColumn(gettext_lazy("Why it ended"), lambda p: p.end_reason),
    ]

    def overdue_only(self) -> bool:
        return self.request.GET.get("overdue") == "1"

    def needs_visitor_only(self) -> bool:
        return self.request.GET.get("needs_visitor") == "1"

    def ended_only(self) -> bool:
        return self.request.GET.get("ended") == "1"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        plans = care_plan_list(
            actor=self.request.actor,
            overdue=self.overdue_only(),
            needs_visitor=self.needs_visitor_only(),
            ended=self.ended_only(),
        )
        order = (F("ended_on").desc(nulls_last=True), "-id") if self.ended_only() else ("next_due_on", "id")
        return care_plans_with_visitor_state(
            queryset.filter(pk__in=plans.values("pk")).select_related("resident", "visitor").order_by(*order)
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["overdue_only"] = self.overdue_only()
        context["needs_visitor_only"] = self.needs_visitor_only()
        context["ended_only"] = self.ended_only()
        context["today"] = timezone.localdate()
        context["title"] = _("Care plans")
        context["can_manage"] = self.request.actor.can("care.manage")
        return context


class CareOverdueView(ScopedListView):
    """My overdue visits, on a phone: each one tap from recording the visit."""

    model = CarePlan
    capability = "care.visit"
    template_name = "registry/care/overdue.html"
    paginate_by = 30

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        mine = care_visits_overdue(actor=self.request.actor)
        return (
            queryset.filter(pk__in=mine.values("pk"))
            .select_related("resident__household")
            .order_by("next_due_on", "id")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["today"] = timezone.localdate()
        return context


class CarePlanDetailView(ScopedDetailView):
    """One care plan: the resident, their vulnerabilities, the visits; a form to record a visit."""

    model = CarePlan
    capability = "care.view"
    template_name = "registry/care/plan_detail.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("resident__household", "visitor")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        actor = self.request.actor
        plan = self.object
        context["plan"] = plan
        context["visits"] = list(care_plan_visits(actor=actor, plan=plan)[:50])
        vulnerabilities = list(plan.resident.vulnerabilities.all())
        details = {
            d.vulnerability_id: d
            for d in VulnerabilityDetail.objects.visible_to(actor).filter(vulnerability__in=vulnerabilities)
        }
        context["vulnerabilities"] = [(v, details.get(v.pk)) for v in vulnerabilities]
        context["overdue"] = plan.is_overdue_on(timezone.localdate())
        context["may_visit"] = actor.can("care.visit") and plan.active
        context["may_manage"] = actor.can("care.manage")
        context["visitor_missing"] = plan.active and care_plan_visitor_missing(plan)
        context["detail_choices"] = VulnerabilityDetailForm()
        context.setdefault("form", CareVisitForm(initial={"visited_on": timezone.localdate()}))
        if context["may_manage"] and plan.active:
            context.setdefault(
                "change_form",
                CarePlanChangeForm(
                    initial={
                        "visitor": None if context["visitor_missing"] else plan.visitor_id,
                        "frequency_days": plan.frequency_days,
                    },
                    visitors=visitor_choices(plan.area_code),
                ),
            )
            context.setdefault("end_form", CarePlanEndForm())
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        action = request.POST.get("action", "")[:20]
        if action == "detail":
            return self.post_detail(request)
        if action == "change":
            return self.post_change(request)
        if action == "end":
            return self.post_end(request)
        if not request.actor.can("care.visit"):
            raise DjangoPermissionDenied(_("Your role may not record care visits."))
        form = CareVisitForm(request.POST)
        if form.is_valid():
            try:
                care_visit_record(
                    actor=request.actor,
                    plan=self.object,
                    visited_on=form.cleaned_data["visited_on"],
                    findings=form.cleaned_data["findings"],
                    follow_up_needed=form.cleaned_data["follow_up_needed"],
                )
            except (DomainError, ValidationError) as error:
                apply_error(form, error)
            else:
                messages.success(request, _("The visit was recorded."))
                return redirect("registry:care_plan", pk=self.object.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def post_detail(self, request: HttpRequest) -> HttpResponse:
        """Set the details of one of the resident's vulnerability tags."""
        if not request.actor.can("care.manage"):
            raise DjangoPermissionDenied(_("Your role may not change care records."))
        form = VulnerabilityDetailForm(request.POST)
        tag = self.object.resident.vulnerabilities.filter(pk=request.POST.get("vulnerability", "")[:20] or 0).first()
        if tag is None:
            form.add_error(None, _("Choose one of the resident's tags."))
        if tag is not None and form.is_valid():
            try:
                vulnerability_detail_set(actor=request.actor, vulnerability=tag, **form.cleaned_data)
            except (DomainError, ValidationError) as error:
                apply_error(form, error)
            else:
                messages.success(request, _("The details were saved."))
                return redirect("registry:care_plan", pk=self.object.pk)
        return self.render_to_response(self.get_context_data(detail_form_errors=form.errors), status=400)

    def post_change(self, request: HttpRequest) -> HttpResponse:
        """Hand the plan to another visitor and/or change how often they visit."""
        if not request.actor.can("care.manage"):
            raise DjangoPermissionDenied(_("Your role may not plan care."))
        form = CarePlanChangeForm(request.POST, visitors=visitor_choices(self.object.area_code))
        if form.is_valid():
            try:
                care_plan_update(
                    actor=request.actor,
                    plan=self.object,
                    visitor=form.cleaned_data["visitor"],
                    frequency_days=form.cleaned_data["frequency_days"],
                )
            except (DomainError, ValidationError) as error:
                apply_error(form, error)
            else:
                messages.success(request, _("The care plan was changed."))
                return redirect("registry:care_plan", pk=self.object.pk)
        return self.render_to_response(self.get_context_data(change_form=form), status=400)

    def post_end(self, request: HttpRequest) -> HttpResponse:
        """End the plan, saying why: nobody visits any more; the plan and its visits stay on record."""
        if not request.actor.can("care.manage"):
            raise DjangoPermissionDenied(_("Your role may not plan care."))
        form = CarePlanEndForm(request.POST)
        if form.is_valid():
            try:
                care_plan_end(actor=request.actor, plan=self.object, reason=form.cleaned_data["reason"])
            except DomainPermissionDenied as error:
                raise DjangoPermissionDenied(str(error.message)) from None
            except DomainError as error:
                if error.code == "plan_ended":
                    messages.error(request, str(error.message))
                    return redirect("registry:care_plan", pk=self.object.pk)
                apply_error(form, error)
            else:
                messages.success(request, _("The care plan was ended."))
                return redirect("registry:care_plan", pk=self.object.pk)
        elif not self.object.active:
            messages.error(request, _("This care plan has ended."))
            return redirect("registry:care_plan", pk=self.object.pk)
        return self.render_to_response(self.get_context_data(end_form=form), status=400)


class CareUnplannedView(ScopedListView):
    """Vulnerable residents without a care plan, each one tap from planning their care."""

    model = Resident
    capability = "care.manage"
    template_name = "registry/care/unplanned.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        unplanned = care_residents_unplanned(actor=self.request.actor)
        return (
            queryset.filter(pk__in=unplanned.values("pk"))
            .prefetch_related("vulnerabilities")
            .order_by("area_code", "id")
        )


def visitor_choices(area_code: str) -> list[User]:
    """Staff whose area covers the resident's grid: its grid workers and the community's workers."""
    prefixes = [area_code[:length] for length in (12, 15) if len(area_code) >= length]
    user_ids = RoleAssignment.objects.filter(active=True, role__in=VISITOR_ROLES, area_code__in=prefixes).values(
        "user_id"
    )
    return list(User.objects.filter(pk__in=user_ids, is_active=True).order_by("username")[:200])


class CarePlanCreateView(ScopedDetailView):
    """Plan care for one resident: who visits, every how many days."""

    model = Resident
    capability = "care.manage"
    template_name = "registry/care/plan_form.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["resident"] = self.object
        context.setdefault(
            "form", CarePlanForm(initial={"resident": self.object.pk}, visitors=visitor_choices(self.object.area_code))
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        form = CarePlanForm(request.POST, visitors=visitor_choices(self.object.area_code))
        if form.is_valid():
            try:
                plan = care_plan_create(
                    actor=request.actor,
                    resident=self.object,
                    visitor=form.cleaned_data["visitor"],
                    frequency_days=form.cleaned_data["frequency_days"],
                    notes=form.cleaned_data["notes"],
                )
            except (DomainError, ValidationError) as error:
                apply_error(form, error)
            else:
                messages.success(request, _("The care plan was created."))
                return redirect("registry:care_plan", pk=plan.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


register_nav(
    NavItem(gettext_lazy("My overdue visits"), "registry:care_overdue", "care.visit", 40, group=REGISTRY_MENU),
    NavItem(gettext_lazy("Care plans"), "registry:care_plans", "care.view", 41, group=REGISTRY_MENU),
)

urlpatterns = [
    path("care/", CarePlanListView.as_view(), name="care_plans"),
    path("care/overdue/", CareOverdueView.as_view(), name="care_overdue"),
    path("care/unplanned/", CareUnplannedView.as_view(), name="care_unplanned"),
    path("care/plans/<int:pk>/", CarePlanDetailView.as_view(), name="care_plan"),
    path("care/residents/<int:pk>/plan/", CarePlanCreateView.as_view(), name="care_plan_create"),
]
