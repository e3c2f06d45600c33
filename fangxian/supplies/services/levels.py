"""Reorder levels: below how much of an item an area's stores are to be replenished (补货线)."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from fangxian.areas.models import Area
from fangxian.core.errors import DomainError, NotFound, PermissionDenied
from fangxian.core.scoping import Actor
from fangxian.supplies.models import Item, ReorderLevel

MAX_LEVEL = 100_000_000


@transaction.atomic
def reorder_levels_set(*, actor: Actor, area_code: str, levels: dict[int, int | None]) -> int:
    """Set (a number) or clear (None) the reorder level of items for an area; returns how many changed."""
    if not actor.can("supplies.manage"):
        raise PermissionDenied(_("Your role may not set reorder levels."))
    try:
        area = Area.objects.get_visible(actor, code=area_code)
    except Http404:
        raise NotFound(_("There is no such area in your jurisdiction."), field="area_code") from None
    known = set(Item.objects.filter(pk__in=list(levels)).values_list("pk", flat=True))
    unknown = [pk for pk in levels if pk not in known]
    if unknown:
        raise DomainError(_("There is no such item in the catalogue."), code="item_unknown", field="item_id")
    for level in levels.values():
        if level is not None and (not isinstance(level, int) or isinstance(level, bool) or not 0 <= level <= MAX_LEVEL):
            raise DomainError(
                _("A reorder level is a whole number from 0 to %(max)s.") % {"max": f"{MAX_LEVEL:,}"},
                code="level",
                field="level",
            )
    current = {row.item_id: row for row in ReorderLevel.objects.visible_to(actor).filter(area_code=area.code)}
    changed = 0
    for item_id, level in sorted(levels.items()):
        row = current.get(item_id)
        if level is None:
            if row is not None:
                row.delete()
                changed += 1
        elif row is None:
            ReorderLevel.objects.create(area_code=area.code, item_id=item_id, level=level)
            changed += 1
        elif row.level != level:
            row.level = level
            row.save(update_fields=["level"])
            changed += 1
    return changed


def replenishment_drafts_create(*, actor: Actor) -> int:
    """Every morning: a drafted request for each community store with items below their reorder level.

    A store that already has a draft waiting is left alone (the community has not looked at it yet),
    so running it again drafts nothing twice. Returns the number of drafts made.
    """
    from fangxian.supplies.models import RequestStatus, Store, StoreKind, SupplyRequest
    from fangxian.supplies.services.requests import request_draft_replenishment

    if not actor.is_system:
        raise PermissionDenied(_("Only the morning job drafts replenishment requests for every store."))
    waiting = SupplyRequest.objects.filter(draft=True, status=RequestStatus.SUBMITTED).values("store_id")
    stores = Store.objects.filter(active=True, kind__in=[StoreKind.COMMUNITY, StoreKind.SUPPLY_POINT]).exclude(
        pk__in=waiting
    )
    made = 0
    for store in stores.order_by("pk"):
        try:
            with transaction.atomic():
                if request_draft_replenishment(actor=actor, store_id=store.pk) is not None:
                    made += 1
        except DomainError:
            continue  # a store with no area above it to ask: nothing to draft
    return made
