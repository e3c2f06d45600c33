"""Command app API: emergencies (list, detail, the one covering an area; declare, change level, end)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.errors import HttpError

from fangxian.command.models import Emergency
from fangxian.command.selectors.emergencies import (
    active_emergency,
    emergency_get,
    emergency_level_history,
    emergency_list,
    emergency_plan_activations,
)
from fangxian.command.services.emergencies import emergency_declare, emergency_end, emergency_level_change
from fangxian.core.api import api_actor, require, scope_detail, scope_list

router = Router(tags=["emergencies"])
MAX_LIMIT = 500
MAX_ID = 9_223_372_036_854_775_807
EmergencyId = Path(..., ge=1, le=MAX_ID, description="The emergency's id")


class EmergencyOut(Schema):
    id: int
    area_code: str
    kind: str
    kind_name: str
    level: int
    level_name: str
    title: str
    description: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    is_active: bool

    @staticmethod
    def resolve_kind_name(obj: Emergency) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_level_name(obj: Emergency) -> str:
        return str(obj.get_level_display())


class LevelChangeOut(Schema):
    from_level: int | None
    to_level: int
    changed_at: dt.datetime
    changed_by: str | None
    reason: str

    @staticmethod
    def resolve_changed_by(obj: Any) -> str | None:
        return str(obj.changed_by) if obj.changed_by_id else None


class ActivationOut(Schema):
    id: int
    plan_id: int
    plan_title: str
    version: int
    area_code: str
    level: int
    activated_at: dt.datetime
    task_count: int

    @staticmethod
    def resolve_plan_title(obj: Any) -> str:
        return obj.plan.title

    @staticmethod
    def resolve_version(obj: Any) -> int:
        return obj.version.number


class EmergencyDetailOut(EmergencyOut):
    end_note: str
    level_changes: list[LevelChangeOut]
    plan_activations: list[ActivationOut]

    @staticmethod
    def resolve_level_changes(obj: Any) -> list:
        return obj.level_changes_list

    @staticmethod
    def resolve_plan_activations(obj: Any) -> list:
        return obj.plan_activations_list


class EmergencyPage(Schema):
    items: list[EmergencyOut]
    next_cursor: int | None


class ActiveOut(Schema):
    area_code: str
    emergency: EmergencyOut | None


class EmergencyIn(Schema):
    area_code: str = Field(
        ..., pattern=r"^[0-9]{2,15}$", description="Community (commanders) or street, district, city (officials)"
    )
    kind: str = Field(..., max_length=16, description="epidemic, flood, fire, earthquake or other")
    level: int = Field(..., description="1 = level I (gravest) ... 4 = level IV")
    title: str = Field("", max_length=200)
    description: str = Field("", max_length=5000)
    started_at: dt.datetime | None = Field(None, description="Default now; at most 5 minutes ahead")


class LevelIn(Schema):
    level: int = Field(..., description="1 = level I (gravest) ... 4 = level IV")
    reason: str = Field("", max_length=500)


class EndIn(Schema):
    note: str = Field("", max_length=500)


class ListParams(Schema):
    active: bool | None = None
    area_code: Annotated[str | None, Field(pattern=r"^[0-9]{2,15}$")] = None
    after: int | None = Field(None, ge=0, le=MAX_ID)
    limit: int = Field(100, ge=1, le=MAX_LIMIT)


def _detail(actor: Any, emergency: Emergency) -> Emergency:
    emergency.level_changes_list = list(emergency_level_history(actor=actor, emergency=emergency))
    emergency.plan_activations_list = list(emergency_plan_activations(actor=actor, emergency=emergency))
    return emergency


@router.get(
    "/",
    response=EmergencyPage,
    openapi_extra=scope_list("command.Emergency"),
    summary="Emergencies I see (mine and those declared above me), newest first",
)
def emergency_list_api(request: HttpRequest, params: Query[ListParams]):
    actor = api_actor(request)
    require(actor, "emergency.view")
    state = "" if params.active is None else ("active" if params.active else "ended")
    emergencies = emergency_list(actor=actor, state=state, area_code=params.area_code or "").order_by("-pk")
    if params.after:
        emergencies = emergencies.filter(pk__lt=params.after)
    items = list(emergencies[: params.limit + 1])
    more = len(items) > params.limit
    items = items[: params.limit]
    return {"items": items, "next_cursor": items[-1].pk if more and items else None}


@router.get(
    "/active",
    response=ActiveOut,
    openapi_extra=scope_list("command.Emergency"),
    summary="The active emergency covering an area (default: my own area), gravest first",
)
def emergency_active_api(request: HttpRequest, area_code: str | None = Query(None, pattern=r"^[0-9]{2,15}$")):
    actor = api_actor(request)
    require(actor, "emergency.view")
    code = area_code or actor.primary_area_code
    if not code:
        raise HttpError(422, "area_code is required")
    found = active_emergency(code)
    # Shown only if the caller sees it: its own area's, or one declared above it.
    if found is not None and not Emergency.objects.visible_to(actor).filter(pk=found.pk).exists():
        found = None
    return {"area_code": code, "emergency": found}


@router.get(
    "/{emergency_id}",
    response=EmergencyDetailOut,
    openapi_extra=scope_detail("command.Emergency", "pk", "emergency_id"),
)
def emergency_detail_api(request: HttpRequest, emergency_id: int = EmergencyId):
    actor = api_actor(request)
    require(actor, "emergency.view")
    return _detail(actor, emergency_get(actor=actor, emergency_id=emergency_id))


@router.post("/", response={201: EmergencyDetailOut}, summary="Declare an emergency")
def emergency_declare_api(request: HttpRequest, payload: EmergencyIn):
    actor = api_actor(request)
    require(actor, "emergency.manage")
    emergency = emergency_declare(
        actor=actor,
        area_code=payload.area_code,
        kind=payload.kind,
        level=payload.level,
        title=payload.title,
        description=payload.description,
        started_at=payload.started_at,
    )
    return Status(201, _detail(actor, emergency))


@router.post("/{emergency_id}/level", response=EmergencyDetailOut, summary="Change the level (kept in the history)")
def emergency_level_api(request: HttpRequest, payload: LevelIn, emergency_id: int = EmergencyId):
    actor = api_actor(request)
    require(actor, "emergency.manage")
    emergency = emergency_level_change(actor=actor, emergency=emergency_id, level=payload.level, reason=payload.reason)
    return _detail(actor, emergency)


@router.post("/{emergency_id}/end", response=EmergencyDetailOut, summary="End the emergency")
def emergency_end_api(request: HttpRequest, payload: EndIn, emergency_id: int = EmergencyId):
    actor = api_actor(request)
    require(actor, "emergency.manage")
    return _detail(actor, emergency_end(actor=actor, emergency=emergency_id, note=payload.note))
