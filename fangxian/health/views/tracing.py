"""Health pages: contact tracing (密接排查), routes collected by fangxian/health/urls.py.

* `/health/tracing/`: find the person (a search or a resident number) and choose the window.
* `/health/tracing/<pk>/`: the trace: contacts graded A/B/C in a table (masked numbers) and an
  ECharts force graph drawn from a JSON script tag; `?export=xlsx` downloads the contacts (audited).
* `/health/tracing/<pk>/screening/` (POST): the ticked contacts become a screening list.

Capability `tracing.run` (officials, commanders, community workers); the person must be visible
(404 otherwise), and contacts are read through `visible_to` by `contacts_trace`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from fangxian.core.errors import DomainError
from fangxian.core.navigation import NavItem, register_nav
from fangxian.core.views import ActorRequiredMixin, ScopedDetailView, ScopedListView, leak_exempt
from fangxian.health.forms_tracing import (
    DATETIME_FORMAT,
    TracingScreeningForm,
    TracingSearchForm,
    TracingWindowForm,
)
from fangxian.health.menu import HEALTH_MENU
from fangxian.health.selectors.tracing import (
    CLOSE_MINUTES,
    GRADE_LABELS,
    GRADES,
    contacts_trace,
    contacts_trace_export,
    tracing_person,
)
from fangxian.registry.models import Resident
from fangxian.registry.selectors.residents import resident_search_narrow

SEARCH_RESULTS = 20
# A fortnight at a busy gate meets thousands of people: the page lists the closest (the list is
# sorted by grade, then gap) and the export holds them all; a phone would not carry more.
TABLE_MAX = 500
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _window_query(form: TracingWindowForm) -> str:
    """The window as a query string, for links that keep it (a valid form's values, else the defaults)."""
    data = form.data if not form.is_bound or not form.errors else {}
    return urlencode({key: data.get(key, "") for key in ("start", "end", "minutes") if data.get(key)})


class TracingStartView(ScopedListView):
    """Find the person to trace: up to 20 matches of a search, or straight to a resident number."""

    model = Resident
    capability = "tracing.run"
    template_name = "health/tracing/start.html"
    paginate_by = 0

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.form = TracingSearchForm(request.GET)
        if self.form.is_valid() and self.form.cleaned_data.get("resident"):
            url = reverse("health:trace", kwargs={"pk": self.form.cleaned_data["resident"]})
            return HttpResponseRedirect(f"{url}?{_window_query(self.form)}")
        return super().get(request, *args, **kwargs)

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        query = self.form.data.get("q", "") if self.form.is_bound else ""
        if not query.strip():
            return queryset.none()
        found = resident_search_narrow(queryset, query=query, status="")
        return found.select_related("household__building", "household__unit").order_by("name", "id")[:SEARCH_RESULTS]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            form=self.form,
            q=self.form.data.get("q", ""),
            window_query=_window_query(self.form),
            limit=SEARCH_RESULTS,
        )
        return context


class TraceView(ScopedDetailView):
    """The trace of one person: graded contacts, the graph, the export and the screening action."""

    model = Resident
    capability = "tracing.run"
    template_name = "health/tracing/trace.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("household__building", "household__unit")

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        self.form = TracingWindowForm(request.GET)
        self.trace = None
        if self.form.is_valid():
            data = self.form.cleaned_data
            try:
                self.trace = contacts_trace(
                    actor=request.actor,
                    resident_id=self.object.pk,
                    start=data["start"],
                    end=data["end"],
                    minutes=data["minutes"],
                )
            except DomainError as error:
                self.form.add_error(None, str(error.message))
        if request.GET.get("export") == "xlsx" and self.trace is not None:
            content = contacts_trace_export(actor=request.actor, trace=self.trace)
            response = HttpResponse(content, content_type=XLSX)
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
            response["Content-Disposition"] = f'attachment; filename="contacts-{self.object.pk}-{stamp}.xlsx"'
            response["X-Content-Type-Options"] = "nosniff"
            response["Cache-Control"] = "private, no-store"
            return response
        return self.render_to_response(self.get_context_data(object=self.object))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        trace = self.trace
        query = _window_query(self.form)
        deadline = (timezone.localtime() + dt.timedelta(days=1)).replace(second=0, microsecond=0)
        context.update(
            form=self.form,
            trace=trace,
            window_query=query,
            export_url=f"?{query}&export=xlsx" if query else "?export=xlsx",
            grade_labels=[(grade, GRADE_LABELS[grade]) for grade in GRADES],
            close_minutes=CLOSE_MINUTES,
            screening_form=TracingScreeningForm(
                initial={
                    "title": _("Contacts of %(name)s") % {"name": self.object.name},
                    "deadline": deadline.strftime(DATETIME_FORMAT),
                    "reason": _("Contact of a traced person"),
                }
            ),
        )
        if trace is not None:
            context.update(
                counts=trace.counts(),
                chart_data=trace.chart_data(),
                shown_contacts=trace.contacts[:TABLE_MAX],
                more_contacts=max(len(trace.contacts) - TABLE_MAX, 0),
            )
        return context


@leak_exempt(
    "a POST that writes a screening list through screening_list_from_residents (which reads the residents "
    "through visible_to) and redirects; it renders no rows"
)
class TraceScreeningView(ActorRequiredMixin, View):
    """Turn the ticked contacts into a screening list; back to the trace with a message."""

    capability = "tracing.run"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        from fangxian.health.services.screening import screening_list_from_residents

        person = tracing_person(actor=request.actor, resident_id=pk)  # 404 outside the jurisdiction
        back = reverse("health:trace", kwargs={"pk": person.pk})
        window = TracingWindowForm(request.POST)
        query = _window_query(window)
        back = f"{back}?{query}" if query else back
        form = TracingScreeningForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect(back)
        try:
            created = screening_list_from_residents(
                actor=request.actor,
                title=form.cleaned_data["title"],
                deadline=form.cleaned_data["deadline"],
                resident_ids=form.resident_ids,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            messages.error(request, str(error.message))
            return redirect(back)
        messages.success(
            request,
            _("Screening list “%(title)s” created with %(n)d people; they are routed to their grids.")
            % {"title": created.title, "n": len(form.resident_ids)},
        )
        return redirect(reverse("health:screening_list_detail", kwargs={"pk": created.pk}))


register_nav(NavItem(gettext_lazy("Contact tracing"), "health:tracing", "tracing.run", 66, group=HEALTH_MENU))

urlpatterns = [
    path("tracing/", TracingStartView.as_view(), name="tracing"),
    path("tracing/<int:pk>/", TraceView.as_view(), name="trace"),
    path("tracing/<int:pk>/screening/", TraceScreeningView.as_view(), name="trace_screening"),
]
