"""Supplies API, stock part: the catalogue, stores, stock on hand, the ledger, transfers, alerts.

Reads go through the selectors (scoped), writes through the services. Movements that a device may
send twice carry an `idempotency_key` (a UUID): the first POST answers 201, a repeat answers 200
with what the first recorded, and nothing is written twice.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from fangxian.core.api import api_actor, require, scope_detail, scope_exempt, scope_list
from fangxian.supplies.models import Movement, Store, Transfer
from fangxian.supplies.selectors.stock import (
    item_list,
    lot_list,
    lots_expiring,
    movement_list,
    stock_below_reorder,
    store_get,
    store_list,
    store_stock,
    transfer_lines,
    transfer_list,
)
from fangxian.supplies.services.stock import (
    IssueInput,
    stock_adjust,
    stock_dispose,
    stock_issue,
    stock_issue_batch,
    stock_receive,
    transfer_receive,
    transfer_send,
)

router = Router(tags=["supplies"])
MAX_LIMIT = 500
NO_NUL = r"^[^\x00]*$"
BIG = 2**62
IdPath = Path(..., ge=1, le=BIG)
ID = Field(..., ge=1, le=BIG)
QUANTITY = Field(..., ge=1, le=10**9)


def _page(rows, after: int | None, limit: int, *, newest_first: bool = False) -> dict[str, Any]:
    rows = rows.order_by("-pk" if newest_first else "pk")
    if after:
        rows = rows.filter(pk__lt=after) if newest_first else rows.filter(pk__gt=after)
    items = list(rows[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    return {"items": items, "next_cursor": items[-1].pk if more and items else None}


# --- catalogue and stores ---------------------------------------------------------------------------------


class ItemOut(Schema):
    id: int
    code: str
    name: str
    name_zh: str
    name_en: str
    category: str
    unit: str
    pack_size: int
    per_person_per_day: Decimal


@router.get(
    "/items",
    response=list[ItemOut],
    openapi_extra=scope_exempt("the catalogue is the same for every area and holds nothing about a place"),
    summary="The catalogue of supplies",
)
def items(request: HttpRequest):
    actor = api_actor(request)
    require(actor, "supplies.view")
    return list(item_list(actor=actor))


class StoreOut(Schema):
    id: int
    area_code: str
    name: str
    kind: str
    address: str


class StorePage(Schema):
    items: list[StoreOut]
    next_cursor: int | None


@router.get(
    "/stores",
    response=StorePage,
    openapi_extra=scope_list("supplies.Store"),
    summary="Stores of my areas",
)
def stores(
    request: HttpRequest,
    after: int | None = Query(None, ge=1, le=BIG),
    limit: int = Query(100, ge=1, le=MAX_LIMIT),
):
    actor = api_actor(request)
    require(actor, "supplies.view")
    return _page(store_list(actor=actor), after, limit)


class StockLineOut(Schema):
    item_id: int
    item_code: str
    item_name: str
    unit: str
    on_hand: int
    lots: int
    next_expiry: dt.date | None
    in_transit: int
    daily_use: Decimal | None
    days_left: Decimal | None
    reorder_level: int | None
    below_reorder: bool
    expiring: bool


class StoreDetailOut(StoreOut):
    stock: list[StockLineOut]


def _stock_out(actor, store: Store) -> list[dict[str, Any]]:
    return [
        {
            **{name: getattr(line, name) for name in StockLineOut.model_fields if hasattr(line, name)},
            "item_id": line.item.pk,
            "item_code": line.item.code,
            "item_name": line.item.name,
            "unit": line.item.unit,
        }
        for line in store_stock(actor=actor, store=store)
    ]


@router.get(
    "/stores/{store_id}",
    response=StoreDetailOut,
    openapi_extra=scope_detail("supplies.Store", "pk", "store_id"),
    summary="One store and its stock per item",
)
def store_detail(request: HttpRequest, store_id: int = IdPath):
    actor = api_actor(request)
    require(actor, "supplies.view")
    store = store_get(actor=actor, store_id=store_id)
    return {**{name: getattr(store, name) for name in StoreOut.model_fields}, "stock": _stock_out(actor, store)}


@router.get(
    "/stores/{store_id}/stock",
    response=list[StockLineOut],
    openapi_extra=scope_detail("supplies.Store", "pk", "store_id"),
    summary="Stock on hand per item of one store: balance, in transit, days of supply, alerts",
)
def store_stock_endpoint(request: HttpRequest, store_id: int = IdPath):
    actor = api_actor(request)
    require(actor, "supplies.view")
    return _stock_out(actor, store_get(actor=actor, store_id=store_id))


class LotOut(Schema):
    id: int
    area_code: str
    store_id: int
    item_id: int
    lot_code: str
    expires_on: dt.date | None
    source: str
    donor: str
    origin_id: int | None
    received_at: dt.datetime
    quantity: int


class LotPage(Schema):
    items: list[LotOut]
    next_cursor: int | None


@router.get(
    "/lots",
    response=LotPage,
    openapi_extra=scope_list("supplies.Lot"),
    summary="Lots of my areas' stores (`store_id` for one store, `on_hand` for those with stock left)",
)
def lots(
    request: HttpRequest,
    store_id: int | None = Query(None, ge=1, le=BIG),
    on_hand: bool = False,
    after: int | None = Query(None, ge=1, le=BIG),
    limit: int = Query(100, ge=1, le=MAX_LIMIT),
):
    actor = api_actor(request)
    require(actor, "supplies.view")
    return _page(lot_list(actor=actor, store_id=store_id, on_hand_only=on_hand), after, limit)


# --- alerts -------------------------------------------------------------------------------------------------


class BelowReorderOut(Schema):
    area_code: str
    item_id: int
    item_name: str
    level: int
    on_hand: int


class AlertsOut(Schema):
    below_reorder: list[BelowReorderOut]
    expiring: list[LotOut]


@router.get(
    "/alerts",
    response=AlertsOut,
    openapi_extra=scope_list("supplies.Lot"),
    summary="Items below their reorder level per area, and lots expiring within `days` days",
)
def alerts(request: HttpRequest, days: int = Query(30, ge=0, le=365)):
    actor = api_actor(request)
    require(actor, "supplies.view")
    below = [
        {
            "area_code": row["area_code"],
            "item_id": row["item"].pk,
            "item_name": row["item"].name,
            "level": row["level"],
            "on_hand": row["on_hand"],
        }
        for row in stock_below_reorder(actor=actor)
    ]
    return {"below_reorder": below, "expiring": list(lots_expiring(actor=actor, days=days)[:MAX_LIMIT])}


# --- the ledger ---------------------------------------------------------------------------------------------


class MovementOut(Schema):
    id: int
    area_code: str
    lot_id: int
    store_id: int
    item_id: int
    kind: str
    quantity: int
    balance_after: int
    at: dt.datetime
    by: str | None
    recipient_kind: str
    recipient: str
    household_id: int | None
    checkpoint_id: int | None
    transfer_id: int | None
    counted: int | None
    reason: str
    idempotency_key: uuid.UUID | None

    @staticmethod
    def resolve_by(obj: Movement) -> str | None:
        return obj.by.username if obj.by_id else None


class MovementPage(Schema):
    items: list[MovementOut]
    next_cursor: int | None


class MovementsOut(Schema):
    movements: list[MovementOut]


@router.get(
    "/movements",
    response=MovementPage,
    openapi_extra=scope_list("supplies.Movement"),
    summary="The ledger of my areas' stores, newest first (`store_id` for one store)",
)
def movements(
    request: HttpRequest,
    store_id: int | None = Query(None, ge=1, le=BIG),
    after: int | None = Query(None, ge=1, le=BIG),
    limit: int = Query(100, ge=1, le=MAX_LIMIT),
):
    actor = api_actor(request)
    require(actor, "supplies.view")
    return _page(movement_list(actor=actor, store_id=store_id), after, limit, newest_first=True)


class ReceiveIn(Schema):
    store_id: int = ID
    item_id: int = ID
    quantity: int = QUANTITY
    source: Literal["purchase", "allocation", "donation"] = "purchase"
    lot_code: str = Field("", max_length=50, pattern=NO_NUL)
    expires_on: dt.date | None = None
    donor: str = Field("", max_length=100, pattern=NO_NUL)
    reason: str = Field("", max_length=200, pattern=NO_NUL)
    idempotency_key: uuid.UUID | None = None


class IssueIn(Schema):
    store_id: int = ID
    item_id: int = ID
    quantity: int = QUANTITY
    recipient_kind: Literal["worker", "team", "household", "checkpoint", "disinfection"]
    recipient: str = Field("", max_length=100, pattern=NO_NUL)
    household_id: int | None = Field(None, ge=1, le=BIG)
    checkpoint_id: int | None = Field(None, ge=1, le=BIG)
    lot_id: int | None = Field(None, ge=1, le=BIG, description="Without it, first expiry first across lots")
    reason: str = Field("", max_length=200, pattern=NO_NUL)
    idempotency_key: uuid.UUID | None = None


class AdjustIn(Schema):
    lot_id: int = ID
    counted: int = Field(..., ge=0, le=10**9)
    reason: str = Field(..., min_length=1, max_length=200, pattern=NO_NUL)
    idempotency_key: uuid.UUID | None = None


class DisposeIn(Schema):
    lot_id: int = ID
    quantity: int | None = Field(None, ge=1, le=10**9, description="Without it, all that is left in the lot")
    reason: str = Field(..., min_length=1, max_length=200, pattern=NO_NUL)
    idempotency_key: uuid.UUID | None = None


def _recorded(rows: list[Movement]) -> Any:
    status = 200 if getattr(rows[0], "replayed", False) else 201
    return Status(status, {"movements": rows})


@router.post(
    "/movements/receive",
    response={200: MovementsOut, 201: MovementsOut},
    summary="Receive a delivery as a new lot (201; 200 when the idempotency key was recorded before)",
)
def receive(request: HttpRequest, payload: ReceiveIn):
    return _recorded([stock_receive(actor=api_actor(request), **payload.dict())])


@router.post(
    "/movements/issue",
    response={200: MovementsOut, 201: MovementsOut},
    summary="Issue to a worker, team, household or checkpoint (first expiry first when no lot is named)",
)
def issue(request: HttpRequest, payload: IssueIn):
    return _recorded(stock_issue(actor=api_actor(request), **payload.dict()))


@router.post(
    "/movements/adjust",
    response={200: MovementsOut, 201: MovementsOut},
    summary="Record a stocktake: the counted figure and the reason; the movement is the difference",
)
def adjust(request: HttpRequest, payload: AdjustIn):
    return _recorded([stock_adjust(actor=api_actor(request), **payload.dict())])


@router.post(
    "/movements/dispose",
    response={200: MovementsOut, 201: MovementsOut},
    summary="Dispose of expired or damaged stock of a lot",
)
def dispose(request: HttpRequest, payload: DisposeIn):
    return _recorded([stock_dispose(actor=api_actor(request), **payload.dict())])


class BatchIssueIn(Schema):
    item_id: int = ID
    quantity: int = QUANTITY
    recipient_kind: Literal["worker", "team", "household", "checkpoint", "disinfection"]
    recipient: str = Field("", max_length=100, pattern=NO_NUL)
    household_id: int | None = Field(None, ge=1, le=BIG)
    checkpoint_id: int | None = Field(None, ge=1, le=BIG)
    lot_id: int | None = Field(None, ge=1, le=BIG)
    reason: str = Field("", max_length=200, pattern=NO_NUL)
    idempotency_key: uuid.UUID
    at: dt.datetime | None = Field(None, description="When the device recorded it (a future time is taken as now)")


class IssueBatchIn(Schema):
    store_id: int = ID
    issues: list[BatchIssueIn] = Field(..., min_length=1, max_length=1000)


class IssueResultOut(Schema):
    idempotency_key: uuid.UUID | None
    recorded: bool
    replayed: bool
    code: str | None
    message: str | None
    movements: list[MovementOut]


class IssueBatchOut(Schema):
    results: list[IssueResultOut]


@router.post(
    "/movements/issue-batch",
    response=IssueBatchOut,
    summary="Upload a device's queued issues from one store (each recorded or refused on its own, keys once)",
)
def issue_batch(request: HttpRequest, payload: IssueBatchIn):
    results = stock_issue_batch(
        actor=api_actor(request),
        store_id=payload.store_id,
        issues=[IssueInput(**issue.dict()) for issue in payload.issues],
    )
    return {
        "results": [
            {
                "idempotency_key": r.idempotency_key,
                "recorded": r.error is None and not r.replayed,
                "replayed": r.replayed,
                "code": r.error_code,
                "message": r.error,
                "movements": r.movements,
            }
            for r in results
        ]
    }


# --- transfers ----------------------------------------------------------------------------------------------


class TransferLineOut(Schema):
    item_id: int
    from_lot_id: int
    to_lot_id: int | None
    quantity: int


class TransferOut(Schema):
    id: int
    from_store_id: int
    from_store_name: str
    to_store_id: int
    to_store_name: str
    to_area_code: str
    status: str
    request_id: int | None
    note: str
    sent_at: dt.datetime
    received_at: dt.datetime | None
    lines: list[TransferLineOut]


class TransferPage(Schema):
    items: list[TransferOut]
    next_cursor: int | None


def _transfer_out(transfer: Transfer) -> dict[str, Any]:
    return {
        **{name: getattr(transfer, name) for name in TransferOut.model_fields if hasattr(transfer, name)},
        "from_store_name": transfer.from_store.name,
        "to_store_name": transfer.to_store.name,
        "lines": transfer_lines(transfer),
    }


@router.get(
    "/transfers",
    response=TransferPage,
    openapi_extra=scope_list("supplies.Transfer"),
    summary="Transfers from or to my areas' stores, newest first (`status=in_transit` for goods on the way)",
)
def transfers(
    request: HttpRequest,
    status: Literal["", "in_transit", "received", "cancelled"] = "",
    after: int | None = Query(None, ge=1, le=BIG),
    limit: int = Query(100, ge=1, le=MAX_LIMIT),
):
    actor = api_actor(request)
    require(actor, "supplies.view")
    page = _page(transfer_list(actor=actor, status=status or None), after, limit, newest_first=True)
    return {"items": [_transfer_out(t) for t in page["items"]], "next_cursor": page["next_cursor"]}


@router.get(
    "/transfers/{transfer_id}",
    response=TransferOut,
    openapi_extra=scope_detail("supplies.Transfer", "pk", "transfer_id"),
    summary="One transfer and its lines",
)
def transfer_detail(request: HttpRequest, transfer_id: int = IdPath):
    actor = api_actor(request)
    require(actor, "supplies.view")
    return _transfer_out(transfer_list(actor=actor).get_visible(actor, pk=transfer_id))


class TransferLineIn(Schema):
    item_id: int = ID
    quantity: int = QUANTITY


class TransferIn(Schema):
    from_store_id: int = ID
    to_store_id: int = ID
    lines: list[TransferLineIn] = Field(..., min_length=1, max_length=100)
    note: str = Field("", max_length=200, pattern=NO_NUL)
    request_id: int | None = Field(None, ge=1, le=BIG)


@router.post("/transfers", response={201: TransferOut}, summary="Send items to another store (out at once)")
def transfer_send_endpoint(request: HttpRequest, payload: TransferIn):
    actor = api_actor(request)
    transfer = transfer_send(
        actor=actor,
        from_store_id=payload.from_store_id,
        to_store_id=payload.to_store_id,
        lines=[(line.item_id, line.quantity) for line in payload.lines],
        note=payload.note,
        request_id=payload.request_id,
    )
    return Status(201, _transfer_out(transfer_list(actor=actor).get(pk=transfer.pk)))


@router.post(
    "/transfers/{transfer_id}/receive",
    response=TransferOut,
    summary="Take a transfer in at the receiving store (new lots keep expiry and origin)",
)
def transfer_receive_endpoint(request: HttpRequest, transfer_id: int = IdPath):
    actor = api_actor(request)
    transfer = transfer_receive(actor=actor, transfer_id=transfer_id)
    return _transfer_out(transfer_list(actor=actor).get(pk=transfer.pk))
