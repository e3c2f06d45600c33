"""Supplies pages: stores and stock, a store's forms and ledger, transfers, requests; scoped and refused."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from fangxian.core.testing import COMMUNITY_A, COMMUNITY_B, STREET_1, login
from fangxian.supplies.models import Item, Lot, Movement, ReorderLevel, RequestStatus, Store, SupplyRequest, Transfer
from fangxian.supplies.services.stock import stock_receive, transfer_send

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the texts checked below are the English ones


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


def test_the_store_list_shows_stock_days_and_alerts(client, world, stores, mask):
    ReorderLevel.objects.create(area_code=COMMUNITY_A, item=mask, level=500)
    stock_receive(
        actor=world.actor("worker_a"),
        store_id=stores["a"].pk,
        item_id=mask.pk,
        quantity=40,
        lot_code="EXP-1",
        expires_on=timezone.localdate() + dt.timedelta(days=5),
    )
    login(client, world.users["worker_a"])
    body = client.get("/supplies/stores/").content.decode()
    assert "甲社区仓库" in body and "乙社区仓库" not in body and "街道仓库" not in body
    assert 'data-testid="below-reorder"' in body and "reorder below 500" in body
    assert "EXP-1" in body and "N95 mask" in body


def test_receive_issue_count_dispose_through_the_store_page(client, world, stores, mask):
    login(client, world.users["worker_a"])
    url = f"/supplies/stores/{stores['a'].pk}/"
    assert client.get(url).status_code == 200
    key = str(uuid.uuid4())
    receive = {
        "action": "receive",
        "receive-item": mask.pk,
        "receive-quantity": "100",
        "receive-source": "donation",
        "receive-donor": "爱心企业",
        "receive-lot_code": "D-1",
        "receive-expires_on": "",
        "receive-reason": "",
        "receive-idempotency_key": key,
    }
    assert client.post(url, receive).status_code == 302
    assert client.post(url, receive).status_code == 302  # the same form sent twice records once
    lot = Lot.objects.get()
    assert lot.quantity == 100 and Movement.objects.count() == 1
    issue = {
        "action": "issue",
        "issue-item": mask.pk,
        "issue-quantity": "30",
        "issue-recipient_kind": "team",
        "issue-recipient": "卡口组",
        "issue-lot": "",
        "issue-reason": "",
        "issue-idempotency_key": str(uuid.uuid4()),
    }
    assert client.post(url, issue).status_code == 302
    count = {"action": "count", "count-lot": lot.pk, "count-counted": "68", "count-reason": "破损"}
    assert client.post(url, count).status_code == 302
    dispose = {"action": "dispose", "dispose-lot": lot.pk, "dispose-quantity": "", "dispose-reason": "受潮"}
    assert client.post(url, dispose).status_code == 302
    lot.refresh_from_db()
    assert lot.quantity == 0
    kinds = list(Movement.objects.order_by("pk").values_list("kind", "quantity", "balance_after"))
    assert kinds == [("receive", 100, 100), ("issue", -30, 70), ("adjust", -2, 68), ("dispose", -68, 0)]
    ledger = client.get(url).content.decode()
    assert ledger.count('data-testid="ledger-row"') == 4 and "卡口组" in ledger


def test_too_much_or_hostile_input_shows_on_the_form(client, world, stores, mask):
    stock_receive(actor=world.actor("worker_a"), store_id=stores["a"].pk, item_id=mask.pk, quantity=5)
    login(client, world.users["worker_a"])
    url = f"/supplies/stores/{stores['a'].pk}/"
    issue = {
        "action": "issue",
        "issue-item": mask.pk,
        "issue-quantity": "6",
        "issue-recipient_kind": "team",
        "issue-recipient": "x",
        "issue-lot": "",
    }
    response = client.post(url, issue)
    assert response.status_code == 400 and "Only 5" in response.content.decode()
    for hostile in (
        {"issue-quantity": "-1"},
        {"issue-quantity": "9" * 30},
        {"issue-item": "' OR 1=1"},
        {"issue-recipient": "x\x00"},
        {"issue-lot": "999999"},
    ):
        assert client.post(url, {**issue, **hostile}).status_code == 400
    assert client.post(url, {"action": "nonsense"}).status_code == 302
    assert Lot.objects.get().quantity == 5


def test_transfers_page_and_receiving(client, world, stores, mask):
    stock_receive(actor=world.actor("street1"), store_id=stores["street"].pk, item_id=mask.pk, quantity=50)
    transfer = transfer_send(
        actor=world.actor("street1"),
        from_store_id=stores["street"].pk,
        to_store_id=stores["a"].pk,
        lines=[(mask.pk, 20)],
        note="第一批",
    )
    login(client, world.users["worker_a"])
    listing = client.get("/supplies/transfers/").content.decode()
    assert "第一批" in listing and "In transit" in listing
    detail = client.get(f"/supplies/transfers/{transfer.pk}/").content.decode()
    assert 'data-testid="transfer-receive"' in detail
    assert client.post(f"/supplies/transfers/{transfer.pk}/").status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == "received" and Lot.objects.get(store=stores["a"]).quantity == 20
    client.logout()
    login(client, world.users["worker_b"])
    assert client.get(f"/supplies/transfers/{transfer.pk}/").status_code == 404
    assert client.post(f"/supplies/transfers/{transfer.pk}/").status_code == 404


def test_a_store_sends_to_another_from_its_page(client, world, stores, mask):
    stock_receive(actor=world.actor("street1"), store_id=stores["street"].pk, item_id=mask.pk, quantity=50)
    login(client, world.users["street1"])
    url = f"/supplies/stores/{stores['street'].pk}/"
    send = {
        "action": "send",
        "send-to_store": stores["b"].pk,
        "send-item": mask.pk,
        "send-quantity": "10",
        "send-note": "",
    }
    assert client.post(url, send).status_code == 302
    assert Transfer.objects.get().to_store == stores["b"]


@pytest.mark.parametrize("persona", ["guard_a", "resident_a1", "volunteer_a"])
def test_roles_without_supplies_get_403(client, world, stores, persona):
    login(client, world.users[persona])
    for url in (
        "/supplies/stores/",
        f"/supplies/stores/{stores['a'].pk}/",
        "/supplies/transfers/",
        "/supplies/requests/",
    ):
        assert client.get(url).status_code == 403, url


def test_a_sibling_community_gets_404_and_cannot_post(client, world, stores, mask):
    login(client, world.users["worker_b"])
    url = f"/supplies/stores/{stores['a'].pk}/"
    assert client.get(url).status_code == 404
    receive = {"action": "receive", "receive-item": mask.pk, "receive-quantity": "1", "receive-source": "purchase"}
    assert client.post(url, receive).status_code == 404
    assert not Movement.objects.exists()


def test_a_grid_worker_reads_but_may_not_request(client, world, stores):
    grid_store = Store.objects.create(area_code="370202001001001", name="网格点", kind="supply_point")
    login(client, world.users["grid_a1"])
    assert client.get(f"/supplies/stores/{grid_store.pk}/").status_code == 200
    assert client.get(f"/supplies/stores/{grid_store.pk}/request/").status_code == 403


def test_the_request_journey_through_the_pages(client, world, stores, mask):
    stock_receive(actor=world.actor("street1"), store_id=stores["street"].pk, item_id=mask.pk, quantity=500)
    alcohol = Item.objects.get(code="alcohol-75")
    login(client, world.users["commander_a"])
    new_url = f"/supplies/stores/{stores['a'].pk}/request/"
    assert client.get(new_url).status_code == 200
    empty = client.post(new_url, {"justification": "需要"})
    assert empty.status_code == 400 and "at least one item" in empty.content.decode()
    created = client.post(
        new_url, {"justification": "卡口人员增加", f"qty_{mask.pk}": "200", f"qty_{alcohol.pk}": "10"}
    )
    assert created.status_code == 302
    request = SupplyRequest.objects.get()
    assert request.to_area_code == STREET_1 and request.lines.count() == 2
    client.logout()
    login(client, world.users["street1"])
    queue = client.get("/supplies/requests/?show=queue").content.decode()
    assert "卡口人员增加" in queue
    detail_url = f"/supplies/requests/{request.pk}/"
    assert 'data-testid="request-decide"' in client.get(detail_url).content.decode()
    too_much = {
        "action": "decide",
        "decide-decision": "approve",
        f"decide-approved_{mask.pk}": "201",
        f"decide-approved_{alcohol.pk}": "0",
        "decide-note": "",
    }
    assert client.post(detail_url, too_much).status_code == 400
    partly = {**too_much, f"decide-approved_{mask.pk}": "150", "decide-note": "酒精暂缺"}
    assert client.post(detail_url, partly).status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.PARTLY_APPROVED
    fulfil = {"action": "fulfil", "fulfil-from_store": stores["street"].pk, "fulfil-note": ""}
    assert client.post(detail_url, fulfil).status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.FULFILLED and Lot.objects.get(store=stores["street"]).quantity == 350
    client.logout()
    login(client, world.users["commander_a"])
    page = client.get(detail_url).content.decode()
    assert "Fulfilled" in page and "酒精暂缺" in page
    client.logout()
    login(client, world.users["commander_b"])
    assert client.get(detail_url).status_code == 404
    assert client.post(detail_url, {"action": "cancel"}).status_code == 404


def test_a_commander_drafts_a_replenishment_and_submits_it(client, world, stores, mask):
    ReorderLevel.objects.create(area_code=COMMUNITY_A, item=mask, level=100)
    login(client, world.users["commander_a"])
    response = client.post(f"/supplies/stores/{stores['a'].pk}/", {"action": "draft", "draft-days": "14"})
    draft = SupplyRequest.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/supplies/requests/{draft.pk}/")
    assert draft.draft and draft.lines.get().quantity == 100
    assert client.post(f"/supplies/requests/{draft.pk}/", {"action": "submit"}).status_code == 302
    draft.refresh_from_db()
    assert not draft.draft


def test_issuing_to_a_checkpoint_from_the_store_page(client, world, stores, mask):
    from fangxian.checkpoints.models import Checkpoint

    gate = Checkpoint.objects.create(area_code="370202001001001", name="东门卡口", location="东门")
    other = Checkpoint.objects.create(area_code="370202001002001", name="乙社区北门", location="北门")
    stock_receive(actor=world.actor("worker_a"), store_id=stores["a"].pk, item_id=mask.pk, quantity=20)
    login(client, world.users["worker_a"])
    url = f"/supplies/stores/{stores['a'].pk}/"
    page = client.get(url).content.decode()
    assert "东门卡口" in page and "乙社区北门" not in page
    issue = {
        "action": "issue",
        "issue-item": mask.pk,
        "issue-quantity": "5",
        "issue-recipient_kind": "checkpoint",
        "issue-checkpoint": gate.pk,
        "issue-lot": "",
    }
    assert client.post(url, issue).status_code == 302
    assert Movement.objects.get(kind="issue").checkpoint == gate
    assert client.post(url, {**issue, "issue-checkpoint": other.pk}).status_code == 400
