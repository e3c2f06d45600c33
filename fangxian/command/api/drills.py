"""Command app API: drills (list, one drill with its timeline and findings, quick timeline add).

Mounted at /api/v1/command/drills/. Reads go through the drill selectors (scoped), the timeline
add through `drill_timeline_add`, so the phone app and the page follow one rule.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from fangxian.command.models import Drill, DrillFinding, DrillTimelineEntry
from fangxian.command.models.drills import DrillStatus
from fangxian.command.selectors.drills import drill_findings, drill_get, drill_list, drill_timeline
from fangxian.command.services.drills import drill_timeline_add
from fangxian.core.api import api_actor, require, scope_detail, scope_list

router = Router(tags=["drills"])
MAX_LIMIT = 200
MAX_ID = 2**62
DrillIdPath = Path(..., ge=1, le=MAX_ID, description="The drill's id")


class PersonOut(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj)


class DrillOut(Schema):
    id: int
    title: str
    area_code: str
    plan_id: int
    plan_title: str
    status: str
    status_label: str
    scheduled_at: dt.datetime
    started_at: dt.datetime | None
    ended_at: dt.datetime | None

    @staticmethod
    def resolve_plan_title(obj: Drill) -> str:
        return obj.plan.title

    @staticmethod
    def resolve_status_label(obj: Drill) -> str:
        return str(obj.get_status_display())


class TimelineEntryOut(Schema):
    id: int
    at: dt.datetime
    text: str
    by: PersonOut | None


class FindingOut(Schema):
    id: int
    text: str
    outcome: str
    outcome_label: str
    task_id: int | None
    plan_version_id: int | None

    @staticmethod
    def resolve_outcome_label(obj: DrillFinding) -> str:
        return str(obj.get_outcome_display())


class DrillDetailOut(DrillOut):
    scenario: str
    participants: list[PersonOut]
    other_participants: str
    went_well: str
    gaps: str
    evaluated_at: dt.datetime | None
    timeline: list[TimelineEntryOut]
    findings: list[FindingOut]

    # The endpoint attaches the timeline and findings it read through the caller's scope.
    @staticmethod
    def resolve_participants(obj: Drill) -> list[Any]:
        return list(obj.participants.all())

    @staticmethod
    def resolve_timeline(obj: Drill) -> list[Any]:
        return obj.scoped_timeline

    @staticmethod
    def resolve_findings(obj: Drill) -> list[Any]:
        return obj.scoped_findings


class DrillPage(Schema):
    items: list[DrillOut]
    next_cursor: int | None


class DrillListParams(Schema):
    status: DrillStatus | None = None
    after: int | None = Field(None, ge=1, le=MAX_ID, description="next_cursor of the previous page")
    limit: int = Field(50, ge=1, le=MAX_LIMIT)


class TimelineEntryIn(Schema):
    text: str = Field(..., min_length=1, max_length=500)
    at: dt.datetime | None = Field(None, description="When it happened; now if left out")


def id_page(queryset: Any, *, after: int | None, limit: int) -> dict[str, Any]:
    """Newest first, keyed by id: stable under inserts, one indexed range per page."""
    if after:
        queryset = queryset.filter(pk__lt=after)
    items = list(queryset.order_by("-pk")[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    return {"items": items, "next_cursor": items[-1].pk if more and items else None}


@router.get("/", response=DrillPage, openapi_extra=scope_list("command.Drill"), summary="Drills of my jurisdiction")
def drill_list_endpoint(request: HttpRequest, params: Query[DrillListParams]):
    actor = api_actor(request)
    require(actor, "drill.view")
    drills = drill_list(actor=actor, status=params.status or "")
    return id_page(drills, after=params.after, limit=params.limit)


@router.get(
    "/{drill_id}",
    response=DrillDetailOut,
    openapi_extra=scope_detail("command.Drill", "pk", "drill_id"),
    summary="One drill with its timeline and findings",
)
def drill_detail_endpoint(request: HttpRequest, drill_id: int = DrillIdPath):
    actor = api_actor(request)
    require(actor, "drill.view")
    drill = drill_get(actor=actor, drill_id=drill_id)
    drill.scoped_timeline = list(drill_timeline(actor=actor, drill=drill))
    drill.scoped_findings = list(drill_findings(actor=actor, drill=drill))
    return drill


@router.post(
    "/{drill_id}/timeline",
    response={201: TimelineEntryOut},
    summary="Record a moment of a running drill (organisers and participants)",
)
def drill_timeline_add_endpoint(request: HttpRequest, payload: TimelineEntryIn, drill_id: int = DrillIdPath):
    actor = api_actor(request)
    entry: DrillTimelineEntry = drill_timeline_add(actor=actor, drill_id=drill_id, text=payload.text, at=payload.at)
    return Status(201, entry)
