"""Health pages: arrivals, cases and their reports, the resident's own page, check-ins, risk areas.

Lists and details derive from ScopedListView / ScopedDetailView (the leak test walks them). Writes
go through the services; their errors show on the forms in the user's language. The public arrival
page (`arrive/<community code>/`) has no account: it shows nothing from the database but the
community's name and writes only through `arrival_report_public`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from fangxian.areas.models import Area, Household
from fangxian.command.models import EmergencyLevel
from fangxian.core.errors import DomainError
from fangxian.core.errors import PermissionDenied as DomainPermissionDenied
from fangxian.core.middleware import client_ip
from fangxian.core.navigation import NavItem, register_nav
from fangxian.core.personal import name_masked
from fangxian.core.views import ScopedDetailView, ScopedListView, leak_exempt
from fangxian.health.forms_cases import (
    CaseOpenForm,
    CheckInForm,
    CloseForm,
    ConfirmForm,
    EndDateForm,
    HealthPolicyForm,
    PublicArrivalForm,
    ReleaseForm,
    ReportForm,
    RiskAreaForm,
    WorkerArrivalForm,
)
from fangxian.health.menu import HEALTH_MENU
from fangxian.health.models import (
    Arrival,
    ArrivalStatus,
    CaseKind,
    CaseStatus,
    CheckIn,
    HealthCase,
    HealthPolicy,
    RiskArea,
    ServiceRequest,
)
from fangxian.health.selectors.cases import case_reports, checkin_completion
from fangxian.health.services.arrivals import arrival_confirm, arrival_register, arrival_report_public
from fangxian.health.services.cases import (
    case_change_end,
    case_close,
    case_open,
    case_release,
    health_report_add,
    policy_for,
    service_request_answer,
)
from fangxian.health.services.checkins import checkin_submit, health_policy_set
from fangxian.health.services.risk import risk_area_create, risk_area_end
from fangxian.registry.models import Resident
from fangxian.registry.models.residents import ResidentStatus

AREA_CHOICES_LIMIT = 300


def apply_error(form: Any, error: DomainError) -> None:
    """A service's error on the form: on its field when the form has it (403 stays a 403)."""
    if isinstance(error, DomainPermissionDenied):
        raise DjangoPermissionDenied(str(error.message))
    field = {"resident_id": "resident"}.get(error.field or "", error.field)
    form.add_error(field if field in form.fields else None, str(error.message))


# --- arrivals --------------------------------------------------------------------------------------


