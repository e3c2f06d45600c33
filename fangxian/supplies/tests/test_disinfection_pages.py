"""Disinfection pages: points with the overdue highlighted, the phone form, logs, mask recycling."""

from __future__ import annotations

import pytest

from fangxian.core.testing import COMMUNITY_A, GRID_A1, login
from fangxian.supplies.models import DisinfectionLog, DisinfectionPoint, RecyclingCollection, RecyclingPoint
from fangxian.supplies.tests.test_disinfection_services import chlorine_lot, points  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(client, world):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, world.users["worker_a"])
    return client


def test_points_page_highlights_overdue_and_the_phone_form_logs(worker, points, chlorine_lot):  # noqa: F811
    page = worker.get("/supplies/disinfection/").content.decode()
    assert page.count('data-overdue="1"') == 2 and "乙垃圾点" not in page and "overdue-by-grid" in page
    form = worker.get(f"/supplies/disinfection/{points['lift'].pk}/log/")
    assert form.status_code == 200 and "Chlorine disinfectant tablets" in form.content.decode()
    half = worker.post(f"/supplies/disinfection/{points['lift'].pk}/log/", {"lot": chlorine_lot.pk})
    assert half.status_code == 400 and "or neither" in half.content.decode()
    done = worker.post(f"/supplies/disinfection/{points['lift'].pk}/log/", {"lot": chlorine_lot.pk, "quantity": 2})
    assert done.status_code == 302
    log = DisinfectionLog.objects.get()
    assert log.movement.quantity == -2
    assert worker.get("/supplies/disinfection/").content.decode().count('data-overdue="1"') == 1
    assert "Chlorine disinfectant tablets 2" in worker.get("/supplies/disinfection/logs/").content.decode()
    assert worker.get(f"/supplies/disinfection/{points['b'].pk}/log/").status_code == 404


def test_a_commander_adds_points_and_bins_and_a_worker_collects(client, world):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, world.users["commander_a"])
    added = client.post(
        "/supplies/disinfection/", {"area_code": GRID_A1, "name": "5号楼电梯", "kind": "lift", "every_hours": 6}
    )
    assert added.status_code == 302 and DisinfectionPoint.objects.get().every_hours == 6
    added = client.post("/supplies/recycling/", {"action": "point", "area_code": COMMUNITY_A, "name": "东门回收桶"})
    assert added.status_code == 302
    bin_ = RecyclingPoint.objects.get()
    collected = client.post("/supplies/recycling/", {"action": "collect", "point": bin_.pk, "bags": 2, "note": "满"})
    assert collected.status_code == 302 and RecyclingCollection.objects.get().bags == 2
    assert "2 bags" in client.get("/supplies/recycling/").content.decode()
    client.logout()
    login(client, world.users["grid_a1"])
    refused = client.post(
        "/supplies/disinfection/", {"area_code": GRID_A1, "name": "x", "kind": "lift", "every_hours": 6}
    )
    assert refused.status_code == 403
    client.logout()
    login(client, world.users["guard_a"])
    assert client.get("/supplies/disinfection/").status_code == 403
