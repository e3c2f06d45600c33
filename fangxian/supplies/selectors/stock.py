"""Reads of stock: stores, stock on hand per item, the ledger, transfers, alerts and days of supply.

Stock on hand is read from the lots (the balance lives there); the ledger is read for burn rates
and for the store's history. Everything goes through `visible_to(actor)`.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Min, OuterRef, Q, QuerySet, Subquery, Sum, Window
from django.db.models.functions import Coalesce
from django.utils import timezone

from fangxian.core.scoping import Actor
from fangxian.supplies.models import (
    Item,
    Lot,
    Movement,
    MovementKind,
    ReorderLevel,
    Store,
    Transfer,
    TransferLine,
    TransferStatus,
)

BURN_DAYS = 14
# What counts as use when estimating how long stock lasts: goods that left the store.
BURN_KINDS = (MovementKind.ISSUE, MovementKind.TRANSFER_OUT, MovementKind.DISPOSE)


def store_list(*, actor: Actor) -> QuerySet[Store]:
    return Store.objects.visible_to(actor).filter(active=True).order_by("area_code", "name", "pk")


def store_get(*, actor: Actor, store_id: int) -> Store:
    """One active store of my areas, or Http404 alike for "missing" and "outside your jurisdiction"."""
    return Store.objects.filter(active=True).get_visible(actor, pk=store_id)


def lot_list(*, actor: Actor, store_id: int | None = None, on_hand_only: bool = False) -> QuerySet[Lot]:
    lots = Lot.objects.visible_to(actor).select_related("item", "store")
    if store_id is not None:
        lots = lots.filter(store_id=store_id)
    if on_hand_only:
        lots = lots.filter(quantity__gt=0)
    return lots


def movement_list(*, actor: Actor, store_id: int | None = None) -> QuerySet[Movement]:
    movements = Movement.objects.visible_to(actor).select_related("item", "by", "lot")
    if store_id is not None:
        movements = movements.filter(store_id=store_id)
    return movements.order_by("-pk")


def transfer_list(*, actor: Actor, status: str | None = None) -> QuerySet[Transfer]:
    transfers = Transfer.objects.visible_to(actor).select_related("from_store", "to_store")
    if status:
        transfers = transfers.filter(status=status)
    return transfers.order_by("-pk")


def transfer_lines(transfer: Transfer) -> list[TransferLine]:
    return list(transfer.lines.select_related("item", "from_lot").order_by("pk"))


def burn_rates(*, store_ids: list[int], days: int = BURN_DAYS, now: dt.datetime | None = None) -> dict:
    """Units a day that left each store per item over the last `days` days: {(store_id, item_id): Decimal}."""
    since = (now or timezone.now()) - dt.timedelta(days=days)
    rows = (
        Movement.objects.filter(store_id__in=store_ids, kind__in=BURN_KINDS, at__gte=since)
        .values("store_id", "item_id")
        .annotate(used=Sum("quantity"))
    )
    return {(r["store_id"], r["item_id"]): Decimal(-r["used"]) / days for r in rows if r["used"]}


def days_of_supply(on_hand: int, daily: Decimal | None) -> Decimal | None:
    """How many days `on_hand` lasts at `daily`; None when nothing is being used."""
    if not daily:
        return None
    return (Decimal(on_hand) / daily).quantize(Decimal("0.1"))


@dataclass
class StockLine:
    """One item in one store: what is on hand, coming, used, and whether it needs attention."""

    item: Item
    on_hand: int
    lots: int
    next_expiry: dt.date | None
    in_transit: int
    daily_use: Decimal | None
    days_left: Decimal | None
    reorder_level: int | None
    below_reorder: bool
    expiring: bool


def reorder_levels_for(area_code: str) -> dict[int, int]:
    """Reorder levels that apply to a store of `area_code`: its own area's, else the nearest above."""
    levels: dict[int, tuple[int, int]] = {}
    prefixes = [area_code[:n] for n in range(1, len(area_code) + 1)]
    for row in ReorderLevel.objects.filter(area_code__in=prefixes).values("item_id", "level", "area_code"):
        depth = len(row["area_code"])
        if row["item_id"] not in levels or levels[row["item_id"]][0] < depth:
            levels[row["item_id"]] = (depth, row["level"])
    return {item_id: level for item_id, (_depth, level) in levels.items()}


def store_stock(*, actor: Actor, store: Store, expiring_days: int = 30) -> list[StockLine]:
    """Stock per item of one store the actor sees (the caller loaded `store` through `visible_to`)."""
    today = timezone.localdate()
    lots = (
        Lot.objects.visible_to(actor)
        .filter(store=store)
        .values("item_id")
        .annotate(
            on_hand=Sum("quantity"),
            next_expiry=Min("expires_on", filter=Q(quantity__gt=0)),
        )
    )
    counts = {
        r["item_id"]: r["n"]
        for r in Lot.objects.visible_to(actor).filter(store=store, quantity__gt=0).values("item_id").annotate(n=Sum(1))
    }
    coming = {
        r["item_id"]: r["q"]
        for r in TransferLine.objects.filter(transfer__to_store=store, transfer__status=TransferStatus.IN_TRANSIT)
        .values("item_id")
        .annotate(q=Sum("quantity"))
    }
    by_item = {r["item_id"]: r for r in lots}
    levels = reorder_levels_for(store.area_code)
    rates = burn_rates(store_ids=[store.pk])
    item_ids = set(by_item) | set(coming) | set(levels)
    items = Item.objects.in_bulk(list(item_ids))
    lines = []
    for item_id in item_ids:
        row = by_item.get(item_id, {})
        on_hand = row.get("on_hand") or 0
        daily = rates.get((store.pk, item_id))
        level = levels.get(item_id)
        expiry = row.get("next_expiry")
        lines.append(
            StockLine(
                item=items[item_id],
                on_hand=on_hand,
                lots=counts.get(item_id, 0),
                next_expiry=expiry,
                in_transit=coming.get(item_id, 0),
                daily_use=daily,
                days_left=days_of_supply(on_hand, daily),
                reorder_level=level,
                below_reorder=level is not None and on_hand < level,
                expiring=expiry is not None and expiry <= today + dt.timedelta(days=expiring_days),
            )
        )
    return sorted(lines, key=lambda line: (line.item.category, line.item.code))


