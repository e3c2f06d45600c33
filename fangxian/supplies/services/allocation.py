"""Writes of allocations: propose the shares by need, adjust them by hand, issue one transfer per community.

A street or district official shares out scarce stock of one item from one of their warehouses among
the communities below it. The shares maximise the smallest days of supply across communities
(`fangxian.supplies.allocation`, see docs/supplies-allocation.md); each comes with its reason in plain
words. Issuing sends every share through the ledger's `transfer_send` in one transaction: all
communities get theirs, or none does.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from fangxian.core.audit import audit_record
from fangxian.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangxian.core.models import AuditAction
from fangxian.core.scoping import Actor
from fangxian.supplies.allocation import allocate_integer, daily_need
from fangxian.supplies.models import Allocation, AllocationShare, AllocationStatus, Item, Store
from fangxian.supplies.selectors.allocation import (
    WAREHOUSE_KINDS,
    CommunityNeed,
    allocation_get,
    allocation_shares,
    community_needs,
    store_on_hand,
)

MAX_TOTAL = 10**9


def _require(actor: Actor) -> None:
    if not actor.can("supplies.decide"):
        raise PermissionDenied(_("Your role may not allocate supplies."))


def _whole(value: Any, *, field: str, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= MAX_TOTAL:
        raise DomainError(
            _("Enter a whole number from %(low)s to %(high)s.") % {"low": low, "high": MAX_TOTAL},
            code="quantity",
            field=field,
        )
    return value


def _number(value: float | int, decimals: int = 0) -> str:
    return number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def _days(held: float, need: float) -> str:
    return _number(held / need, 1)


def share_reason(need: CommunityNeed | None, *, daily: float, on_hand: int, share: int, requested: int | None) -> str:
    """The share's reason in plain words, in the language of whoever proposes or adjusts it."""
    parts = []
    if need is not None:
        parts.append(
            _(
                "population %(residents)s, %(vulnerable)s vulnerable, %(quarantined)s under quarantine, "
                "%(front_line)s front-line workers"
            )
            % {
                "residents": _number(need.residents),
                "vulnerable": _number(need.vulnerable),
                "quarantined": _number(need.quarantined),
                "front_line": _number(need.front_line),
            }
        )
    if daily <= 0:
        parts.append(_("no daily use recorded; holds %(held)s") % {"held": _number(on_hand)})
    else:
        parts.append(
            _("holds %(held)s, enough for %(days)s days; this share brings it to %(after)s days")
            % {"held": _number(on_hand), "days": _days(on_hand, daily), "after": _days(on_hand + share, daily)}
        )
    if requested is not None:
        parts.append(_("asked for %(requested)s") % {"requested": _number(requested)})
    return "; ".join(parts)[:400]


def _coverage(shares: list[AllocationShare]) -> Decimal | None:
    values = [(s.on_hand + s.share) / float(s.daily_need) for s in shares if s.daily_need > 0]
    return Decimal(str(round(min(values), 3))) if values else None


def _warehouse(actor: Actor, store_id: Any) -> Store:
    try:
        store = Store.objects.get_visible(actor, pk=store_id, active=True, kind__in=WAREHOUSE_KINDS)
    except Http404:
        raise NotFound(_("There is no such warehouse in your jurisdiction."), field="from_store_id") from None
    if len(store.area_code) not in (6, 9):
        raise NotFound(_("There is no such warehouse in your jurisdiction."), field="from_store_id")
    return store


@transaction.atomic
def allocation_propose(*, actor: Actor, item_id: int, from_store_id: int, total: int) -> Allocation:
    """Draft shares of `total` units of the item from the warehouse among the communities below it."""
    _require(actor)
    store = _warehouse(actor, from_store_id)
    try:
        item = Item.objects.get(pk=item_id, active=True)
    except (Item.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("There is no such item in the catalogue."), field="item_id") from None
    total = _whole(total, field="total", low=1)
    on_hand = store_on_hand(store=store, item=item)
    if total > on_hand:
        raise DomainError(
            _("The warehouse holds only %(held)s of this item.") % {"held": _number(on_hand)},
            code="short",
            field="total",
        )
    needs = [need for need in community_needs(actor=actor, area_code=store.area_code, item=item) if need.store]
    if not needs:
        raise DomainError(
            _("No community below this warehouse has a store to receive it."),
            code="no_community",
            field="from_store_id",
        )
    per_day = float(item.per_person_per_day)
    daily = [
        daily_need(
            per_person_per_day=per_day,
            residents=n.residents,
            vulnerable=n.vulnerable,
            quarantined=n.quarantined,
            front_line=n.front_line,
        )
        for n in needs
    ]
    if not any(day > 0 for day in daily):
        raise DomainError(
            _("Nobody below this warehouse has a daily use of this item: set its use per person per day first."),
            code="no_daily_use",
            field="item_id",
        )
    shares, _solution = allocate_integer(daily, [n.on_hand for n in needs], [n.requested for n in needs], total)
    allocation = Allocation(area_code=store.area_code, item=item, from_store=store, total=total, created_by=actor.user)
    allocation.full_clean(exclude=["coverage_days"])
    allocation.save()
    rows = [
        AllocationShare(
            allocation=allocation,
            area_code=need.code,
            store=need.store,
            daily_need=Decimal(str(round(day, 3))),
            on_hand=need.on_hand,
            requested=need.requested or 0,
            share=share,
            reason=share_reason(need, daily=day, on_hand=need.on_hand, share=share, requested=need.requested),
        )
        for need, day, share in zip(needs, daily, shares, strict=True)
    ]
    AllocationShare.objects.bulk_create(rows)
    audit_record(
        AuditAction.BULK_CREATE,
        actor=actor,
        obj=allocation,
        changes={"shares": {row.area_code: row.share for row in rows}},
    )
    allocation.coverage_days = _coverage(rows)
    allocation.save(update_fields=["coverage_days"])
    return allocation


