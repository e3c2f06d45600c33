"""Reads of the live view: hourly traffic per checkpoint and per community, current visitors, fevers today.

A fixed number of queries whatever the number of checkpoints (the page refreshes every 30 s on
many screens): the hourly counts are grouped by checkpoint and hour in one query on the gate log
and one on `GateCount` (hours already purged), and summed per community in Python.

Counts are not about people, so, like `gate_traffic_by_hour`, they are scoped by the actor's area
reach; the lists of current visitors and of fever alerts are rows about people and go through
`visible_to` (officials without personal-data reach see the counts, not the people).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import ExtractHour
from django.utils import timezone

from fangxian.areas.models import Area
from fangxian.checkpoints.models import (
    Checkpoint,
    Delivery,
    Direction,
    GateCount,
    GateScan,
    ScanReason,
    Verdict,
    Visitor,
    VisitorStatus,
)
from fangxian.core.personal import name_masked
from fangxian.core.scoping import Actor, scope_q

SERIES = ("entries", "exits", "denied", "fevers")
LIST_LIMIT = 50


def _empty_hours() -> list[dict[str, int]]:
    return [{"hour": hour, **dict.fromkeys(SERIES, 0)} for hour in range(24)]


@dataclass
class Traffic:
    """24 hours of counts for one checkpoint, one community, or the whole selection."""

    key: str
    label: str
    hours: list[dict[str, int]] = field(default_factory=_empty_hours)

    def add(self, hour: int, row: dict[str, Any]) -> None:
        for name in SERIES:
            self.hours[hour][name] += int(row.get(name) or 0)

    @property
    def totals(self) -> dict[str, int]:
        return {name: sum(h[name] for h in self.hours) for name in SERIES}

    def chart(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, **{name: [h[name] for h in self.hours] for name in SERIES}}


@dataclass
class LiveOverview:
    total: Traffic
    communities: list[Traffic]
    checkpoints: list[Traffic]
    visitors: list[dict[str, Any]]
    fevers: list[dict[str, Any]]

    def chart_data(self) -> dict[str, Any]:
        return {
            "hours": [f"{hour:02d}" for hour in range(24)],
            "series": [self.total.chart()]
            + [t.chart() for t in self.communities]
            + [t.chart() for t in self.checkpoints],
        }


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min), zone)
    return start, start + dt.timedelta(days=1)


def live_overview(*, actor: Actor, checkpoints: list[Checkpoint], day: dt.date, total_label: str) -> LiveOverview:
    """The live view of `checkpoints` (already read through `visible_to`) for a local day."""
    start, end = day_bounds(day)
    ids = [c.pk for c in checkpoints]
    by_checkpoint = {c.pk: Traffic(f"c{c.pk}", c.name) for c in checkpoints}
    community_codes = sorted({c.community_code for c in checkpoints})
    names = dict(Area.objects.filter(code__in=community_codes).values_list("code", "name")) if community_codes else {}
    by_community = {code: Traffic(f"a{code}", names.get(code, code)) for code in community_codes}
    total = Traffic("all", total_label)
    q = scope_q(GateScan, actor, prefixes=actor.area_prefixes)
    if ids and q is not None:
        zone = timezone.get_current_timezone()
        live = (
            GateScan.objects.filter(q, checkpoint_id__in=ids, at__gte=start, at__lt=end)
            .annotate(hour=ExtractHour("at", tzinfo=zone))
            .values("checkpoint_id", "hour")
            .annotate(
                entries=Count("pk", filter=Q(direction=Direction.IN, verdict=Verdict.ALLOW)),
                exits=Count("pk", filter=Q(direction=Direction.OUT, verdict=Verdict.ALLOW)),
                denied=Count("pk", filter=Q(verdict=Verdict.DENY)),
                fevers=Count("pk", filter=Q(reason=ScanReason.FEVER)),
            )
            .order_by()
        )
        kept = (
            GateCount.objects.filter(
                scope_q(GateCount, actor, prefixes=actor.area_prefixes), checkpoint_id__in=ids, day=day
            )
            .values("checkpoint_id", "hour")
            .annotate(entries=Sum("entries"), exits=Sum("exits"), denied=Sum("denied"), fevers=Sum("fevers"))
            .order_by()
        )
        community_of = {c.pk: c.community_code for c in checkpoints}
        for row in [*live, *kept]:
            hour = int(row["hour"])
            by_checkpoint[row["checkpoint_id"]].add(hour, row)
            by_community[community_of[row["checkpoint_id"]]].add(hour, row)
            total.add(hour, row)
    return LiveOverview(
        total=total,
        communities=list(by_community.values()),
        checkpoints=list(by_checkpoint.values()),
        visitors=current_visitors(actor=actor, checkpoint_ids=ids, since=start) if ids else [],
        fevers=fevers_today(actor=actor, checkpoint_ids=ids, start=start, end=end) if ids else [],
    )


def current_visitors(*, actor: Actor, checkpoint_ids: list[int], since: dt.datetime) -> list[dict[str, Any]]:
    """Visitors approved today who went in and have not come out since: one query."""

    def last(direction: str) -> Subquery:
        return Subquery(
            GateScan.objects.filter(visitor=OuterRef("pk"), direction=direction, verdict=Verdict.ALLOW)
            .order_by("-at")
            .values("at")[:1]
        )

    rows = (
        Visitor.objects.visible_to(actor)
        .filter(checkpoint_id__in=checkpoint_ids, status=VisitorStatus.APPROVED)
        .filter(Q(created_at__gte=since) | Q(decided_at__gte=since))
        .annotate(entered_at=last(Direction.IN), left_at=last(Direction.OUT))
        .filter(entered_at__isnull=False)
        .filter(Q(left_at__isnull=True) | Q(left_at__lt=F("entered_at")))
        .select_related("checkpoint", "host_household__building", "host_household__unit")
        .order_by("-entered_at")[:LIST_LIMIT]
    )
    return [
        {
            "pk": v.pk,
            "name": name_masked(v.name),
            "purpose": v.purpose,
            "checkpoint": v.checkpoint.name,
            "room": v.host_household.address if v.host_household_id else "",
            "entered_at": v.entered_at,
        }
        for v in rows
    ]


def fevers_today(
    *, actor: Actor, checkpoint_ids: list[int], start: dt.datetime, end: dt.datetime
) -> list[dict[str, Any]]:
    """Fever alerts of the day (newest first), with the masked name the guard saw: one query."""
    rows = (
        GateScan.objects.visible_to(actor)
        .filter(checkpoint_id__in=checkpoint_ids, reason=ScanReason.FEVER, at__gte=start, at__lt=end)
        .select_related("checkpoint", "resident", "visitor", "household__building", "household__unit")
        .order_by("-at")[:LIST_LIMIT]
    )
    result = []
    for scan in rows:
        person = scan.resident or scan.visitor
        result.append(
            {
                "at": scan.at,
                "checkpoint": scan.checkpoint.name,
                "temperature": scan.temperature,
                "name": name_masked(person.name) if person else "",
                "room": scan.household.address if scan.household_id else "",
            }
        )
    return result


def gate_day_figures(*, actor: Actor, area_code: str, day: dt.date) -> dict[str, int]:
    """A day at the gates of `area_code`: people let in and out, turned back, fevers, visitors, deliveries.

    Counts, not people: scoped by the actor's area reach like the live view, and the same whether
    the day's gate log was already purged (GateCount) or not. Four queries.
    """
    figures = {"entries": 0, "exits": 0, "denied": 0, "fevers": 0, "visitors": 0, "deliveries": 0}
    prefixes = actor.area_prefixes
    q = scope_q(GateScan, actor, prefixes=prefixes)
    if q is None:
        return figures
    start, end = day_bounds(day)
    live = GateScan.objects.filter(q, area_code__within=area_code, at__gte=start, at__lt=end).aggregate(
        entries=Count("pk", filter=Q(direction=Direction.IN, verdict=Verdict.ALLOW)),
        exits=Count("pk", filter=Q(direction=Direction.OUT, verdict=Verdict.ALLOW)),
        denied=Count("pk", filter=Q(verdict=Verdict.DENY)),
        fevers=Count("pk", filter=Q(reason=ScanReason.FEVER)),
    )
    kept = GateCount.objects.filter(
        scope_q(GateCount, actor, prefixes=prefixes), area_code__within=area_code, day=day
    ).aggregate(entries=Sum("entries"), exits=Sum("exits"), denied=Sum("denied"), fevers=Sum("fevers"))
    for name in SERIES:
        figures[name] = int(live[name] or 0) + int(kept[name] or 0)
    figures["visitors"] = Visitor.objects.filter(
        scope_q(Visitor, actor, prefixes=prefixes),
        area_code__within=area_code,
        created_at__gte=start,
        created_at__lt=end,
    ).count()
    figures["deliveries"] = Delivery.objects.filter(
        scope_q(Delivery, actor, prefixes=prefixes), area_code__within=area_code, at__gte=start, at__lt=end
    ).count()
    return figures
