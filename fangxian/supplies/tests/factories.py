"""Leak factories of the supplies app: one row per model in (or above) a test grid, carrying the marker."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fangxian.core.testing import leak_factory
from fangxian.supplies.models import (
    Allocation,
    DisinfectionLog,
    DisinfectionPoint,
    Item,
    Lot,
    Movement,
    RecyclingCollection,
    RecyclingPoint,
    ReorderLevel,
    Store,
    SupplyRequest,
    Transfer,
)


def _item() -> Item:
    from fangxian.supplies.catalogue import catalogue_load

    catalogue_load()  # a transactional test's flush removed what migration 0002 put there
    return Item.objects.get(code="mask-n95")


@leak_factory(Store)
def store(grid: str, marker: str, world):
    return Store.objects.create(area_code=grid, name=marker, kind="community", address=marker)


@leak_factory(ReorderLevel)
def reorder_level(grid: str, marker: str, world):
    # A level has no text of its own to carry the marker; the catalogue item is shared by all areas.
    return ReorderLevel.objects.create(area_code=grid, item=_item(), level=100)


@leak_factory(Lot)
def lot(grid: str, marker: str, world):
    return Lot.objects.create(
        area_code=grid,
        store=store(grid, marker + "S", world),
        item=_item(),
        lot_code=marker,
        source="donation",
        donor=marker,
        expires_on=timezone.localdate() + dt.timedelta(days=300),
        quantity=10,
    )


@leak_factory(Movement)
def movement(grid: str, marker: str, world):
    batch = lot(grid, marker + "L", world)
    return Movement.objects.create(
        area_code=grid,
        lot=batch,
        store=batch.store,
        item=batch.item,
        kind="receive",
        quantity=10,
        balance_after=10,
        reason=marker,
        recipient=marker,
    )


@leak_factory(Transfer)
def transfer(grid: str, marker: str, world):
    source = store(grid, marker + "F", world)
    return Transfer.objects.create(area_code=grid, from_store=source, to_store=source, to_area_code=grid, note=marker)


@leak_factory(SupplyRequest)
def supply_request(grid: str, marker: str, world):
    return SupplyRequest.objects.create(
        area_code=grid,
        to_area_code=grid,
        store=store(grid, marker + "R", world),
        justification=marker,
    )


@leak_factory(Allocation)
def allocation(grid: str, marker: str, world):
    return Allocation.objects.create(
        area_code=grid, item=_item(), from_store=store(grid, marker + "A", world), total=100
    )


@leak_factory(DisinfectionPoint)
def disinfection_point(grid: str, marker: str, world):
    return DisinfectionPoint.objects.create(area_code=grid, name=marker, kind="lift")


@leak_factory(DisinfectionLog)
def disinfection_log(grid: str, marker: str, world):
    return DisinfectionLog.objects.create(
        area_code=grid, point=disinfection_point(grid, marker + "P", world), note=marker
    )


@leak_factory(RecyclingPoint)
def recycling_point(grid: str, marker: str, world):
    return RecyclingPoint.objects.create(area_code=grid, name=marker, location=marker)


@leak_factory(RecyclingCollection)
def recycling_collection(grid: str, marker: str, world):
    return RecyclingCollection.objects.create(
        area_code=grid, point=recycling_point(grid, marker + "P", world), note=marker
    )
