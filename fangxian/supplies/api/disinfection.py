"""Supplies API: disinfection (消杀) points, logs and overdue points; mask recycling points and collections.

Reads go through the disinfection selectors (scoped), writes through the disinfection services.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from fangxian.core.api import api_actor, scope_list
from fangxian.core.scoping import Actor
from fangxian.supplies.selectors.disinfection import (
    collection_list,
    is_overdue,
    log_list,
    overdue_by_grid,
    overdue_points,
    point_list,
    recycling_point_list,
)
from fangxian.supplies.services.disinfection import (
    disinfection_log_create,
    disinfection_point_create,
    recycling_collection_log,
)

router = Router(tags=["supplies"])
AREA = r"^([0-9]{2,15})?$"
NO_NUL = r"^[^\x00]*$"
ID = Field(..., ge=1, le=2**62)
MAX_LIMIT = 500


def _reader(request: HttpRequest) -> Actor:
    """Those who disinfect, and those who oversee supplies, may read the schedules."""
    actor = api_actor(request)
    if not (actor.can("disinfection.log") or actor.can("supplies.view")):
        raise DjangoPermissionDenied(_("Your role does not allow this."))
    return actor


class PointOut(Schema):
    id: int
    area_code: str
    name: str
    kind: str
    every_hours: int
    last_done_at: dt.datetime | None
    due_at: dt.datetime | None
    overdue: bool

    @staticmethod
    def resolve_due_at(obj: Any) -> dt.datetime | None:
        return obj.last_done_at + dt.timedelta(hours=obj.every_hours) if obj.last_done_at else None

    @staticmethod
    def resolve_overdue(obj: Any, context: Any) -> bool:
        return is_overdue(obj, timezone.now())


class GridOverdueOut(Schema):
    area_code: str
    name: str
    overdue: int


class OverdueOut(Schema):
    by_grid: list[GridOverdueOut]
    points: list[PointOut]


class PointIn(Schema):
    area_code: str = Field(..., pattern=r"^([0-9]{12}|[0-9]{15})$")
    name: str = Field(..., min_length=1, max_length=100, pattern=NO_NUL)
    kind: str = Field(..., max_length=10)
    every_hours: int = Field(24, ge=1, le=24 * 14)


class LogIn(Schema):
    point_id: int = ID
    lot_id: int | None = Field(None, ge=1, le=2**62)
    quantity: int | None = Field(None, ge=1, le=10**6)
    note: str = Field("", max_length=200, pattern=NO_NUL)


class LogOut(Schema):
    id: int
    area_code: str
    point_id: int
    at: dt.datetime
    by_id: int | None
    movement_id: int | None
    note: str


class RecyclingPointOut(Schema):
    id: int
    area_code: str
    name: str
    location: str


class CollectionIn(Schema):
    point_id: int = ID
    bags: int = Field(1, ge=1, le=500)
    note: str = Field("", max_length=200, pattern=NO_NUL)


class CollectionOut(Schema):
    id: int
    area_code: str
    point_id: int
    at: dt.datetime
    bags: int
    note: str


@router.get(
    "/disinfection/points",
    response=list[PointOut],
    openapi_extra=scope_list("supplies.DisinfectionPoint"),
    summary="Disinfection points of my areas, with when each is due and whether it is overdue",
)
def points(request: HttpRequest, area_code: str = Query("", pattern=AREA), limit: int = Query(200, ge=1, le=MAX_LIMIT)):
    return list(point_list(actor=_reader(request), area_code=area_code)[:limit])


@router.post("/disinfection/points", response={201: PointOut}, summary="Add a point to disinfect (disinfection.manage)")
def point_create_endpoint(request: HttpRequest, payload: PointIn):
    point = disinfection_point_create(actor=api_actor(request), **payload.dict())
    return Status(201, point)


@router.get(
    "/disinfection/overdue",
    response=OverdueOut,
    openapi_extra=scope_list("supplies.DisinfectionPoint"),
    summary="Overdue points (never done, or done longer ago than their schedule), counted per grid",
)
def overdue(
    request: HttpRequest, area_code: str = Query("", pattern=AREA), limit: int = Query(200, ge=1, le=MAX_LIMIT)
):
    actor = _reader(request)
    now = timezone.now()
    grids = overdue_by_grid(actor=actor, area_code=area_code, now=now)
    return {
        "by_grid": [{"area_code": code, "name": name, "overdue": n} for code, name, n in grids],
        "points": list(overdue_points(actor=actor, area_code=area_code, now=now)[:limit]),
    }


@router.get(
    "/disinfection/logs",
    response=list[LogOut],
    openapi_extra=scope_list("supplies.DisinfectionLog"),
    summary="Latest disinfection logs of my areas",
)
def logs(
    request: HttpRequest,
    point_id: int | None = Query(None, ge=1, le=2**62),
    limit: int = Query(100, ge=1, le=MAX_LIMIT),
):
    return list(log_list(actor=_reader(request), point_id=point_id)[:limit])


@router.post(
    "/disinfection/logs",
    response={201: LogOut},
    summary="Record a disinfection; a lot and quantity draw the product from the ledger (disinfection.log)",
)
def log_create_endpoint(request: HttpRequest, payload: LogIn):
    log = disinfection_log_create(actor=api_actor(request), **payload.dict())
    return Status(201, log)


@router.get(
    "/recycling/points",
    response=list[RecyclingPointOut],
    openapi_extra=scope_list("supplies.RecyclingPoint"),
    summary="Mask recycling points of my areas",
)
def recycling_points(request: HttpRequest, limit: int = Query(200, ge=1, le=MAX_LIMIT)):
    return list(recycling_point_list(actor=_reader(request))[:limit])


@router.get(
    "/recycling/collections",
    response=list[CollectionOut],
    openapi_extra=scope_list("supplies.RecyclingCollection"),
    summary="Latest collections of mask recycling points",
)
def collections(request: HttpRequest, limit: int = Query(100, ge=1, le=MAX_LIMIT)):
    return list(collection_list(actor=_reader(request))[:limit])


@router.post(
    "/recycling/collections",
    response={201: CollectionOut},
    summary="Record a collection of used masks (disinfection.log)",
)
def collection_create_endpoint(request: HttpRequest, payload: CollectionIn):
    return Status(201, recycling_collection_log(actor=api_actor(request), **payload.dict()))
