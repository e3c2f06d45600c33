"""Health API, screening lists (协查名单): send a list as JSON, read lists, progress and entries, answer, route.

Reads go through `fangxian.health.selectors.screening` (scoped), writes through
`fangxian.health.services.screening`. Personal numbers leave the API masked. An Excel or CSV file
is sent through the page (`/health/screening/new/`), which shares the parser and the service.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema, Status

from fangxian.core.api import api_actor, require, scope_detail, scope_list
from fangxian.health import capabilities  # noqa: F401 - screening.* capabilities
from fangxian.health.importing import MAX_ENTRIES, screening_rows_check
from fangxian.health.models import Measure, Outcome, ScreeningEntry, ScreeningList
from fangxian.health.selectors.screening import (
    screening_entry_get,
    screening_entry_list,
    screening_list_get,
    screening_list_list,
    screening_progress,
)
from fangxian.health.services.screening import (
    screening_entry_answer,
    screening_entry_route,
    screening_list_create,
)

router = Router(tags=["health"])
MAX_LIMIT = 200
AREA_PATTERN = r"^([0-9]{2,15})?$"
ListIdPath = Path(..., ge=1, le=2**62, description="The screening list's id")
EntryIdPath = Path(..., ge=1, le=2**62, description="The entry's id")


class ScreeningListOut(Schema):
    id: int
    area_code: str
    title: str
    source: str
    deadline: dt.datetime
    created_at: dt.datetime
    entries_count: int
    matched_count: int
    overdue: bool


class ScreeningListPage(Schema):
    items: list[ScreeningListOut]
    next_cursor: int | None


class RowProblemOut(Schema):
    row: int
    message: str


class ScreeningListCreated(Schema):
    screening_list: ScreeningListOut
    problems: list[RowProblemOut]


class ScreeningPersonIn(Schema):
    name: str = Field("", max_length=50)
    id_number: str = Field("", max_length=32)
    phone: str = Field("", max_length=32)
    reason: str = Field("", max_length=200)


class ScreeningListIn(Schema):
    title: str = Field(..., max_length=200)
    deadline: dt.datetime
    area_code: str = Field("", pattern=AREA_PATTERN, description="The area the list is for; empty: my jurisdiction")
    source: str = Field("", max_length=200)
    entries: list[ScreeningPersonIn] = Field(..., max_length=MAX_ENTRIES)


class ProgressRowOut(Schema):
    code: str
    name: str
    queue: bool
    total: int
    answered: int
    open: int
    overdue: int
    percent: int


class ProgressTotalsOut(Schema):
    total: int
    answered: int
    open: int
    overdue: int
    percent: int


class ProgressOut(Schema):
    screening_list: ScreeningListOut
    communities: list[ProgressRowOut]
    totals: ProgressTotalsOut
    deadline_passed: bool


class ScreeningEntryOut(Schema):
    id: int
    screening_list_id: int
    row_number: int
    area_code: str
    name: str
    id_number: str
    phone: str
    reason: str
    match: str
    resident_id: int | None
    status: str
    outcome: str
    measure: str
    note: str
    answered_at: dt.datetime | None
    task_id: int | None
    deadline: dt.datetime
    overdue: bool


class ScreeningEntryPage(Schema):
    items: list[ScreeningEntryOut]
    next_cursor: int | None


class AnswerIn(Schema):
    outcome: Outcome
    measure: Measure = Measure.NONE
    note: str = Field("", max_length=500)


class RouteIn(Schema):
    resident_id: int | None = Field(None, ge=1, le=2**62)
    area_code: str = Field("", pattern=AREA_PATTERN)


def _list_out(screening_list: ScreeningList) -> dict[str, Any]:
    return {
        "id": screening_list.pk,
        "area_code": screening_list.area_code,
        "title": screening_list.title,
        "source": screening_list.source,
        "deadline": screening_list.deadline,
        "created_at": screening_list.created_at,
        "entries_count": screening_list.entries_count,
        "matched_count": screening_list.matched_count,
        "overdue": screening_list.deadline < timezone.now(),
    }


def _entry_out(entry: ScreeningEntry) -> dict[str, Any]:
    deadline = entry.screening_list.deadline
    return {
        "id": entry.pk,
        "screening_list_id": entry.screening_list_id,
        "row_number": entry.row_number,
        "area_code": entry.area_code,
        "name": entry.name,
        "id_number": entry.id_number_masked,
        "phone": entry.phone_masked,
        "reason": entry.reason,
        "match": entry.match,
        "resident_id": entry.resident_id,
        "status": entry.status,
        "outcome": entry.outcome,
        "measure": entry.measure,
        "note": entry.answer_note,
        "answered_at": entry.answered_at,
        "task_id": entry.task_id,
        "deadline": deadline,
        "overdue": entry.status == "open" and deadline < timezone.now(),
    }


def _page(rows, after: int | None, limit: int) -> tuple[list[Any], int | None]:
    rows = rows.order_by("pk")
    if after:
        rows = rows.filter(pk__gt=after)
    items = list(rows[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    return items, (items[-1].pk if more and items else None)


@router.get(
    "/screening/lists",
    response=ScreeningListPage,
    openapi_extra=scope_list("health.ScreeningList"),
    summary="Screening lists sent over my jurisdiction, by id",
)
def screening_lists(
    request: HttpRequest,
    area_code: str = Query("", pattern=AREA_PATTERN),
    after: int | None = Query(None, ge=1, le=2**62),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
):
    actor = api_actor(request)
    require(actor, "health.view")
    items, cursor = _page(screening_list_list(actor=actor, area_code=area_code), after, limit)
    return {"items": [_list_out(item) for item in items], "next_cursor": cursor}


@router.post(
    "/screening/lists",
    response={201: ScreeningListCreated},
    summary="Send a screening list down (screening.send): matched, routed to grids, a task per grid",
)
def screening_list_send(request: HttpRequest, payload: ScreeningListIn):
    actor = api_actor(request)
    require(actor, "screening.send")
    parsed = screening_rows_check((number, person.dict()) for number, person in enumerate(payload.entries, start=1))
    created = screening_list_create(
        actor=actor,
        title=payload.title,
        deadline=payload.deadline,
        rows=parsed.rows,
        area_code=payload.area_code,
        source=payload.source,
    )
    problems = [{"row": p.row_number, "message": p.message} for p in parsed.problems]
    return Status(201, {"screening_list": _list_out(created), "problems": problems})


@router.get(
    "/screening/lists/{list_id}",
    response=ProgressOut,
    openapi_extra=scope_detail("health.ScreeningList", "pk", "list_id"),
    summary="One screening list and its completion per community",
)
def screening_list_detail(request: HttpRequest, list_id: int = ListIdPath):
    actor = api_actor(request)
    require(actor, "health.view")
    screening_list = screening_list_get(actor=actor, list_id=list_id)
    progress = screening_progress(actor=actor, screening_list=screening_list)
    return {"screening_list": _list_out(screening_list), **progress}


@router.get(
    "/screening/entries",
    response=ScreeningEntryPage,
    openapi_extra=scope_list("health.ScreeningEntry"),
    summary="Screening entries I may see (open, answered, the street's queue, overdue), by id",
)
def screening_entries(
    request: HttpRequest,
    list_id: int | None = Query(None, ge=1, le=2**62),
    show: str = Query("all", pattern="^(all|open|answered|queue|overdue)$"),
    area_code: str = Query("", pattern=AREA_PATTERN),
    after: int | None = Query(None, ge=1, le=2**62),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
):
    actor = api_actor(request)
    require(actor, "health.view")
    entries = screening_entry_list(actor=actor, list_id=list_id, show=show, area_code=area_code)
    items, cursor = _page(entries.select_related("screening_list"), after, limit)
    return {"items": [_entry_out(item) for item in items], "next_cursor": cursor}


@router.get(
    "/screening/entries/{entry_id}",
    response=ScreeningEntryOut,
    openapi_extra=scope_detail("health.ScreeningEntry", "pk", "entry_id"),
    summary="One screening entry",
)
def screening_entry_detail(request: HttpRequest, entry_id: int = EntryIdPath):
    actor = api_actor(request)
    require(actor, "health.view")
    return _entry_out(screening_entry_get(actor=actor, entry_id=entry_id))


@router.post(
    "/screening/entries/{entry_id}/answer",
    response=ScreeningEntryOut,
    summary="Answer an entry: what was found and what is done (screening.answer)",
)
def screening_entry_answer_endpoint(request: HttpRequest, payload: AnswerIn, entry_id: int = EntryIdPath):
    actor = api_actor(request)
    require(actor, "screening.answer")
    entry = screening_entry_answer(
        actor=actor, entry_id=entry_id, outcome=payload.outcome, measure=payload.measure, note=payload.note
    )
    return _entry_out(entry)


@router.post(
    "/screening/entries/{entry_id}/route",
    response=ScreeningEntryOut,
    summary="Route an unmatched entry to a resident or an area of the list's area (screening.send)",
)
def screening_entry_route_endpoint(request: HttpRequest, payload: RouteIn, entry_id: int = EntryIdPath):
    actor = api_actor(request)
    require(actor, "screening.send")
    entry = screening_entry_route(
        actor=actor, entry_id=entry_id, resident_id=payload.resident_id, area_code=payload.area_code
    )
    return _entry_out(entry)
