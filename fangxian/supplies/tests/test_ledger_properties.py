"""Property: any sequence of movements keeps every lot's balance equal to its ledger sum; refusals change nothing."""

from __future__ import annotations

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from fangxian.core.errors import DomainError
from fangxian.core.testing import COMMUNITY_A
from fangxian.supplies.models import Item, Lot, Movement, Store
from fangxian.supplies.services.stock import (
    stock_adjust,
    stock_dispose,
    stock_issue,
    stock_receive,
    transfer_receive,
    transfer_send,
)

STEP = st.one_of(
    st.tuples(st.just("receive"), st.integers(1, 50), st.integers(-5, 60)),
    st.tuples(st.just("issue"), st.integers(1, 80), st.booleans()),
    st.tuples(st.just("adjust"), st.integers(0, 60), st.integers(0, 9)),
    st.tuples(st.just("dispose"), st.one_of(st.none(), st.integers(1, 40)), st.integers(0, 9)),
    st.tuples(st.just("transfer"), st.integers(1, 60), st.booleans()),
)
PROPERTY_SETTINGS = hypothesis_settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _snapshot(store_ids):
    lots = dict(Lot.objects.filter(store_id__in=store_ids).values_list("pk", "quantity"))
    return lots, Movement.objects.filter(store_id__in=store_ids).count()


@pytest.mark.django_db
@PROPERTY_SETTINGS
@given(steps=st.lists(STEP, min_size=1, max_size=25))
def test_any_sequence_of_movements_keeps_balance_equal_to_the_ledger(world, steps):
    import datetime as dt

    from django.utils import timezone

    actor = world.actor("worker_a")
    item = Item.objects.get(code="mask-n95")
    here = Store.objects.create(area_code=COMMUNITY_A, name="性质测试", kind="community")
    there = Store.objects.create(area_code=COMMUNITY_A, name="性质测试二", kind="supply_point")
    stores = [here.pk, there.pk]
    for kind, a, b in steps:
        lots = list(Lot.objects.filter(store=here).order_by("pk"))
        before = _snapshot(stores)
        try:
            if kind == "receive":
                stock_receive(
                    actor=actor,
                    store_id=here.pk,
                    item_id=item.pk,
                    quantity=a,
                    expires_on=timezone.localdate() + dt.timedelta(days=b),
                )
            elif kind == "issue":
                stock_issue(
                    actor=actor,
                    store_id=here.pk,
                    item_id=item.pk,
                    quantity=a,
                    recipient_kind="team",
                    recipient="x",
                    lot_id=lots[0].pk if b and lots else None,
                )
            elif kind in ("adjust", "dispose") and lots:
                lot = lots[b % len(lots)]
                if kind == "adjust":
                    stock_adjust(actor=actor, lot_id=lot.pk, counted=a, reason="盘点")
                else:
                    stock_dispose(actor=actor, lot_id=lot.pk, quantity=a, reason="过期")
            elif kind == "transfer":
                transfer = transfer_send(actor=actor, from_store_id=here.pk, to_store_id=there.pk, lines=[(item.pk, a)])
                if b:
                    transfer_receive(actor=actor, transfer_id=transfer.pk)
        except DomainError:
            assert _snapshot(stores) == before, f"a refused {kind} changed something"
        for lot in Lot.objects.filter(store_id__in=stores):
            ledger = Movement.objects.filter(lot=lot).aggregate(total=Sum("quantity"))["total"] or 0
            assert lot.quantity == ledger >= 0
            last = Movement.objects.filter(lot=lot).order_by("-pk").first()
            assert last is None or last.balance_after == lot.quantity
