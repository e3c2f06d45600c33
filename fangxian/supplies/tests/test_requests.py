"""Requests up the tree: a community asks, the street decides (in full, in part, or no) and fulfils by transfer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fangxian.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangxian.core.testing import COMMUNITY_A, COMMUNITY_B, STREET_1, STREET_2, login
from fangxian.supplies.models import Item, Lot, Movement, ReorderLevel, RequestStatus, Store, SupplyRequest
from fangxian.supplies.services.requests import (
    request_cancel,
    request_create,
    request_decide,
    request_draft_replenishment,
    request_fulfil,
    request_submit,
)
from fangxian.supplies.services.stock import stock_issue, stock_receive, transfer_receive

pytestmark = pytest.mark.django_db
BASE = "/api/v1/supplies"


@pytest.fixture
def stores(world):
    return {
        "a": Store.objects.create(area_code=COMMUNITY_A, name="甲社区仓库", kind="community"),
        "b": Store.objects.create(area_code=COMMUNITY_B, name="乙社区仓库", kind="community"),
        "street": Store.objects.create(area_code=STREET_1, name="街道仓库", kind="street"),
    }


@pytest.fixture
def items():
    return Item.objects.get(code="mask-n95"), Item.objects.get(code="alcohol-75")


def ask(world, stores, items, persona="commander_a", **extra):
    mask, alcohol = items
    return request_create(
        actor=world.actor(persona),
        store_id=stores["a"].pk,
        lines=[(mask.pk, 100), (alcohol.pk, 10)],
        justification="卡口执勤人员增加",
        **extra,
    )


def test_a_request_goes_to_the_street_which_approves_in_part_and_fulfils(world, stores, items):
    mask, alcohol = items
    request = ask(world, stores, items)
    assert request.to_area_code == STREET_1 and request.status == RequestStatus.SUBMITTED
    street = world.actor("street1")
    stock_receive(actor=street, store_id=stores["street"].pk, item_id=mask.pk, quantity=500)
    stock_receive(actor=street, store_id=stores["street"].pk, item_id=alcohol.pk, quantity=5)
    decided = request_decide(
        actor=street, request_id=request.pk, approve=True, approved={alcohol.pk: 5}, note="酒精紧缺"
    )
    assert decided.status == RequestStatus.PARTLY_APPROVED
    transfer = request_fulfil(actor=street, request_id=request.pk, from_store_id=stores["street"].pk)
    request.refresh_from_db()
    assert request.status == RequestStatus.FULFILLED and transfer.request_id == request.pk
    assert {line.item_id: line.sent for line in request.lines.all()} == {mask.pk: 100, alcohol.pk: 5}
    with pytest.raises(Conflict):
        request_fulfil(actor=street, request_id=request.pk, from_store_id=stores["street"].pk)
    transfer_receive(actor=world.actor("worker_a"), transfer_id=transfer.pk)
    assert sum(Lot.objects.filter(store=stores["a"]).values_list("quantity", flat=True)) == 105


def test_rejection_needs_a_note_and_closes_the_request(world, stores, items):
    request = ask(world, stores, items)
    with pytest.raises(DomainError):
        request_decide(actor=world.actor("street1"), request_id=request.pk, approve=False)
    rejected = request_decide(actor=world.actor("street1"), request_id=request.pk, approve=False, note="库存不足")
    assert rejected.status == RequestStatus.REJECTED
    with pytest.raises(Conflict):
        request_decide(actor=world.actor("street1"), request_id=request.pk, approve=True)


def test_approval_cannot_exceed_the_quantity_asked_or_name_other_items(world, stores, items):
    request = ask(world, stores, items)
    mask, _alcohol = items
    with pytest.raises(DomainError):
        request_decide(actor=world.actor("street1"), request_id=request.pk, approve=True, approved={mask.pk: 101})
    other = Item.objects.get(code="suit")
    with pytest.raises(DomainError):
        request_decide(actor=world.actor("street1"), request_id=request.pk, approve=True, approved={other.pk: 1})


def test_who_may_decide(world, stores, items):
    request = ask(world, stores, items)
    with pytest.raises(PermissionDenied):
        request_decide(actor=world.actor("commander_a"), request_id=request.pk, approve=True)
    with pytest.raises(NotFound):
        request_decide(actor=world.actor("street2"), request_id=request.pk, approve=True)
    with pytest.raises(NotFound):
        request_cancel(actor=world.actor("commander_b"), request_id=request.pk)
    for persona in ("guard_a", "resident_a1", "grid_a1"):
        with pytest.raises(PermissionDenied):
            ask(world, stores, items, persona=persona)


def test_the_community_may_cancel_until_decided(world, stores, items):
    request = ask(world, stores, items)
    assert request_cancel(actor=world.actor("commander_a"), request_id=request.pk).status == RequestStatus.CANCELLED


def test_bad_lines_are_refused(world, stores, items):
    mask, _alcohol = items
    for lines in ([], [(mask.pk, 0)], [(999999, 1)], [("x", 1)], [(mask.pk,)], [(mask.pk, 1)] * 101):
        with pytest.raises(DomainError):
            request_create(actor=world.actor("commander_a"), store_id=stores["a"].pk, lines=lines, justification="x")
    assert not SupplyRequest.objects.exists()


def test_a_replenishment_is_drafted_for_items_below_their_reorder_level(world, stores, items):
    mask, alcohol = items
    ReorderLevel.objects.create(area_code=COMMUNITY_A, item=mask, level=100)
    ReorderLevel.objects.create(area_code=STREET_1, item=alcohol, level=5)
    actor = world.actor("worker_a")
    stock_receive(actor=actor, store_id=stores["a"].pk, item_id=mask.pk, quantity=150)
    stock_receive(actor=actor, store_id=stores["a"].pk, item_id=alcohol.pk, quantity=50)
    # 70 masks a day used over the last fortnight's window -> 5/day; 80 left, below 100.
    stock_issue(
        actor=actor, store_id=stores["a"].pk, item_id=mask.pk, quantity=70, recipient_kind="team", recipient="x"
    )
    draft = request_draft_replenishment(actor=world.actor("commander_a"), store_id=stores["a"].pk, days=14)
    assert draft.draft and draft.status == RequestStatus.SUBMITTED
    lines = {line.item_id: line.quantity for line in draft.lines.all()}
    assert lines == {mask.pk: 20}  # max(14 x 5 - 80 = -10, 100 - 80 = 20)
    with pytest.raises(Conflict):
        request_decide(actor=world.actor("street1"), request_id=draft.pk, approve=True)
    request_submit(actor=world.actor("commander_a"), request_id=draft.pk)
    assert request_decide(actor=world.actor("street1"), request_id=draft.pk, approve=True).status == "approved"


def test_no_draft_when_nothing_is_below(world, stores, items):
    assert request_draft_replenishment(actor=world.actor("commander_a"), store_id=stores["a"].pk) is None


def test_the_requests_api_from_ask_to_fulfil(client, world, stores, items):
    mask, alcohol = items
    stock_receive(
        actor=world.actor("street1"),
        store_id=stores["street"].pk,
        item_id=mask.pk,
        quantity=40,
        expires_on=timezone.localdate() + dt.timedelta(days=60),
    )
    login(client, world.users["commander_a"])
    created = client.post(
        BASE + "/requests",
        {"store_id": stores["a"].pk, "justification": "需要口罩", "lines": [{"item_id": mask.pk, "quantity": 50}]},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    request_id = created.json()["id"]
    client.logout()
    login(client, world.users["street1"])
    queue = client.get(BASE + "/requests?queue=true").json()["items"]
    assert [r["id"] for r in queue] == [request_id]
    decided = client.post(
        f"{BASE}/requests/{request_id}/decide",
        {"approve": True, "approved": [{"item_id": mask.pk, "quantity": 40}]},
        content_type="application/json",
    )
    assert decided.status_code == 200 and decided.json()["status"] == "partly_approved"
    fulfilled = client.post(
        f"{BASE}/requests/{request_id}/fulfil", {"from_store_id": stores["street"].pk}, content_type="application/json"
    )
    assert fulfilled.status_code == 200 and fulfilled.json()["status"] == "fulfilled"
    assert len(fulfilled.json()["transfer_ids"]) == 1
    client.logout()
    login(client, world.users["commander_b"])
    assert client.get(f"{BASE}/requests/{request_id}").status_code == 404
    assert client.get(BASE + "/requests").json()["items"] == []
    client.logout()
    login(client, world.users["street2"])
    assert client.get(f"{BASE}/requests/{request_id}").status_code == 404
    assert STREET_2 not in fulfilled.json()["to_area_code"]
    assert Movement.objects.filter(kind="transfer_out").count() == 1


@pytest.mark.parametrize(
    "body",
    [
        {"lines": []},
        {"lines": [{"item_id": 1, "quantity": 0}]},
        {"lines": [{"item_id": 999999, "quantity": 1}]},
        {"lines": [{"item_id": "x", "quantity": 1}]},
        {"justification": ""},
        {"justification": "x\x00"},
        {"justification": "x" * 501},
        {"store_id": 2**63},
        {"store_id": -1},
    ],
)
def test_the_requests_api_refuses_bad_bodies(client, world, stores, items, body):
    mask, _alcohol = items
    login(client, world.users["commander_a"])
    base = {"store_id": stores["a"].pk, "justification": "需要", "lines": [{"item_id": mask.pk, "quantity": 1}]}
    response = client.post(BASE + "/requests", {**base, **body}, content_type="application/json")
    assert response.status_code in (400, 404, 422) and response.json()["code"]
    assert not SupplyRequest.objects.exists()


@pytest.mark.parametrize("persona", ["guard_a", "resident_a1", "volunteer_a"])
def test_roles_without_supplies_get_403_from_the_requests_api(client, world, stores, items, persona):
    request = ask(world, stores, items)
    login(client, world.users[persona])
    assert client.get(BASE + "/requests").status_code == 403
    assert client.get(f"{BASE}/requests/{request.pk}").status_code == 403
    decided = client.post(f"{BASE}/requests/{request.pk}/decide", {"approve": True}, content_type="application/json")
    assert decided.status_code in (403, 404)
    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED


def test_a_sibling_street_cannot_decide_or_fulfil(client, world, stores, items):
    request = ask(world, stores, items)
    login(client, world.users["street2"])
    decided = client.post(f"{BASE}/requests/{request.pk}/decide", {"approve": True}, content_type="application/json")
    assert decided.status_code == 404
    fulfil = client.post(
        f"{BASE}/requests/{request.pk}/fulfil", {"from_store_id": stores["street"].pk}, content_type="application/json"
    )
    assert fulfil.status_code == 404
