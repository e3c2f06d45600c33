"""Emergency pages: list, detail, declare, change level, end; the banner on every page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fangxian.command.models import Emergency, EmergencyKind, EmergencyLevelChange
from fangxian.command.tests.factories_emergencies import make_emergency
from fangxian.command.tests.factories_plans import make_plan
from fangxian.core.testing import COMMUNITY_A, COMMUNITY_B, STREET_1, login

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    # Messages are asserted in English, the source language (the default is Chinese).
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def _declare_data(**kwargs):
    return {
        "area_code": COMMUNITY_A,
        "kind": "epidemic",
        "level": "2",
        "title": "甲社区新冠疫情",
        "description": "",
        "started_at": "",
        **kwargs,
    }


def test_commander_declares_from_the_page(world, client):
    login(client, world.users["commander_a"])
    page = client.get("/command/emergencies/declare/")
    assert page.status_code == 200 and COMMUNITY_A in page.content.decode()
    assert COMMUNITY_B not in page.content.decode()
    response = client.post("/command/emergencies/declare/", _declare_data())
    emergency = Emergency.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/command/emergencies/{emergency.pk}/"
    detail = client.get(response["Location"]).content.decode()
    assert "甲社区新冠疫情" in detail and 'data-testid="level-history"' in detail and "Declared" in detail


def test_bad_input_on_the_declare_page_gets_clear_messages(world, client):
    login(client, world.users["commander_a"])
    future = (timezone.localtime() + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post("/command/emergencies/declare/", _declare_data(started_at=future))
    assert response.status_code == 400 and "cannot start in the future" in response.content.decode()
    response = client.post("/command/emergencies/declare/", _declare_data(level="5"))
    assert response.status_code == 400 and 'data-testid="form-error"' in response.content.decode()
    response = client.post("/command/emergencies/declare/", _declare_data(area_code=COMMUNITY_B))
    assert response.status_code == 400 and 'data-testid="form-error"' in response.content.decode()
    make_emergency(COMMUNITY_A)
    response = client.post("/command/emergencies/declare/", _declare_data())
    assert response.status_code == 400 and "already active" in response.content.decode()
    assert Emergency.objects.count() == 1


def test_pages_without_the_capability_are_forbidden(world, client):
    emergency = make_emergency(COMMUNITY_A)
    login(client, world.users["worker_a"])
    assert client.get("/command/emergencies/").status_code == 200
    assert client.get("/command/emergencies/declare/").status_code == 403
    assert client.get(f"/command/emergencies/{emergency.pk}/level/").status_code == 403
    assert client.post(f"/command/emergencies/{emergency.pk}/end/").status_code == 403
    client.logout()
    login(client, world.users["resident_a1"])
    assert client.get("/command/emergencies/").status_code == 403
    assert client.get(f"/command/emergencies/{emergency.pk}/").status_code == 403


def test_anonymous_is_sent_to_login(world, client):
    response = client.get("/command/emergencies/declare/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_siblings_emergency_is_not_found(world, client):
    emergency = make_emergency(COMMUNITY_B, title="乙社区疫情")
    login(client, world.users["commander_a"])
    assert client.get(f"/command/emergencies/{emergency.pk}/").status_code == 404
    assert client.get(f"/command/emergencies/{emergency.pk}/level/").status_code == 404
    assert client.post(f"/command/emergencies/{emergency.pk}/end/").status_code == 404
    assert "乙社区疫情" not in client.get("/command/emergencies/").content.decode()


def test_level_change_and_end_from_the_detail_page(world, client):
    emergency = make_emergency(COMMUNITY_A, level=3)
    login(client, world.users["commander_a"])
    assert 'data-testid="level-form"' in client.get(f"/command/emergencies/{emergency.pk}/").content.decode()
    response = client.post(f"/command/emergencies/{emergency.pk}/level/", {"level": "3", "reason": "x"})
    assert response.status_code == 400 and "already at this level" in response.content.decode()
    response = client.post(f"/command/emergencies/{emergency.pk}/level/", {"level": "1", "reason": "出现聚集性病例"})
    assert response.status_code == 302
    assert EmergencyLevelChange.objects.filter(emergency=emergency, to_level=1, reason="出现聚集性病例").exists()
    response = client.post(f"/command/emergencies/{emergency.pk}/end/", {"note": "解除"}, follow=True)
    assert "The emergency has ended." in response.content.decode()
    emergency.refresh_from_db()
    assert not emergency.is_active and emergency.end_note == "解除"


def test_a_commander_sees_the_streets_emergency_without_the_controls(world, client):
    emergency = make_emergency(STREET_1, title="街道洪水", kind=EmergencyKind.FLOOD)
    login(client, world.users["commander_a"])
    page = client.get(f"/command/emergencies/{emergency.pk}/").content.decode()
    assert "街道洪水" in page and 'data-testid="level-form"' not in page
    assert client.post(f"/command/emergencies/{emergency.pk}/end/").status_code == 403


def test_list_puts_active_emergencies_first(world, client):
    make_emergency(COMMUNITY_A, title="旧的已结束", ended=True, started_at=timezone.now() - dt.timedelta(hours=1))
    make_emergency(COMMUNITY_A, title="新的进行中", started_at=timezone.now() - dt.timedelta(days=3))
    login(client, world.users["commander_a"])
    body = client.get("/command/emergencies/").content.decode()
    assert body.index("新的进行中") < body.index("旧的已结束")
    assert "旧的已结束" not in client.get("/command/emergencies/?state=active").content.decode()


def test_the_banner_shows_the_level_on_every_page(world, client):
    make_emergency(COMMUNITY_A, title="甲社区疫情", level=2)
    login(client, world.users["grid_a1"])
    for url in ("/home/", "/command/emergencies/", "/accounts/me/"):
        body = client.get(url, follow=True).content.decode()
        assert 'data-testid="emergency-banner"' in body and "甲社区疫情" in body, url
    client.logout()
    login(client, world.users["commander_b"])
    assert "甲社区疫情" not in client.get("/home/", follow=True).content.decode()


def test_the_detail_offers_the_plans_to_activate(world, client):
    emergency = make_emergency(COMMUNITY_A)
    plan = make_plan(COMMUNITY_A, title="疫情预案", actions=[{"title": "a"}])
    make_plan(COMMUNITY_A, title="防汛预案", hazard=EmergencyKind.FLOOD)
    login(client, world.users["commander_a"])
    body = client.get(f"/command/emergencies/{emergency.pk}/").content.decode()
    assert f"/command/plans/{plan.pk}/activate/?emergency={emergency.pk}" in body and "防汛预案" not in body