def stock_below_reorder(*, actor: Actor) -> list[dict]:
    """Per reorder level the actor sees: the stock of its item in the area's stores, when below it.

    Two queries whatever the number of levels: the levels, and stock grouped by area and item.
    """
    levels = list(ReorderLevel.objects.visible_to(actor).select_related("item").order_by("area_code", "item_id"))
    if not levels:
        return []
    held = (
        Lot.objects.visible_to(actor)
        .filter(item_id__in={level.item_id for level in levels}, store__active=True)
        .values("area_code", "item_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    by_item: dict[int, list[tuple[str, int]]] = {}
    for row in held:
        by_item.setdefault(row["item_id"], []).append((row["area_code"], row["total"] or 0))
    found = []
    for level in levels:
        on_hand = sum(total for code, total in by_item.get(level.item_id, []) if code.startswith(level.area_code))
        if on_hand < level.level:
            found.append({"area_code": level.area_code, "item": level.item, "level": level.level, "on_hand": on_hand})
    return found


def lots_expiring(*, actor: Actor, days: int = 30) -> QuerySet[Lot]:
    """Lots with stock left that expire within `days` days (or have expired), soonest first."""
    until = timezone.localdate() + dt.timedelta(days=days)
    return (
        Lot.objects.visible_to(actor)
        .filter(quantity__gt=0, expires_on__isnull=False, expires_on__lte=until, store__active=True)
        .select_related("item", "store")
        .order_by("expires_on", "pk")
    )


def replenishment_lines(*, actor: Actor, store: Store, days: int = BURN_DAYS) -> list[tuple[int, int]]:
    """`(item_id, quantity)` for the store's items below their reorder level, enough for `days` days.

    The quantity is `days` times the trailing daily use, less what is on hand and coming, and at
    least what brings the stock back up to the reorder level.
    """
    lines = []
    for line in store_stock(actor=actor, store=store):
        if not line.below_reorder or line.reorder_level is None:
            continue
        have = line.on_hand + line.in_transit
        cover = math.ceil((line.daily_use or 0) * days) - have
        quantity = max(cover, line.reorder_level - have)
        if quantity > 0:
            lines.append((line.item.pk, int(quantity)))
    return lines


def item_list(*, actor: Actor | None = None) -> QuerySet[Item]:
    """The catalogue: not about a place, every area uses the same one (`actor` kept for the callers)."""
    return Item.objects.filter(active=True).order_by("category", "code")


def ledger_differences(*, store_id: int | None = None, limit: int = 100) -> dict:
    """Lots whose balance differs from the sum of their movements, and movements whose
    `balance_after` differs from the running sum up to them, or is negative (for the check command).

    Not scoped: the check runs for the whole platform, as the system, and reports ids only. Both
    checks run in the database (a grouped sum and a window), so a large ledger is not loaded.
    """
    lots = Lot.objects.all()
    movements = Movement.objects.all()
    if store_id is not None:
        lots, movements = lots.filter(store_id=store_id), movements.filter(store_id=store_id)
    ledger = Movement.objects.filter(lot=OuterRef("pk")).values("lot").annotate(total=Sum("quantity")).values("total")
    wrong_lots = (
        lots.annotate(ledger=Coalesce(Subquery(ledger), 0))
        .exclude(quantity=F("ledger"))
        .values("pk", "store_id", "item_id", "quantity", "ledger")
        .order_by("pk")
    )
    running = movements.annotate(running=Window(Sum("quantity"), partition_by=[F("lot_id")], order_by=F("id").asc()))
    wrong_lines = (
        running.filter(~Q(running=F("balance_after")) | Q(balance_after__lt=0))
        .values("pk", "lot_id", "store_id", "item_id", "balance_after", "running")
        .order_by("lot_id", "pk")
    )
    differences = [
        {
            "lot_id": row["pk"],
            "store_id": row["store_id"],
            "item_id": row["item_id"],
            "problem": "balance differs from the ledger sum",
            "on_hand": row["quantity"],
            "ledger": row["ledger"],
        }
        for row in wrong_lots[:limit]
    ]
    differences += [
        {
            "lot_id": row["lot_id"],
            "store_id": row["store_id"],
            "item_id": row["item_id"],
            "problem": "balance after a movement differs from the running sum",
            "on_hand": row["balance_after"],
            "ledger": row["running"],
            "movement_id": row["pk"],
        }
        for row in wrong_lines[:limit]
    ]
    return {
        "lots": lots.count(),
        "movements": movements.count(),
        "difference_count": wrong_lots.count() + wrong_lines.count(),
        "differences": differences[:limit],
    }
