"""Opening stores: the kind fits the area's level, the area is in reach, bad input refused."""

from __future__ import annotations

import pytest

from fangxian.core.errors import DomainError, NotFound, PermissionDenied
from fangxian.core.testing import COMMUNITY_A, GRID_A1, STREET_1, login
from fangxian.supplies.models import Store
from fangxian.supplies.services.stores import store_create

pytestmark = pytest.mark.django_db


def test_a_commander_opens_a_community_store_and_a_street_its_warehouse(world):
    store_create(actor=world.actor("commander_a"), area_code=COMMUNITY_A, name="甲社区物资站", kind="community")
    store_create(actor=world.actor("commander_a"), area_code=GRID_A1, name="1号楼发放点", kind="supply_point")
    store_create(actor=world.actor("street1"), area_code=STREET_1, name="街道仓库", kind="street")
    assert Store.objects.count() == 3


@pytest.mark.parametrize(
    "bad",
    [
        {"area_code": COMMUNITY_A, "name": "x", "kind": "street"},
        {"area_code": COMMUNITY_A, "name": "", "kind": "community"},
        {"area_code": COMMUNITY_A, "name": "长" * 101, "kind": "community"},
        {"area_code": COMMUNITY_A, "name": "x", "kind": "bunker"},
    ],
)
def test_bad_stores_are_refused(world, bad):
    with pytest.raises(DomainError):
        store_create(actor=world.actor("commander_a"), **bad)
    assert not Store.objects.exists()


def test_strangers_are_refused(world):
    with pytest.raises(NotFound):
        store_create(actor=world.actor("commander_b"), area_code=COMMUNITY_A, name="x", kind="community")
    with pytest.raises(PermissionDenied):
        store_create(actor=world.actor("grid_a1"), area_code=GRID_A1, name="x", kind="supply_point")


def test_the_page(client, world):
    login(client, world.users["commander_a"])
    assert client.get("/supplies/stores/new/").status_code == 200
    response = client.post("/supplies/stores/new/", {"area_code": COMMUNITY_A, "kind": "community", "name": "物资站"})
    assert response.status_code == 302 and Store.objects.get().name == "物资站"
    bad = client.post("/supplies/stores/new/", {"area_code": COMMUNITY_A, "kind": "street", "name": "仓库"})
    assert bad.status_code == 400
    login(client, world.users["grid_a1"])
    assert client.get("/supplies/stores/new/").status_code == 403
