"""Supplies API, stock part: catalogue, stores, stock, ledger with idempotency keys, transfers; scoped, refused."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from fangxian.core.testing import COMMUNITY_A, COMMUNITY_B, STREET_1, login
from fangxian.supplies.models import Item, Lot, Movement, ReorderLevel, Store

pytestmark = pytest.mark.django_db
BASE = "/api/v1/supplies"


def post(client, path, body):
    return client.post(BASE + path, body, content_type="application/json")


@pytest.fixture
def stores(world):
    return {
        "a": Store.objects.create(area_code=COMMUNITY_A, name="甲社区仓库", kind="community"),
        "b": Store.objects.create(area_code=COMMUNITY_B, name="乙社区仓库", kind="community"),
        "street": Store.objects.create(area_code=STREET_1, name="街道仓库", kind="street"),
    }


@pytest.fixture
def mask():
    return Item.objects.get(code="mask-n95")


def test_catalogue_and_stores_of_my_areas(client, world, stores):
    login(client, world.users["worker_a"])
    codes = {item["code"] for item in client.get(BASE + "/items").json()}
    assert {"mask-n95", "alcohol-75", "suit"} <= codes
    names = [s["name"] for s in client.get(BASE + "/stores").json()["items"]]
    assert names == ["甲社区仓库"]
    assert client.get(f"{BASE}/stores/{stores['b'].pk}").status_code == 404


def test_receive_issue_with_idempotency_and_the_ledger(client, world, stores, mask):
    login(client, world.users["worker_a"])
    key = str(uuid.uuid4())
    body = {
        "store_id": stores["a"].pk,
        "item_id": mask.pk,
        "quantity": 200,
        "expires_on": (timezone.localdate() + dt.timedelta(days=20)).isoformat(),
        "source": "donation",
        "donor": "某企业",
        "idempotency_key": key,
    }
    first = post(client, "/movements/receive", body)
    assert first.status_code == 201, first.content
    again = post(client, "/movements/receive", body)
    assert again.status_code == 200 and again.json() == first.json()
    assert Lot.objects.get().quantity == 200 and Movement.objects.count() == 1
    issue = {
        "store_id": stores["a"].pk,
        "item_id": mask.pk,
        "quantity": 50,
        "recipient_kind": "team",
        "recipient": "卡口组",
        "idempotency_key": str(uuid.uuid4()),
    }
    assert post(client, "/movements/issue", issue).status_code == 201
    assert post(client, "/movements/issue", issue).status_code == 200
    lot_id = first.json()["movements"][0]["lot_id"]
    counted = post(client, "/movements/adjust", {"lot_id": lot_id, "counted": 149, "reason": "少一个"})
    assert counted.status_code == 201 and counted.json()["movements"][0]["quantity"] == -1
    ledger = client.get(f"{BASE}/movements?store_id={stores['a'].pk}").json()
    assert [m["kind"] for m in ledger["items"]] == ["adjust", "issue", "receive"]
    assert [m["balance_after"] for m in ledger["items"]] == [149, 150, 200]
    page = client.get(f"{BASE}/movements?limit=1").json()
    assert page["next_cursor"] == ledger["items"][0]["id"]
    assert client.get(f"{BASE}/movements?limit=1&after={page['next_cursor']}").json()["items"][0]["kind"] == "issue"
    stock = client.get(f"{BASE}/stores/{stores['a'].pk}/stock").json()
    assert stock[0]["on_hand"] == 149 and stock[0]["expiring"] is True and stock[0]["daily_use"] is not None
    too_much = post(client, "/movements/dispose", {"lot_id": lot_id, "quantity": 150, "reason": "破损"})
    assert too_much.status_code == 400 and too_much.json()["code"] == "insufficient_stock"


def test_transfers_through_the_api(client, world, stores, mask):
    login(client, world.users["street1"])
    received = post(client, "/movements/receive", {"store_id": stores["street"].pk, "item_id": mask.pk, "quantity": 30})
    assert received.status_code == 201
    sent = post(
        client,
        "/transfers",
        {
            "from_store_id": stores["street"].pk,
            "to_store_id": stores["a"].pk,
            "lines": [{"item_id": mask.pk, "quantity": 12}],
        },
    )
    assert sent.status_code == 201, sent.content
    transfer = sent.json()
    assert transfer["status"] == "in_transit" and transfer["lines"][0]["quantity"] == 12
    client.logout()
    login(client, world.users["worker_a"])
    in_transit = client.get(BASE + "/transfers?status=in_transit").json()["items"]
    assert [t["id"] for t in in_transit] == [transfer["id"]]
    done = post(client, f"/transfers/{transfer['id']}/receive", {})
    assert done.status_code == 200 and done.json()["status"] == "received"
    assert post(client, f"/transfers/{transfer['id']}/receive", {}).status_code == 409
    client.logout()
    login(client, world.users["worker_b"])
    assert client.get(f"{BASE}/transfers/{transfer['id']}").status_code == 404


def test_alerts_show_reorder_and_expiry(client, world, stores, mask):
    ReorderLevel.objects.create(area_code=COMMUNITY_A, item=mask, level=100)
    login(client, world.users["commander_a"])
    post(
        client,
        "/movements/receive",
        {
            "store_id": stores["a"].pk,
            "item_id": mask.pk,
            "quantity": 10,
            "expires_on": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
        },
    )
    alerts = client.get(BASE + "/alerts?days=7").json()
    assert alerts["below_reorder"][0]["on_hand"] == 10 and alerts["below_reorder"][0]["level"] == 100
    assert len(alerts["expiring"]) == 1


@pytest.mark.parametrize("persona", ["guard_a", "resident_a1", "volunteer_a"])
def test_roles_without_supplies_are_refused(client, world, stores, mask, persona):
    login(client, world.users[persona])
    assert client.get(BASE + "/stores").status_code == 403
    response = post(client, "/movements/receive", {"store_id": stores["a"].pk, "item_id": mask.pk, "quantity": 1})
    assert response.status_code in (403, 404) and response.json()["code"] in ("permission_denied", "not_found")


def test_a_sibling_community_gets_404_and_writes_nothing(client, world, stores, mask):
    login(client, world.users["worker_b"])
    response = post(client, "/movements/receive", {"store_id": stores["a"].pk, "item_id": mask.pk, "quantity": 1})
    assert response.status_code == 404
    assert not Movement.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"quantity": 0},
        {"quantity": -5},
        {"quantity": 10**15},
        {"quantity": "many"},
        {"lot_code": "x\x00"},
        {"lot_code": "x" * 51},
        {"idempotency_key": "not-a-uuid"},
        {"source": "theft"},
        {"item_id": 999999},
        {"store_id": 2**63},
        {"expires_on": "2026-13-45"},
    ],
)
def test_bad_and_hostile_bodies_are_refused(client, world, stores, mask, body):
    login(client, world.users["worker_a"])
    response = post(
        client, "/movements/receive", {"store_id": stores["a"].pk, "item_id": mask.pk, "quantity": 1, **body}
    )
    assert response.status_code in (400, 404, 422) and response.json()["code"]
    assert not Movement.objects.exists()
