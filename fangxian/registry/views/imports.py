"""Registry: resident import pages (template, upload, mapping, dry-run preview, import, result, history).

An upload becomes an `ImportJob` in the chosen grid: its file waits in the private var directory
while the uploader corrects the mapping (only the uploader may go on with it), and its outcome,
progress and error report are recorded on the job, which others of the jurisdiction with the
import capability see in the history.
"""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangxian.core.errors import DomainError, NotFound
from fangxian.core.errors import PermissionDenied as DomainPermissionDenied
from fangxian.core.navigation import NavItem, register_nav
from fangxian.core.uploads import upload_limit_bytes
from fangxian.core.views import ScopedDetailView, ScopedListView, leak_exempt, render_error
from fangxian.registry.forms_imports import ImportMappingForm, ImportUploadForm
from fangxian.registry.jobs import resident_import_job
from fangxian.registry.menu import REGISTRY_MENU
from fangxian.registry.models import ImportJob, ImportStatus
from fangxian.registry.services.imports import (
    import_grids,
    import_job_create,
    import_job_get,
    import_job_mapping_set,
    import_job_queue,
    import_job_run,
    import_job_source,
    import_report_path,
    mapping_check,
    resident_import,
    template_xlsx,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require(request: HttpRequest) -> None:
    if not request.actor.can("registry.import"):
        raise PermissionDenied(_("Your role does not allow importing residents."))


def _job(request: HttpRequest, pk: int, *, own: bool = False) -> ImportJob:
    try:
        return import_job_get(request.actor, pk, own=own)
    except NotFound as problem:
        raise Http404(problem.message) from None
    except DomainPermissionDenied as problem:
        raise PermissionDenied(problem.message) from None


@leak_exempt("the import template holds no rows")
@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    _require(request)
    output = io.BytesIO()
    template_xlsx(output)
    output.seek(0)
    return FileResponse(output, as_attachment=True, filename="resident-import-template.xlsx", content_type=XLSX)


@leak_exempt("the upload form lists only the grids of the actor's jurisdiction (import_grids)")
@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    _require(request)
    grids = import_grids(request.actor)
    form = ImportUploadForm(request.POST or None, request.FILES or None, grids=grids)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > upload_limit_bytes():
            form.add_error("file", _("The file is too large."))
        else:
            try:
                job = import_job_create(
                    request.actor, data=upload.read(), name=upload.name, grid=form.cleaned_data["grid"]
                )
            except DomainError as problem:
                form.add_error("file", problem.message)
            else:
                return redirect("registry:import_mapping", pk=job.pk)
    return render(request, "registry/imports/upload.html", {"form": form, "grids": grids})


@leak_exempt("the uploader's own import, fetched with visible_to and the uploader checked (import_job_get)")
@login_required
def import_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request)
    job = _job(request, pk, own=True)
    if job.status != ImportStatus.UPLOADED:
        return redirect("registry:import_detail", pk=job.pk)
    try:
        source = import_job_source(job)
    except NotFound as problem:
        raise Http404(problem.message) from None
    mapping = {int(k): v for k, v in job.mapping.items()}
    form = ImportMappingForm(request.POST or None, header=source.header, mapping=mapping)
    context: dict[str, Any] = {"form": form, "job": job, "rows": job.rows}
    if request.method == "POST" and form.is_valid():
        mapping = form.mapping()
        problems = mapping_check(mapping)
        import_job_mapping_set(request.actor, job, mapping)
        if problems:
            context["problems"] = problems
        elif request.POST.get("action") == "run":
            try:
                background = import_job_queue(request.actor, job, update_existing=form.cleaned_data["update_existing"])
            except DomainError as problem:
                context["problems"] = [problem.message]
            else:
                if background:
                    resident_import_job(request.user.pk, job.pk)
                else:
                    import_job_run(request.actor, job)
                return redirect("registry:import_detail", pk=job.pk)
        else:
            try:
                result = resident_import(
                    request.actor,
                    source,
                    grid_code=job.area_code,
                    mapping=mapping,
                    dry_run=True,
                    update_existing=form.cleaned_data["update_existing"],
                )
            except DomainError as problem:
                context["problems"] = [problem.message]
            else:
                context["preview"] = result
                context["preview_errors"] = result.errors[:50]
    return render(request, "registry/imports/mapping.html", context)


class ImportJobListView(ScopedListView):
    """The imports of the jurisdiction, newest first: who imported which file into which grid, and the outcome."""

    model = ImportJob
    capability = "registry.import"
    template_name = "registry/imports/list.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("created_by").order_by("-created_at", "-id")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["keep_days"] = getattr(settings, "FANGXIAN_IMPORT_KEEP_DAYS", 7)
        return context


class ImportJobDetailView(ScopedDetailView):
    """One import: its progress while it runs (the page refreshes itself), then its counts and error report."""

    model = ImportJob
    capability = "registry.import"
    template_name = "registry/imports/result.html"
    context_object_name = "job"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("created_by")


@leak_exempt("a download of an import fetched with visible_to (import_job_get)")
@login_required
def import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request)
    job = _job(request, pk)
    try:
        report = import_report_path(job)
    except NotFound as problem:
        raise Http404(problem.message) from None
    return FileResponse(report.open("rb"), as_attachment=True, filename="import-errors.xlsx", content_type=XLSX)


@leak_exempt("a download of the actor's own residents, scoped by resident_export_xlsx (visible_to)")
@login_required
def resident_export(request: HttpRequest) -> HttpResponse:
    """The residents of the actor's jurisdiction (optionally one area and one status) as Excel.

    GET gives masked numbers; POST with `unmasked` and a `reason` gives full ones, for those who may.
    """
    from fangxian.registry.models import Resident
    from fangxian.registry.services.exports import resident_export_xlsx

    params = request.POST if request.method == "POST" else request.GET
    queryset = Resident.objects.all()
    area = params.get("area", "").strip()
    if area:
        if not area.isdigit():
            raise Http404(_("Not found."))
        queryset = queryset.within(area)
    if params.get("status"):
        queryset = queryset.filter(status=params["status"])
    unmasked = request.method == "POST" and params.get("unmasked") == "1"
    output = io.BytesIO()
    try:
        resident_export_xlsx(request.actor, queryset, output, unmasked=unmasked, reason=params.get("reason", ""))
    except DomainError as problem:
        if problem.status == 403:
            raise PermissionDenied(problem.message) from None
        return render_error(request, 400, problem.message)
    output.seek(0)
    return FileResponse(output, as_attachment=True, filename="residents.xlsx", content_type=XLSX)


urlpatterns = [
    path("residents/export.xlsx", resident_export, name="resident_export"),
    path("imports/", import_upload, name="import_upload"),
    path("imports/history/", ImportJobListView.as_view(), name="import_list"),
    path("imports/template.xlsx", import_template, name="import_template"),
    path("imports/<int:pk>/", ImportJobDetailView.as_view(), name="import_detail"),
    path("imports/<int:pk>/mapping/", import_mapping, name="import_mapping"),
    path("imports/<int:pk>/errors.xlsx", import_errors, name="import_errors"),
]

register_nav(
    NavItem(gettext_lazy("Import residents"), "registry:import_upload", "registry.import", 45, group=REGISTRY_MENU)
)
register_nav(
    NavItem(gettext_lazy("Import history"), "registry:import_list", "registry.import", 46, group=REGISTRY_MENU)
)
