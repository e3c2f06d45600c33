"""Disinfection services: points, logs drawing the product from the ledger, overdue points, mask recycling."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fangxian.core.errors import DomainError, NotFound, PermissionDenied
from fangxian.core.testing import COMMUNITY_A, GRID_A1, GRID_A2, GRID_B1
from fangxian.supplies.models import DisinfectionPoint, Item, Lot, Movement, Store
from fangxian.supplies.selectors.disinfection import overdue_by_grid, overdue_points, point_list
from fangxian.supplies.services.disinfection import (
    disinfection_log_create,
    disinfection_point_create,
    recycling_collection_log,
    recycling_point_create,
)
from fangxian.supplies.services.stock import stock_receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def points(world):
    now = timezone.now()
    return {
        "lift": DisinfectionPoint.objects.create(
            area_code=GRID_A1, name="1号楼电梯", kind="lift", every_hours=4, last_done_at=now - dt.timedelta(hours=5)
        ),
        "gate": DisinfectionPoint.objects.create(
            area_code=GRID_A1, name="东门", kind="gate", every_hours=24, last_done_at=now - dt.timedelta(hours=5)
        ),
        "stairs": DisinfectionPoint.objects.create(area_code=GRID_A2, name="2号楼楼道", kind="stairwell"),
        "b": DisinfectionPoint.objects.create(area_code=GRID_B1, name="乙垃圾点", kind="rubbish"),
    }


@pytest.fixture
def chlorine_lot(world):
    store = Store.objects.create(area_code=COMMUNITY_A, name="甲社区仓库", kind="community")
    item = Item.objects.get(code="chlorine-tablets")
    stock_receive(actor=world.actor("worker_a"), store_id=store.pk, item_id=item.pk, quantity=10)
    return Lot.objects.get(store=store, item=item)


def test_overdue_means_never_done_or_past_its_schedule(world, points):
    overdue = set(overdue_points(actor=world.actor("commander_a")).values_list("name", flat=True))
    assert overdue == {"1号楼电梯", "2号楼楼道"}
    assert overdue_by_grid(actor=world.actor("commander_a")) == [
        (GRID_A1, "甲社区第一网格", 1),
        (GRID_A2, "甲社区第二网格", 1),
    ]
    assert set(point_list(actor=world.actor("grid_a1")).values_list("name", flat=True)) == {"1号楼电梯", "东门"}


def test_a_log_draws_the_product_from_the_ledger_and_clears_the_point(world, points, chlorine_lot):
    # The community worker reaches the community's store (a grid worker only stores of their grid).
    log = disinfection_log_create(
        actor=world.actor("worker_a"), point_id=points["lift"].pk, lot_id=chlorine_lot.pk, quantity=2, note="含氯"
    )
    chlorine_lot.refresh_from_db()
    assert chlorine_lot.quantity == 8
    assert (
        log.movement.kind == "issue" and log.movement.quantity == -2 and log.movement.recipient_kind == "disinfection"
    )
    points["lift"].refresh_from_db()
    assert points["lift"].last_done_at == log.at
    assert "1号楼电梯" not in set(overdue_points(actor=world.actor("grid_a1")).values_list("name", flat=True))


def test_a_log_without_a_product_and_refusals(world, points, chlorine_lot):
    log = disinfection_log_create(actor=world.actor("grid_a1"), point_id=points["gate"].pk)
    assert log.movement is None and log.by == world.users["grid_a1"]
    with pytest.raises(NotFound):
        disinfection_log_create(actor=world.actor("grid_a1"), point_id=points["b"].pk)
    with pytest.raises(PermissionDenied):
        disinfection_log_create(actor=world.actor("guard_a"), point_id=points["gate"].pk)
    with pytest.raises(DomainError) as short:
        disinfection_log_create(
            actor=world.actor("worker_a"), point_id=points["gate"].pk, lot_id=chlorine_lot.pk, quantity=11
        )
    assert short.value.code == "insufficient_stock"
    with pytest.raises(DomainError):
        disinfection_log_create(actor=world.actor("worker_a"), point_id=points["gate"].pk, lot_id=chlorine_lot.pk)
    with pytest.raises(NotFound):  # the community's store is outside a grid worker's reach
        disinfection_log_create(
            actor=world.actor("grid_a1"), point_id=points["gate"].pk, lot_id=chlorine_lot.pk, quantity=1
        )
    assert Movement.objects.filter(kind="issue").count() == 0


def test_points_and_recycling_are_kept_by_community_staff(world):
    point = disinfection_point_create(
        actor=world.actor("commander_a"), area_code=GRID_A1, name="3号楼电梯", kind="lift", every_hours=8
    )
    assert point.area_code == GRID_A1
    with pytest.raises(PermissionDenied):
        disinfection_point_create(actor=world.actor("grid_a1"), area_code=GRID_A1, name="x", kind="lift")
    with pytest.raises(NotFound):
        disinfection_point_create(actor=world.actor("commander_a"), area_code=GRID_B1, name="x", kind="lift")
    bin_ = recycling_point_create(actor=world.actor("commander_a"), area_code=COMMUNITY_A, name="东门口罩回收桶")
    collection = recycling_collection_log(actor=world.actor("worker_a"), point_id=bin_.pk, bags=2)
    assert collection.area_code == COMMUNITY_A and collection.bags == 2
    with pytest.raises(DomainError):
        recycling_collection_log(actor=world.actor("worker_a"), point_id=bin_.pk, bags=0)
    with pytest.raises(NotFound):
        recycling_collection_log(actor=world.actor("grid_a1"), point_id=bin_.pk)  # a community bin: not in a grid


def test_a_volunteer_sees_and_logs_the_points_of_their_community_only(world, points):
    volunteer = world.actor("volunteer_a")
    names = sorted(p.name for p in DisinfectionPoint.objects.visible_to(volunteer))
    assert names == sorted(["1号楼电梯", "东门", "2号楼楼道"])
    disinfection_log_create(actor=volunteer, point_id=points["lift"].pk, note="擦拭按钮")
    points["lift"].refresh_from_db()
    assert points["lift"].last_done_at is not None
    with pytest.raises(NotFound):
        disinfection_log_create(actor=volunteer, point_id=points["b"].pk)
    assert not DisinfectionPoint.objects.visible_to(world.actor("volunteer_b")).filter(area_code=GRID_A1).exists()
