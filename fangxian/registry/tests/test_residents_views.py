"""Residents pages: search masked by default, record, register, edit, move, deregister, household."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fangxian.command.models import Task
from fangxian.core.testing import GRID_A1, GRID_A2, login
from fangxian.registry.models.residents import Resident, ResidentMove, ResidentStatus, Vulnerability
from fangxian.registry.tests.test_residents_services import ZHANG_ID, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def zhang(world):
    return register(world, id_number=ZHANG_ID, phone="13812345678")


def test_search_page_finds_by_initials_and_masks_numbers(client, world, zhang):
    login(client, world.users["grid_a1"])
    response = client.get(reverse("registry:residents"), {"q": "zsf"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "张三丰" in body
    assert "138****5678" in body
    assert "13812345678" not in body
    assert ZHANG_ID not in body


def test_search_page_of_another_grid_shows_nobody(client, world, zhang):
    login(client, world.users["grid_a2"])
    body = client.get(reverse("registry:residents"), {"q": "zsf"}).content.decode()
    assert "张三丰" not in body


def test_resident_page_masks_and_offers_reveal(client, world, zhang):
    login(client, world.users["grid_a1"])
    body = client.get(reverse("registry:resident_detail", args=[zhang.pk])).content.decode()
    assert f"370202********{ZHANG_ID[-4:]}" in body
    assert ZHANG_ID not in body
    assert reverse("core:reveal", args=["registry.resident", zhang.pk, "id_number"]) in body


def test_reveal_of_the_id_number_is_audited(client, world, zhang):
    from fangxian.core.models import AuditEvent

    login(client, world.users["grid_a1"])
    url = reverse("core:reveal", args=["registry.resident", zhang.pk, "id_number"])
    response = client.post(url, {"reason": "核实身份"})
    assert ZHANG_ID in response.content.decode()
    assert AuditEvent.objects.filter(action="reveal", object_id=str(zhang.pk)).exists()


def test_sibling_grid_gets_404_on_the_resident_and_its_forms(client, world, zhang):
    login(client, world.users["grid_a2"])
    for name in ("resident_detail", "resident_edit", "resident_move", "resident_deregister"):
        assert client.get(reverse(f"registry:{name}", args=[zhang.pk])).status_code == 404, name


def test_street_official_reads_but_may_not_edit(client, world, zhang):
    login(client, world.users["street1"])
    assert client.get(reverse("registry:resident_detail", args=[zhang.pk])).status_code == 200
    assert client.get(reverse("registry:resident_edit", args=[zhang.pk])).status_code == 403


def test_resident_role_may_not_search(client, world):
    login(client, world.users["resident_a1"])
    assert client.get(reverse("registry:residents")).status_code == 403


def test_register_from_the_household_page(client, world):
    household = world.households["A1"]
    login(client, world.users["grid_a1"])
    url = reverse("registry:resident_create") + f"?household={household.pk}"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "name": "王五",
            "document_type": "id_card",
            "id_number": ZHANG_ID,
            "phone": "13900001111",
            "relation": "head",
            "residence_type": "tenant",
        },
    )
    assert response.status_code == 302
    resident = Resident.objects.get(name="王五")
    assert (resident.sex, resident.household_id, resident.residence_type) == ("M", household.pk, "tenant")


def test_register_shows_errors_in_the_form(client, world):
    household = world.households["A1"]
    login(client, world.users["grid_a1"])
    url = reverse("registry:resident_create") + f"?household={household.pk}"
    response = client.post(
        url,
        {
            "name": "王五",
            "document_type": "id_card",
            "id_number": "370202195005061230",
            "relation": "head",
            "residence_type": "tenant",
        },
    )
    assert response.status_code == 200
    assert 'data-testid="error-id_number"' in response.content.decode()
    assert not Resident.objects.filter(name="王五").exists()


def test_register_in_a_sibling_household_is_404(client, world):
    login(client, world.users["grid_a1"])
    url = reverse("registry:resident_create") + f"?household={world.households['A2'].pk}"
    assert client.get(url).status_code == 404


def test_edit_keeps_the_phone_when_left_empty(client, world, zhang):
    login(client, world.users["grid_a1"])
    response = client.post(
        reverse("registry:resident_edit", args=[zhang.pk]),
        {
            "name": "张三丰",
            "sex": "M",
            "document_type": "id_card",
            "relation": "head",
            "residence_type": "registered",
            "employer": "青岛港",
        },
    )
    assert response.status_code == 302
    zhang.refresh_from_db()
    assert zhang.employer == "青岛港"
    assert zhang.phone_masked == "138****5678"


def test_move_and_deregister_through_the_pages(client, world, zhang):
    login(client, world.users["worker_a"])
    target = world.households["A2"]
    page = client.get(reverse("registry:resident_move", args=[zhang.pk])).content.decode()
    assert f'value="{target.pk}"' in page
    response = client.post(
        reverse("registry:resident_move", args=[zhang.pk]), {"household": target.pk, "reason": "换房"}
    )
    assert response.status_code == 302
    zhang.refresh_from_db()
    assert zhang.area_code == GRID_A2
    response = client.post(
        reverse("registry:resident_deregister", args=[zhang.pk]),
        {"status": ResidentStatus.MOVED_AWAY, "reason": "迁出"},
    )
    assert response.status_code == 302
    zhang.refresh_from_db()
    assert zhang.status == ResidentStatus.MOVED_AWAY
    body = client.get(reverse("registry:resident_detail", args=[zhang.pk])).content.decode()
    assert body.count('data-testid="resident-history"') == 1
    assert ResidentMove.objects.filter(resident=zhang).count() == 2
    assert "换房" in body and "迁出" in body


def test_household_page_lists_members_needs_and_open_tasks(client, world, zhang):
    Vulnerability.objects.create(area_code=GRID_A1, resident=zhang, kind="bedridden")
    Task.objects.create(area_code=GRID_A1, title="上门送药", source_ref=f"areas.household:{zhang.household_id}")
    login(client, world.users["grid_a1"])
    body = client.get(reverse("registry:household", args=[zhang.household_id])).content.decode()
    assert "张三丰" in body
    assert 'data-testid="household-need"' in body
    assert "上门送药" in body
    assert "138****5678" in body and "13812345678" not in body


def test_household_page_of_a_sibling_is_404(client, world):
    login(client, world.users["grid_a1"])
    assert client.get(reverse("registry:household", args=[world.households["A2"].pk])).status_code == 404


def test_search_page_links_to_the_masked_export(world, client):
    from fangxian.core.testing import login

    login(client, world.users["worker_a"])
    body = client.get("/registry/residents/?status=active", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Export to Excel (masked)" in body and "/registry/residents/export.xlsx?status=active" in body
    response = client.get("/registry/residents/export.xlsx?status=active")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
