"""Command app: the daily report (pages). A community's report of a day, one report, the roll-up, exports.

The community's page is filled from the day's data through the registered sections; the worker
adds notes and submits (again, if need be: it replaces). Officials read the roll-up of their
street, district or city for a date, print it on A4 or take it to Excel.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from fangxian.command.forms_reports import DailyReportSubmitForm, ReportDayForm
from fangxian.command.menu import COMMAND_MENU
from fangxian.command.models import DailyReport
from fangxian.command.selectors.drills import capability_reaches
from fangxian.command.selectors.reports import (
    area_names,
    daily_report_draft,
    daily_report_rollup,
    report_area,
    report_rollup_default_area,
    report_sections,
    report_submit_areas,
)
from fangxian.command.services.reports import (
    XLSX_CONTENT_TYPE,
    daily_report_export_xlsx,
    daily_report_rollup_export_xlsx,
    daily_report_submit,
)
from fangxian.command.views.drills import actor_login_required, error_messages, form_messages, require_capability
from fangxian.core.areacode import AREA_CODE_RE
from fangxian.core.errors import DomainError
from fangxian.core.navigation import NavItem, register_nav
from fangxian.core.views import ScopedDetailView, ScopedListView, leak_exempt


def _day(request: HttpRequest) -> tuple[dt.date, str]:
    """The date asked for (today by default) and the area code asked for ("" if none); a bad date is today."""
    form = ReportDayForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form.cleaned_data["date"] or timezone.localdate(), form.cleaned_data["area"] or ""
    if form.is_bound:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return timezone.localdate(), ""


def _report_url(name: str, area_code: str, date: dt.date) -> str:
    return f"{reverse(name)}?{urlencode({'area': area_code, 'date': date.isoformat()})}"


class DailyReportView(ScopedListView):
    """The community's report of a day (default today): the figures, notes, submit; and the reports sent before."""

    model = DailyReport
    capability = "report.view"
    template_name = "command/reports/daily_report.html"
    paginate_by = 20

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.filter(status="submitted").select_related("submitted_by").order_by("-date", "area_code")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        actor = self.request.actor
        date, area_code = _day(self.request)
        areas = report_submit_areas(actor=actor)
        area = next((a for a in areas if a.code == area_code), areas[0] if areas else None)
        context.update(date=date, today=timezone.localdate(), areas=areas, area=area, draft=None)
        if area is not None:
            try:
                draft = daily_report_draft(actor=actor, area_code=area.code, date=date)
            except DomainError as error:
                messages.error(self.request, str(error.message))
                date = timezone.localdate()
                draft = daily_report_draft(actor=actor, area_code=area.code, date=date)
                context["date"] = date
            context["draft"] = draft
            context["can_submit"] = capability_reaches(actor, "report.submit", area.code)
            context["form"] = DailyReportSubmitForm(
                initial={"area_code": area.code, "date": date, "notes": draft.report.notes if draft.report else ""}
            )
        names = area_names(actor=actor, codes=[report.area_code for report in context["object_list"]])
        for report in context["object_list"]:
            report.area_name = names.get(report.area_code, report.area_code)
        rollup_area = report_rollup_default_area(actor=actor)
        if rollup_area and len(rollup_area) < 12:
            context["rollup_url"] = _report_url("command:daily-report-rollup", rollup_area, date)
        return context


@leak_exempt("POST only: submits through daily_report_submit, which loads the area through visible_to")
@actor_login_required
@require_POST
def daily_report_submit_view(request: HttpRequest) -> HttpResponse:
    actor = require_capability(request, "report.submit")
    form = DailyReportSubmitForm(request.POST)
    if not form.is_valid():
        form_messages(request, form)
        return redirect("command:daily-report")
    data = form.cleaned_data
    try:
        report = daily_report_submit(actor=actor, area_code=data["area_code"], date=data["date"], notes=data["notes"])
    except (DomainError, ValidationError) as error:
        error_messages(request, error)
        return redirect("command:daily-report")
    if report.submission_count > 1:
        messages.success(request, _("Submitted again: this report replaces the one sent before."))
    else:
        messages.success(request, _("Submitted. The street sees it now."))
    return redirect(_report_url("command:daily-report", report.area_code, report.date))


