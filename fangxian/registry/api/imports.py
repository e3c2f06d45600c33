"""Registry API: importing residents from a workbook or CSV in one request (dry run or for real)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from fangxian.core.api import api_actor, require
from fangxian.registry.services.imports import import_source_read, mapping_check, resident_import

router = Router(tags=["registry-imports"])


class ImportRowErrorOut(Schema):
    line: int
    column: str
    message: str


class ImportOut(Schema):
    dry_run: bool
    total: int
    created: int
    existing: int
    skipped: int
    error: int
    mapping: dict[int, str]
    errors: list[ImportRowErrorOut]


@router.post(
    "/",
    response={200: ImportOut},
    summary="Import residents from .xlsx, .xls or CSV into a grid of your jurisdiction; dry_run only checks",
)
def resident_import_create(
    request: HttpRequest,
    grid: Form[str],
    dry_run: Form[bool] = True,
    file: UploadedFile = File(..., description="The workbook or CSV (UTF-8 or GBK)"),  # noqa: B008
):
    actor = api_actor(request)
    require(actor, "registry.import")
    source = import_source_read(file.read(), file.name or "")
    problems = mapping_check(source.mapping)
    if problems:
        from fangxian.core.errors import DomainError

        raise DomainError(" ".join(str(p) for p in problems), code="import_mapping", field="file")
    result = resident_import(actor, source, grid_code=grid, dry_run=dry_run)
    return {
        "dry_run": dry_run,
        "total": result.total,
        **result.counts,
        "mapping": source.mapping,
        "errors": [{"line": e.line, "column": e.column, "message": e.message} for e in result.errors[:1000]],
    }
