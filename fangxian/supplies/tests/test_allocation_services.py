"""Allocation services: shares by need with reasons, adjusting by hand, issuing one transfer per community."""

from __future__ import annotations

import pytest
from django.db.models import Sum
from django.utils import translation

from fangxian.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangxian.core.testing import COMMUNITY_A, COMMUNITY_B, GRID_A1, GRID_B1, STREET_1, STREET_2
from fangxian.health.models import HealthCase
from fangxian.registry.models import Resident, Vulnerability
from fangxian.supplies.models import AllocationStatus, Item, Lot, Store, Transfer
from fangxian.supplies.selectors.allocation import communities_without_store, community_needs
from fangxian.supplies.services.allocation import allocation_adjust, allocation_issue, allocation_propose
from fangxian.supplies.services.stock import stock_receive

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def mask():
    return Item.objects.get(code="mask-n95")  # one per person per day


@pytest.fixture
def setup(world, mask):
    """Street 1's warehouse holds 100 masks; A has 6 residents (one vulnerable, one quarantined), B 2."""
    warehouse = Store.objects.create(area_code=STREET_1, name="街道仓库", kind="street")
    store_a = Store.objects.create(area_code=COMMUNITY_A, name="甲社区仓库", kind="community")
    store_b = Store.objects.create(area_code=COMMUNITY_B, name="乙社区仓库", kind="community")
    stock_receive(actor=world.actor("street1"), store_id=warehouse.pk, item_id=mask.pk, quantity=100)
    stock_receive(actor=world.actor("worker_b"), store_id=store_b.pk, item_id=mask.pk, quantity=10)
    residents = [
        Resident.objects.create(area_code=GRID_A1, household=world.households["A1"], name=f"甲{i}", sex="F")
        for i in range(6)
    ]
    for i in range(2):
        Resident.objects.create(area_code=GRID_B1, household=world.households["B1"], name=f"乙{i}", sex="M")
    Vulnerability.objects.create(area_code=GRID_A1, resident=residents[0], kind="elderly_alone")
    HealthCase.objects.create(
        area_code=GRID_A1,
        resident=residents[1],
        household=world.households["A1"],
        kind="home_quarantine",
        starts_on="2026-11-20",
        ends_on="2026-12-04",
    )
    return {"warehouse": warehouse, "a": store_a, "b": store_b}


def test_needs_count_people_stock_and_front_line_by_community(world, mask, setup):
    needs = {n.code: n for n in community_needs(actor=world.actor("street1"), area_code=STREET_1, item=mask)}
    a, b = needs[COMMUNITY_A], needs[COMMUNITY_B]
    assert (a.residents, a.vulnerable, a.quarantined, b.residents) == (6, 1, 1, 2)
    # Personas of community A: commander, worker, two grid workers, guard, volunteer, counsellor (not front line).
    assert a.front_line == 6 and b.front_line == 5
    assert (a.on_hand, b.on_hand, a.store, b.store) == (0, 10, setup["a"], setup["b"])
    assert COMMUNITY_A not in {
        n.code for n in community_needs(actor=world.actor("street2"), area_code=STREET_1, item=mask)
    }


def test_propose_raises_the_worst_off_first_and_explains_each_share(world, mask, setup):
    allocation = allocation_propose(
        actor=world.actor("street1"), item_id=mask.pk, from_store_id=setup["warehouse"].pk, total=60
    )
    shares = {s.area_code: s for s in allocation.shares.all()}
    # daily need: A = 6 + 0.5 + 1 + 3*6 = 25.5; B = 2 + 3*5 = 17, holding 10.
    assert float(shares[COMMUNITY_A].daily_need) == pytest.approx(25.5)
    assert float(shares[COMMUNITY_B].daily_need) == pytest.approx(17)
    assert shares[COMMUNITY_A].share + shares[COMMUNITY_B].share == 60
    level = (60 + 10) / (25.5 + 17)
    for row in shares.values():
        assert (row.on_hand + row.share) / float(row.daily_need) == pytest.approx(level, abs=1 / 17)
    reason = shares[COMMUNITY_A].reason
    assert "population 6, 1 vulnerable, 1 under quarantine, 6 front-line workers" in reason
    assert "holds 0, enough for 0.0 days" in reason and "this share brings it to" in reason
    assert allocation.status == AllocationStatus.DRAFT and allocation.coverage_days is not None


def test_only_officials_of_the_warehouse_allocate(world, mask, setup):
    with pytest.raises(PermissionDenied):
        allocation_propose(
            actor=world.actor("commander_a"), item_id=mask.pk, from_store_id=setup["warehouse"].pk, total=5
        )
    with pytest.raises(NotFound):
        allocation_propose(actor=world.actor("street2"), item_id=mask.pk, from_store_id=setup["warehouse"].pk, total=5)
    with pytest.raises(NotFound):  # a community store is not a warehouse
        allocation_propose(actor=world.actor("street1"), item_id=mask.pk, from_store_id=setup["a"].pk, total=5)
    with pytest.raises(DomainError) as short:
        allocation_propose(
            actor=world.actor("street1"), item_id=mask.pk, from_store_id=setup["warehouse"].pk, total=101
        )
    assert short.value.code == "short"


