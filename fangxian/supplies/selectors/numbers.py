"""The supplies figures of an area for a day: the home panel and the daily report.

Stock is about places, not people: counted through the actor's area reach (`visible_to`). A few
grouped queries whatever the number of stores, lots and items.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from fangxian.core.scoping import Actor
from fangxian.supplies.models import (
    DisinfectionLog,
    DisinfectionPoint,
    Item,
    Lot,
    Movement,
    MovementKind,
    RequestStatus,
    SupplyRequest,
)

BURN_DAYS = 14
EXPIRY_DAYS = 30
OPEN_REQUESTS = (RequestStatus.SUBMITTED, RequestStatus.APPROVED, RequestStatus.PARTLY_APPROVED)
OUTGOING = (MovementKind.ISSUE, MovementKind.DISPOSE, MovementKind.TRANSFER_OUT)


def stock_days(*, actor: Actor, area_code: str, day: dt.date | None = None) -> list[dict[str, object]]:
    """Per item held in the area: on hand, use per day over the last 14 days, days of supply left."""
    day = day or timezone.localdate()
    zone = timezone.get_current_timezone()
    end = dt.datetime.combine(day, dt.time.max, tzinfo=zone)
    start = end - dt.timedelta(days=BURN_DAYS)
    on_hand = dict(
        Lot.objects.visible_to(actor)
        .within(area_code)
        .values("item_id")
        .annotate(n=Sum("quantity"))
        .order_by()
        .values_list("item_id", "n")
    )
    used = dict(
        Movement.objects.visible_to(actor)
        .within(area_code)
        .filter(kind__in=OUTGOING, at__gt=start, at__lte=end)
        .values("item_id")
        .annotate(n=Sum("quantity"))
        .order_by()
        .values_list("item_id", "n")
    )
    items = {item.pk: item for item in Item.objects.filter(pk__in=set(on_hand) | set(used))}
    rows = []
    for item_id, item in sorted(items.items(), key=lambda pair: (pair[1].category, pair[1].code)):
        per_day = Decimal(-(used.get(item_id) or 0)) / BURN_DAYS
        held = int(on_hand.get(item_id) or 0)
        rows.append(
            {
                "item": item,
                "on_hand": held,
                "per_day": per_day.quantize(Decimal("0.1")),
                "days": (Decimal(held) / per_day).quantize(Decimal("0.1")) if per_day > 0 else None,
            }
        )
    return rows


def supplies_numbers(
    *, actor: Actor, area_code: str, day: dt.date | None = None, stock: list[dict[str, object]] | None = None
) -> dict[str, int]:
    """Counts of the day: lots expiring soon, items under a week of supply, open requests, disinfection.

    `stock` is `stock_days` of the same area and day when the caller has it already (the home panel).
    """
    day = day or timezone.localdate()
    if stock is None:
        stock = stock_days(actor=actor, area_code=area_code, day=day)
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    end = start + dt.timedelta(days=1)
    expiring = (
        Lot.objects.visible_to(actor)
        .within(area_code)
        .filter(quantity__gt=0, expires_on__isnull=False, expires_on__lte=day + dt.timedelta(days=EXPIRY_DAYS))
        .count()
    )
    short = sum(1 for row in stock if row["days"] is not None and row["days"] < 7)
    requests = SupplyRequest.objects.visible_to(actor).filter(status__in=OPEN_REQUESTS)
    requests = requests.filter(Q(area_code__startswith=area_code) | Q(to_area_code__startswith=area_code))
    points = DisinfectionPoint.objects.visible_to(actor).within(area_code).filter(active=True)
    now = timezone.now()
    overdue = sum(
        1
        for last, every in points.values_list("last_done_at", "every_hours")
        if last is None or last + dt.timedelta(hours=every) < now
    )
    done = DisinfectionLog.objects.visible_to(actor).within(area_code).filter(at__gte=start, at__lt=end).count()
    return {
        "items_short": short,
        "lots_expiring": expiring,
        "requests_open": requests.count(),
        "disinfection_done": done,
        "disinfection_overdue": overdue,
        "points": points.aggregate(n=Count("pk"))["n"],
    }
