"""Alerts and forecast: below reorder per area and item, expiring lots, days of supply from the last 14 days."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from fangxian.core.testing import COMMUNITY_A, COMMUNITY_B, STREET_1
from fangxian.supplies.models import Item, ReorderLevel, Store
from fangxian.supplies.selectors.stock import (
    days_of_supply,
    item_list,
    lots_expiring,
    stock_below_reorder,
    store_stock,
)
from fangxian.supplies.services.stock import stock_dispose, stock_issue, stock_receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def mask():
    return Item.objects.get(code="mask-n95")


def test_below_reorder_sums_the_stores_under_the_level_s_area(world, mask):
    a = Store.objects.create(area_code=COMMUNITY_A, name="甲", kind="community")
    b = Store.objects.create(area_code=COMMUNITY_B, name="乙", kind="community")
    stock_receive(actor=world.actor("worker_a"), store_id=a.pk, item_id=mask.pk, quantity=60)
    stock_receive(actor=world.actor("worker_b"), store_id=b.pk, item_id=mask.pk, quantity=30)
    ReorderLevel.objects.create(area_code=STREET_1, item=mask, level=100)
    ReorderLevel.objects.create(area_code=COMMUNITY_A, item=mask, level=50)
    (row,) = stock_below_reorder(actor=world.actor("street1"))
    assert (row["area_code"], row["on_hand"], row["level"]) == (STREET_1, 90, 100)
    assert stock_below_reorder(actor=world.actor("commander_a")) == []  # 60 >= 50, the street's level unseen
    assert stock_below_reorder(actor=world.actor("street2")) == []


def test_expiring_lots_and_days_of_supply(world, mask):
    store = Store.objects.create(area_code=COMMUNITY_A, name="甲", kind="community")
    actor = world.actor("worker_a")
    soon = stock_receive(
        actor=actor, store_id=store.pk, item_id=mask.pk, quantity=40, expires_on=timezone.localdate() + dt.timedelta(3)
    ).lot
    stock_receive(actor=actor, store_id=store.pk, item_id=mask.pk, quantity=100)
    stock_issue(actor=actor, store_id=store.pk, item_id=mask.pk, quantity=21, recipient_kind="team", recipient="x")
    stock_dispose(actor=actor, lot_id=soon.pk, quantity=7, reason="破损")
    assert [lot.pk for lot in lots_expiring(actor=actor, days=7)] == [soon.pk]
    assert list(lots_expiring(actor=actor, days=1)) == []
    assert list(lots_expiring(actor=world.actor("worker_b"), days=7)) == []
    (line,) = store_stock(actor=actor, store=store)
    assert line.on_hand == 112 and line.daily_use == Decimal(2) and line.days_left == Decimal("56.0")
    assert line.expiring and line.lots == 2
    assert days_of_supply(10, None) is None


def test_the_catalogue_is_the_same_for_every_area(world, mask):
    extra = Item.objects.create(code="b-extra", name_zh="乙补充", name_en="B extra", category="daily", unit="piece")
    assert extra in item_list(actor=world.actor("worker_a")) and mask in item_list(actor=world.actor("worker_b"))
    extra.active = False
    extra.save()
    assert extra not in item_list()
