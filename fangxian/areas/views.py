"""Pages of the area browser: tree -> grid -> buildings -> households."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from fangxian.areas.forms import AreaImportForm
from fangxian.areas.models import Area, AreaLevel, Building, Household
from fangxian.areas.selectors import area_ancestors, area_children_counts, area_subtree_counts
from fangxian.areas.services import area_tree_export, area_tree_import
from fangxian.core.errors import DomainError
from fangxian.core.exports import csv_stream_response
from fangxian.core.views import ActorRequiredMixin, ScopedDetailView, ScopedListView, leak_exempt
from fangxian.registry.models import Resident, ResidentStatus


class AreaBrowseView(ScopedListView):
    """Entry of the browser: the top areas of the actor's jurisdiction."""

    model = Area
    capability = "area.view"
    template_name = "areas/area_browse.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.filter(code__in=self.request.actor.area_prefixes)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        top = list(self.get_queryset()[:2])
        if len(top) == 1:
            return redirect("areas:detail", code=top[0].code)
        return super().get(request, *args, **kwargs)


class AreaDetailView(ScopedDetailView):
    model = Area
    capability = "area.view"
    slug_field = "code"
    slug_url_kwarg = "code"
    template_name = "areas/area_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        actor = self.request.actor
        area: Area = self.object
        context["ancestors"] = [a for a in area_ancestors(area.code) if actor.reaches(a.code)]
        context["counts"] = area_subtree_counts(actor=actor, code=area.code)
        children = list(Area.objects.visible_to(actor).filter(parent_id=area.code).order_by("code"))
        child_counts = area_children_counts(actor=actor, codes=[c.code for c in children])
        context["children"] = [{"area": c, "counts": child_counts.get(c.code, {})} for c in children]
        if area.level == AreaLevel.GRID and actor.can("household.view"):
            context["buildings"] = (
                Building.objects.visible_to(actor)
                .filter(area_code=area.code)
                .annotate(household_count=Count("households", distinct=True))
                .order_by("estate", "name")
            )
        context["can_export"] = actor.can("area.export")
        context["map_features"] = _features([area] + children)
        context["tile_url"] = settings.FANGXIAN_TILE_URL
        return context


def _features(areas: list) -> dict | None:
    """Outlines of an area and its children as one GeoJSON FeatureCollection, or None without any."""
    features = []
    for entry in areas:
        area = entry["area"] if isinstance(entry, dict) else entry
        if not area.geometry:
            continue
        geometry = area.geometry.get("geometry") if area.geometry.get("type") == "Feature" else area.geometry
        if area.geometry.get("type") == "FeatureCollection":
            features += [
                {**f, "properties": {"code": area.code, "name": area.name}} for f in area.geometry.get("features", [])
            ]
        else:
            features.append(
                {"type": "Feature", "geometry": geometry, "properties": {"code": area.code, "name": area.name}}
            )
    return {"type": "FeatureCollection", "features": features} if features else None


class BuildingDetailView(ScopedDetailView):
    model = Building
    capability = "household.view"
    template_name = "areas/building_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        actor = self.request.actor
        active = Q(residents__status=ResidentStatus.ACTIVE)
        context["households"] = (
            Household.objects.visible_to(actor)
            .filter(building=self.object)
            .select_related("unit", "building")
            .annotate(resident_count=Count("residents", filter=active))
            .order_by("unit__name", "room")
        )
        context["grid"] = Area.objects.visible_to(actor).filter(code=self.object.area_code).first()
        return context


class HouseholdDetailView(ScopedDetailView):
    model = Household
    capability = "household.view"
    template_name = "areas/household_detail.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("building", "unit")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        actor = self.request.actor
        context["residents"] = (
            Resident.objects.visible_to(actor)
            .filter(household=self.object)
            .prefetch_related("vulnerabilities")
            .order_by("relation", "birth_date")
        )
        context["can_reveal"] = actor.can("personal.reveal")
        return context


@leak_exempt("streams the scoped area tree through area_tree_export, covered by test_area_csv")
class AreaExportView(ActorRequiredMixin, View):
    capability = "area.export"

    def get(self, request: HttpRequest, code: str) -> StreamingHttpResponse:
        rows = area_tree_export(actor=request.actor, prefix=code)
        return csv_stream_response(rows, filename=f"areas-{code}.csv")


@leak_exempt("upload form; writes only inside the actor's jurisdiction (area_tree_import checks reach)")
class AreaImportView(ActorRequiredMixin, View):
    capability = "area.manage"
    template_name = "areas/area_import.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": AreaImportForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = AreaImportForm(request.POST, request.FILES)
        result = None
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = area_tree_import(actor=request.actor, stream=upload.read(), filename=upload.name)
            except DomainError as error:
                form.add_error("file", str(error.message))
            else:
                if not result.errors:
                    messages.success(
                        request,
                        _("Imported: %(created)d new areas, %(updated)d updated.")
                        % {"created": result.created, "updated": result.updated},
                    )
                    return redirect("areas:import")
        return render(
            request,
            self.template_name,
            {"form": form, "result": result},
            status=200 if result is None or not result.errors else 400,
        )