class ArrivalListView(ScopedListView):
    """Arrivals in my areas, those waiting for a worker first."""

    model = Arrival
    capability = "health.view"
    template_name = "health/arrivals/arrival_list.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        self.status = self.request.GET.get("status", "")
        if self.status in ArrivalStatus.values:
            queryset = queryset.filter(status=self.status)
        else:
            self.status = ""
        return queryset.select_related("household__building", "household__unit").order_by(
            "-status", "-reported_at", "-id"
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["statuses"] = ArrivalStatus.choices
        context["status"] = self.status
        return context


class ArrivalDetailView(ScopedDetailView):
    """One arrival: where from, the risk and the suggestion, and the worker's confirmation."""

    model = Arrival
    capability = "health.view"
    template_name = "health/arrivals/arrival_detail.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("household__building", "household__unit", "resident", "confirmed_by")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        arrival = self.object
        context["arrival"] = arrival
        context["can_confirm"] = arrival.status == ArrivalStatus.REPORTED and self.request.actor.can("arrival.confirm")
        if context["can_confirm"]:
            context.setdefault(
                "form",
                ConfirmForm(initial={"measure": arrival.suggested_measure, "days": arrival.suggested_days or None}),
            )
        context["case"] = (
            HealthCase.objects.visible_to(self.request.actor).filter(arrival=arrival).order_by("-id").first()
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        form = ConfirmForm(request.POST)
        if form.is_valid():
            try:
                arrival_confirm(
                    actor=request.actor,
                    arrival_id=self.object.pk,
                    measure=form.cleaned_data["measure"],
                    days=form.cleaned_data["days"],
                    note=form.cleaned_data["note"],
                )
            except DomainError as error:
                apply_error(form, error)
            else:
                messages.success(request, _("The arrival was confirmed."))
                return redirect("health:arrival_detail", pk=self.object.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class HouseholdArrivalView(ScopedDetailView):
    """A worker registers an arrival at a household they reach (a resident, or somebody new)."""

    model = Household
    capability = "arrival.register"
    template_name = "health/arrivals/arrival_new.html"

    def residents(self) -> list[tuple[int, str]]:
        rows = Resident.objects.visible_to(self.request.actor).filter(
            household=self.object, status=ResidentStatus.ACTIVE
        )
        return [(r.pk, r.name) for r in rows.order_by("pk")[:50]]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["household"] = self.object
        context.setdefault(
            "form", WorkerArrivalForm(residents=self.residents(), initial={"arrived_on": timezone.localdate()})
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        form = WorkerArrivalForm(request.POST, residents=self.residents())
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                arrival = arrival_register(
                    actor=request.actor,
                    household_id=self.object.pk,
                    resident_id=data.pop("resident"),
                    name=data.pop("name"),
                    **data,
                )
            except DomainError as error:
                apply_error(form, error)
            else:
                messages.success(request, _("The arrival was registered."))
                return redirect("health:arrival_detail", pk=arrival.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


@leak_exempt("public form: shows only the community's name and writes through arrival_report_public")
@require_http_methods(["GET", "POST"])
def public_arrival(request: HttpRequest, community_code: str) -> HttpResponse:
    """The community's link for people coming back: no account, no SMS; ID card, name and room."""
    area = Area.objects.filter(code=community_code, level=12).only("code", "name").first()
    if area is None:
        raise Http404(_("Not found."))
    form = PublicArrivalForm(request.POST or None, initial={"arrived_on": timezone.localdate()})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                arrival = arrival_report_public(
                    community_code=area.code,
                    name=data.pop("name"),
                    id_number=data.pop("id_number"),
                    room=data.pop("room"),
                    source_ip=client_ip(request),
                    **data,
                )
            except DomainError as error:
                form.add_error(None if error.field not in form.fields else error.field, str(error.message))
                status = error.status
            else:
                return render(
                    request,
                    "health/arrivals/public_done.html",
                    {
                        "area": area,
                        "measure": arrival.get_suggested_measure_display(),
                        "risky": bool(arrival.risk_level),
                        "name": name_masked(arrival.name),
                    },
                )
        else:
            status = 400
    return render(request, "health/arrivals/public_arrival.html", {"area": area, "form": form}, status=status)


# --- cases -------------------------------------------------------------------------------------------

CASE_VIEWS = {
    "active": gettext_lazy("Active"),
    "due": gettext_lazy("Due for release"),
    "closed": gettext_lazy("Closed"),
}


class CaseListView(ScopedListView):
    """People under a measure in my areas: active ones by end date, those due for release, closed ones."""

    model = HealthCase
    capability = "health.view"
    template_name = "health/cases/case_list.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        self.show = self.request.GET.get("show", "active")
        self.show = self.show if self.show in CASE_VIEWS else "active"
        if self.show == "closed":
            queryset = queryset.exclude(status=CaseStatus.ACTIVE).order_by("-closed_at", "-id")
        else:
            queryset = queryset.filter(status=CaseStatus.ACTIVE)
            if self.show == "due":
                queryset = queryset.filter(ends_on__lte=timezone.localdate())
            queryset = queryset.order_by("ends_on", "id")
        return queryset.select_related("resident", "household__building", "household__unit")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["views"] = list(CASE_VIEWS.items())
        context["show"] = self.show
        context["today"] = timezone.localdate()
        # The commander's way to the community's health policy.
        if self.request.actor.can("health.policy"):
            context["policy_codes"] = [code for code in self.request.actor.area_prefixes if len(code) == 12]
        return context


class CaseDetailView(ScopedDetailView):
    """One case: who, the measure, the reports, the services offered; report, change the end, release."""

    model = HealthCase
    capability = "health.view"
    template_name = "health/cases/case_detail.html"
    FORMS = {"report": ReportForm, "end": EndDateForm, "release": ReleaseForm, "close": CloseForm}

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related(
            "resident", "household__building", "household__unit", "arrival", "opened_by", "closed_by"
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        case = self.object
        actor = self.request.actor
        context["case"] = case
        context["reports"] = list(case_reports(actor=actor, case=case)[:60])
        context["services"] = list(ServiceRequest.objects.visible_to(actor).filter(case=case).order_by("kind"))
        active = case.status == CaseStatus.ACTIVE
        context["can_report"] = active and actor.can("case.report", case)
        context["can_manage"] = active and actor.can("case.manage")
        context["today"] = timezone.localdate()
        for name, form_class in self.FORMS.items():
            context.setdefault(f"{name}_form", form_class(prefix=name))
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        action = request.POST.get("action", "")
        if action not in self.FORMS:
            messages.error(request, _("Choose what to do."))
            return redirect("health:case_detail", pk=self.object.pk)
        form = self.FORMS[action](request.POST, prefix=action)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "report":
                    health_report_add(actor=request.actor, case_id=self.object.pk, **data)
                    done = _("The report was recorded.")
                elif action == "end":
                    case_change_end(actor=request.actor, case_id=self.object.pk, **data)
                    done = _("The end date was changed.")
                elif action == "release":
                    case_release(actor=request.actor, case_id=self.object.pk, note=data["note"])
                    done = _("The person was released.")
                else:
                    case_close(actor=request.actor, case_id=self.object.pk, **data)
                    done = _("The case was closed.")
            except DomainError as error:
                apply_error(form, error)
            else:
                messages.success(request, done)
                return redirect("health:case_detail", pk=self.object.pk)
        return self.render_to_response(self.get_context_data(**{f"{action}_form": form}), status=400)


class ResidentCaseOpenView(ScopedDetailView):
    """Open a case for a resident (from a screening answer, a call, a doctor's advice)."""

    model = Resident
    capability = "case.manage"
    template_name = "health/cases/case_open.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["resident"] = self.object
        context["name_masked"] = name_masked(self.object.name)
        context.setdefault("form", CaseOpenForm(initial={"kind": CaseKind.HOME_QUARANTINE}))
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        form = CaseOpenForm(request.POST)
        if form.is_valid():
            try:
                case = case_open(actor=request.actor, resident_id=self.object.pk, **form.cleaned_data)
            except DomainError as error:
                apply_error(form, error)
            else:
                messages.success(request, _("The case was opened."))
                return redirect("health:case_detail", pk=case.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ReleaseNoteView(ScopedDetailView):
    """The printable release note (解除隔离告知书) of a released case."""

    model = HealthCase
    capability = "health.view"
    template_name = "health/cases/release_note.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.filter(status=CaseStatus.RELEASED).select_related(
            "resident", "household__building", "household__unit", "closed_by"
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["case"] = self.object
        context["community"] = Area.objects.filter(code=self.object.area_code[:12]).first()
        return context


# --- the resident's own page ----------------------------------------------------------------------------


class MyHealthView(ScopedListView):
    """The resident's phone page: report temperatures for a household case, and the daily check-in."""

    model = HealthCase
    capability = "health.view"
    template_name = "health/my_health.html"
    paginate_by = None

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        households = sorted(self.request.actor.household_ids)
        return (
            queryset.filter(household_id__in=households, status=CaseStatus.ACTIVE)
            .select_related("resident")
            .order_by("ends_on", "id")
        )

    def members(self) -> list[tuple[int, str]]:
        households = sorted(self.request.actor.household_ids)
        rows = Resident.objects.visible_to(self.request.actor).filter(
            household_id__in=households, status=ResidentStatus.ACTIVE
        )
        rows = list(rows.order_by("pk").only("pk", "name", "area_code")[:20])
        self.member_area = rows[0].area_code if rows else ""  # the community's policy applies to all of them
        return [(r.pk, r.name) for r in rows]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        actor = self.request.actor
        context["is_resident"] = bool(actor.household_ids)
        context["cases"] = [
            {"case": case, "form": kwargs.get(f"form_{case.pk}") or ReportForm(prefix=f"c{case.pk}")}
            for case in context["object_list"]
        ]
        members = self.members()
        context["check_in_required"] = bool(members) and policy_for(self.member_area[:12]).check_in_required
        done = set(
            CheckIn.objects.visible_to(actor)
            .filter(resident_id__in=[pk for pk, _name in members], day=timezone.localdate())
            .values_list("resident_id", flat=True)
        )
        waiting = [(pk, name) for pk, name in members if pk not in done]
        context["checked_in"] = [name for pk, name in members if pk in done]
        context["services"] = list(
            ServiceRequest.objects.visible_to(actor)
            .filter(household_id__in=sorted(actor.household_ids), status__in=["offered", "requested"])
            .order_by("kind")
        )
        context["checkin_form"] = kwargs.get("checkin_form") or (CheckInForm(residents=waiting) if waiting else None)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object_list = self.get_queryset()
        if request.POST.get("action") in ("need", "no_need"):
            try:
                service_request_answer(
                    actor=request.actor,
                    service_request_id=int(request.POST.get("service", "")),
                    needed=request.POST["action"] == "need",
                )
            except ValueError:
                messages.error(request, _("Choose the service."))
            except DomainError as error:
                messages.error(request, str(error.message))
            else:
                messages.success(request, _("Thank you: your grid worker sees your answer."))
            return redirect("health:my_health")
        if request.POST.get("action") == "checkin":
            form = CheckInForm(request.POST, residents=self.members())
            if form.is_valid():
                try:
                    checkin_submit(
                        actor=request.actor,
                        resident_id=form.cleaned_data["resident"],
                        temperature=form.cleaned_data["temperature"],
                        symptoms=form.cleaned_data["symptoms"],
                    )
                except DomainError as error:
                    apply_error(form, error)
                else:
                    messages.success(request, _("Checked in. Thank you."))
                    return redirect("health:my_health")
            return self.render_to_response(self.get_context_data(checkin_form=form), status=400)
        try:
            case_id = int(request.POST.get("case", ""))
        except ValueError:
            messages.error(request, _("Choose the case to report for."))
            return redirect("health:my_health")
        form = ReportForm(request.POST, prefix=f"c{case_id}")
        if form.is_valid():
            try:
                health_report_add(actor=request.actor, case_id=case_id, **form.cleaned_data)
            except DomainError as error:
                apply_error(form, error)
            else:
                messages.success(request, _("Your report was recorded. Thank you."))
                return redirect("health:my_health")
        return self.render_to_response(self.get_context_data(**{f"form_{case_id}": form}), status=400)


# --- check-ins and risk areas ----------------------------------------------------------------------------


class CheckInListView(ScopedListView):
    """Today's check-ins of my areas and the completion rate per grid."""

    model = CheckIn
    capability = "health.counts"
    template_name = "health/checkins.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.filter(day=timezone.localdate()).select_related("resident").order_by("-at", "-id")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        actor = self.request.actor
        rows = []
        for prefix in actor.personal_prefixes:
            rows += checkin_completion(actor=actor, area_code=prefix, day=timezone.localdate())
        names = dict(Area.objects.filter(code__in=[r["area_code"] for r in rows]).values_list("code", "name"))
        for row in rows:
            row["name"] = names.get(row["area_code"], row["area_code"])
        context["completion"] = rows
        context["rows"] = [(c, name_masked(c.resident.name)) for c in context["object_list"]]
        return context


class RiskAreaListView(ScopedListView):
    """The risk areas kept in my jurisdiction; officials and commanders add and end them."""

    model = RiskArea
    capability = "health.view"
    template_name = "health/risk_areas.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.order_by("-since", "division_code", "id")

    def areas(self) -> list[tuple[str, str]]:
        rows = Area.objects.visible_to(self.request.actor).filter(level__lte=12, level__gte=4).order_by("code")
        return [(a.code, f"{a.name} ({a.code})") for a in rows.only("code", "name")[:AREA_CHOICES_LIMIT]]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["today"] = timezone.localdate()
        context["can_manage"] = self.request.actor.can("risk.manage")
        if context["can_manage"]:
            context.setdefault("form", RiskAreaForm(areas=self.areas()))
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object_list = self.get_queryset()
        if not request.actor.can("risk.manage"):
            raise DjangoPermissionDenied(_("Your role may not keep the list of risk areas."))
        if request.POST.get("action") == "end":
            try:
                risk_area_end(actor=request.actor, risk_area_id=int(request.POST.get("risk_area", "")))
            except ValueError:
                messages.error(request, _("Choose the risk area to end."))
            except DomainError as error:
                messages.error(request, str(error.message))
            else:
                messages.success(request, _("The risk area ends today."))
            return redirect("health:risk_areas")
        form = RiskAreaForm(request.POST, areas=self.areas())
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                risk_area_create(actor=request.actor, area_code=data.pop("area_code"), **data)
            except DomainError as error:
                apply_error(form, error)
            else:
                messages.success(request, _("The risk area was added."))
                return redirect("health:risk_areas")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class HealthPolicyView(ScopedDetailView):
    """A community's health policy for each emergency level, each editable by the commander."""

    model = Area
    capability = "health.view"
    slug_field = "code"
    slug_url_kwarg = "code"
    template_name = "health/policy.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.filter(level=12)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        failed = kwargs.get("failed")
        policies = {
            p.level: p for p in HealthPolicy.objects.visible_to(self.request.actor).filter(area_code=self.object.code)
        }
        can_manage = self.request.actor.can("health.policy")
        rows = []
        for level, label in EmergencyLevel.choices:
            policy = policies.get(level)
            row = {"level": level, "label": label, "policy": policy}
            if failed and failed[0] == level:
                row["form"] = failed[1]
            elif can_manage:
                initial = {name: getattr(policy, name) for name in HealthPolicyForm.base_fields} if policy else None
                row["form"] = HealthPolicyForm(initial=initial, prefix=f"l{level}")
            rows.append(row)
        context.update(community=self.object, rows=rows, can_manage=can_manage)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        if not request.actor.can("health.policy"):
            raise DjangoPermissionDenied(_("Your role may not set the health policy."))
        try:
            level = int(request.POST.get("level", ""))
        except ValueError:
            level = 0
        if level not in EmergencyLevel.values:
            messages.error(request, _("Choose an emergency level (I to IV)."))
            return redirect("health:policy", code=self.object.code)
        form = HealthPolicyForm(request.POST, prefix=f"l{level}")
        if form.is_valid():
            try:
                health_policy_set(
                    actor=request.actor, community_code=self.object.code, level=level, **form.cleaned_data
                )
            except DomainError as error:
                apply_error(form, error)
            else:
                messages.success(request, _("The health policy was saved."))
                return redirect("health:policy", code=self.object.code)
        return self.render_to_response(self.get_context_data(failed=(level, form)), status=400)


urlpatterns = [
    path("arrivals/", ArrivalListView.as_view(), name="arrivals"),
    path("arrivals/<int:pk>/", ArrivalDetailView.as_view(), name="arrival_detail"),
    path("households/<int:pk>/arrival/", HouseholdArrivalView.as_view(), name="arrival_new"),
    path("arrive/<str:community_code>/", public_arrival, name="public_arrival"),
    path("cases/", CaseListView.as_view(), name="cases"),
    path("cases/<int:pk>/", CaseDetailView.as_view(), name="case_detail"),
    path("cases/<int:pk>/release-note/", ReleaseNoteView.as_view(), name="release_note"),
    path("residents/<int:pk>/case/", ResidentCaseOpenView.as_view(), name="case_open"),
    path("my/", MyHealthView.as_view(), name="my_health"),
    path("check-ins/", CheckInListView.as_view(), name="checkins"),
    path("risk-areas/", RiskAreaListView.as_view(), name="risk_areas"),
    path("policy/<str:code>/", HealthPolicyView.as_view(), name="policy"),
]

register_nav(
    NavItem(gettext_lazy("Cases"), "health:cases", "case.manage", 60, group=HEALTH_MENU),
    NavItem(gettext_lazy("Arrivals"), "health:arrivals", "arrival.confirm", 61, group=HEALTH_MENU),
    NavItem(gettext_lazy("Check-ins"), "health:checkins", "health.counts", 63, group=HEALTH_MENU),
    NavItem(gettext_lazy("Risk areas"), "health:risk_areas", "risk.manage", 64, group=HEALTH_MENU),
    NavItem(gettext_lazy("My health"), "health:my_health", "household.own", 65, group=HEALTH_MENU),
)
