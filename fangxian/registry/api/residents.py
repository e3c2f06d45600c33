"""Registry API: residents and households, mounted at /api/v1/registry/residents/.

Reads go through the resident selectors (scoped by `visible_to`), writes through the resident
services (and the care services for a resident's need tags, as on the resident's page), so the API
and the pages keep one set of rules. Personal numbers leave masked: the clear value is only ever
shown through the audited reveal endpoint.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from fangxian.areas.models import Household
from fangxian.core.api import api_actor, require, scope_detail, scope_list
from fangxian.registry import capabilities_care  # noqa: F401  (care.manage, for need tags)
from fangxian.registry.models.care import CareLevel, DisabilityGrade
from fangxian.registry.models.residents import (
    DocumentType,
    Relation,
    ResidenceType,
    Resident,
    Sex,
    Vulnerability,
    VulnerabilityKind,
)
from fangxian.registry.selectors.care import vulnerability_details
from fangxian.registry.selectors.residents import (
    household_list,
    household_members,
    household_open_tasks,
    resident_history,
    resident_search,
)
from fangxian.registry.services.care import vulnerability_add, vulnerability_remove
from fangxian.registry.services.residents import (
    resident_create,
    resident_deregister,
    resident_move,
    resident_reinstate,
    resident_update,
)

router = Router(tags=["registry-residents"])
MAX_LIMIT = 200
AREA_CODE_PATTERN = r"^[0-9]{2,15}$"
ResidentIdPath = Path(..., ge=1, le=2**62, description="The resident's id")
HouseholdIdPath = Path(..., ge=1, le=2**62, description="The household's id")
NeedIdPath = Path(..., ge=1, le=2**62, description="The need tag's id")
# Free text may hold anything but NUL, which PostgreSQL cannot store.
NO_NUL = r"^[^\x00]*$"


class ResidentOut(Schema):
    id: int
    name: str
    name_initials: str
    sex: str
    birth_date: dt.date | None
    status: str
    status_changed_on: dt.date | None
    document_type: str
    id_number: str = Field(..., description="Masked, e.g. 370202********1234")
    document_number: str = Field(..., description="Masked")
    phone: str = Field(..., description="Masked, e.g. 138****5678")
    relation: str
    residence_type: str
    employer: str
    area_code: str
    household_id: int
    address: str
    needs: list[str]

    @staticmethod
    def resolve_id_number(obj: Resident) -> str:
        return obj.id_number_masked

    @staticmethod
    def resolve_document_number(obj: Resident) -> str:
        return obj.document_number_masked

    @staticmethod
    def resolve_phone(obj: Resident) -> str:
        return obj.phone_masked

    @staticmethod
    def resolve_address(obj: Resident) -> str:
        return obj.household.address

    @staticmethod
    def resolve_needs(obj: Resident) -> list[str]:
        return [v.kind for v in obj.vulnerabilities.all()]


class HistoryOut(Schema):
    kind: str
    on_date: dt.date
    from_household_id: int
    to_household_id: int
    from_status: str
    to_status: str
    reason: str


class ResidentDetailOut(ResidentOut):
    notes: str
    history: list[HistoryOut]


class MoveIn(Schema):
    household_id: int = Field(..., ge=1, le=2**62)
    on_date: dt.date | None = None
    reason: str = Field("", max_length=200)


class DeregisterIn(Schema):
    status: Literal["moved_away", "deceased"]
    on_date: dt.date | None = None
    reason: str = Field("", max_length=200)


class ReinstateIn(Schema):
    reason: str = Field("", max_length=200, pattern=NO_NUL)


class NeedIn(Schema):
    """A need tag for a resident living here, with its details (all optional but the need)."""

    kind: Literal[tuple(VulnerabilityKind.values)]  # type: ignore[valid-type]
    detail: str = Field("", max_length=200, pattern=NO_NUL, description="A note on the need")
    disability_grade: Literal[tuple(["", *DisabilityGrade.values])] = ""  # type: ignore[valid-type]
    chronic_disease: str = Field("", max_length=100, pattern=NO_NUL)
    care_level: Literal[tuple(["", *CareLevel.values])] = ""  # type: ignore[valid-type]


class NeedOut(Schema):
    id: int
    resident_id: int
    kind: str
    detail: str
    disability_grade: str
    chronic_disease: str
    care_level: str

    @staticmethod
    def resolve_disability_grade(obj: Vulnerability) -> str:
        return obj.detail_row.disability_grade if obj.detail_row else ""

    @staticmethod
    def resolve_chronic_disease(obj: Vulnerability) -> str:
        return obj.detail_row.chronic_disease if obj.detail_row else ""

    @staticmethod
    def resolve_care_level(obj: Vulnerability) -> str:
        return obj.detail_row.care_level if obj.detail_row else ""


class ResidentPage(Schema):
    items: list[ResidentOut]
    next_cursor: int | None


class ResidentIn(Schema):
    household_id: int = Field(..., ge=1, le=2**62)
    name: str = Field(..., min_length=1, max_length=50)
    sex: Literal["M", "F", ""] = ""
    birth_date: dt.date | None = None
    document_type: Literal["id_card", "passport", "hmt_permit"] = DocumentType.ID_CARD
    id_number: str = Field("", max_length=32)
    document_number: str = Field("", max_length=32)
    phone: str = Field("", max_length=32)
    relation: Literal[tuple(Relation.values)] = Relation.HEAD  # type: ignore[valid-type]
    residence_type: Literal[tuple(ResidenceType.values)] = ResidenceType.REGISTERED  # type: ignore[valid-type]
    employer: str = Field("", max_length=100)
    notes: str = Field("", max_length=2000)


class ResidentPatch(Schema):
    """Only the fields sent change; an empty personal number keeps the stored one."""

    name: str | None = Field(None, min_length=1, max_length=50)
    sex: Literal["M", "F"] | None = None
    birth_date: dt.date | None = None
    document_type: Literal["id_card", "passport", "hmt_permit"] | None = None
    id_number: str | None = Field(None, max_length=32)
    document_number: str | None = Field(None, max_length=32)
    phone: str | None = Field(None, max_length=32)
    clear_phone: bool = False
    relation: Literal[tuple(Relation.values)] | None = None  # type: ignore[valid-type]
    residence_type: Literal[tuple(ResidenceType.values)] | None = None  # type: ignore[valid-type]
    employer: str | None = Field(None, max_length=100)
    notes: str | None = Field(None, max_length=2000)


class MemberOut(Schema):
    id: int
    name: str
    relation: str
    status: str
    needs: list[str]

    @staticmethod
    def resolve_needs(obj: Resident) -> list[str]:
        return [v.kind for v in obj.vulnerabilities.all()]


class HouseholdOut(Schema):
    id: int
    area_code: str
    building: str
    unit: str
    room: str
    address: str

    @staticmethod
    def resolve_building(obj: Household) -> str:
        return str(obj.building)

    @staticmethod
    def resolve_unit(obj: Household) -> str:
        return obj.unit.name if obj.unit_id else ""


class TaskRefOut(Schema):
    id: int
    title: str
    status: str
    due_at: dt.datetime | None


class HouseholdDetailOut(HouseholdOut):
    notes: str
    members: list[MemberOut]
    open_tasks: list[TaskRefOut]


class HouseholdPage(Schema):
    items: list[HouseholdOut]
    next_cursor: int | None


def _page(queryset: Any, after: int | None, limit: int) -> dict[str, Any]:
    queryset = queryset.order_by("pk")
    if after:
        queryset = queryset.filter(pk__gt=after)
    items = list(queryset[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    return {"items": items, "next_cursor": items[-1].pk if more and items else None}


def _resident(request: HttpRequest, resident_id: int) -> Resident:
    actor = api_actor(request)
    require(actor, "resident.view")
    resident = (
        Resident.objects.select_related("household__building", "household__unit")
        .prefetch_related("vulnerabilities")
        .get_visible(actor, pk=resident_id)
    )
    resident.history = list(resident_history(actor=actor, resident=resident))
    return resident


@router.get(
    "/households",
    response=HouseholdPage,
    openapi_extra=scope_list("areas.Household"),
    summary="Households of my jurisdiction, by id, a page at a time",
)
def household_list_read(
    request: HttpRequest,
    area_code: str | None = Query(None, pattern=AREA_CODE_PATTERN),
    after: int | None = Query(None, ge=1, le=2**62),
    limit: int = Query(100, ge=1, le=MAX_LIMIT),
):
    actor = api_actor(request)
    require(actor, "household.view")
    return _page(household_list(actor=actor, area_code=area_code or ""), after, limit)


@router.get(
    "/households/{household_id}",
    response=HouseholdDetailOut,
    openapi_extra=scope_detail("areas.Household", "pk", "household_id"),
    summary="One household with its members and their needs",
)
def household_detail_read(request: HttpRequest, household_id: int = HouseholdIdPath):
    actor = api_actor(request)
    require(actor, "household.view")
    household = household_list(actor=actor).get_visible(actor, pk=household_id)
    household.members = list(household_members(actor=actor, household=household))
    household.open_tasks = household_open_tasks(actor=actor, household=household)
    return household


@router.get(
    "/",
    response=ResidentPage,
    openapi_extra=scope_list("registry.Resident"),
    summary="Residents of my jurisdiction: search as at a door (name, initials, last 4, address), by id",
)
def resident_list_read(
    request: HttpRequest,
    q: str = Query("", max_length=50, description="Name, pinyin initials, last 4 digits, 3-2-301"),
    tag: str = Query("", max_length=20, description="A need (vulnerability kind)"),
    status: Literal["active", "moved_away", "deceased", "any"] = "active",
    area_code: str | None = Query(None, pattern=AREA_CODE_PATTERN),
    household_id: int | None = Query(None, ge=1, le=2**62),
    after: int | None = Query(None, ge=1, le=2**62),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
):
    actor = api_actor(request)
    require(actor, "resident.view")
    residents = resident_search(
        actor=actor, query=q, tag=tag, status="" if status == "any" else status, area_code=area_code or ""
    )
    if household_id:
        residents = residents.filter(household_id=household_id)
    return _page(residents.prefetch_related("vulnerabilities"), after, limit)


@router.get(
    "/{resident_id}",
    response=ResidentDetailOut,
    openapi_extra=scope_detail("registry.Resident", "pk", "resident_id"),
    summary="One resident (numbers masked)",
)
def resident_detail_read(request: HttpRequest, resident_id: int = ResidentIdPath):
    return _resident(request, resident_id)


@router.post("/", response={201: ResidentDetailOut}, summary="Register a resident in a household")
def resident_create_write(request: HttpRequest, payload: ResidentIn):
    actor = api_actor(request)
    require(actor, "resident.manage")
    data = payload.dict()
    household_id = data.pop("household_id")
    if not data["sex"]:
        data.pop("sex")
    resident = resident_create(actor=actor, household=household_id, data=data)
    return Status(201, _resident(request, resident.pk))


@router.patch("/{resident_id}", response=ResidentDetailOut, summary="Change a resident's record")
def resident_update_write(request: HttpRequest, payload: ResidentPatch, resident_id: int = ResidentIdPath):
    actor = api_actor(request)
    require(actor, "resident.manage")
    resident = _resident(request, resident_id)
    data = {k: v for k, v in payload.dict(exclude_unset=True).items()}
    resident_update(actor=actor, resident=resident, data=data)
    return _resident(request, resident_id)


@router.post("/{resident_id}/move", response=ResidentDetailOut, summary="Move a resident to another household")
def resident_move_write(request: HttpRequest, payload: MoveIn, resident_id: int = ResidentIdPath):
    actor = api_actor(request)
    require(actor, "resident.manage")
    resident = _resident(request, resident_id)
    resident_move(
        actor=actor, resident=resident, household=payload.household_id, reason=payload.reason, on_date=payload.on_date
    )
    return _resident(request, resident_id)


@router.post(
    "/{resident_id}/deregister", response=ResidentDetailOut, summary="Deregister a resident (moved away, deceased)"
)
def resident_deregister_write(request: HttpRequest, payload: DeregisterIn, resident_id: int = ResidentIdPath):
    actor = api_actor(request)
    require(actor, "resident.manage")
    resident = _resident(request, resident_id)
    resident_deregister(
        actor=actor, resident=resident, status=payload.status, reason=payload.reason, on_date=payload.on_date
    )
    return _resident(request, resident_id)


@router.post(
    "/{resident_id}/reinstate",
    response=ResidentDetailOut,
    summary="Register a deregistered resident again (a deregistration made by mistake)",
)
def resident_reinstate_write(request: HttpRequest, payload: ReinstateIn, resident_id: int = ResidentIdPath):
    actor = api_actor(request)
    require(actor, "resident.manage")
    resident = _resident(request, resident_id)
    resident_reinstate(actor=actor, resident=resident, reason=payload.reason)
    return _resident(request, resident_id)


@router.post(
    "/{resident_id}/needs",
    response={201: NeedOut},
    summary="Tag a resident living here with a need (vulnerability), with its details",
)
def resident_need_add(request: HttpRequest, payload: NeedIn, resident_id: int = ResidentIdPath):
    actor = api_actor(request)
    tag = vulnerability_add(actor=actor, resident=resident_id, **payload.dict())
    tag.detail_row = vulnerability_details(actor=actor, vulnerabilities=[tag]).get(tag.pk)
    return Status(201, tag)


@router.delete(
    "/{resident_id}/needs/{need_id}",
    response={204: None},
    summary="Take a need tag off a resident, with its details (a care plan stays)",
)
def resident_need_remove(request: HttpRequest, resident_id: int = ResidentIdPath, need_id: int = NeedIdPath):
    actor = api_actor(request)
    vulnerability_remove(actor=actor, vulnerability=need_id, resident=resident_id)
    return Status(204, None)


__all__ = ["router", "Sex"]
