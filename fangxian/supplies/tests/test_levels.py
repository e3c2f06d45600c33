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
