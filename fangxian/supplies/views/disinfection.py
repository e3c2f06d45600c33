"""Supplies pages: disinfection (消杀) points with the overdue ones highlighted, the phone form to log one, the
logs, and mask recycling points with their collections.

Every page derives from ScopedListView / ScopedDetailView; writes go through the disinfection services,
whose errors show on the forms in the user's language.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangxian.core.errors import DomainError
from fangxian.core.errors import PermissionDenied as DomainPermissionDenied
from fangxian.core.navigation import NavItem, register_nav
from fangxian.core.views import ScopedDetailView, ScopedListView
from fangxian.supplies.forms_disinfection import CollectionForm, LogForm, PointForm, RecyclingPointForm
from fangxian.supplies.menu import SUPPLIES_MENU
from fangxian.supplies.models import DisinfectionLog, DisinfectionPoint, RecyclingPoint
from fangxian.supplies.selectors.disinfection import (
    collection_list,
    disinfectant_lots,
    is_overdue,
    log_list,
    overdue_by_grid,
    point_areas,
)
from fangxian.supplies.services.disinfection import (
    disinfection_log_create,
    disinfection_point_create,
    recycling_collection_log,
    recycling_point_create,
)


def apply_error(form: Any, error: DomainError) -> None:
    """A service's error on the form: on its field when the form has it (403 stays a 403)."""
    if isinstance(error, DomainPermissionDenied):
        raise DjangoPermissionDenied(str(error.message))
    field = {"lot_id": "lot", "point_id": None}.get(error.field or "", error.field)
    form.add_error(field if field in form.fields else None, str(error.message))


class PointListView(ScopedListView):
    """The points of my grid (or community): overdue ones first and in red, with a link to log each."""

    model = DisinfectionPoint
    capability = "disinfection.log"
    template_name = "supplies/disinfection/point_list.html"
    paginate_by = 100

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.filter(active=True).order_by("last_done_at", "area_code", "name", "pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        points = list(context["object_list"])
        context["rows"] = sorted(
            ({"point": p, "overdue": is_overdue(p, now)} for p in points),
            key=lambda row: (not row["overdue"], row["point"].area_code, row["point"].name),
        )
        context["by_grid"] = overdue_by_grid(actor=self.request.actor, now=now)
        if self.request.actor.can("disinfection.manage"):
            context.setdefault("form", PointForm(areas=point_areas(actor=self.request.actor)))
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.actor.can("disinfection.manage"):
            raise DjangoPermissionDenied(_("Your role does not allow this."))
        self.object_list = self.get_queryset()
        form = PointForm(request.POST, areas=point_areas(actor=request.actor))
        if form.is_valid():
            try:
                disinfection_point_create(actor=request.actor, **form.cleaned_data)
            except DomainError as error:
                apply_error(form, error)
            else:
                messages.success(request, _("The point was added."))
                return redirect("supplies:disinfection_points")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PointLogView(ScopedDetailView):
    """The phone form at a point: done now, with which product and how much."""

    model = DisinfectionPoint
    capability = "disinfection.log"
    template_name = "supplies/disinfection/point_log.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.filter(active=True)

    def lots(self) -> list[tuple[int, str]]:
        rows = disinfectant_lots(actor=self.request.actor, area_code=self.object.area_code)[:50]
        return [
            (
                lot.pk,
                f"{lot.item} · {lot.store.name} · {lot.lot_code or lot.pk} "
                f"({lot.quantity} {lot.item.get_unit_display()})",
            )
            for lot in rows
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["point"] = self.object
        context["overdue"] = is_overdue(self.object, timezone.now())
        context["logs"] = log_list(actor=self.request.actor, point_id=self.object.pk)[:10]
        context.setdefault("form", LogForm(lots=self.lots()))
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        form = LogForm(request.POST, lots=self.lots())
        if form.is_valid():
            try:
                disinfection_log_create(
                    actor=request.actor,
                    point_id=self.object.pk,
                    lot_id=form.cleaned_data["lot"],
                    quantity=form.cleaned_data["quantity"],
                    note=form.cleaned_data["note"],
                )
            except DomainError as error:
                apply_error(form, error)
            else:
                messages.success(request, _("Recorded: %(point)s disinfected.") % {"point": self.object.name})
                return redirect("supplies:disinfection_points")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class LogListView(ScopedListView):
    """Who disinfected what, when, with which product."""

    model = DisinfectionLog
    capability = "disinfection.log"
    template_name = "supplies/disinfection/log_list.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("point", "by", "movement__item").order_by("-at", "-id")


class RecyclingListView(ScopedListView):
    """Mask recycling points of my areas, a form to log a collection at each, and the latest collections."""

    model = RecyclingPoint
    capability = "disinfection.log"
    template_name = "supplies/disinfection/recycling.html"
    paginate_by = 100

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.filter(active=True).order_by("area_code", "name", "pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["collections"] = collection_list(actor=self.request.actor)[:20]
        if self.request.actor.can("disinfection.manage"):
            context.setdefault("point_form", RecyclingPointForm(areas=point_areas(actor=self.request.actor)))
        context.setdefault("collection_form", CollectionForm())
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object_list = self.get_queryset()
        adding = request.POST.get("action") == "point"
        if adding and not request.actor.can("disinfection.manage"):
            raise DjangoPermissionDenied(_("Your role does not allow this."))
        if adding:
            form, context_name = RecyclingPointForm(request.POST, areas=point_areas(actor=request.actor)), "point_form"
        else:
            form, context_name = CollectionForm(request.POST), "collection_form"
        if form.is_valid():
            data = form.cleaned_data
            try:
                if adding:
                    recycling_point_create(actor=request.actor, **data)
                else:
                    recycling_collection_log(
                        actor=request.actor, point_id=data["point"], bags=data["bags"], note=data["note"]
                    )
            except DomainError as error:
                apply_error(form, error)
            else:
                messages.success(request, _("Recorded."))
                return redirect("supplies:recycling")
        return self.render_to_response(self.get_context_data(**{context_name: form}), status=400)


urlpatterns = [
    path("disinfection/", PointListView.as_view(), name="disinfection_points"),
    path("disinfection/<int:pk>/log/", PointLogView.as_view(), name="disinfection_log"),
    path("disinfection/logs/", LogListView.as_view(), name="disinfection_logs"),
    path("recycling/", RecyclingListView.as_view(), name="recycling"),
]

register_nav(
    NavItem(gettext_lazy("Disinfection"), "supplies:disinfection_points", "disinfection.log", 57, group=SUPPLIES_MENU),
    NavItem(gettext_lazy("Mask recycling"), "supplies:recycling", "disinfection.log", 58, group=SUPPLIES_MENU),
)
