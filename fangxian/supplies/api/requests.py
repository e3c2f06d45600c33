"""Supplies API, requests part: a community asks its street; the street decides and fulfils by transfer."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from fangxian.core.api import api_actor, require, scope_detail, scope_list
from fangxian.supplies.models import SupplyRequest
from fangxian.supplies.selectors.requests import request_get, request_lines, request_list
from fangxian.supplies.services.requests import (
    request_cancel,
    request_create,
    request_decide,
    request_draft_replenishment,
    request_fulfil,
    request_submit,
)

router = Router(tags=["supplies"])
MAX_LIMIT = 200
NO_NUL = r"^[^\x00]*$"
BIG = 2**62
IdPath = Path(..., ge=1, le=BIG)
ID = Field(..., ge=1, le=BIG)


class RequestLineOut(Schema):
    item_id: int
    item_name: str
    quantity: int
    approved: int | None
    sent: int

    @staticmethod
    def resolve_item_name(obj) -> str:
        return obj.item.name


class RequestOut(Schema):
    id: int
    area_code: str
    to_area_code: str
    store_id: int
    store_name: str
    justification: str
    status: str
    draft: bool
    created_at: dt.datetime
    decided_at: dt.datetime | None
    decision_note: str
    lines: list[RequestLineOut]
    transfer_ids: list[int]


class RequestPage(Schema):
    items: list[RequestOut]
    next_cursor: int | None


def _request_out(request: SupplyRequest) -> dict[str, Any]:
    return {
        **{name: getattr(request, name) for name in RequestOut.model_fields if hasattr(request, name)},
        "store_name": request.store.name,
        "lines": request_lines(request),
        "transfer_ids": list(request.transfers.order_by("pk").values_list("pk", flat=True)),
    }


@router.get(
    "/requests",
    response=RequestPage,
    openapi_extra=scope_list("supplies.SupplyRequest"),
    summary="Requests of my areas and asked of them, newest first (`queue` for those waiting on me)",
)
def requests(
    request: HttpRequest,
    status: Literal["", "submitted", "approved", "partly_approved", "rejected", "fulfilled", "cancelled"] = "",
    queue: bool = False,
    after: int | None = Query(None, ge=1, le=BIG),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
):
    actor = api_actor(request)
    require(actor, "supplies.view")
    rows = request_list(actor=actor, status=status or None, queue=queue)
    if after:
        rows = rows.filter(pk__lt=after)
    items = list(rows[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    return {"items": [_request_out(r) for r in items], "next_cursor": items[-1].pk if more and items else None}


@router.get(
    "/requests/{request_id}",
    response=RequestOut,
    openapi_extra=scope_detail("supplies.SupplyRequest", "pk", "request_id"),
    summary="One request with its lines and the transfers that fulfil it",
)
def request_detail(request: HttpRequest, request_id: int = IdPath):
    actor = api_actor(request)
    require(actor, "supplies.view")
    return _request_out(request_get(actor=actor, request_id=request_id))


class LineIn(Schema):
    item_id: int = ID
    quantity: int = Field(..., ge=1, le=10**9)


class RequestIn(Schema):
    store_id: int = ID
    lines: list[LineIn] = Field(..., min_length=1, max_length=100)
    justification: str = Field(..., min_length=1, max_length=500, pattern=NO_NUL)
    draft: bool = False


class ApprovedLineIn(Schema):
    item_id: int = ID
    quantity: int = Field(..., ge=0, le=10**9)


class DecideIn(Schema):
    approve: bool
    approved: list[ApprovedLineIn] = Field(
        default_factory=list, max_length=100, description="Per item, when not in full"
    )
    note: str = Field("", max_length=300, pattern=NO_NUL)


class FulfilIn(Schema):
    from_store_id: int = ID
    note: str = Field("", max_length=200, pattern=NO_NUL)


class DraftIn(Schema):
    store_id: int = ID
    days: int = Field(14, ge=1, le=90)


def _fresh(actor, request_id: int) -> dict[str, Any]:
    return _request_out(request_get(actor=actor, request_id=request_id))


@router.post("/requests", response={201: RequestOut}, summary="Ask the area above for items (supplies.request)")
def request_create_endpoint(request: HttpRequest, payload: RequestIn):
    actor = api_actor(request)
    created = request_create(
        actor=actor,
        store_id=payload.store_id,
        lines=[(line.item_id, line.quantity) for line in payload.lines],
        justification=payload.justification,
        draft=payload.draft,
    )
    return Status(201, _fresh(actor, created.pk))


@router.post(
    "/requests/replenishment",
    response={200: RequestOut | None, 201: RequestOut},
    summary="Draft a request for the store's items below their reorder level (null when none is)",
)
def request_draft_endpoint(request: HttpRequest, payload: DraftIn):
    actor = api_actor(request)
    draft = request_draft_replenishment(actor=actor, store_id=payload.store_id, days=payload.days)
    return Status(201, _fresh(actor, draft.pk)) if draft else Status(200, None)


@router.post("/requests/{request_id}/submit", response=RequestOut, summary="Send a draft up to the street")
def request_submit_endpoint(request: HttpRequest, request_id: int = IdPath):
    actor = api_actor(request)
    request_submit(actor=actor, request_id=request_id)
    return _fresh(actor, request_id)


@router.post("/requests/{request_id}/cancel", response=RequestOut, summary="Withdraw an undecided request")
def request_cancel_endpoint(request: HttpRequest, request_id: int = IdPath):
    actor = api_actor(request)
    request_cancel(actor=actor, request_id=request_id)
    return _fresh(actor, request_id)


@router.post(
    "/requests/{request_id}/decide",
    response=RequestOut,
    summary="Approve in full, per line in part (`approved`), or reject with a note (supplies.decide)",
)
def request_decide_endpoint(request: HttpRequest, payload: DecideIn, request_id: int = IdPath):
    actor = api_actor(request)
    approved: dict[int, int] = {}
    for line in payload.approved:
        approved[line.item_id] = line.quantity
    request_decide(actor=actor, request_id=request_id, approve=payload.approve, approved=approved, note=payload.note)
    return _fresh(actor, request_id)


@router.post(
    "/requests/{request_id}/fulfil",
    response=RequestOut,
    summary="Send what is approved and not yet sent, by a transfer from one of my stores",
)
def request_fulfil_endpoint(request: HttpRequest, payload: FulfilIn, request_id: int = IdPath):
    actor = api_actor(request)
    request_fulfil(actor=actor, request_id=request_id, from_store_id=payload.from_store_id, note=payload.note)
    return _fresh(actor, request_id)
