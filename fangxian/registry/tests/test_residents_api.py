"""Residents API: scoped and masked lists with cursor pages, detail, create, update, households."""

from __future__ import annotations

import json

import pytest

from fangxian.core.testing import login
from fangxian.registry.models.residents import Resident
from fangxian.registry.tests.test_residents_services import ZHANG_ID, register

pytestmark = pytest.mark.django_db
BASE = "/api/v1/registry/residents/"


@pytest.fixture
def zhang(world):
    return register(world, id_number=ZHANG_ID, phone="13812345678")


def post(client, url, data, method="post"):
    return getattr(client, method)(url, data=json.dumps(data), content_type="application/json")


def test_list_is_masked_and_searchable(client, world, zhang):
    login(client, world.users["grid_a1"])
    body = client.get(BASE, {"q": "zsf"}).json()
    assert [item["name"] for item in body["items"]] == ["张三丰"]
    item = body["items"][0]
    assert item["id_number"] == f"370202********{ZHANG_ID[-4:]}"
    assert item["phone"] == "138****5678"
    assert item["birth_date"] == "1950-05-06"
    assert ZHANG_ID not in json.dumps(body)


def test_list_pages_with_a_cursor(client, world):
    for index in range(5):
        register(world, name=f"测试{index}")
    login(client, world.users["grid_a1"])
    first = client.get(BASE, {"limit": 2}).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    seen = [item["id"] for item in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = client.get(BASE, {"limit": 2, "after": cursor}).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
    assert seen == sorted(Resident.objects.values_list("pk", flat=True))


def test_list_of_a_sibling_grid_is_empty_and_detail_404(client, world, zhang):
    login(client, world.users["grid_a2"])
    assert client.get(BASE).json()["items"] == []
    assert client.get(f"{BASE}{zhang.pk}").status_code == 404


def test_detail(client, world, zhang):
    login(client, world.users["commander_a"])
    body = client.get(f"{BASE}{zhang.pk}").json()
    assert body["name"] == "张三丰" and body["name_initials"] == "zsf"
    assert body["address"] == str(zhang.household.address)


def test_create_and_update(client, world):
    login(client, world.users["grid_a1"])
    household = world.households["A1"]
    response = post(
        client,
        BASE,
        {
            "household_id": household.pk,
            "name": "李四",
            "id_number": ZHANG_ID,
            "phone": "139 0000 1111",
            "relation": "spouse",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["sex"], body["phone"], body["relation"]) == ("M", "139****1111", "spouse")
    response = post(client, f"{BASE}{body['id']}", {"employer": "青岛港", "phone": ""}, method="patch")
    assert response.status_code == 200, response.content
    assert response.json()["employer"] == "青岛港"
    assert response.json()["phone"] == "139****1111"


def test_create_refuses_a_bad_id_number_with_a_json_error(client, world):
    login(client, world.users["grid_a1"])
    response = post(
        client, BASE, {"household_id": world.households["A1"].pk, "name": "李四", "id_number": "370202195005061230"}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


def test_create_in_a_sibling_household_is_404(client, world):
    login(client, world.users["grid_a1"])
    response = post(client, BASE, {"household_id": world.households["A2"].pk, "name": "李四", "sex": "F"})
    assert response.status_code == 404


def test_street_official_may_not_create(client, world):
    login(client, world.users["street1"])
    response = post(client, BASE, {"household_id": world.households["A1"].pk, "name": "李四", "sex": "F"})
    assert response.status_code == 403


def test_households_list_and_detail(client, world, zhang):
    login(client, world.users["grid_a1"])
    items = client.get(f"{BASE}households").json()["items"]
    assert [item["id"] for item in items] == [world.households["A1"].pk]
    body = client.get(f"{BASE}households/{zhang.household_id}").json()
    assert [member["name"] for member in body["members"]] == ["张三丰"]
    assert client.get(f"{BASE}households/{world.households['A2'].pk}").status_code == 404


def test_move_and_deregister_keep_history(client, world, zhang):
    login(client, world.users["worker_a"])
    target = world.households["A2"]
    response = post(client, f"{BASE}{zhang.pk}/move", {"household_id": target.pk, "reason": "换房"})
    assert response.status_code == 200, response.content
    assert response.json()["area_code"] == target.area_code
    response = post(client, f"{BASE}{zhang.pk}/deregister", {"status": "deceased", "reason": "病故"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "deceased" and body["status_changed_on"]
    assert [step["kind"] for step in body["history"]] == ["deregister", "move"]


def test_grid_worker_cannot_move_into_a_sibling_grid(client, world, zhang):
    login(client, world.users["grid_a1"])
    response = post(client, f"{BASE}{zhang.pk}/move", {"household_id": world.households["A2"].pk})
    assert response.status_code == 404
    assert client.get(f"{BASE}{zhang.pk}").json()["area_code"] == zhang.area_code


def test_household_detail_lists_open_tasks(client, world, zhang):
    from fangxian.command.models import Task

    Task.objects.create(area_code=zhang.area_code, title="上门送药", source_ref=f"areas.household:{zhang.household_id}")
    login(client, world.users["grid_a1"])
    body = client.get(f"{BASE}households/{zhang.household_id}").json()
    assert [task["title"] for task in body["open_tasks"]] == ["上门送药"]
