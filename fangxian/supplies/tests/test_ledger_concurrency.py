"""Eight writers issue from one lot at once (PostgreSQL): the balance stays the ledger's sum, never below zero."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.db.models import Sum

from fangxian.core.errors import DomainError
from fangxian.core.testing import COMMUNITY_A
from fangxian.supplies.models import Item, Lot, Movement, Store
from fangxian.supplies.services.stock import stock_issue, stock_receive

WRITERS = 8
ISSUES_EACH = 6


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_writers_keep_the_balance_equal_to_the_ledger(world):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL")
    # Created here: a transactional test starts from flushed tables, without the catalogue's rows.
    item, _created = Item.objects.get_or_create(
        code="test-concurrency", defaults={"name_zh": "测试", "name_en": "Test", "category": "masks", "unit": "piece"}
    )
    store = Store.objects.create(area_code=COMMUNITY_A, name="并发仓库", kind="community")
    actor = world.actor("worker_a")
    # 8 writers x 6 issues x 3 = 144 wanted from 100: some must be refused, none may overdraw.
    lot = stock_receive(actor=actor, store_id=store.pk, item_id=item.pk, quantity=100).lot
    barrier = threading.Barrier(WRITERS, timeout=20)
    errors: list[BaseException] = []
    refused: list[int] = []

    def writer(index: int) -> None:
        try:
            barrier.wait()
            for _ in range(ISSUES_EACH):
                try:
                    stock_issue(
                        actor=actor,
                        store_id=store.pk,
                        item_id=item.pk,
                        quantity=3,
                        recipient_kind="team",
                        recipient=f"组{index}",
                        lot_id=lot.pk,
                    )
                except DomainError as error:
                    assert error.code == "insufficient_stock"
                    refused.append(index)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    lot.refresh_from_db()
    ledger = Movement.objects.filter(lot=lot).aggregate(total=Sum("quantity"))["total"]
    assert lot.quantity == ledger >= 0
    issued = Movement.objects.filter(lot=lot, kind="issue").count()
    assert issued == 33 and lot.quantity == 1 and len(refused) == WRITERS * ISSUES_EACH - issued
    balances = list(Movement.objects.filter(lot=lot).order_by("pk").values_list("quantity", "balance_after"))
    running = 0
    for quantity, balance_after in balances:
        running += quantity
        assert balance_after == running >= 0
    assert Lot.objects.filter(quantity__lt=0).count() == 0


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_same_idempotency_key_sent_by_two_writers_at_once_records_once(world):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL")
    import uuid

    item, _created = Item.objects.get_or_create(
        code="test-concurrency", defaults={"name_zh": "测试", "name_en": "Test", "category": "masks", "unit": "piece"}
    )
    store = Store.objects.create(area_code=COMMUNITY_A, name="并发仓库", kind="community")
    actor = world.actor("worker_a")
    stock_receive(actor=actor, store_id=store.pk, item_id=item.pk, quantity=10)
    stock_receive(actor=actor, store_id=store.pk, item_id=item.pk, quantity=10)
    key = uuid.uuid4()
    barrier = threading.Barrier(WRITERS, timeout=20)
    answers: list[list[int]] = []
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            barrier.wait()
            movements = stock_issue(
                actor=actor,
                store_id=store.pk,
                item_id=item.pk,
                quantity=15,
                recipient_kind="team",
                recipient="x",
                idempotency_key=key,
            )
            answers.append([m.pk for m in movements])
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert len(answers) == WRITERS and all(answer == answers[0] for answer in answers)
    assert Movement.objects.filter(kind="issue").count() == 2
    assert sum(Lot.objects.filter(store=store).values_list("quantity", flat=True)) == 5