@transaction.atomic
def allocation_adjust(*, actor: Actor, allocation_id: int, shares: dict[str, int]) -> Allocation:
    """Change shares by hand (community code -> units); the sum must not exceed the total."""
    _require(actor)
    allocation = allocation_get(actor=actor, allocation_id=allocation_id, lock=True)
    if allocation.status != AllocationStatus.DRAFT:
        raise Conflict(_("This allocation was issued and can no longer change."), code="allocation_issued")
    if not isinstance(shares, dict):
        raise DomainError(_("Give a share per community."), code="shares", field="shares")
    rows = {row.area_code: row for row in allocation_shares(allocation)}
    unknown = sorted(code for code in shares if code not in rows)
    if unknown:
        raise DomainError(
            _("These communities are not part of the allocation: %(codes)s") % {"codes": ", ".join(unknown[:5])},
            code="unknown_community",
            field="shares",
        )
    needs = {n.code: n for n in community_needs(actor=actor, area_code=allocation.area_code, item=allocation.item)}
    changed = []
    for code, value in shares.items():
        value = _whole(value, field="shares")
        row = rows[code]
        if row.share != value:
            row.share, row.adjusted = value, True
            changed.append(row)
    if sum(row.share for row in rows.values()) > allocation.total:
        raise DomainError(
            _("The shares add up to more than the %(total)s to share.") % {"total": _number(allocation.total)},
            code="over_total",
            field="shares",
        )
    for row in changed:
        cap = row.requested if row.requested else None
        row.reason = share_reason(
            needs.get(row.area_code), daily=float(row.daily_need), on_hand=row.on_hand, share=row.share, requested=cap
        )
        row.reason = (_("adjusted by hand") + "; " + row.reason)[:400]
        row.save(update_fields=["share", "adjusted", "reason"])
    if changed:
        audit_record(
            AuditAction.UPDATE,
            actor=actor,
            obj=allocation,
            changes={"shares": {row.area_code: row.share for row in changed}},
        )
    allocation.coverage_days = _coverage(list(rows.values()))
    allocation.save(update_fields=["coverage_days"])
    return allocation


@transaction.atomic
def allocation_issue(*, actor: Actor, allocation_id: int) -> Allocation:
    """Send every share (one transfer per community) in one action; all or nothing."""
    from fangxian.supplies.services.stock import transfer_send

    _require(actor)
    allocation = allocation_get(actor=actor, allocation_id=allocation_id, lock=True)
    if allocation.status != AllocationStatus.DRAFT:
        raise Conflict(_("This allocation was already issued."), code="allocation_issued")
    rows = [row for row in allocation_shares(allocation) if row.share > 0]
    if not rows:
        raise DomainError(_("Every share is zero: there is nothing to send."), code="nothing_to_send")
    note = _("Allocation #%(id)s") % {"id": allocation.pk}
    for row in rows:
        row.transfer = transfer_send(
            actor=actor,
            from_store_id=allocation.from_store_id,
            to_store_id=row.store_id,
            lines=[(allocation.item_id, int(row.share))],
            note=note,
        )
        row.save(update_fields=["transfer"])
    allocation.status = AllocationStatus.ISSUED
    allocation.issued_at = timezone.now()
    allocation.save(update_fields=["status", "issued_at"])
    return allocation


def coverage_after(row: AllocationShare) -> float:
    """Days of supply a share brings its community to (infinite without a daily use)."""
    return (row.on_hand + row.share) / float(row.daily_need) if row.daily_need > 0 else math.inf
