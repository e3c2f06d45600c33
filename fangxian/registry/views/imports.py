"""Registry: resident import pages (template, upload, mapping, dry-run preview, import, result).

The uploaded file waits in the private var directory under a random token kept in the uploader's
session, so only the uploader reaches it; the pages show the file's own header and counts and the
grids of the actor's jurisdiction, never other rows.
"""

from __future__ import annotations

import io
import os
import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangxian.core.errors import DomainError
from fangxian.core.navigation import NavItem, register_nav
from fangxian.core.uploads import upload_limit_bytes
from fangxian.core.views import leak_exempt, render_error
from fangxian.registry.forms_imports import ImportMappingForm, ImportUploadForm
from fangxian.registry.jobs import resident_import_job
from fangxian.registry.menu import REGISTRY_MENU
from fangxian.registry.services.imports import (
    import_directory,
    import_grids,
    import_run_stored,
    import_source_read,
    import_status_read,
    import_status_write,
    mapping_check,
    resident_import,
    template_xlsx,
)

SESSION_KEY = "registry_imports"
# Files with more rows than this are imported by a background job, with a progress bar.
BACKGROUND_ROWS = 5000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXEMPT = "import pages show the uploader's own file and the grids of their jurisdiction"


def _require(request: HttpRequest) -> None:
    if not request.actor.can("registry.import"):
        raise PermissionDenied(_("Your role does not allow importing residents."))


def _pending(request: HttpRequest, token: str) -> dict[str, Any]:
    entry = request.session.get(SESSION_KEY, {}).get(token)
    if not entry:
        raise Http404(_("This import is not yours or has expired."))
    return entry


def _save(request: HttpRequest, token: str, entry: dict[str, Any]) -> None:
    imports = request.session.get(SESSION_KEY, {})
    imports[token] = entry
    # Keep the session small: the five latest imports.
    request.session[SESSION_KEY] = dict(list(imports.items())[-5:])


def _data(entry: dict[str, Any]) -> bytes:
    try:
        return (import_directory() / entry["file"]).read_bytes()
    except FileNotFoundError:
        raise Http404(_("This import is not yours or has expired.")) from None


@leak_exempt("the import template holds no rows")
@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    _require(request)
    output = io.BytesIO()
    template_xlsx(output)
    output.seek(0)
    return FileResponse(output, as_attachment=True, filename="resident-import-template.xlsx", content_type=XLSX)


@leak_exempt(EXEMPT)
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
            data = upload.read()
            try:
                source = import_source_read(data, upload.name)
            except DomainError as problem:
                form.add_error("file", problem.message)
            else:
                token = uuid.uuid4().hex
                extension = os.path.splitext(upload.name)[1].lower()
                (import_directory() / f"{token}{extension}").write_bytes(data)
                _save(
                    request,
                    token,
                    {
                        "file": f"{token}{extension}",
                        "name": upload.name[:200],
                        "grid": form.cleaned_data["grid"],
                        "mapping": {str(k): v for k, v in source.mapping.items()},
                    },
                )
                return redirect("registry:import_mapping", token=token)
    return render(request, "registry/imports/upload.html", {"form": form, "grids": grids})


@leak_exempt(EXEMPT)
@login_required
def import_mapping(request: HttpRequest, token: str) -> HttpResponse:
    _require(request)
    entry = _pending(request, token)
    if entry.get("started"):
        # The file is gone once the import has run: its page is the result.
        return redirect("registry:import_result", token=token)
    source = import_source_read(_data(entry), entry["name"])
    mapping = {int(k): v for k, v in entry["mapping"].items()}
    form = ImportMappingForm(request.POST or None, header=source.header, mapping=mapping)
    context: dict[str, Any] = {"form": form, "entry": entry, "token": token, "rows": len(source.rows)}
    if request.method == "POST" and form.is_valid():
        mapping = form.mapping()
        problems = mapping_check(mapping)
        entry["mapping"] = {str(k): v for k, v in mapping.items()}
        _save(request, token, entry)
        if problems:
            context["problems"] = problems
        elif request.POST.get("action") == "run":
            entry["started"] = True
            _save(request, token, entry)
            arguments = {"file": entry["file"], "name": entry["name"], "grid": entry["grid"]}
            if len(source.rows) > getattr(settings, "FANGXIAN_IMPORT_BACKGROUND_ROWS", BACKGROUND_ROWS):
                import_status_write(token, {"state": "queued", "done": 0, "total": len(source.rows)})
                resident_import_job(request.user.pk, token, mapping=entry["mapping"], **arguments)
            else:
                import_run_stored(request.actor, token, mapping=mapping, **arguments)
            return redirect("registry:import_result", token=token)
        else:
            try:
                result = resident_import(request.actor, source, grid_code=entry["grid"], mapping=mapping, dry_run=True)
            except DomainError as problem:
                context["problems"] = [problem.message]
            else:
                context["preview"] = result
                context["preview_errors"] = result.errors[:50]
    return render(request, "registry/imports/mapping.html", context)


@leak_exempt(EXEMPT)
@login_required
def import_result(request: HttpRequest, token: str) -> HttpResponse:
    _require(request)
    entry = _pending(request, token)
    status = import_status_read(token)
    if not entry.get("started") or status is None:
        return redirect("registry:import_mapping", token=token)
    context = {"entry": entry, "token": token, "status": status}
    if status["state"] in ("queued", "running"):
        total = status.get("total") or 1
        context["percent"] = min(100, round(100 * status.get("done", 0) / total))
    return render(request, "registry/imports/result.html", context)


@leak_exempt(EXEMPT)
@login_required
def import_errors(request: HttpRequest, token: str) -> HttpResponse:
    _require(request)
    _pending(request, token)
    status = import_status_read(token) or {}
    if status.get("state") != "done":
        raise Http404(_("This import has not finished yet."))
    report = import_directory() / status["report"]
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
    path("imports/template.xlsx", import_template, name="import_template"),
    path("imports/<str:token>/mapping/", import_mapping, name="import_mapping"),
    path("imports/<str:token>/result/", import_result, name="import_result"),
    path("imports/<str:token>/errors.xlsx", import_errors, name="import_errors"),
]

register_nav(
    NavItem(gettext_lazy("Import residents"), "registry:import_upload", "registry.import", 45, group=REGISTRY_MENU)
)