def test_adjust_keeps_the_sum_within_the_total(world, mask, setup):
    actor = world.actor("street1")
    allocation = allocation_propose(actor=actor, item_id=mask.pk, from_store_id=setup["warehouse"].pk, total=60)
    with pytest.raises(DomainError) as over:
        allocation_adjust(actor=actor, allocation_id=allocation.pk, shares={COMMUNITY_A: 55, COMMUNITY_B: 10})
    assert over.value.code == "over_total"
    allocation_adjust(actor=actor, allocation_id=allocation.pk, shares={COMMUNITY_A: 40, COMMUNITY_B: 20})
    shares = {s.area_code: s for s in allocation.shares.all()}
    assert (shares[COMMUNITY_A].share, shares[COMMUNITY_B].share) == (40, 20)
    assert shares[COMMUNITY_A].adjusted and shares[COMMUNITY_A].reason.startswith("adjusted by hand")
    with pytest.raises(DomainError):
        allocation_adjust(actor=actor, allocation_id=allocation.pk, shares={"370202002001": 1})


def test_issue_sends_one_transfer_per_community_once(world, mask, setup):
    actor = world.actor("street1")
    allocation = allocation_propose(actor=actor, item_id=mask.pk, from_store_id=setup["warehouse"].pk, total=60)
    allocation_issue(actor=actor, allocation_id=allocation.pk)
    allocation.refresh_from_db()
    assert allocation.status == AllocationStatus.ISSUED and allocation.issued_at
    transfers = Transfer.objects.filter(from_store=setup["warehouse"])
    assert {t.to_store_id for t in transfers} == {setup["a"].pk, setup["b"].pk}
    assert Lot.objects.filter(store=setup["warehouse"]).aggregate(s=Sum("quantity"))["s"] == 40
    assert all(s.transfer_id for s in allocation.shares.all())
    with pytest.raises(Conflict):
        allocation_issue(actor=actor, allocation_id=allocation.pk)
    with pytest.raises(Conflict):
        allocation_adjust(actor=actor, allocation_id=allocation.pk, shares={COMMUNITY_A: 1})


def test_a_community_without_a_store_is_left_out_and_reported(world, mask, setup):
    setup["b"].active = False
    setup["b"].save()
    actor = world.actor("street1")
    allocation = allocation_propose(actor=actor, item_id=mask.pk, from_store_id=setup["warehouse"].pk, total=30)
    assert [s.area_code for s in allocation.shares.all()] == [COMMUNITY_A]
    assert [a.code for a in communities_without_store(actor=actor, allocation=allocation)] == [COMMUNITY_B]


def test_a_request_caps_the_share(world, mask, setup):
    from fangxian.supplies.models import RequestLine, SupplyRequest

    request = SupplyRequest.objects.create(
        area_code=COMMUNITY_A, to_area_code=STREET_1, store=setup["a"], justification="缺口罩"
    )
    RequestLine.objects.create(request=request, item=mask, quantity=5)
    allocation = allocation_propose(
        actor=world.actor("street1"), item_id=mask.pk, from_store_id=setup["warehouse"].pk, total=60
    )
    shares = {s.area_code: s for s in allocation.shares.all()}
    assert shares[COMMUNITY_A].share == 5 and shares[COMMUNITY_A].requested == 5
    assert shares[COMMUNITY_B].share == 55
    assert "asked for 5" in shares[COMMUNITY_A].reason
    assert STREET_2 not in {s.area_code[:9] for s in shares.values()}


def test_an_item_nobody_uses_daily_is_refused(world, setup):
    sprayer = Item.objects.get(code="sprayer")  # no use per person per day
    stock_receive(actor=world.actor("street1"), store_id=setup["warehouse"].pk, item_id=sprayer.pk, quantity=5)
    with pytest.raises(DomainError) as refused:
        allocation_propose(
            actor=world.actor("street1"), item_id=sprayer.pk, from_store_id=setup["warehouse"].pk, total=5
        )
    assert refused.value.code == "no_daily_use"


def test_shares_and_their_changes_are_in_the_audit_trail(world, mask, setup):
    from fangxian.core.models import AuditEvent

    actor = world.actor("street1")
    allocation = allocation_propose(actor=actor, item_id=mask.pk, from_store_id=setup["warehouse"].pk, total=60)
    allocation_adjust(actor=actor, allocation_id=allocation.pk, shares={COMMUNITY_A: 30, COMMUNITY_B: 30})
    events = AuditEvent.objects.filter(object_type="supplies.allocation", object_id=str(allocation.pk))
    assert {"bulk_create", "update"} <= set(events.values_list("action", flat=True))
    reason = allocation.shares.get(area_code=COMMUNITY_A).reason
    assert reason.startswith("adjusted by hand; population 6,")


def test_issue_is_all_or_nothing_when_the_warehouse_ran_short(world, mask, setup):
    from fangxian.supplies.services.stock import stock_issue

    actor = world.actor("street1")
    allocation = allocation_propose(actor=actor, item_id=mask.pk, from_store_id=setup["warehouse"].pk, total=60)
    stock_issue(
        actor=actor, store_id=setup["warehouse"].pk, item_id=mask.pk, quantity=50, recipient_kind="team", recipient="队"
    )
    with pytest.raises(DomainError) as short:
        allocation_issue(actor=actor, allocation_id=allocation.pk)
    assert short.value.code == "insufficient_stock"
    allocation.refresh_from_db()
    assert allocation.status == AllocationStatus.DRAFT and not Transfer.objects.exists()
    assert Lot.objects.filter(store=setup["warehouse"]).aggregate(s=Sum("quantity"))["s"] == 50
