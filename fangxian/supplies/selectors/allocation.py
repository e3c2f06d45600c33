"""Reads for allocations: the official's warehouses, the needs of the communities below, allocations and shares.

Every count starts from `visible_to(actor)`: an official reaches the communities of their street or
district and nothing else. Counts are grouped by the community's code (the first 12 digits of the
finest area code), one query per group of people.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, Substr
from django.http import Http404
from django.utils.translation import gettext as _

from fangxian.accounts.models import RoleAssignment
from fangxian.areas.models import Area
from fangxian.core.errors import NotFound
from fangxian.core.roles import Role
from fangxian.core.scoping import Actor
from fangxian.health.models import CaseStatus, HealthCase
from fangxian.registry.models import Resident, Vulnerability
from fangxian.registry.models.residents import ResidentStatus
from fangxian.supplies.models import (
    Allocation,
    AllocationShare,
    Item,
    Lot,
    RequestLine,
    RequestStatus,
    Store,
    StoreKind,
    SupplyRequest,
)

COMMUNITY_DIGITS = 12
# Who works at the front line of a community: its staff, grid workers, guards and volunteers.
FRONT_LINE_ROLES = (Role.COMMANDER, Role.COMMUNITY_WORKER, Role.GRID_WORKER, Role.GUARD, Role.VOLUNTEER)
OPEN_REQUESTS = (RequestStatus.SUBMITTED, RequestStatus.APPROVED, RequestStatus.PARTLY_APPROVED)
WAREHOUSE_KINDS = (StoreKind.STREET, StoreKind.DISTRICT)


@dataclass
class CommunityNeed:
    """What the allocation knows about one community below the allocating area."""

    code: str
    name: str
    residents: int = 0
    vulnerable: int = 0
    quarantined: int = 0
    front_line: int = 0
    on_hand: int = 0
    requested: int | None = None  # None: no open request for the item, so no cap
    store: Store | None = None


def warehouse_list(*, actor: Actor) -> QuerySet[Store]:
    """Street and district warehouses in the actor's jurisdiction: where an allocation can come from."""
    return (
        Store.objects.visible_to(actor)
        .filter(active=True, kind__in=WAREHOUSE_KINDS)
        .filter(Q(area_code__regex=r"^([0-9]{6}|[0-9]{9})$"))
        .order_by("area_code", "name", "pk")
    )


def store_on_hand(*, store: Store, item: Item) -> int:
    return int(Lot.objects.filter(store=store, item=item).aggregate(total=Coalesce(Sum("quantity"), 0))["total"])


def _by_community(queryset: QuerySet, *, distinct: str | None = None) -> dict[str, int]:
    counted = Count(distinct, distinct=True) if distinct else Count("pk")
    rows = queryset.annotate(community=Substr("area_code", 1, COMMUNITY_DIGITS)).values("community")
    return {row["community"]: row["n"] for row in rows.annotate(n=counted).order_by()}


def community_needs(*, actor: Actor, area_code: str, item: Item) -> list[CommunityNeed]:
    """Every community below `area_code` that the actor reaches, with its people, stock, request and store."""
    areas = Area.objects.visible_to(actor).within(area_code).filter(level=COMMUNITY_DIGITS).order_by("code")
    needs = {area.code: CommunityNeed(code=area.code, name=area.name) for area in areas.only("code", "name")}
    if not needs:
        return []
    residents = Resident.objects.visible_to(actor).within(area_code).filter(status=ResidentStatus.ACTIVE)
    vulnerable = (
        Vulnerability.objects.visible_to(actor).within(area_code).filter(resident__status=ResidentStatus.ACTIVE)
    )
    quarantined = HealthCase.objects.visible_to(actor).within(area_code).filter(status=CaseStatus.ACTIVE)
    front_line = (
        RoleAssignment.objects.visible_to(actor)
        .within(area_code)
        .filter(active=True, role__in=FRONT_LINE_ROLES, user__is_active=True)
    )
    counts = {
        "residents": _by_community(residents),
        "vulnerable": _by_community(vulnerable, distinct="resident_id"),
        "quarantined": _by_community(quarantined, distinct="resident_id"),
        "front_line": _by_community(front_line, distinct="user_id"),
    }
    for name, values in counts.items():
        for code, value in values.items():
            if code in needs:
                setattr(needs[code], name, value)
    stores = Store.objects.visible_to(actor).within(area_code).filter(active=True)
    community_stores = [s for s in stores.filter(kind=StoreKind.COMMUNITY) if len(s.area_code) >= COMMUNITY_DIGITS]
    # The community's own store first (at the community's code), then one of its grids', by id.
    for store in sorted(community_stores, key=lambda s: (len(s.area_code), s.pk)):
        need = needs.get(store.area_code[:COMMUNITY_DIGITS])
        if need is not None and need.store is None:
            need.store = store
    lots = Lot.objects.visible_to(actor).within(area_code).filter(item=item, store__active=True, quantity__gt=0)
    held = lots.exclude(store__kind__in=WAREHOUSE_KINDS)
    for row in (
        held.annotate(community=Substr("area_code", 1, COMMUNITY_DIGITS))
        .values("community")
        .annotate(n=Sum("quantity"))
        .order_by()
    ):
        if row["community"] in needs:
            needs[row["community"]].on_hand = int(row["n"])
    lines = RequestLine.objects.filter(
        request__in=SupplyRequest.objects.visible_to(actor).within(area_code).values("pk"),
        item=item,
        request__status__in=OPEN_REQUESTS,
    )
    outstanding = (
        lines.annotate(
            community=Substr("request__area_code", 1, COMMUNITY_DIGITS), wanted=Coalesce("approved", "quantity")
        )
        .values("community")
        .annotate(asked=Sum(F("wanted") - F("sent")))
        .order_by()
    )
    for row in outstanding:
        if row["community"] in needs:
            needs[row["community"]].requested = max(0, int(row["asked"] or 0))
    return list(needs.values())


def allocation_list(*, actor: Actor) -> QuerySet[Allocation]:
    return Allocation.objects.visible_to(actor).select_related("item", "from_store").order_by("-created_at", "-id")


def allocation_get(*, actor: Actor, allocation_id: int, lock: bool = False) -> Allocation:
    allocations = Allocation.objects.select_related("item", "from_store")
    if lock:
        allocations = allocations.select_for_update(of=("self",))
    try:
        return allocations.get_visible(actor, pk=allocation_id)
    except Http404:
        raise NotFound(_("There is no such allocation in your jurisdiction.")) from None


def allocation_shares(allocation: Allocation) -> list[AllocationShare]:
    return list(allocation.shares.select_related("store", "transfer").order_by("area_code", "pk"))


def communities_without_store(*, actor: Actor, allocation: Allocation) -> list[Area]:
    """Communities below the allocating area that have no active community store to send to."""
    with_store = {
        s.area_code[:COMMUNITY_DIGITS]
        for s in Store.objects.visible_to(actor)
        .within(allocation.area_code)
        .filter(active=True, kind=StoreKind.COMMUNITY)
        if len(s.area_code) >= COMMUNITY_DIGITS
    }
    areas = Area.objects.visible_to(actor).within(allocation.area_code).filter(level=COMMUNITY_DIGITS)
    return [area for area in areas.order_by("code") if area.code not in with_store]


def area_names(*, actor: Actor, codes: list[str]) -> dict[str, str]:
    """Names of the areas the actor reaches among `codes`."""
    return dict(Area.objects.visible_to(actor).filter(code__in=codes).values_list("code", "name"))
