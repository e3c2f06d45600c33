"""Pages of residents and households: door-step search (phone first), a resident's record with its
history and need tags (added and removed there), register/edit/move/deregister, the household list,
and a household with its members, needs and open tasks.

Lists and records show masked numbers (the `_masked` columns); "Show" reveals one value through
the core reveal endpoint, which checks the capability and records the access.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from fangxian.areas.models import Household
from fangxian.core.errors import DomainError
from fangxian.core.errors import PermissionDenied as DomainPermissionDenied
from fangxian.core.exports import ExportColumn
from fangxian.core.navigation import NavItem, register_nav
from fangxian.core.views import ScopedDetailView, ScopedListView, leak_exempt
from fangxian.registry.forms_care import VulnerabilityAddForm
from fangxian.registry.forms_residents import (
    HouseholdFilterForm,
    ResidentDeregisterForm,
    ResidentForm,
    ResidentMoveForm,
    ResidentSearchForm,
)
from fangxian.registry.menu import REGISTRY_MENU
from fangxian.registry.models.residents import Resident, ResidentStatus
from fangxian.registry.selectors.care import vulnerability_details
from fangxian.registry.selectors.residents import (
    household_list,
    household_list_narrow,
    household_members,
    household_open_tasks,
    resident_history,
    resident_search_narrow,
)
from fangxian.registry.services.care import vulnerability_add, vulnerability_remove
from fangxian.registry.services.residents import (
    resident_create,
    resident_deregister,
    resident_move,
    resident_reinstate,
    resident_update,
)

MOVE_CHOICES_MAX = 2000


def _apply_error(form: Any, error: Exception) -> None:
    """Show a service error on the form, on the field it names when the form has that field."""
    if isinstance(error, DomainPermissionDenied):
        raise DjangoPermissionDenied(str(error.message))
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            form.add_error(None, error.messages)
        return
    field = getattr(error, "field", None)
    form.add_error(field if field in form.fields else None, str(getattr(error, "message", error)))


def _require(request: HttpRequest, capability: str) -> None:
    if not request.actor.is_authenticated:
        raise DjangoPermissionDenied(_("Log in first."))
    if not request.actor.can(capability):
        raise DjangoPermissionDenied(_("Your role does not allow this."))


def _load(request: HttpRequest, pk: int) -> Resident:
    _require(request, "resident.manage")
    return Resident.objects.get_visible(request.actor, pk=pk)


class ResidentSearchView(ScopedListView):
    """Search residents at a door: name, pinyin initials, last 4 digits, building-unit-room, need."""

    model = Resident
    capability = "resident.view"
    template_name = "registry/residents/search.html"
    paginate_by = 30

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        self.form = ResidentSearchForm(self.request.GET or {"status": ResidentStatus.ACTIVE})
        data = self.form.cleaned_data if self.form.is_valid() else {"status": ResidentStatus.ACTIVE}
        queryset = resident_search_narrow(
            queryset, query=data.get("q", ""), tag=data.get("tag", ""), status=data.get("status", "")
        )
        return queryset.select_related("household__building", "household__unit").only(
            "id",
            "name",
            "sex",
            "birth_date",
            "status",
            "area_code",
            "household_id",
            "id_number_masked",
            "phone_masked",
            "document_number_masked",
            "household__room",
            "household__building__name",
            "household__building__estate",
            "household__unit__name",
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["form"] = self.form
        context["can_reveal"] = self.request.actor.can("personal.reveal")
        return context


class ResidentDetailView(ScopedDetailView):
    """One resident: the record (numbers masked), needs, where they lived, and what may be done.

    Those who plan care (`care.manage`) add a need tag with its details, or remove one, here.
    """

    model = Resident
    capability = "resident.view"
    template_name = "registry/residents/detail.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("household__building", "household__unit")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        actor = self.request.actor
        context["resident"] = self.object
        vulnerabilities = list(self.object.vulnerabilities.all())
        details = vulnerability_details(actor=actor, vulnerabilities=vulnerabilities)
        context["vulnerabilities"] = [(v, details.get(v.pk)) for v in vulnerabilities]
        context["history"] = list(resident_history(actor=actor, resident=self.object))
        context["can_reveal"] = actor.can("personal.reveal")
        context["can_manage"] = actor.can("resident.manage")
        # The health app's action on this person: open a quarantine or monitoring case.
        context["can_open_case"] = actor.can("case.manage") and self.object.status == ResidentStatus.ACTIVE
        context["can_tag"] = actor.can("care.manage") and self.object.status == ResidentStatus.ACTIVE
        if context["can_tag"]:
            context.setdefault("tag_form", VulnerabilityAddForm())
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        if not request.actor.can("care.manage"):
            raise DjangoPermissionDenied(_("Your role may not change care records."))
        if request.POST.get("action") == "tag_remove":
            return self.post_tag_remove(request)
        form = VulnerabilityAddForm(request.POST)
        if form.is_valid():
            try:
                vulnerability_add(actor=request.actor, resident=self.object, **form.cleaned_data)
            except (DomainError, ValidationError) as error:
                _apply_error(form, error)
            else:
                messages.success(request, _("The need was added."))
                return redirect("registry:resident_detail", pk=self.object.pk)
        return self.render_to_response(self.get_context_data(tag_form=form), status=400)

    def post_tag_remove(self, request: HttpRequest) -> HttpResponse:
        raw = request.POST.get("vulnerability", "")[:20]
        tag = self.object.vulnerabilities.filter(pk=int(raw)).first() if raw.isdigit() else None
        if tag is None:
            messages.error(request, _("Choose one of the resident's needs."))
            return redirect("registry:resident_detail", pk=self.object.pk)
        try:
            vulnerability_remove(actor=request.actor, vulnerability=tag)
        except DomainPermissionDenied as error:
            raise DjangoPermissionDenied(str(error.message)) from None
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("The need was removed."))
        return redirect("registry:resident_detail", pk=self.object.pk)


class HouseholdListView(ScopedListView):
    """The households of the jurisdiction, grid by grid and building by building, with counts of
    members, of vulnerable members and of open tasks; no names or numbers (those are on a household's page)."""

    model = Household
    capability = "resident.view"
    template_name = "registry/residents/household_list.html"
    paginate_by = 50
    export_name = "households"
    export_columns = [
        ExportColumn(gettext_lazy("Grid code"), lambda h: h.area_code),
        ExportColumn(gettext_lazy("Estate"), lambda h: h.building.estate),
        ExportColumn(gettext_lazy("Building"), lambda h: h.building.name),
        ExportColumn(gettext_lazy("Unit"), lambda h: h.unit.name if h.unit_id else ""),
        ExportColumn(gettext_lazy("Room"), lambda h: h.room),
        ExportColumn(gettext_lazy("Members living here"), lambda h: h.member_count),
        ExportColumn(gettext_lazy("Members with a need"), lambda h: h.vulnerable_count),
        ExportColumn(gettext_lazy("Open tasks"), lambda h: getattr(h, "open_task_count", None)),
    ]

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        self.form = HouseholdFilterForm(self.request.GET or None)
        data = self.form.cleaned_data if self.form.is_valid() else {}
        return household_list_narrow(
            queryset,
            actor=self.request.actor,
            building=data.get("building", ""),
            room=data.get("room", ""),
            vulnerable=bool(data.get("vulnerable")),
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["form"] = self.form
        context["show_tasks"] = self.request.actor.can("task.view")
        return context


class HouseholdMembersView(ScopedDetailView):
    """A household: everyone registered there (present first), their needs, its open tasks."""

    model = Household
    capability = "household.view"
    template_name = "registry/residents/household.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("building", "unit")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        actor = self.request.actor
        context["household"] = self.object
        context["members"] = list(household_members(actor=actor, household=self.object))
        context["tasks"] = household_open_tasks(actor=actor, household=self.object)
        context["can_reveal"] = actor.can("personal.reveal")
        context["can_manage"] = actor.can("resident.manage")
        context["can_register_arrival"] = actor.can("arrival.confirm")
        return context


@leak_exempt("form page; the household is loaded through visible_to (404 elsewhere), writes through resident_create")
def resident_create_view(request: HttpRequest) -> HttpResponse:
    _require(request, "resident.manage")
    household_id = request.GET.get("household") or request.POST.get("household") or ""
    household = Household.objects.get_visible(request.actor, pk=household_id if household_id.isdigit() else 0)
    form = ResidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            resident = resident_create(actor=request.actor, household=household, data=form.cleaned_data)
        except (DomainError, ValidationError) as error:
            _apply_error(form, error)
        else:
            messages.success(request, _("Resident registered."))
            return redirect("registry:resident_detail", pk=resident.pk)
    return render(request, "registry/residents/form.html", {"form": form, "household": household, "resident": None})


@leak_exempt("form page; the resident is loaded through visible_to (404 elsewhere), writes through resident_update")
def resident_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    resident = _load(request, pk)
    initial = {
        name: getattr(resident, name)
        for name in ("name", "sex", "birth_date", "document_type", "relation", "residence_type", "employer", "notes")
    }
    form = ResidentForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            resident_update(actor=request.actor, resident=resident, data=form.cleaned_data)
        except (DomainError, ValidationError) as error:
            _apply_error(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("registry:resident_detail", pk=resident.pk)
    return render(
        request, "registry/residents/form.html", {"form": form, "household": resident.household, "resident": resident}
    )


@leak_exempt("form page; resident and households are loaded through visible_to, writes through resident_move")
def resident_move_view(request: HttpRequest, pk: int) -> HttpResponse:
    resident = _load(request, pk)
    # Households of the resident's community that the actor reaches: moves are mostly next door.
    households = list(
        household_list(actor=request.actor, area_code=resident.area_code[:12])
        .exclude(pk=resident.household_id)
        .order_by("building__estate", "building__name", "unit__name", "room")[:MOVE_CHOICES_MAX]
    )
    form = ResidentMoveForm(request.POST or None, households=households)
    if request.method == "POST" and form.is_valid():
        try:
            resident_move(
                actor=request.actor,
                resident=resident,
                household=form.cleaned_data["household"],
                reason=form.cleaned_data["reason"],
                on_date=form.cleaned_data["on_date"],
            )
        except (DomainError, ValidationError) as error:
            _apply_error(form, error)
        else:
            messages.success(request, _("Resident moved."))
            return redirect("registry:resident_detail", pk=resident.pk)
    return render(
        request,
        "registry/residents/action.html",
        {"form": form, "resident": resident, "title": _("Move to another household"), "action": "move"},
    )


@leak_exempt("form page; the resident is loaded through visible_to (404 elsewhere), writes through resident_deregister")
def resident_deregister_view(request: HttpRequest, pk: int) -> HttpResponse:
    resident = _load(request, pk)
    form = ResidentDeregisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            resident_deregister(
                actor=request.actor,
                resident=resident,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                on_date=form.cleaned_data["on_date"],
            )
        except (DomainError, ValidationError) as error:
            _apply_error(form, error)
        else:
            messages.success(request, _("Resident deregistered. The record and its history are kept."))
            return redirect("registry:resident_detail", pk=resident.pk)
    return render(
        request,
        "registry/residents/action.html",
        {"form": form, "resident": resident, "title": _("Deregister"), "action": "deregister"},
    )


@leak_exempt("POST only; the resident is loaded through visible_to (404 elsewhere), writes through resident_reinstate")
def resident_reinstate_view(request: HttpRequest, pk: int) -> HttpResponse:
    resident = _load(request, pk)
    if request.method == "POST":
        try:
            resident_reinstate(actor=request.actor, resident=resident, reason=request.POST.get("reason", "")[:200])
        except DomainPermissionDenied as error:
            raise DjangoPermissionDenied(str(error.message)) from None
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Resident registered again."))
    return redirect("registry:resident_detail", pk=resident.pk)


register_nav(
    NavItem(gettext_lazy("Residents"), "registry:residents", "resident.view", 20, group=REGISTRY_MENU),
    NavItem(
        pgettext_lazy("household list", "Households"), "registry:households", "resident.view", 21, group=REGISTRY_MENU
    ),
)

urlpatterns = [
    path("residents/", ResidentSearchView.as_view(), name="residents"),
    path("residents/new/", resident_create_view, name="resident_create"),
    path("residents/<int:pk>/", ResidentDetailView.as_view(), name="resident_detail"),
    path("residents/<int:pk>/edit/", resident_edit_view, name="resident_edit"),
    path("residents/<int:pk>/move/", resident_move_view, name="resident_move"),
    path("residents/<int:pk>/deregister/", resident_deregister_view, name="resident_deregister"),
    path("residents/<int:pk>/reinstate/", resident_reinstate_view, name="resident_reinstate"),
    path("households/", HouseholdListView.as_view(), name="households"),
    path("households/<int:pk>/", HouseholdMembersView.as_view(), name="household"),
]
