"""Disinfection API: points with overdue flags, overdue per grid, logs with the product from the ledger; recycling."""

from __future__ import annotations

import pytest

from fangxian.core.testing import COMMUNITY_A, GRID_A1, GRID_A2, login
from fangxian.supplies.tests.test_disinfection_services import chlorine_lot, points  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db
BASE = "/api/v1/supplies"


def post(client, path, body):
    return client.post(BASE + path, body, content_type="application/json")


def test_points_overdue_and_a_log(client, world, points, chlorine_lot):  # noqa: F811
    login(client, world.users["worker_a"])
    listed = {p["name"]: p for p in client.get(BASE + "/disinfection/points").json()}
    assert set(listed) == {"1号楼电梯", "东门", "2号楼楼道"}
    assert listed["1号楼电梯"]["overdue"] and not listed["东门"]["overdue"] and listed["2号楼楼道"]["due_at"] is None
    overdue = client.get(BASE + "/disinfection/overdue").json()
    assert {g["area_code"]: g["overdue"] for g in overdue["by_grid"]} == {GRID_A1: 1, GRID_A2: 1}
    created = post(
        client, "/disinfection/logs", {"point_id": points["lift"].pk, "lot_id": chlorine_lot.pk, "quantity": 3}
    )
    assert created.status_code == 201 and created.json()["movement_id"]
    assert {g["area_code"] for g in client.get(BASE + "/disinfection/overdue").json()["by_grid"]} == {GRID_A2}
    assert post(client, "/disinfection/logs", {"point_id": points["b"].pk}).status_code == 404
    short = post(
        client, "/disinfection/logs", {"point_id": points["gate"].pk, "lot_id": chlorine_lot.pk, "quantity": 99}
    )
    assert short.status_code == 400 and short.json()["code"] == "insufficient_stock"
    assert len(client.get(BASE + "/disinfection/logs").json()) == 1


def test_recycling_and_refusals(client, world):
    login(client, world.users["commander_a"])
    created = post(
        client, "/disinfection/points", {"area_code": GRID_A1, "name": "西门", "kind": "gate", "every_hours": 12}
    )
    assert created.status_code == 201 and created.json()["overdue"] is True
    assert post(client, "/disinfection/points", {"area_code": GRID_A1, "name": "x", "kind": "moon"}).status_code == 400
    client.logout()
    login(client, world.users["guard_a"])
    assert client.get(BASE + "/disinfection/points").status_code == 403
    assert post(client, "/recycling/collections", {"point_id": 1}).status_code in (403, 404)
    client.logout()
    login(client, world.users["worker_a"])
    from fangxian.supplies.services.disinfection import recycling_point_create

    bin_ = recycling_point_create(actor=world.actor("commander_a"), area_code=COMMUNITY_A, name="口罩回收桶")
    collected = post(client, "/recycling/collections", {"point_id": bin_.pk, "bags": 3, "note": "满"})
    assert collected.status_code == 201 and collected.json()["bags"] == 3
    assert [p["name"] for p in client.get(BASE + "/recycling/points").json()] == ["口罩回收桶"]
    assert client.get(BASE + "/recycling/collections").json()[0]["note"] == "满"
    assert post(client, "/recycling/collections", {"point_id": bin_.pk, "bags": 0}).status_code == 422
