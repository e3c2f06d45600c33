"""Services of the stock ledger: receive, issue (FEFO), count, dispose, transfers, idempotency, permissions."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db.models import Sum
from django.utils import timezone

from fangxian.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangxian.core.testing import COMMUNITY_A, COMMUNITY_B, STREET_1
from fangxian.supplies.models import Item, Lot, Movement, Store, TransferStatus
from fangxian.supplies.services.stock import (
    stock_adjust,
    stock_dispose,
    stock_issue,
    stock_receive,
    transfer_receive,
    transfer_send,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def mask():
    return Item.objects.get(code="mask-n95")


@pytest.fixture
def store_a(world):
    return Store.objects.create(area_code=COMMUNITY_A, name="甲社区仓库", kind="community")


@pytest.fixture
def store_b(world):
    return Store.objects.create(area_code=COMMUNITY_B, name="乙社区仓库", kind="community")


@pytest.fixture
def street_store(world):
    return Store.objects.create(area_code=STREET_1, name="街道仓库", kind="street")


def receive(world, store, item, quantity, days=None, actor="worker_a", **extra):
    expires = timezone.localdate() + dt.timedelta(days=days) if days is not None else None
    return stock_receive(
        actor=world.actor(actor), store_id=store.pk, item_id=item.pk, quantity=quantity, expires_on=expires, **extra
    )


def assert_consistent():
    for lot in Lot.objects.all():
        total = Movement.objects.filter(lot=lot).aggregate(s=Sum("quantity"))["s"] or 0
        assert lot.quantity == total >= 0
        last = Movement.objects.filter(lot=lot).order_by("-pk").first()
        assert last is None or last.balance_after == lot.quantity


def test_receiving_makes_a_lot_and_its_first_ledger_line(world, store_a, mask):
    movement = receive(world, store_a, mask, 500, days=90, lot_code="B-1", source="donation", donor="爱心企业")
    lot = movement.lot
    assert (lot.quantity, lot.donor, lot.source, lot.area_code) == (500, "爱心企业", "donation", COMMUNITY_A)
    assert (movement.kind, movement.quantity, movement.balance_after) == ("receive", 500, 500)
    assert_consistent()


def test_a_donation_needs_its_donor(world, store_a, mask):
    with pytest.raises(DomainError) as error:
        receive(world, store_a, mask, 5, source="donation")
    assert error.value.field == "donor"


def test_issue_takes_the_first_expiring_lot_first_and_spans_lots(world, store_a, mask):
    late = receive(world, store_a, mask, 100, days=200).lot
    early = receive(world, store_a, mask, 30, days=10).lot
    never = receive(world, store_a, mask, 50).lot
    movements = stock_issue(
        actor=world.actor("worker_a"),
        store_id=store_a.pk,
        item_id=mask.pk,
        quantity=60,
        recipient_kind="team",
        recipient="卡口组",
    )
    assert [(m.lot_id, m.quantity) for m in movements] == [(early.pk, -30), (late.pk, -30)]
    late.refresh_from_db()
    never.refresh_from_db()
    assert late.quantity == 70 and never.quantity == 50
    assert_consistent()


def test_issue_from_a_named_lot(world, store_a, mask):
    receive(world, store_a, mask, 10, days=5)
    named = receive(world, store_a, mask, 10, days=50).lot
    (movement,) = stock_issue(
        actor=world.actor("worker_a"),
        store_id=store_a.pk,
        item_id=mask.pk,
        quantity=4,
        recipient_kind="worker",
        recipient="张三",
        lot_id=named.pk,
    )
    assert movement.lot_id == named.pk and movement.balance_after == 6


def test_issue_refuses_more_than_on_hand_and_changes_nothing(world, store_a, mask):
    receive(world, store_a, mask, 10)
    before = Movement.objects.count()
    with pytest.raises(DomainError) as error:
        stock_issue(
            actor=world.actor("worker_a"),
            store_id=store_a.pk,
            item_id=mask.pk,
            quantity=11,
            recipient_kind="team",
            recipient="x",
        )
    assert error.value.code == "insufficient_stock"
    assert Movement.objects.count() == before and Lot.objects.get().quantity == 10


def test_issue_to_a_household_needs_one_in_jurisdiction(world, store_a, mask):
    receive(world, store_a, mask, 10)
    actor = world.actor("worker_a")
    with pytest.raises(NotFound):
        stock_issue(
            actor=actor,
            store_id=store_a.pk,
            item_id=mask.pk,
            quantity=1,
            recipient_kind="household",
            household_id=world.households["B1"].pk,
        )
    (movement,) = stock_issue(
        actor=actor,
        store_id=store_a.pk,
        item_id=mask.pk,
        quantity=1,
        recipient_kind="household",
        household_id=world.households["A1"].pk,
    )
    assert movement.household == world.households["A1"]


def test_a_repeated_idempotency_key_records_once(world, store_a, mask):
    key = uuid.uuid4()
    receive(world, store_a, mask, 10, days=1)
    receive(world, store_a, mask, 10, days=2)
    args = dict(store_id=store_a.pk, item_id=mask.pk, quantity=15, recipient_kind="team", recipient="x")
    first = stock_issue(actor=world.actor("worker_a"), idempotency_key=key, **args)
    again = stock_issue(actor=world.actor("worker_a"), idempotency_key=str(key), **args)
    assert [m.pk for m in first] == [m.pk for m in again] and len(first) == 2
    assert Lot.objects.aggregate(s=Sum("quantity"))["s"] == 5
    receive_key = uuid.uuid4()
    one = receive(world, store_a, mask, 3, idempotency_key=receive_key)
    assert receive(world, store_a, mask, 3, idempotency_key=receive_key).pk == one.pk


def test_an_idempotency_key_of_another_jurisdiction_is_a_conflict(world, store_a, store_b, mask):
    key = uuid.uuid4()
    receive(world, store_b, mask, 3, actor="worker_b", idempotency_key=key)
    with pytest.raises(Conflict):
        receive(world, store_a, mask, 3, idempotency_key=key)


def test_stocktake_records_the_difference_and_the_count(world, store_a, mask):
    lot = receive(world, store_a, mask, 100).lot
    movement = stock_adjust(actor=world.actor("worker_a"), lot_id=lot.pk, counted=97, reason="破损未登记")
    assert (movement.quantity, movement.counted, movement.balance_after) == (-3, 97, 97)
    same = stock_adjust(actor=world.actor("worker_a"), lot_id=lot.pk, counted=97, reason="复盘")
    assert same.quantity == 0
    with pytest.raises(DomainError):
        stock_adjust(actor=world.actor("worker_a"), lot_id=lot.pk, counted=-1, reason="x")
    with pytest.raises(DomainError):
        stock_adjust(actor=world.actor("worker_a"), lot_id=lot.pk, counted=5, reason="  ")
    assert_consistent()


def test_disposal_takes_everything_left_by_default(world, store_a, mask):
    lot = receive(world, store_a, mask, 8, days=-1).lot
    movement = stock_dispose(actor=world.actor("worker_a"), lot_id=lot.pk, quantity=None, reason="过期")
    assert (movement.kind, movement.quantity, movement.balance_after) == ("dispose", -8, 0)
    with pytest.raises(DomainError):
        stock_dispose(actor=world.actor("worker_a"), lot_id=lot.pk, quantity=None, reason="过期")


def test_transfer_goes_out_at_once_and_in_on_receipt(world, street_store, store_a, mask):
    receive(world, street_store, mask, 100, days=30, actor="street1", lot_code="S-1")
    transfer = transfer_send(
        actor=world.actor("street1"), from_store_id=street_store.pk, to_store_id=store_a.pk, lines=[(mask.pk, 40)]
    )
    assert transfer.status == TransferStatus.IN_TRANSIT
    assert Lot.objects.get(store=street_store).quantity == 60
    assert not Lot.objects.filter(store=store_a).exists()
    with pytest.raises(PermissionDenied):
        transfer_receive(actor=world.actor("guard_a"), transfer_id=transfer.pk)
    with pytest.raises(NotFound):
        transfer_receive(actor=world.actor("worker_b"), transfer_id=transfer.pk)
    transfer = transfer_receive(actor=world.actor("worker_a"), transfer_id=transfer.pk)
    new = Lot.objects.get(store=store_a)
    assert (new.quantity, new.lot_code, new.source, new.origin.store) == (40, "S-1", "transfer", street_store)
    assert transfer.status == TransferStatus.RECEIVED
    with pytest.raises(Conflict):
        transfer_receive(actor=world.actor("worker_a"), transfer_id=transfer.pk)
    assert_consistent()


def test_a_transfer_short_of_one_item_sends_nothing(world, street_store, store_a, mask):
    gloves = Item.objects.get(code="gloves")
    receive(world, street_store, mask, 100, actor="street1")
    with pytest.raises(DomainError):
        transfer_send(
            actor=world.actor("street1"),
            from_store_id=street_store.pk,
            to_store_id=store_a.pk,
            lines=[(mask.pk, 10), (gloves.pk, 1)],
        )
    assert Lot.objects.get(store=street_store).quantity == 100


def test_a_community_cannot_send_to_a_sibling_it_does_not_see(world, store_a, store_b, street_store, mask):
    receive(world, store_a, mask, 10)
    with pytest.raises(NotFound):
        transfer_send(
            actor=world.actor("worker_a"), from_store_id=store_a.pk, to_store_id=store_b.pk, lines=[(mask.pk, 1)]
        )
    # Returning stock up to the street is allowed.
    transfer = transfer_send(
        actor=world.actor("worker_a"), from_store_id=store_a.pk, to_store_id=street_store.pk, lines=[(mask.pk, 1)]
    )
    assert transfer.to_area_code == STREET_1


@pytest.mark.parametrize("persona", ["guard_a", "resident_a1", "volunteer_a"])
def test_roles_without_the_capability_cannot_move_stock(world, store_a, mask, persona):
    with pytest.raises(PermissionDenied):
        receive(world, store_a, mask, 1, actor=persona)


def test_a_sibling_community_cannot_touch_the_store(world, store_a, mask):
    lot = receive(world, store_a, mask, 5).lot
    with pytest.raises(NotFound):
        receive(world, store_a, mask, 1, actor="worker_b")
    with pytest.raises(NotFound):
        stock_dispose(actor=world.actor("worker_b"), lot_id=lot.pk, quantity=1, reason="x")


@pytest.mark.parametrize(
    "quantity",
    [0, -1, 10**12, "5", 1.5, True, None],
)
def test_hostile_quantities_are_refused(world, store_a, mask, quantity):
    with pytest.raises(DomainError):
        receive(world, store_a, mask, quantity)
    assert not Movement.objects.exists()


def test_hostile_text_is_refused(world, store_a, mask):
    with pytest.raises(DomainError):
        receive(world, store_a, mask, 1, lot_code="x\x00y")
    with pytest.raises(DomainError):
        receive(world, store_a, mask, 1, idempotency_key="not-a-uuid")
