"""Reads about risk areas: the list an actor keeps or sees, and the risk of a place of origin."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from fangxian.core.areacode import ancestor_codes
from fangxian.core.scoping import Actor
from fangxian.health.models import RISK_ORDER, Measure, RiskArea


def risk_area_list(*, actor: Actor, current_on: dt.date | None = None) -> QuerySet[RiskArea]:
    """Risk areas kept in the actor's jurisdiction; `current_on`: only those in force that day."""
    areas = RiskArea.objects.visible_to(actor)
    if current_on is not None:
        areas = areas.filter(since__lte=current_on).filter(Q(until__isnull=True) | Q(until__gte=current_on))
    return areas


@dataclass(frozen=True)
class OriginRisk:
    level: str
    measure: str
    days: int
    place: str


NO_RISK = OriginRisk(level="", measure=Measure.NONE, days=0, place="")


def origin_risk(*, community_code: str, origin_code: str, on: dt.date) -> OriginRisk:
    """The gravest risk area in force on `on` that covers `origin_code`, kept for this community.

    A rule about places, not a read for a person (like `gate_policy_in_force`): the lists kept by
    the community and by each of its ancestors apply, and an entry for a district covers every
    street and community below it. One query.
    """
    if not origin_code or not origin_code.isdigit():
        return NO_RISK
    covering = [origin_code[:length] for length in (2, 4, 6, 9, 12) if length <= len(origin_code)]
    keepers = [*ancestor_codes(community_code), community_code]
    rows = RiskArea.objects.filter(area_code__in=keepers, division_code__in=covering, since__lte=on).filter(
        Q(until__isnull=True) | Q(until__gte=on)
    )
    best = None
    for row in rows:
        if best is None or (RISK_ORDER[row.level], row.days) > (RISK_ORDER[best.level], best.days):
            best = row
    if best is None:
        return NO_RISK
    return OriginRisk(level=best.level, measure=best.measure, days=best.days, place=best.name)
