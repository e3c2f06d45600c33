"""Supplies API: allocations of scarce stock (list, detail, propose, adjust, issue).

Reads go through the allocation selectors (scoped), writes through the allocation services; their
errors come back as `{"code", "message"}` from the central handler.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from fangxian.core.api import api_actor, require, scope_detail, scope_list
from fangxian.supplies.selectors.allocation import (
    allocation_get,
    allocation_list,
    allocation_shares,
    communities_without_store,
)
from fangxian.supplies.services.allocation import allocation_adjust, allocation_issue, allocation_propose

router = Router(tags=["supplies"])
MAX_LIMIT = 200
IdPath = Path(..., ge=1, le=2**62)
ID = Field(..., ge=1, le=2**62)
COMMUNITY = r"^[0-9]{12}$"


class AllocationOut(Schema):
    id: int
    area_code: str
    item_id: int
    item_code: str
    from_store_id: int
    from_store_name: str
    total: int
    coverage_days: Decimal | None
    status: str
    created_at: dt.datetime
    issued_at: dt.datetime | None

    @staticmethod
    def resolve_item_code(obj: Any) -> str:
        return obj.item.code

    @staticmethod
    def resolve_from_store_name(obj: Any) -> str:
        return obj.from_store.name


class AllocationPage(Schema):
    items: list[AllocationOut]
    next_cursor: int | None


class ShareOut(Schema):
    area_code: str
    store_id: int
    store_name: str
    daily_need: Decimal
    on_hand: int
    requested: int
    share: int
    adjusted: bool
    reason: str
    transfer_id: int | None

    @staticmethod
    def resolve_store_name(obj: Any) -> str:
        return obj.store.name


class CommunityOut(Schema):
    code: str
    name: str


class AllocationDetailOut(AllocationOut):
    shares: list[ShareOut]
    without_store: list[CommunityOut]

    @staticmethod
    def resolve_shares(obj: Any) -> list[Any]:
        return obj.share_rows


class ProposeIn(Schema):
    item_id: int = ID
    from_store_id: int = ID
    total: int = Field(..., ge=1, le=10**9)


class AdjustIn(Schema):
    shares: dict[str, int] = Field(..., description="community code (12 digits) -> units")


def _detail(actor: Any, allocation_id: int) -> Any:
    allocation = allocation_get(actor=actor, allocation_id=allocation_id)
    allocation.share_rows = allocation_shares(allocation)
    allocation.without_store = communities_without_store(actor=actor, allocation=allocation)
    return allocation


@router.get(
    "/allocations",
    response=AllocationPage,
    openapi_extra=scope_list("supplies.Allocation"),
    summary="Allocations in my jurisdiction, newest first",
)
def allocations(
    request: HttpRequest,
    before: int | None = Query(None, ge=1, le=2**62),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
):
    actor = api_actor(request)
    require(actor, "supplies.view")
    rows = allocation_list(actor=actor).order_by("-pk")
    if before:
        rows = rows.filter(pk__lt=before)
    items = list(rows[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    return {"items": items, "next_cursor": items[-1].pk if more and items else None}


@router.get(
    "/allocations/{allocation_id}",
    response=AllocationDetailOut,
    openapi_extra=scope_detail("supplies.Allocation", "pk", "allocation_id"),
    summary="One allocation with its shares, their reasons, and the communities without a store",
)
def allocation_detail(request: HttpRequest, allocation_id: int = IdPath):
    actor = api_actor(request)
    require(actor, "supplies.view")
    return _detail(actor, allocation_id)


@router.post(
    "/allocations",
    response={201: AllocationDetailOut},
    summary="Propose shares of a warehouse's stock among the communities below it (supplies.decide)",
)
def allocation_propose_endpoint(request: HttpRequest, payload: ProposeIn):
    actor = api_actor(request)
    allocation = allocation_propose(
        actor=actor, item_id=payload.item_id, from_store_id=payload.from_store_id, total=payload.total
    )
    return Status(201, _detail(actor, allocation.pk))


@router.post(
    "/allocations/{allocation_id}/adjust",
    response=AllocationDetailOut,
    summary="Change shares by hand; the sum must not exceed the total (supplies.decide)",
)
def allocation_adjust_endpoint(request: HttpRequest, payload: AdjustIn, allocation_id: int = IdPath):
    actor = api_actor(request)
    allocation_adjust(actor=actor, allocation_id=allocation_id, shares=payload.shares)
    return _detail(actor, allocation_id)


@router.post(
    "/allocations/{allocation_id}/issue",
    response=AllocationDetailOut,
    summary="Send every share: one transfer per community, all or nothing (supplies.decide)",
)
def allocation_issue_endpoint(request: HttpRequest, allocation_id: int = IdPath):
    actor = api_actor(request)
    allocation_issue(actor=actor, allocation_id=allocation_id)
    return _detail(actor, allocation_id)
