"""Registry API: importing residents from a workbook or CSV; the record of every import.

A dry run answers at once with the counts and the problems. A real import is recorded as an
`ImportJob` (the same record the pages make): a small file runs within the request and the answer
carries the outcome; a file above FANGXIAN_IMPORT_BACKGROUND_ROWS is queued, the answer is 202 with
the job, and `GET /jobs/{id}` tells its progress and, once done, its counts.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile

from fangxian.core.api import api_actor, require, scope_detail, scope_list
from fangxian.core.errors import DomainError, NotFound
from fangxian.registry.jobs import resident_import_job
from fangxian.registry.models import ImportJob
from fangxian.registry.services.imports import (
    import_job_create,
    import_job_queue,
    import_job_run,
    import_source_read,
    mapping_check,
    resident_import,
)

router = Router(tags=["registry-imports"])
MAX_LIMIT = 200
IdPath = Path(..., ge=1, le=2**62)


class ImportRowErrorOut(Schema):
    line: int
    column: str
    message: str


class ImportOut(Schema):
    dry_run: bool
    total: int
    created: int
    existing: int
    updated: int = 0
    skipped: int
    error: int
    mapping: dict[int, str]
    errors: list[ImportRowErrorOut]
    job_id: int | None = None


class ImportJobOut(Schema):
    id: int
    area_code: str
    file_name: str
    status: str
    rows: int
    done_rows: int
    counts: dict[str, int]
    message: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
    created_by: str

    @staticmethod
    def resolve_created_by(job: ImportJob) -> str:
        return job.created_by.get_username()


class ImportJobPage(Schema):
    items: list[ImportJobOut]
    next_cursor: int | None


def _problems(mapping: dict[int, str]) -> None:
    problems = mapping_check(mapping)
    if problems:
        raise DomainError(" ".join(str(p) for p in problems), code="import_mapping", field="file")


@router.post(
    "/",
    response={200: ImportOut, 202: ImportJobOut},
    summary="Import residents from .xlsx, .xls or CSV into a grid of your jurisdiction; dry_run only checks",
)
def resident_import_create(
    request: HttpRequest,
    grid: Form[str],
    dry_run: Form[bool] = True,
    update_existing: Form[bool] = False,
    file: UploadedFile = File(..., description="The workbook or CSV (UTF-8 or GBK)"),  # noqa: B008
):
    actor = api_actor(request)
    require(actor, "registry.import")
    data, name = file.read(), file.name or ""
    source = import_source_read(data, name)
    _problems(source.mapping)  # before anything is recorded: the API has no mapping step
    mapping, job_id = source.mapping, None
    if dry_run:
        result = resident_import(actor, source, grid_code=grid, dry_run=True, update_existing=update_existing)
    else:
        job = import_job_create(actor, data=data, name=name, grid=grid)
        job_id = job.pk
        if import_job_queue(actor, job, update_existing=update_existing):
            resident_import_job(actor.user.pk, job.pk)
            return Status(202, ImportJob.objects.select_related("created_by").get(pk=job.pk))
        result = import_job_run(actor, job)
        if result is None:
            raise DomainError(job.message or _("The import failed."), code="import_failed")
    return {
        "dry_run": dry_run,
        "total": result.total,
        **result.counts,
        "mapping": mapping,
        "errors": [{"line": e.line, "column": e.column, "message": e.message} for e in result.errors[:1000]],
        "job_id": job_id,
    }


@router.get(
    "/jobs",
    response=ImportJobPage,
    openapi_extra=scope_list("registry.ImportJob"),
    summary="Imports into my jurisdiction, newest first",
)
def import_jobs(
    request: HttpRequest,
    after: int | None = Query(None, ge=1, le=2**62),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
):
    actor = api_actor(request)
    require(actor, "registry.import")
    jobs = ImportJob.objects.visible_to(actor).select_related("created_by").order_by("-pk")
    if after:
        jobs = jobs.filter(pk__lt=after)
    items = list(jobs[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    return {"items": items, "next_cursor": items[-1].pk if more and items else None}


@router.get(
    "/jobs/{job_id}",
    response=ImportJobOut,
    openapi_extra=scope_detail("registry.ImportJob", lookup="pk", param="job_id"),
    summary="One import: its status, progress and counts",
)
def import_job_read(request: HttpRequest, job_id: int = IdPath):
    actor = api_actor(request)
    require(actor, "registry.import")
    job = ImportJob.objects.visible_to(actor).select_related("created_by").filter(pk=job_id).first()
    if job is None:
        raise NotFound(_("Not found."))
    return job
