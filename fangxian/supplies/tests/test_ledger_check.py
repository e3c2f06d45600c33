"""`fangxian supplies-ledger-check`: silent agreement exits 0; any difference is reported with exit code 1."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from fangxian.core.testing import COMMUNITY_A
from fangxian.supplies.models import Item, Lot, Movement, Store
from fangxian.supplies.services.stock import stock_issue, stock_receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def stocked(world):
    store = Store.objects.create(area_code=COMMUNITY_A, name="仓库", kind="community")
    item = Item.objects.get(code="gloves")
    actor = world.actor("worker_a")
    lot = stock_receive(actor=actor, store_id=store.pk, item_id=item.pk, quantity=20).lot
    stock_issue(actor=actor, store_id=store.pk, item_id=item.pk, quantity=5, recipient_kind="team", recipient="x")
    return store, lot


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("supplies_ledger_check", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue(), err.getvalue()


def test_an_agreeing_ledger_exits_zero(stocked):
    code, out, _err = run()
    assert code == 0 and "agree" in out and "movements checked: 2" in out


def test_a_balance_changed_behind_the_ledger_is_reported(stocked):
    store, lot = stocked
    Lot.objects.filter(pk=lot.pk).update(quantity=99)  # what a raw SQL fix would do
    code, out, err = run()
    assert code == 1 and f"lot {lot.pk}" in out and "on hand 99, ledger 15" in out and "1 difference" in err


def test_a_wrong_balance_after_is_reported_as_json(stocked):
    store, lot = stocked
    Movement.objects.create(
        area_code=lot.area_code, lot=lot, store=store, item=lot.item, kind="adjust", quantity=0, balance_after=7
    )
    code, out, _err = run("--json", "--store", str(store.pk))
    report = json.loads(out)
    assert code == 1 and report["difference_count"] == 1
    assert report["differences"][0]["problem"].startswith("balance after") and report["differences"][0]["ledger"] == 15
