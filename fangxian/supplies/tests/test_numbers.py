"""Supplies figures: days of supply from the last two weeks' use, expiring lots, open requests, disinfection."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fangxian.core.testing import COMMUNITY_A, GRID_A1, STREET_1, login
from fangxian.supplies.models import DisinfectionPoint, Item, Lot, Movement, Store, SupplyRequest
from fangxian.supplies.selectors.numbers import stock_days, supplies_numbers

pytestmark = pytest.mark.django_db


@pytest.fixture
def stocked(world):
    store = Store.objects.create(area_code=COMMUNITY_A, name="甲社区物资站", kind="community")
    masks = Item.objects.get(code="mask-n95")
    lot = Lot.objects.create(
        area_code=COMMUNITY_A,
        store=store,
        item=masks,
        source="purchase",
        quantity=700,
        expires_on=timezone.localdate() + dt.timedelta(days=10),
    )
    Movement.objects.create(
        area_code=COMMUNITY_A,
        lot=lot,
        store=store,
        item=masks,
        kind="receive",
        quantity=1400,
        balance_after=1400,
        at=timezone.now() - dt.timedelta(days=20),
    )
    Movement.objects.create(
        area_code=COMMUNITY_A,
        lot=lot,
        store=store,
        item=masks,
        kind="issue",
        quantity=-700,
        balance_after=700,
        at=timezone.now() - dt.timedelta(days=3),
        recipient_kind="team",
        recipient="东门值守",
    )
    SupplyRequest.objects.create(area_code=COMMUNITY_A, to_area_code=STREET_1, store=store, justification="口罩不足")
    DisinfectionPoint.objects.create(area_code=GRID_A1, name="1号楼电梯", kind="lift", every_hours=12)
    return store


def test_days_of_supply_come_from_the_last_two_weeks(world, stocked):
    rows = stock_days(actor=world.actor("commander_a"), area_code=COMMUNITY_A)
    [masks] = rows
    assert masks["on_hand"] == 700 and masks["per_day"] == 50 and masks["days"] == 14


def test_the_day_in_numbers_and_a_sibling_sees_nothing(world, stocked):
    numbers = supplies_numbers(actor=world.actor("commander_a"), area_code=COMMUNITY_A)
    assert numbers["lots_expiring"] == 1 and numbers["requests_open"] == 1
    assert numbers["disinfection_overdue"] == 1 and numbers["items_short"] == 0
    street = supplies_numbers(actor=world.actor("street1"), area_code=STREET_1)
    assert street["requests_open"] == 1 and street["lots_expiring"] == 1
    assert set(supplies_numbers(actor=world.actor("commander_b"), area_code=COMMUNITY_A).values()) == {0}


def test_the_home_panel(client, world, stocked):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, world.users["commander_a"])
    html = client.get("/home/").content.decode()
    assert 'data-testid="home-supplies"' in html and "N95 mask" in html
    login(client, world.users["commander_b"])
    assert 'data-testid="home-supplies"' not in client.get("/home/").content.decode()
