"""Command app API: plans (list, detail with the current version's actions) and activation."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from fangxian.command.models import Plan
from fangxian.command.selectors.plans import plan_activations, plan_get, plan_list, plan_version_actions, plan_versions
from fangxian.command.services.plans import plan_activate
from fangxian.core.api import api_actor, require, scope_detail, scope_list

router = Router(tags=["plans"])
MAX_LIMIT = 500
MAX_ID = 9_223_372_036_854_775_807
PlanId = Path(..., ge=1, le=MAX_ID, description="The plan's id")


class PlanOut(Schema):
    id: int
    area_code: str
    hazard: str
    title: str
    review_interval_days: int
    last_reviewed_at: dt.date | None
    review_due_on: dt.date | None
    review_overdue: bool
    version: int | None

    @staticmethod
    def resolve_version(obj: Plan) -> int | None:
        return obj.current_version.number if obj.current_version_id else None


class ActionOut(Schema):
    id: int
    duty: str
    duty_name: str
    level: int
    title: str
    description: str
    deadline_minutes: int
    priority: str

    @staticmethod
    def resolve_duty_name(obj: Any) -> str:
        return obj.duty_display


class VersionOut(Schema):
    id: int
    number: int
    change_note: str
    summary: dict[str, Any]
    created_by: str | None
    created_at: dt.datetime

    @staticmethod
    def resolve_created_by(obj: Any) -> str | None:
        return str(obj.created_by) if obj.created_by_id else None


class ActivationOut(Schema):
    id: int
    plan_id: int
    emergency_id: int
    version: int
    level: int
    activated_at: dt.datetime
    task_count: int

    @staticmethod
    def resolve_version(obj: Any) -> int:
        return obj.version.number


class PlanDetailOut(PlanOut):
    body: str
    actions: list[ActionOut]
    versions: list[VersionOut]
    activations: list[ActivationOut]

    @staticmethod
    def resolve_body(obj: Plan) -> str:
        return obj.current_version.body if obj.current_version_id else ""

    @staticmethod
    def resolve_actions(obj: Any) -> list:
        return obj.actions_list

    @staticmethod
    def resolve_versions(obj: Any) -> list:
        return obj.versions_list

    @staticmethod
    def resolve_activations(obj: Any) -> list:
        return obj.activations_list


class PlanPage(Schema):
    items: list[PlanOut]
    next_cursor: int | None


class ListParams(Schema):
    area_code: Annotated[str | None, Field(pattern=r"^[0-9]{2,15}$")] = None
    hazard: str | None = Field(None, max_length=16)
    overdue: bool = False
    after: int | None = Field(None, ge=0, le=MAX_ID)
    limit: int = Field(100, ge=1, le=MAX_LIMIT)


class ActivateIn(Schema):
    emergency_id: int = Field(..., ge=1, le=MAX_ID)


@router.get("/", response=PlanPage, openapi_extra=scope_list("command.Plan"), summary="Plans of my communities")
def plan_list_api(request: HttpRequest, params: Query[ListParams]):
    actor = api_actor(request)
    require(actor, "plan.view")
    plans = plan_list(
        actor=actor, area_code=params.area_code or "", hazard=params.hazard or "", overdue=params.overdue
    ).order_by("pk")
    if params.after:
        plans = plans.filter(pk__gt=params.after)
    items = list(plans[: params.limit + 1])
    more = len(items) > params.limit
    items = items[: params.limit]
    return {"items": items, "next_cursor": items[-1].pk if more and items else None}


@router.get("/{plan_id}", response=PlanDetailOut, openapi_extra=scope_detail("command.Plan", "pk", "plan_id"))
def plan_detail_api(request: HttpRequest, plan_id: int = PlanId):
    actor = api_actor(request)
    require(actor, "plan.view")
    plan = plan_get(actor=actor, plan_id=plan_id)
    plan.actions_list = plan_version_actions(actor=actor, version=plan.current_version)
    plan.versions_list = list(plan_versions(actor=actor, plan=plan))
    plan.activations_list = list(plan_activations(actor=actor, plan=plan))
    return plan


@router.post(
    "/{plan_id}/activate",
    response={201: ActivationOut},
    summary="Activate the plan for an active emergency: its actions become tasks",
)
def plan_activate_api(request: HttpRequest, payload: ActivateIn, plan_id: int = PlanId):
    actor = api_actor(request)
    require(actor, "plan.activate")
    activation = plan_activate(actor=actor, plan=plan_id, emergency=payload.emergency_id)
    return Status(201, activation)
