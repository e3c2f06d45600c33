"""Reads of the checkpoints app: every one starts from visible_to(actor), except the policy in force.

`gate_policy_in_force(community)` is a rule, not a read for a person: like `active_emergency`, it
answers "what applies at this gate now?" and is called by the scan service for any actor.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractHour
from django.utils import timezone

from fangxian.checkpoints.models import (
    Checkpoint,
    Direction,
    GateCount,
    GatePolicy,
    GateScan,
    GuardShift,
    Pass,
    ScanReason,
    Verdict,
    Visitor,
)
from fangxian.checkpoints.models.gates import COMMUNITY_LENGTH, default_fever_celsius
from fangxian.command.models import Emergency
from fangxian.command.selectors.emergencies import active_emergency
from fangxian.core.scoping import Actor, scope_q


def checkpoint_list(*, actor: Actor, area_code: str = "", active_only: bool = False) -> QuerySet[Checkpoint]:
    checkpoints = Checkpoint.objects.visible_to(actor)
    if area_code:
        checkpoints = checkpoints.within(area_code)
    if active_only:
        checkpoints = checkpoints.filter(active=True)
    return checkpoints


def checkpoint_get(*, actor: Actor, checkpoint_id: int) -> Checkpoint:
    return Checkpoint.objects.get_visible(actor, pk=checkpoint_id)


def pass_get(*, actor: Actor, pass_id: int) -> Pass:
    return Pass.objects.select_related("household__building", "household__unit", "resident").get_visible(
        actor, pk=pass_id
    )


def visitor_list(*, actor: Actor, status: str = "", area_code: str = "") -> QuerySet[Visitor]:
    visitors = Visitor.objects.visible_to(actor)
    if area_code:
        visitors = visitors.within(area_code)
    if status:
        visitors = visitors.filter(status=status)
    return visitors


def visitor_get(*, actor: Actor, visitor_id: int) -> Visitor:
    return Visitor.objects.get_visible(actor, pk=visitor_id)


def guard_shift_list(
    *, actor: Actor, checkpoint_id: int | None = None, guard_id: int | None = None, at: dt.datetime | None = None
) -> QuerySet[GuardShift]:
    """Shifts the actor sees, with checkpoint and guard; `at`: only those running at that moment."""
    shifts = GuardShift.objects.visible_to(actor).select_related("checkpoint", "guard")
    if checkpoint_id is not None:
        shifts = shifts.filter(checkpoint_id=checkpoint_id)
    if guard_id is not None:
        shifts = shifts.filter(guard_id=guard_id)
    if at is not None:
        shifts = shifts.filter(starts_at__lte=at, ends_at__gt=at)
    return shifts


def guard_on_duty_checkpoint_ids(*, actor: Actor, at: dt.datetime | None = None) -> list[int]:
    """The checkpoints where the acting guard is on a shift now (the scan page starts at the first)."""
    user_id = getattr(actor.user, "pk", None)
    if user_id is None:
        return []
    shifts = guard_shift_list(actor=actor, guard_id=user_id, at=at or timezone.now())
    return list(shifts.order_by("starts_at", "pk").values_list("checkpoint_id", flat=True))


def gate_policy_list(*, actor: Actor, area_code: str = "") -> QuerySet[GatePolicy]:
    policies = GatePolicy.objects.visible_to(actor)
    if area_code:
        policies = policies.within(area_code)
    return policies


def open_policy(community_code: str) -> GatePolicy:
    """The policy with no emergency (or no row for its level): open gates; only the fever rule applies."""
    return GatePolicy(area_code=community_code, level=0, fever_celsius=default_fever_celsius())


def gate_policy_in_force(area_code: str) -> tuple[GatePolicy, Emergency | None]:
    """The policy of the community of `area_code` now, and the emergency that selects it (or None).

    The active emergency over the community (its own or an ancestor's, the gravest first) gives the
    level; the community's GatePolicy row of that level applies. No emergency, or no row for the
    level: the open policy (an unsaved row, `level` 0).
    """
    community = area_code[:COMMUNITY_LENGTH]
    emergency = active_emergency(community)
    if emergency is None:
        return open_policy(community), None
    policy = GatePolicy.objects.filter(area_code=community, level=emergency.level).first()
    return (policy or open_policy(community)), emergency


def gate_traffic_by_hour(
    *, actor: Actor, day: dt.date, area_code: str = "", checkpoint_id: int | None = None
) -> list[dict[str, int]]:
    """People in and out per hour of a local day, for the live view: 24 rows of counts.

    Counts are not about people, so they are scoped by the actor's area reach (a guard counts their
    community's gates without reaching a single scan row). Hours already purged from the gate log
    come from GateCount, so a day reads the same before and after retention.
    """
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min), zone)
    end = start + dt.timedelta(days=1)
    hours = {hour: {"hour": hour, "entries": 0, "exits": 0, "denied": 0, "fevers": 0} for hour in range(24)}
    q = scope_q(GateScan, actor, prefixes=actor.area_prefixes)
    if q is None:
        return list(hours.values())
    scans = GateScan.objects.filter(q, at__gte=start, at__lt=end)
    counts = GateCount.objects.filter(scope_q(GateCount, actor, prefixes=actor.area_prefixes), day=day)
    if area_code:
        scans, counts = scans.filter(area_code__within=area_code), counts.filter(area_code__within=area_code)
    if checkpoint_id is not None:
        scans, counts = scans.filter(checkpoint_id=checkpoint_id), counts.filter(checkpoint_id=checkpoint_id)
    live = (
        scans.annotate(hour=ExtractHour("at", tzinfo=zone))
        .values("hour")
        .annotate(
            entries=Count("pk", filter=Q(direction=Direction.IN, verdict=Verdict.ALLOW)),
            exits=Count("pk", filter=Q(direction=Direction.OUT, verdict=Verdict.ALLOW)),
            denied=Count("pk", filter=Q(verdict=Verdict.DENY)),
            fevers=Count("pk", filter=Q(reason=ScanReason.FEVER)),
        )
        .order_by()
    )
    kept = (
        counts.values("hour")
        .annotate(entries=Sum("entries"), exits=Sum("exits"), denied=Sum("denied"), fevers=Sum("fevers"))
        .order_by()
    )
    for row in [*live, *kept]:
        target = hours[row["hour"]]
        for name in ("entries", "exits", "denied", "fevers"):
            target[name] += int(row[name] or 0)
    return list(hours.values())
