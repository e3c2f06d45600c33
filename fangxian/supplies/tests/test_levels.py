"""Reorder levels: set and cleared per area and item by those who keep the supplies; bad input refused."""

from __future__ import annotations

import pytest

from fangxian.core.errors import DomainError, NotFound, PermissionDenied
from fangxian.core.testing import COMMUNITY_A, login
from fangxian.supplies.models import Item, ReorderLevel
from fangxian.supplies.services.levels import reorder_levels_set

pytestmark = pytest.mark.django_db


def test_levels_are_set_changed_and_cleared(world):
    masks, gloves = Item.objects.get(code="mask-n95"), Item.objects.get(code="gloves")
    commander = world.actor("commander_a")
    assert reorder_levels_set(actor=commander, area_code=COMMUNITY_A, levels={masks.pk: 500, gloves.pk: None}) == 1
    assert reorder_levels_set(actor=commander, area_code=COMMUNITY_A, levels={masks.pk: 500}) == 0
    assert reorder_levels_set(actor=commander, area_code=COMMUNITY_A, levels={masks.pk: 800, gloves.pk: 100}) == 2
    assert dict(ReorderLevel.objects.values_list("item__code", "level")) == {"mask-n95": 800, "gloves": 100}
    assert reorder_levels_set(actor=commander, area_code=COMMUNITY_A, levels={masks.pk: None}) == 1
    assert list(ReorderLevel.objects.values_list("item__code", flat=True)) == ["gloves"]


def test_bad_levels_and_strangers_are_refused(world):
    masks = Item.objects.get(code="mask-n95")
    for bad in ({masks.pk: -1}, {masks.pk: 10**12}, {masks.pk: "5"}, {10**9: 5}):
        with pytest.raises(DomainError):
            reorder_levels_set(actor=world.actor("commander_a"), area_code=COMMUNITY_A, levels=bad)
    with pytest.raises(NotFound):
        reorder_levels_set(actor=world.actor("commander_b"), area_code=COMMUNITY_A, levels={masks.pk: 5})
    with pytest.raises(PermissionDenied):
        reorder_levels_set(actor=world.actor("grid_a1"), area_code=COMMUNITY_A, levels={masks.pk: 5})
    assert not ReorderLevel.objects.exists()


def test_the_levels_page(client, world):
    masks = Item.objects.get(code="mask-n95")
    login(client, world.users["commander_a"])
    url = f"/supplies/levels/{COMMUNITY_A}/"
    assert client.get(url).status_code == 200
    assert client.post(url, {f"level_{masks.pk}": "300"}).status_code == 302
    assert ReorderLevel.objects.get().level == 300
    assert client.post(url, {f"level_{masks.pk}": "-3"}).status_code == 400
    login(client, world.users["commander_b"])
    assert client.get(url).status_code == 404


def test_the_morning_job_drafts_once_for_stores_below_their_levels(world):
    from fangxian.core.scoping import Actor
    from fangxian.supplies.models import Store, SupplyRequest
    from fangxian.supplies.services.levels import replenishment_drafts_create
    from fangxian.supplies.services.stock import stock_receive

    masks = Item.objects.get(code="mask-n95")
    store = Store.objects.create(area_code=COMMUNITY_A, name="甲社区物资站", kind="community")
    stock_receive(actor=world.actor("commander_a"), store_id=store.pk, item_id=masks.pk, quantity=10)
    reorder_levels_set(actor=world.actor("commander_a"), area_code=COMMUNITY_A, levels={masks.pk: 100})
    system = Actor.system("test")
    assert replenishment_drafts_create(actor=system) == 1
    assert replenishment_drafts_create(actor=system) == 0  # the draft waits for the community
    draft = SupplyRequest.objects.get()
    assert draft.draft and draft.lines.get().item == masks and draft.lines.get().quantity >= 90
    with pytest.raises(PermissionDenied):
        replenishment_drafts_create(actor=world.actor("commander_a"))
