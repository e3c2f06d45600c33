"""Allocation pages: new allocation, the shares with reasons, adjust by hand, issue; refused to others."""

from __future__ import annotations

import pytest

from fangxian.core.testing import COMMUNITY_A, COMMUNITY_B, login
from fangxian.supplies.models import Allocation, AllocationStatus, Transfer
from fangxian.supplies.tests.test_allocation_services import mask, setup  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


@pytest.fixture
def official(client, world):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, world.users["street1"])
    return client


def test_an_official_proposes_adjusts_and_issues(official, mask, setup):  # noqa: F811
    page = official.get("/supplies/allocations/new/")
    assert page.status_code == 200 and "街道仓库" in page.content.decode()
    response = official.post(
        "/supplies/allocations/new/", {"item": mask.pk, "from_store": setup["warehouse"].pk, "total": 60}
    )
    allocation = Allocation.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/supplies/allocations/{allocation.pk}/"
    detail = official.get(response["Location"]).content.decode()
    assert "front-line workers" in detail and "this share brings it to" in detail and "测试甲社区" in detail
    over = official.post(
        response["Location"], {f"share_{COMMUNITY_A}": 50, f"share_{COMMUNITY_B}": 20, "action": "adjust"}
    )
    assert over.status_code == 400 and "more than the 60 to share" in over.content.decode()
    issued = official.post(
        response["Location"], {f"share_{COMMUNITY_A}": 40, f"share_{COMMUNITY_B}": 20, "action": "issue"}
    )
    assert issued.status_code == 302
    allocation.refresh_from_db()
    assert allocation.status == AllocationStatus.ISSUED
    assert sorted(t.lines.get().quantity for t in Transfer.objects.all()) == [20, 40]
    assert "allocation-row" in official.get("/supplies/allocations/").content.decode()


def test_a_short_warehouse_is_said_on_the_form(official, mask, setup):  # noqa: F811
    response = official.post(
        "/supplies/allocations/new/", {"item": mask.pk, "from_store": setup["warehouse"].pk, "total": 500}
    )
    assert response.status_code == 400 and "holds only 100" in response.content.decode()


def test_community_staff_and_another_street_are_refused(client, world, mask, setup):  # noqa: F811
    login(client, world.users["street1"])
    client.post("/supplies/allocations/new/", {"item": mask.pk, "from_store": setup["warehouse"].pk, "total": 10})
    allocation = Allocation.objects.get()
    client.logout()
    login(client, world.users["commander_a"])
    assert client.get("/supplies/allocations/").status_code == 403
    assert client.get(f"/supplies/allocations/{allocation.pk}/").status_code == 403
    client.logout()
    login(client, world.users["street2"])
    assert client.get(f"/supplies/allocations/{allocation.pk}/").status_code == 404
    assert "街道仓库" not in client.get("/supplies/allocations/new/").content.decode()