class DailyReportDetailView(ScopedDetailView):
    """One submitted report as the community sent it (its frozen figures)."""

    model = DailyReport
    capability = "report.view"
    template_name = "command/reports/daily_report_detail.html"
    context_object_name = "report"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("submitted_by")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from fangxian.areas.selectors import area_ancestors

        context = super().get_context_data(**kwargs)
        report: DailyReport = self.object
        context["sections"] = report_sections(report.figures)
        context["area"] = report_area(actor=self.request.actor, area_code=report.area_code)
        context["ancestors"] = [a for a in area_ancestors(report.area_code) if len(a.code) >= 6]
        return context


class DailyReportPrintView(DailyReportDetailView):
    """The same report laid out for A4 paper."""

    template_name = "command/reports/daily_report_print.html"


@leak_exempt("Excel download of a report loaded through visible_to (daily_report_export_xlsx); covered by test_reports")
@actor_login_required
@require_GET
def daily_report_export_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = require_capability(request, "report.view")
    filename, content = daily_report_export_xlsx(actor=actor, report_id=pk)
    return _xlsx_response(filename, content)


def _xlsx_response(filename: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


class DailyReportRollupView(ScopedListView):
    """The communities' reports of one date side by side, with their sum (for a street, district or city)."""

    model = DailyReport
    capability = "report.view"
    template_name = "command/reports/rollup.html"
    paginate_by = 0

    def get_queryset(self) -> QuerySet:
        self.date, area_code = _day(self.request)
        if self.date > timezone.localdate():
            messages.error(self.request, _("A report cannot be written for a day that has not come yet."))
            self.date = timezone.localdate()
        self.area_code = area_code or report_rollup_default_area(actor=self.request.actor)
        if not self.area_code or not AREA_CODE_RE.match(self.area_code):
            raise Http404(_("Not found."))
        return super().get_queryset()

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.within(self.area_code).filter(date=self.date, status="submitted")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        actor = self.request.actor
        try:
            rollup = daily_report_rollup(
                actor=actor, area_code=self.area_code, date=self.date, reports=context["object_list"]
            )
        except DomainError as error:
            raise Http404(str(error.message)) from None
        query = urlencode({"area": self.area_code, "date": self.date.isoformat()})
        context.update(
            rollup=rollup,
            date=self.date,
            today=timezone.localdate(),
            previous_day=self.date - dt.timedelta(days=1),
            next_day=self.date + dt.timedelta(days=1) if self.date < timezone.localdate() else None,
            query_string=query,
        )
        return context


class DailyReportRollupPrintView(DailyReportRollupView):
    """The roll-up laid out for A4 paper (landscape: a column per community)."""

    template_name = "command/reports/rollup_print.html"


@leak_exempt("Excel download of the roll-up computed through visible_to (daily_report_rollup_export_xlsx)")
@actor_login_required
@require_GET
def daily_report_rollup_export_view(request: HttpRequest) -> HttpResponse:
    actor = require_capability(request, "report.view")
    date, area_code = _day(request)
    area_code = area_code or report_rollup_default_area(actor=actor)
    if not area_code:
        raise Http404(_("Not found."))
    try:
        filename, content = daily_report_rollup_export_xlsx(actor=actor, area_code=area_code, date=date)
    except DomainError as error:
        error_messages(request, error)
        return redirect("command:daily-report-rollup")
    return _xlsx_response(filename, content)


register_nav(NavItem(gettext_lazy("Daily report"), "command:daily-report", "report.view", 44, group=COMMAND_MENU))

urlpatterns = [
    path("reports/", DailyReportView.as_view(), name="daily-report"),
    path("reports/submit/", daily_report_submit_view, name="daily-report-submit"),
    path("reports/<int:pk>/", DailyReportDetailView.as_view(), name="daily-report-detail"),
    path("reports/<int:pk>/print/", DailyReportPrintView.as_view(), name="daily-report-print"),
    path("reports/<int:pk>/export.xlsx", daily_report_export_view, name="daily-report-export"),
    path("reports/rollup/", DailyReportRollupView.as_view(), name="daily-report-rollup"),
    path("reports/rollup/print/", DailyReportRollupPrintView.as_view(), name="daily-report-rollup-print"),
    path("reports/rollup/export.xlsx", daily_report_rollup_export_view, name="daily-report-rollup-export"),
]
