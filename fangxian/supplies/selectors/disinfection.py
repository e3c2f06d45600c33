"""Reads for disinfection (消杀) and mask recycling: points, overdue points per grid, logs, collections.

A point is overdue when it was never done or when `last_done_at + every_hours` lies before now. The
test is written as one OR per schedule length in use (a handful: 4, 8, 12, 24 hours ...), so it runs in
the database on SQLite and PostgreSQL alike, without interval arithmetic.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from fangxian.areas.models import Area
from fangxian.core.errors import NotFound
from fangxian.core.scoping import Actor
from fangxian.supplies.models import (
    Category,
    DisinfectionLog,
    DisinfectionPoint,
    Lot,
    RecyclingCollection,
    RecyclingPoint,
)


def point_list(*, actor: Actor, area_code: str = "") -> QuerySet[DisinfectionPoint]:
    points = DisinfectionPoint.objects.visible_to(actor).filter(active=True)
    if area_code:
        points = points.within(area_code)
    return points.select_related("building").order_by("area_code", "name", "pk")


def overdue_q(points: QuerySet[DisinfectionPoint], now: dt.datetime) -> Q:
    """Overdue among `points`: never done, or done longer ago than their schedule allows."""
    condition = Q(last_done_at__isnull=True)
    for hours in sorted(set(points.order_by().values_list("every_hours", flat=True).distinct())):
        condition |= Q(every_hours=hours, last_done_at__lt=now - dt.timedelta(hours=hours))
    return condition


def is_overdue(point: DisinfectionPoint, now: dt.datetime) -> bool:
    return point.last_done_at is None or point.last_done_at + dt.timedelta(hours=point.every_hours) < now


def overdue_points(*, actor: Actor, area_code: str = "", now: dt.datetime | None = None) -> QuerySet[DisinfectionPoint]:
    points = point_list(actor=actor, area_code=area_code)
    return points.filter(overdue_q(points, now or timezone.now()))


def overdue_by_grid(*, actor: Actor, area_code: str = "", now: dt.datetime | None = None) -> list[tuple[str, str, int]]:
    """(grid or community code, its name, overdue points), most overdue first."""
    counts = Counter(overdue_points(actor=actor, area_code=area_code, now=now).values_list("area_code", flat=True))
    names = dict(Area.objects.visible_to(actor).filter(code__in=list(counts)).values_list("code", "name"))
    return sorted(((code, names.get(code, code), n) for code, n in counts.items()), key=lambda row: (-row[2], row[0]))


def point_get(*, actor: Actor, point_id: int) -> DisinfectionPoint:
    try:
        return DisinfectionPoint.objects.get_visible(actor, pk=point_id, active=True)
    except Http404:
        raise NotFound(_("There is no such disinfection point in your jurisdiction."), field="point_id") from None


def log_list(*, actor: Actor, point_id: int | None = None) -> QuerySet[DisinfectionLog]:
    logs = DisinfectionLog.objects.visible_to(actor).select_related("point", "by", "movement__item")
    if point_id is not None:
        logs = logs.filter(point_id=point_id)
    return logs.order_by("-at", "-id")


def disinfectant_lots(*, actor: Actor, area_code: str) -> QuerySet[Lot]:
    """Lots of disinfection products on hand in the stores of the point's community."""
    return (
        Lot.objects.visible_to(actor)
        .within(area_code[:12])
        .filter(quantity__gt=0, store__active=True, item__category=Category.DISINFECTION)
        .select_related("item", "store")
        .order_by("expires_on", "pk")
    )


def recycling_point_list(*, actor: Actor) -> QuerySet[RecyclingPoint]:
    return RecyclingPoint.objects.visible_to(actor).filter(active=True).order_by("area_code", "name", "pk")


def recycling_point_get(*, actor: Actor, point_id: int) -> RecyclingPoint:
    try:
        return RecyclingPoint.objects.get_visible(actor, pk=point_id, active=True)
    except Http404:
        raise NotFound(_("There is no such recycling point in your jurisdiction."), field="point_id") from None


def collection_list(*, actor: Actor, point_id: int | None = None) -> QuerySet[RecyclingCollection]:
    collections = RecyclingCollection.objects.visible_to(actor).select_related("point", "by")
    if point_id is not None:
        collections = collections.filter(point_id=point_id)
    return collections.order_by("-at", "-id")


def point_areas(*, actor: Actor) -> list[tuple[str, str]]:
    """Grids and communities where the actor may place a point, by code."""
    areas = Area.objects.visible_to(actor).filter(level__in=(12, 15)).order_by("code")[:500]
    return [(area.code, f"{area.name} ({area.code})") for area in areas]
