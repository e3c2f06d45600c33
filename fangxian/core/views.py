"""Base views that every app's pages build on, and the pages of the core app itself.

`ScopedListView` and `ScopedDetailView` are how a page shows jurisdictional rows: they take the
queryset from `visible_to(request.actor)` and check a capability first, so a page cannot forget
either. The jurisdiction leak test discovers every URL whose view derives from them; any other
view must say why it holds no jurisdictional data with `@leak_exempt(...)`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView

from fangxian.areas.models import Area, Household
from fangxian.core.models import AuditEvent
from fangxian.core.panels import home_panels
from fangxian.core.scoping import Actor


def leak_exempt(reason: str) -> Callable:
    """Mark a view that shows no jurisdictional rows (login, language switch, static help)."""

    def decorate(view: Any) -> Any:
        view.leak_exempt = reason
        return view

    return decorate


class ActorRequiredMixin(LoginRequiredMixin):
    capability: ClassVar[str | None] = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated or not request.actor.is_authenticated:
            return self.handle_no_permission()
        if self.capability and not request.actor.can(self.capability):
            raise PermissionDenied(_("Your role does not allow this."))
        return super().dispatch(request, *args, **kwargs)


class ScopedListView(ActorRequiredMixin, ListView):
    """A list of rows of `model` that the actor may see, paginated.

    A list that sets `export_columns` can be downloaded as Excel, with its filters, by those with
    `export_capability`: `?export=xlsx` runs the same scoped and filtered queryset, unpaginated,
    through `list_export_xlsx` (masked values, audited); the template shows the button
    (`core/_export_button.html`) when `export_url` is in the context.
    """

    model: ClassVar[type[models.Model]]
    paginate_by = 50
    export_columns: ClassVar[list[Any] | None] = None
    export_capability: ClassVar[str] = "registry.export"
    export_name: ClassVar[str] = "list"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET.get("export") == "xlsx" and self.export_columns is not None:
            return self.export()
        return super().get(request, *args, **kwargs)

    def can_export(self) -> bool:
        return self.export_columns is not None and self.request.actor.can(self.export_capability)

    def export(self) -> HttpResponse:
        import io

        from django.http import FileResponse

        from fangxian.core.exports import list_export_xlsx

        if not self.can_export():
            raise PermissionDenied(_("Your role does not allow exporting this list."))
        output = io.BytesIO()
        list_export_xlsx(
            self.request.actor,
            self.get_queryset().iterator(chunk_size=2000),
            self.export_columns,
            output,
            title=self.model._meta.verbose_name_plural,
            object_type=self.model._meta.label_lower,
        )
        output.seek(0)
        return FileResponse(
            output,
            as_attachment=True,
            filename=f"{self.export_name}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )

    def get_queryset(self) -> models.QuerySet:
        return self.scoped_queryset(self.model._default_manager.visible_to(self.request.actor))

    def scoped_queryset(self, queryset: models.QuerySet) -> models.QuerySet:
        """Narrow, order and join; never widen (the argument is already scoped)."""
        return queryset

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("export", None)
        context["query"] = query.urlencode()
        if self.can_export():
            query["export"] = "xlsx"
            context["export_url"] = f"?{query.urlencode()}"
        return context


class ScopedDetailView(ActorRequiredMixin, DetailView):
    """One row of `model`: 404 alike for "missing" and "outside your jurisdiction"."""

    model: ClassVar[type[models.Model]]

    def get_queryset(self) -> models.QuerySet:
        return self.scoped_queryset(self.model._default_manager.visible_to(self.request.actor))

    def scoped_queryset(self, queryset: models.QuerySet) -> models.QuerySet:
        return queryset


def actor_of(request: HttpRequest) -> Actor:
    return request.actor


def paginate(request: HttpRequest, queryset: models.QuerySet, per_page: int = 50) -> Any:
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


@leak_exempt("liveness probe: no data")
def healthz(request: HttpRequest) -> JsonResponse:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@leak_exempt("redirects to the actor's own home area")
def root(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    return redirect("core:home")


def render_error(request: HttpRequest, status: int, message: str) -> HttpResponse:
    return render(request, "core/error.html", {"status": status, "message": message}, status=status)


@leak_exempt("error page")
def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else _("Your role does not allow this.")
    return render_error(request, 403, message)


@leak_exempt("error page")
def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render_error(request, 404, _("This page does not exist, or it is not in your jurisdiction."))


@leak_exempt("error page")
def error_500(request: HttpRequest) -> HttpResponse:
    return render_error(
        request, 500, _("Something went wrong on our side. Nothing was saved half-way; please try again.")
    )


class HomeView(ScopedListView):
    """The home page of every level: the actor's areas with live counts, and the level below."""

    model = Area
    template_name = "core/home.html"
    paginate_by = 0

    def scoped_queryset(self, queryset: models.QuerySet) -> models.QuerySet:
        from fangxian.core.areacode import LEVEL_LENGTHS

        # Children of every top area the actor holds: one query, the level below each grant.
        actor = self.request.actor
        child_lengths = {
            LEVEL_LENGTHS[LEVEL_LENGTHS.index(len(p)) + 1] for p in actor.area_prefixes if len(p) in LEVEL_LENGTHS[:-1]
        }
        return queryset.filter(level__in=child_lengths).order_by("code")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from fangxian.areas.selectors import area_children_counts, area_subtree_counts

        context = super().get_context_data(**kwargs)
        actor = self.request.actor
        tops = {a.code: a for a in Area.objects.visible_to(actor).filter(code__in=actor.area_prefixes)}
        context["panels"] = [
            {
                "area": tops[code],
                "counts": area_subtree_counts(actor=actor, code=code),
                "buildings": self._grid_buildings(code) if len(code) == 15 else None,
            }
            for code in actor.area_prefixes
            if code in tops
        ]
        children = list(context["object_list"])
        counts = area_children_counts(actor=actor, codes=[child.code for child in children])
        context["children"] = [{"area": child, "counts": counts.get(child.code, {})} for child in children]
        context["extra_panels"] = home_panels(actor)
        context["households"] = []
        if actor.household_ids:
            context["households"] = list(
                Household.objects.visible_to(actor)
                .filter(pk__in=actor.household_ids)
                .select_related("building", "unit")
            )
        return context

    def _grid_buildings(self, code: str) -> list:
        """A grid worker's home goes straight to the buildings of their grid."""
        from django.db.models import Count

        from fangxian.areas.models import Building

        if not self.request.actor.can("household.view"):
            return []
        return list(
            Building.objects.visible_to(self.request.actor)
            .filter(area_code=code)
            .annotate(household_count=Count("households"))
            .order_by("estate", "name")[:200]
        )


