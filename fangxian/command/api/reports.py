"""Command app API: the daily report (a day's report of an area, submit, one report, the roll-up).

Mounted at /api/v1/command/reports/. Reads go through the report selectors (scoped, sections
counted through the caller's scope); submitting through `daily_report_submit`, which replaces.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema

from fangxian.command.api.drills import MAX_ID
from fangxian.command.models import DailyReport
from fangxian.command.selectors.reports import (
    SectionFigures,
    daily_report_draft,
    daily_report_get,
    daily_report_rollup,
    report_rollup_default_area,
    report_sections,
    report_submit_areas,
)
from fangxian.command.services.reports import daily_report_submit
from fangxian.core.api import api_actor, require, scope_detail, scope_list
from fangxian.core.errors import NotFound

router = Router(tags=["daily report"])
AREA_CODE_PATTERN = r"^[0-9]{2,15}$"
ReportIdPath = Path(..., ge=1, le=MAX_ID, description="The report's id")


class FigureOut(Schema):
    key: str
    label: str
    value: float | int | None


class SectionOut(Schema):
    key: str
    title: str
    figures: list[FigureOut]


class ReportOut(Schema):
    id: int
    area_code: str
    date: dt.date
    status: str
    sections: list[SectionOut]
    notes: str
    submitted_at: dt.datetime | None
    submitted_by: str | None
    submission_count: int


class DayOut(Schema):
    """The day's figures as they stand now, beside what was submitted for the day (null if nothing yet)."""

    area_code: str
    area_name: str
    date: dt.date
    sections: list[SectionOut]
    report: ReportOut | None


class DayParams(Schema):
    area: str | None = Field(None, pattern=AREA_CODE_PATTERN, description="Default: my community (or my area)")
    date: dt.date | None = Field(None, description="Default: today")


class SubmitIn(Schema):
    area_code: str = Field(..., pattern=AREA_CODE_PATTERN)
    date: dt.date
    notes: str = Field("", max_length=5000)


class RollupColumnOut(Schema):
    area_code: str
    area_name: str
    communities: int
    submitted: int
    report_id: int | None
    submitted_at: dt.datetime | None
    notes: str | None


class RollupRowOut(Schema):
    section: str
    section_title: str
    key: str
    label: str
    values: list[float | int | None]
    total: float | int


class RollupOut(Schema):
    area_code: str
    area_name: str
    date: dt.date
    communities: int
    submitted: int
    columns: list[RollupColumnOut]
    rows: list[RollupRowOut]


def _sections(sections: list[SectionFigures]) -> list[dict[str, Any]]:
    return [
        {
            "key": s.key,
            "title": s.title,
            "figures": [{"key": r.key, "label": r.label, "value": r.value} for r in s.rows],
        }
        for s in sections
    ]


def _report(report: DailyReport) -> dict[str, Any]:
    return {
        "id": report.pk,
        "area_code": report.area_code,
        "date": report.date,
        "status": report.status,
        "sections": _sections(report_sections(report.figures)),
        "notes": report.notes,
        "submitted_at": report.submitted_at,
        "submitted_by": str(report.submitted_by) if report.submitted_by else None,
        "submission_count": report.submission_count,
    }


def _default_area(actor: Any) -> str:
    areas = report_submit_areas(actor=actor)
    code = areas[0].code if areas else report_rollup_default_area(actor=actor)
    if not code:
        raise NotFound(_("Not found."))
    return code


@router.get(
    "/daily",
    response=DayOut,
    openapi_extra=scope_list("command.DailyReport"),
    summary="An area's day: the figures as they stand and the report submitted (my community, today by default)",
)
def daily_report_day(request: HttpRequest, params: Query[DayParams]):
    actor = api_actor(request)
    require(actor, "report.view")
    draft = daily_report_draft(
        actor=actor, area_code=params.area or _default_area(actor), date=params.date or timezone.localdate()
    )
    return {
        "area_code": draft.area.code,
        "area_name": draft.area.name,
        "date": draft.date,
        "sections": _sections(draft.sections),
        "report": _report(draft.report) if draft.report else None,
    }


@router.get(
    "/daily/{report_id}",
    response=ReportOut,
    openapi_extra=scope_detail("command.DailyReport", "pk", "report_id"),
    summary="One report as it was submitted",
)
def daily_report_detail(request: HttpRequest, report_id: int = ReportIdPath):
    actor = api_actor(request)
    require(actor, "report.view")
    return _report(daily_report_get(actor=actor, report_id=report_id))


@router.post(
    "/daily",
    response=ReportOut,
    summary="Submit a community's report of a day; submitting again replaces it (report.submit)",
)
def daily_report_submit_endpoint(request: HttpRequest, payload: SubmitIn):
    actor = api_actor(request)
    report = daily_report_submit(actor=actor, area_code=payload.area_code, date=payload.date, notes=payload.notes)
    return _report(report)


@router.get(
    "/rollup",
    response=RollupOut,
    openapi_extra=scope_list("command.DailyReport"),
    summary="The communities' submitted reports of a date side by side, and their sum",
)
def daily_report_rollup_endpoint(request: HttpRequest, params: Query[DayParams]):
    actor = api_actor(request)
    require(actor, "report.view")
    area_code = params.area or report_rollup_default_area(actor=actor)
    if not area_code:
        raise NotFound(_("Not found."))
    rollup = daily_report_rollup(actor=actor, area_code=area_code, date=params.date or timezone.localdate())
    return {
        "area_code": rollup.area.code,
        "area_name": rollup.area.name,
        "date": rollup.date,
        "communities": rollup.communities,
        "submitted": rollup.submitted,
        "columns": [
            {
                "area_code": c.area.code,
                "area_name": c.area.name,
                "communities": c.communities,
                "submitted": c.submitted,
                "report_id": c.report.pk if c.report else None,
                "submitted_at": c.report.submitted_at if c.report else None,
                "notes": c.report.notes if c.report else None,
            }
            for c in rollup.columns
        ],
        "rows": [
            {
                "section": r.section_key,
                "section_title": r.section_title,
                "key": r.key,
                "label": r.label,
                "values": r.values,
                "total": r.total,
            }
            for r in rollup.rows
        ],
    }
