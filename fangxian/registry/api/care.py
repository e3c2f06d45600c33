"""Registry API: care of vulnerable residents (mounted at /api/v1/registry/care/).

Reads go through the care selectors (scoped), writes through the care services, so the API and
the pages keep one set of rules.
"""

from __future__ import annotations

import datetime as dt
import re

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from fangxian.core.api import api_actor, require, scope_detail, scope_exempt, scope_list
from fangxian.core.errors import NotFound
from fangxian.registry import capabilities_care  # noqa: F401  (care.* capabilities)
from fangxian.registry.models.care import CarePlan
from fangxian.registry.selectors.care import (
    care_plan_list,
    care_plan_visits,
    care_visits_overdue,
    care_vulnerable_counts,
)
from fangxian.registry.services.care import (
    care_plan_create,
    care_plan_end,
    care_plan_update,
    care_visit_record,
    vulnerability_detail_set,
)

router = Router(tags=["registry-care"])
MAX_LIMIT = 200
IdPath = Path(..., ge=1, le=2**62)
AreaCodesQuery = Query(..., description="Area codes (at most 50)")
AREA_CODE_PATTERN = r"^[0-9]{2,15}$"


class CarePlanOut(Schema):
    id: int
    area_code: str
    resident_id: int
    resident_name: str
    visitor_id: int | None = Field(..., description="Null when the plan needs a visitor (the resident moved)")
    frequency_days: int
    started_on: dt.date
    last_visited_on: dt.date | None
    next_due_on: dt.date
    is_overdue: bool
    active: bool
    ended_on: dt.date | None = Field(..., description="The day the plan ended (local time); null while active")
    end_reason: str = Field(..., description="Why the plan ended; empty while active")

    @staticmethod
    def resolve_resident_name(obj: CarePlan) -> str:
        return obj.resident.name

    @staticmethod
    def resolve_is_overdue(obj: CarePlan) -> bool:
        return obj.is_overdue_on(timezone.localdate())


class CarePlanPage(Schema):
    items: list[CarePlanOut]
    next_cursor: int | None


class CareVisitOut(Schema):
    id: int
    plan_id: int
    visited_on: dt.date
    visitor_id: int
    findings: str
    follow_up_needed: bool


class CarePlanDetailOut(CarePlanOut):
    notes: str
    visits: list[CareVisitOut]

    @staticmethod
    def resolve_visits(obj: CarePlan) -> list:
        return obj.visit_rows


class CarePlanIn(Schema):
    resident_id: int = Field(..., ge=1, le=2**62)
    visitor_id: int = Field(..., ge=1, le=2**62)
    frequency_days: int = Field(..., ge=1, le=366)
    notes: str = Field("", max_length=2000)


class CareVisitIn(Schema):
    findings: str = Field(..., min_length=1, max_length=2000)
    follow_up_needed: bool = False
    visited_on: dt.date | None = None


class VulnerabilityDetailIn(Schema):
    disability_grade: str = Field("", max_length=1)
    chronic_disease: str = Field("", max_length=100)
    care_level: str = Field("", max_length=10)


class VulnerabilityDetailOut(Schema):
    vulnerability_id: int
    disability_grade: str
    chronic_disease: str
    care_level: str


class CountOut(Schema):
    area_code: str
    vulnerable: int