class AuditEventListView(ScopedListView):
    """The audit trail of the actor's jurisdiction, searchable by area, action, person and date."""

    model = AuditEvent
    capability = "audit.view"
    template_name = "core/audit_list.html"

    def get_queryset(self) -> models.QuerySet:
        from fangxian.core.forms import AuditSearchForm
        from fangxian.core.selectors import audit_event_search

        self.form = AuditSearchForm(self.request.GET or None)
        filters = self.form.cleaned_data if self.form.is_valid() else {}
        return audit_event_search(actor=self.request.actor, **{k: v for k, v in filters.items() if v})

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["form"] = self.form
        return context


@leak_exempt("object loaded through visible_to (404 elsewhere); covered by test_reveal")
def personal_reveal(request: HttpRequest, model_label: str, pk: int, field: str) -> HttpResponse:
    """htmx: GET asks why, POST shows the full value once and records the access."""
    from django.apps import apps
    from django.http import Http404

    from fangxian.core.errors import DomainError
    from fangxian.core.errors import PermissionDenied as DomainPermissionDenied
    from fangxian.core.scoping import ScopedModel
    from fangxian.core.services import personal_value_reveal

    actor = request.actor
    if not actor.is_authenticated:
        return redirect("accounts:login")
    try:
        model = apps.get_model(model_label)
    except (LookupError, ValueError):
        raise Http404 from None
    if not issubclass(model, ScopedModel):
        raise Http404
    obj = model._default_manager.get_visible(actor, pk=pk)
    context = {"obj": obj, "field": field}
    if not actor.can("personal.reveal"):
        raise PermissionDenied(_("Your role may not see full ID-card and phone numbers."))
    if request.method != "POST":
        return render(request, "core/_reveal_form.html", context)
    reason = request.POST.get("reason", "")[:500]
    try:
        value = personal_value_reveal(actor=actor, obj=obj, field_name=field, reason=reason)
    except DomainPermissionDenied as error:
        raise PermissionDenied(str(error.message)) from None
    except DomainError as error:
        # 200, not 400: htmx swaps only successful responses, and the form must show the message.
        return render(request, "core/_reveal_form.html", {**context, "error": error.message, "reason": reason})
    return render(request, "core/_revealed.html", {**context, "value": value})
