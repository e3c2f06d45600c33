"""Health API: risk areas, arrivals, cases and their reports, check-ins, the health policy, the numbers.

Reads go through the selectors (scoped), writes through the services; personal numbers leave
masked. Mounted under /api/v1/health/ with the screening and tracing parts.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema, Status

from fangxian.core.api import api_actor, require, scope_detail, scope_list
from fangxian.health import capabilities  # noqa: F401 - health capabilities
from fangxian.health.models import Arrival, HealthCase, HealthPolicy, HealthReport
from fangxian.health.selectors.cases import (
    arrival_get,
    arrival_list,
    case_get,
    case_list,
    case_reports,
    checkin_completion,
    health_numbers,
)
from fangxian.health.selectors.risk import risk_area_list
from fangxian.health.services.arrivals import arrival_confirm, arrival_register
from fangxian.health.services.cases import (
    case_change_end,
    case_close,
    case_open,
    case_release,
    health_report_add,
)
from fangxian.health.services.checkins import checkin_submit, health_policy_set
from fangxian.health.services.risk import risk_area_create, risk_area_end

router = Router(tags=["health"])
MAX_LIMIT = 200
NO_NUL = r"^[^\x00]*$"
AREA_PATTERN = r"^([0-9]{2,15})?$"
IdPath = Path(..., ge=1, le=2**62)
ID = Field(..., ge=1, le=2**62)
DIVISION = r"^([0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{9}|[0-9]{12})$"
MeasureName = Literal["none", "monitoring", "home_quarantine", "centralised"]
CaseKindName = Literal["home_quarantine", "monitoring", "centralised"]
SymptomName = Literal["cough", "sore_throat", "fatigue", "breath", "smell", "diarrhoea"]


def _page(rows, after: int | None, limit: int) -> dict[str, Any]:
    rows = rows.order_by("pk")
    if after:
        rows = rows.filter(pk__gt=after)
    items = list(rows[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    return {"items": items, "next_cursor": items[-1].pk if more and items else None}


# --- risk areas -----------------------------------------------------------------------------------------


class RiskAreaOut(Schema):
    id: int
    area_code: str
    division_code: str
    name: str
    level: str
    measure: str
    days: int
    since: dt.date
    until: dt.date | None
    note: str


class RiskAreaPage(Schema):
    items: list[RiskAreaOut]
    next_cursor: int | None


class RiskAreaIn(Schema):
    area_code: str = Field(..., pattern=r"^[0-9]{4}([0-9]{2}|[0-9]{5}|[0-9]{8})?$", description="Who keeps it")
    division_code: str = Field(..., pattern=DIVISION)
    name: str = Field(..., min_length=1, max_length=100, pattern=NO_NUL)
    level: Literal["high", "medium", "low"]
    measure: MeasureName
    days: int = Field(14, ge=1, le=60)
    since: dt.date | None = None
    until: dt.date | None = None
    note: str = Field("", max_length=200, pattern=NO_NUL)


class RiskAreaEndIn(Schema):
    until: dt.date | None = None


@router.get(
    "/risk-areas",
    response=RiskAreaPage,
    openapi_extra=scope_list("health.RiskArea"),
    summary="Risk areas kept in my jurisdiction; `current` for those in force today",
)
def risk_areas(
    request: HttpRequest,
    current: bool = False,
    after: int | None = Query(None, ge=1, le=2**62),
    limit: int = Query(100, ge=1, le=MAX_LIMIT),
):
    actor = api_actor(request)
    require(actor, "health.view")
    return _page(risk_area_list(actor=actor, current_on=timezone.localdate() if current else None), after, limit)


@router.post("/risk-areas", response={201: RiskAreaOut}, summary="List a place as risky (risk.manage)")
def risk_area_create_endpoint(request: HttpRequest, payload: RiskAreaIn):
    actor = api_actor(request)
    data = payload.dict()
    return Status(201, risk_area_create(actor=actor, area_code=data.pop("area_code"), **data))


@router.post("/risk-areas/{risk_area_id}/end", response=RiskAreaOut, summary="End a risk area (risk.manage)")
def risk_area_end_endpoint(request: HttpRequest, payload: RiskAreaEndIn, risk_area_id: int = IdPath):
    return risk_area_end(actor=api_actor(request), risk_area_id=risk_area_id, until=payload.until)


# --- arrivals --------------------------------------------------------------------------------------------


class ArrivalOut(Schema):
    id: int
    area_code: str
    household_id: int
    household_room: str
    resident_id: int | None
    name: str
    id_number_masked: str
    phone_masked: str
    origin_code: str
    origin_name: str
    arrived_on: dt.date
    transport: str
    transport_detail: str
    companions: int
    risk_level: str
    suggested_measure: str
    suggested_days: int
    measure: str
    source: str
    status: str
    reported_at: dt.datetime
    confirmed_at: dt.datetime | None
    task_id: int | None


class ArrivalPage(Schema):
    items: list[ArrivalOut]
    next_cursor: int | None


class ArrivalIn(Schema):
    household_id: int = ID
    resident_id: int | None = Field(None, ge=1, le=2**62)
    name: str = Field("", max_length=50, pattern=NO_NUL)
    id_number: str = Field("", max_length=20, pattern=NO_NUL)
    phone: str = Field("", max_length=20, pattern=NO_NUL)
    origin_code: str = Field(..., pattern=DIVISION)
    origin_name: str = Field(..., min_length=1, max_length=100, pattern=NO_NUL)
    arrived_on: dt.date
    transport: Literal["train", "plane", "bus", "car", "ship", "other"]
    transport_detail: str = Field("", max_length=50, pattern=NO_NUL)
    companions: int = Field(0, ge=0, le=50)
    companions_note: str = Field("", max_length=200, pattern=NO_NUL)


class ArrivalConfirmIn(Schema):
    measure: MeasureName
    days: int | None = Field(None, ge=1, le=60)
    note: str = Field("", max_length=200, pattern=NO_NUL)


def _arrival_out(arrival: Arrival) -> dict[str, Any]:
    return {
        **{name: getattr(arrival, name) for name in ArrivalOut.model_fields if hasattr(arrival, name)},
        "household_room": arrival.household.address,
        "id_number_masked": arrival.id_number_masked,
        "phone_masked": arrival.phone_masked,
    }


@router.get(
    "/arrivals",
    response=ArrivalPage,
    openapi_extra=scope_list("health.Arrival"),
    summary="Arrivals in my areas (residents: their household's)",
)
def arrivals(
    request: HttpRequest,
    status: Literal["", "reported", "confirmed"] = "",
    area_code: str = Query("", pattern=AREA_PATTERN),
    after: int | None = Query(None, ge=1, le=2**62),
    limit: int = Query(100, ge=1, le=MAX_LIMIT),
):
    actor = api_actor(request)
    require(actor, "health.view")
    page = _page(arrival_list(actor=actor, status=status, area_code=area_code), after, limit)
    return {"items": [_arrival_out(a) for a in page["items"]], "next_cursor": page["next_cursor"]}


@router.get(
    "/arrivals/{arrival_id}",
    response=ArrivalOut,
    openapi_extra=scope_detail("health.Arrival", "pk", "arrival_id"),
    summary="One arrival",
)
def arrival_detail(request: HttpRequest, arrival_id: int = IdPath):
    actor = api_actor(request)
    require(actor, "health.view")
    return _arrival_out(arrival_get(actor=actor, arrival_id=arrival_id))


@router.post("/arrivals", response={201: ArrivalOut}, summary="Register an arrival at a household")
def arrival_create_endpoint(request: HttpRequest, payload: ArrivalIn):
    actor = api_actor(request)
    data = payload.dict()
    arrival = arrival_register(
        actor=actor,
        household_id=data.pop("household_id"),
        resident_id=data.pop("resident_id"),
        name=data.pop("name"),
        **data,
    )
    return Status(201, _arrival_out(arrival_get(actor=actor, arrival_id=arrival.pk)))


@router.post("/arrivals/{arrival_id}/confirm", response=ArrivalOut, summary="Confirm the measure (arrival.confirm)")
def arrival_confirm_endpoint(request: HttpRequest, payload: ArrivalConfirmIn, arrival_id: int = IdPath):
    actor = api_actor(request)
    arrival_confirm(actor=actor, arrival_id=arrival_id, **payload.dict())
    return _arrival_out(arrival_get(actor=actor, arrival_id=arrival_id))


# --- cases and reports -------------------------------------------------------------------------------------


class CaseOut(Schema):
    id: int
    area_code: str
    resident_id: int
    resident_name: str
    household_id: int
    household_room: str
    kind: str
    starts_on: dt.date
    ends_on: dt.date
    end_reason: str
    status: str
    arrival_id: int | None
    last_report_at: dt.datetime | None
    alerted_at: dt.datetime | None
    closed_at: dt.datetime | None
    close_note: str


class CasePage(Schema):
    items: list[CaseOut]
    next_cursor: int | None


class CaseOpenIn(Schema):
    resident_id: int = ID
    kind: CaseKindName
    starts_on: dt.date | None = None
    days: int | None = Field(None, ge=1, le=60)


class CaseEndIn(Schema):
    ends_on: dt.date
    reason: str = Field(..., min_length=2, max_length=200, pattern=NO_NUL)


class CaseCloseIn(Schema):
    status: Literal["transferred", "cancelled"]
    note: str = Field(..., min_length=2, max_length=500, pattern=NO_NUL)


class CaseReleaseIn(Schema):
    note: str = Field("", max_length=500, pattern=NO_NUL)


class ReportOut(Schema):
    id: int
    case_id: int
    at: dt.datetime
    temperature: Decimal
    symptoms: list[str]
    note: str
    by_resident: bool


class ReportPage(Schema):
    items: list[ReportOut]
    next_cursor: int | None


class ReportIn(Schema):
    temperature: Decimal = Field(..., ge=30, le=45, max_digits=3, decimal_places=1)
    symptoms: list[SymptomName] = Field(default_factory=list, max_length=6)
    note: str = Field("", max_length=300, pattern=NO_NUL)
    at: dt.datetime | None = None


def _case_out(case: HealthCase) -> dict[str, Any]:
    return {
        **{name: getattr(case, name) for name in CaseOut.model_fields if hasattr(case, name)},
        "resident_name": case.resident.name,
        "household_room": case.household.address,
    }


@router.get(
    "/cases",
    response=CasePage,
    openapi_extra=scope_list("health.HealthCase"),
    summary="Health cases in my areas (residents: their household's)",
)
def cases(
    request: HttpRequest,
    status: Literal["", "active", "released", "transferred", "cancelled"] = "active",
    kind: Literal["", "home_quarantine", "monitoring", "centralised"] = "",
    area_code: str = Query("", pattern=AREA_PATTERN),
    after: int | None = Query(None, ge=1, le=2**62),
    limit: int = Query(100, ge=1, le=MAX_LIMIT),
):
    actor = api_actor(request)
    require(actor, "health.view")
    page = _page(case_list(actor=actor, status=status, kind=kind, area_code=area_code), after, limit)
    return {"items": [_case_out(c) for c in page["items"]], "next_cursor": page["next_cursor"]}


@router.get(
    "/cases/{case_id}",
    response=CaseOut,
    openapi_extra=scope_detail("health.HealthCase", "pk", "case_id"),
    summary="One case",
)
def case_detail(request: HttpRequest, case_id: int = IdPath):
    actor = api_actor(request)
    require(actor, "health.view")
    return _case_out(case_get(actor=actor, case_id=case_id))


@router.post("/cases", response={201: CaseOut}, summary="Open a case for a resident (case.manage)")
def case_open_endpoint(request: HttpRequest, payload: CaseOpenIn):
    actor = api_actor(request)
    case = case_open(actor=actor, **payload.dict())
    return Status(201, _case_out(case_get(actor=actor, case_id=case.pk)))


@router.post("/cases/{case_id}/end-date", response=CaseOut, summary="Change the end date with a reason")
def case_end_endpoint(request: HttpRequest, payload: CaseEndIn, case_id: int = IdPath):
    actor = api_actor(request)
    case_change_end(actor=actor, case_id=case_id, **payload.dict())
    return _case_out(case_get(actor=actor, case_id=case_id))


@router.post("/cases/{case_id}/release", response=CaseOut, summary="Release after today's final check")
def case_release_endpoint(request: HttpRequest, payload: CaseReleaseIn, case_id: int = IdPath):
    actor = api_actor(request)
    case_release(actor=actor, case_id=case_id, note=payload.note)
    return _case_out(case_get(actor=actor, case_id=case_id))


@router.post("/cases/{case_id}/close", response=CaseOut, summary="Transfer or cancel a case")
def case_close_endpoint(request: HttpRequest, payload: CaseCloseIn, case_id: int = IdPath):
    actor = api_actor(request)
    case_close(actor=actor, case_id=case_id, **payload.dict())
    return _case_out(case_get(actor=actor, case_id=case_id))


@router.get(
    "/cases/{case_id}/reports",
    response=ReportPage,
    openapi_extra=scope_detail("health.HealthCase", "pk", "case_id"),
    summary="A case's reports, by id",
)
def case_reports_endpoint(
    request: HttpRequest,
    case_id: int = IdPath,
    after: int | None = Query(None, ge=1, le=2**62),
    limit: int = Query(100, ge=1, le=MAX_LIMIT),
):
    actor = api_actor(request)
    require(actor, "health.view")
    return _page(case_reports(actor=actor, case=case_get(actor=actor, case_id=case_id)), after, limit)


@router.post("/cases/{case_id}/reports", response={201: ReportOut}, summary="Report a temperature and symptoms")
def case_report_endpoint(request: HttpRequest, payload: ReportIn, case_id: int = IdPath) -> Any:
    report: HealthReport = health_report_add(actor=api_actor(request), case_id=case_id, **payload.dict())
    return Status(201, report)


# --- check-ins, policy, numbers --------------------------------------------------------------------------


class CheckInIn(Schema):
    resident_id: int = ID
    temperature: Decimal | None = Field(None, ge=30, le=45, max_digits=3, decimal_places=1)
    symptoms: list[SymptomName] = Field(default_factory=list, max_length=6)


class CheckInOut(Schema):
    id: int
    resident_id: int
    day: dt.date
    at: dt.datetime
    temperature: Decimal | None
    symptoms: list[str]


class CompletionOut(Schema):
    area_code: str
    residents: int
    checked_in: int
    rate: int


class PolicyIn(Schema):
    community_code: str = Field(..., pattern=r"^[0-9]{12}$")
    level: int = Field(..., ge=1, le=4)
    check_in_required: bool | None = None
    home_quarantine_days: int | None = Field(None, ge=1, le=60)
    monitoring_days: int | None = Field(None, ge=1, le=60)
    report_grace_hours: int | None = Field(None, ge=1, le=12)


class PolicyOut(Schema):
    id: int
    area_code: str
    level: int
    check_in_required: bool
    home_quarantine_days: int
    monitoring_days: int
    report_grace_hours: int


class NumbersOut(Schema):
    under_measure: int
    due_for_release: int
    missed_reports: int
    released: int
    fevers: int
    arrivals: int
    screening_open: int
    screening_answered: int


@router.post("/check-ins", response={201: CheckInOut}, summary="Today's check-in of a resident")
def checkin_endpoint(request: HttpRequest, payload: CheckInIn):
    return Status(201, checkin_submit(actor=api_actor(request), **payload.dict()))


@router.get(
    "/check-ins/completion",
    response=list[CompletionOut],
    openapi_extra=scope_list("health.CheckIn"),
    summary="Check-in completion per grid of an area for a day",
)
def checkin_completion_endpoint(
    request: HttpRequest, area_code: str = Query("", pattern=AREA_PATTERN), day: dt.date | None = None
):
    actor = api_actor(request)
    require(actor, "health.counts")
    areas = [area_code] if area_code else list(actor.personal_prefixes)
    rows = []
    for code in areas:
        rows += checkin_completion(actor=actor, area_code=code, day=day or timezone.localdate())
    return rows


@router.put("/policies", response=PolicyOut, summary="Set a community's health policy for one level (health.policy)")
def policy_set_endpoint(request: HttpRequest, payload: PolicyIn) -> HealthPolicy:
    fields = payload.dict(exclude_unset=True)
    community_code, level = fields.pop("community_code"), fields.pop("level")
    return health_policy_set(actor=api_actor(request), community_code=community_code, level=level, **fields)


@router.get(
    "/numbers",
    response=NumbersOut,
    openapi_extra=scope_list("health.HealthCase"),
    summary="The health figures of an area for a day (the home panel and the daily report)",
)
def numbers_endpoint(
    request: HttpRequest, area_code: str = Query("", pattern=AREA_PATTERN), day: dt.date | None = None
):
    """`area_code` empty: the sum over the actor's areas."""
    actor = api_actor(request)
    require(actor, "health.counts")
    totals: dict[str, int] = dict.fromkeys(NumbersOut.model_fields, 0)
    for code in [area_code] if area_code else list(actor.personal_prefixes):
        for name, value in health_numbers(actor=actor, area_code=code, day=day).items():
            totals[name] += value
    return totals