@router.get(
    "/plans",
    response=CarePlanPage,
    openapi_extra=scope_list("registry.CarePlan"),
    summary="Active care plans in my jurisdiction, by id; `ended=true` lists the ended ones instead",
)
def care_plans(
    request: HttpRequest,
    overdue: bool = False,
    ended: bool = False,
    after: int | None = Query(None, ge=1, le=2**62),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
):
    actor = api_actor(request)
    require(actor, "care.view")
    plans = care_plan_list(actor=actor, overdue=overdue, ended=ended).order_by("pk")
    if after:
        plans = plans.filter(pk__gt=after)
    items = list(plans[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    return {"items": items, "next_cursor": items[-1].pk if more and items else None}


@router.get(
    "/overdue",
    response=list[CarePlanOut],
    openapi_extra=scope_list("registry.CarePlan"),
    summary="My overdue visits: plans I visit whose next visit is past due",
)
def care_overdue(request: HttpRequest, limit: int = Query(100, ge=1, le=MAX_LIMIT)):
    actor = api_actor(request)
    require(actor, "care.visit")
    return list(care_visits_overdue(actor=actor)[:limit])


@router.get(
    "/counts",
    response=list[CountOut],
    openapi_extra=scope_exempt("aggregate counts only, computed through visible_to"),
    summary="Vulnerable people below each of the given areas",
)
def care_counts(request: HttpRequest, area_code: list[str] = AreaCodesQuery):
    actor = api_actor(request)
    require(actor, "care.counts")
    codes = [code for code in area_code[:50] if re.fullmatch(AREA_CODE_PATTERN, code)]
    counts = care_vulnerable_counts(actor=actor, codes=codes)
    return [{"area_code": code, "vulnerable": n} for code, n in counts.items()]


def _plan(actor, plan_id: int) -> CarePlan:
    plan = CarePlan.objects.visible_to(actor).select_related("resident").filter(pk=plan_id).first()
    if plan is None:
        raise NotFound(_("Not found."))
    return plan


@router.get(
    "/plans/{plan_id}",
    response=CarePlanDetailOut,
    openapi_extra=scope_detail("registry.CarePlan", lookup="pk", param="plan_id"),
    summary="One care plan with its visits",
)
def care_plan_read(request: HttpRequest, plan_id: int = IdPath):
    actor = api_actor(request)
    require(actor, "care.view")
    plan = _plan(actor, plan_id)
    plan.visit_rows = list(care_plan_visits(actor=actor, plan=plan)[:100])
    return plan


@router.post("/plans", response={201: CarePlanOut}, summary="Plan care for a vulnerable resident")
def care_plan_add(request: HttpRequest, payload: CarePlanIn):
    actor = api_actor(request)
    plan = care_plan_create(
        actor=actor,
        resident=payload.resident_id,
        visitor=payload.visitor_id,
        frequency_days=payload.frequency_days,
        notes=payload.notes,
    )
    return Status(201, plan)


class CarePlanPatch(Schema):
    visitor_id: int | None = Field(None, ge=1, le=2**62)
    frequency_days: int | None = Field(None, ge=1, le=366)
    notes: str | None = Field(None, max_length=2000)
    active: bool | None = Field(None, description="false ends the plan; `end_reason` is then required")
    end_reason: str | None = Field(None, max_length=500, description="Why the plan ends (with active=false)")


@router.patch("/plans/{plan_id}", response=CarePlanOut, summary="Change the visitor or frequency, or end the plan")
def care_plan_patch(request: HttpRequest, payload: CarePlanPatch, plan_id: int = IdPath):
    actor = api_actor(request)
    if payload.active is False:
        return care_plan_end(actor=actor, plan=plan_id, reason=payload.end_reason or "")
    return care_plan_update(
        actor=actor,
        plan=plan_id,
        visitor=payload.visitor_id,
        frequency_days=payload.frequency_days,
        notes=payload.notes,
    )


@router.post("/plans/{plan_id}/visits", response={201: CareVisitOut}, summary="Record a visit")
def care_visit_add(request: HttpRequest, payload: CareVisitIn, plan_id: int = IdPath):
    actor = api_actor(request)
    visit = care_visit_record(
        actor=actor,
        plan=plan_id,
        findings=payload.findings,
        follow_up_needed=payload.follow_up_needed,
        visited_on=payload.visited_on,
    )
    return Status(201, visit)


@router.put(
    "/vulnerabilities/{vulnerability_id}/detail",
    response=VulnerabilityDetailOut,
    summary="Set the details of a vulnerability tag (disability grade, chronic disease, care level)",
)
def vulnerability_detail_put(request: HttpRequest, payload: VulnerabilityDetailIn, vulnerability_id: int = IdPath):
    actor = api_actor(request)
    return vulnerability_detail_set(actor=actor, vulnerability=vulnerability_id, **payload.dict())
