"""Health pages: the public arrival page, the worker's confirmation, cases, My health, check-ins, risk areas."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from fangxian.core.testing import COMMUNITY_A, login
from fangxian.health.models import Arrival, CaseStatus, CheckIn, HealthCase, HealthReport, RiskArea
from fangxian.health.services.cases import case_open
from fangxian.health.tests.conftest import ID_A

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache(client):
    cache.clear()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the messages checked below are the English ones
    yield
    cache.clear()


def public_body(**extra):
    return {
        "name": "王小明",
        "id_number": ID_A,
        "room": "1-1-101",
        "phone": "",
        "origin_code": "420106",
        "origin_name": "武汉市武昌区",
        "arrived_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "transport": "train",
        "transport_detail": "G1234",
        "companions": "0",
        "companions_note": "",
        **extra,
    }


def test_the_public_page_needs_no_account_and_tells_a_risky_arrival_to_stay_home(client, world, person, wuhan):
    url = f"/health/arrive/{COMMUNITY_A}/"
    assert client.get(url).status_code == 200
    response = client.post(url, public_body())
    assert response.status_code == 200 and 'data-testid="arrival-risky"' in response.content.decode()
    arrival = Arrival.objects.get()
    assert arrival.source == "self" and arrival.resident == person and arrival.suggested_measure == "home_quarantine"
    assert "王小明" not in response.content.decode()  # the answer shows the name masked


def test_the_public_page_refuses_without_saying_why_and_never_500s(client, world, person):
    url = f"/health/arrive/{COMMUNITY_A}/"
    wrong = client.post(url, public_body(name="王小红"))
    assert wrong.status_code == 400 and "ask your grid worker" in wrong.content.decode().lower()
    for hostile in (
        {"name": "x" * 500},
        {"id_number": "' OR 1=1 --"},
        {"origin_code": "<script>"},
        {"arrived_on": "yesterday"},
        {"companions": "-1"},
        {"transport": "rocket"},
    ):
        response = client.post(url, public_body(**hostile))
        assert response.status_code in (400, 429), hostile
    assert not Arrival.objects.exists()
    assert client.get("/health/arrive/999999999999/").status_code == 404
    assert client.get("/health/arrive/370202001/").status_code == 404  # a street, not a community


def test_the_grid_worker_confirms_an_arrival_and_the_case_opens(client, world, person, wuhan):
    client.post(f"/health/arrive/{COMMUNITY_A}/", public_body())
    arrival = Arrival.objects.get()
    login(client, world.users["grid_a1"])
    assert "王小明" in client.get("/health/arrivals/").content.decode()
    page = client.get(f"/health/arrivals/{arrival.pk}/")
    assert page.status_code == 200 and 'data-testid="arrival-confirm"' in page.content.decode()
    response = client.post(f"/health/arrivals/{arrival.pk}/", {"measure": "home_quarantine", "days": "14", "note": ""})
    assert response.status_code == 302
    case = HealthCase.objects.get()
    assert case.kind == "home_quarantine" and case.arrival == arrival
    login(client, world.users["commander_b"])
    assert client.get(f"/health/arrivals/{arrival.pk}/").status_code == 404


def test_a_worker_registers_an_arrival_at_a_household(client, world, person, wuhan):
    login(client, world.users["grid_a1"])
    url = f"/health/households/{person.household_id}/arrival/"
    assert client.get(url).status_code == 200
    body = {k: v for k, v in public_body().items() if k not in ("name", "id_number", "room", "phone")}
    response = client.post(url, {**body, "resident": str(person.pk), "name": ""})
    assert response.status_code == 302 and Arrival.objects.get().source == "worker"
    assert client.post(url, {**body, "resident": "", "name": ""}).status_code == 400


def test_case_page_reports_and_releases(client, world, person):
    start = timezone.localdate() - dt.timedelta(days=14)
    case = case_open(
        actor=world.actor("grid_a1"), resident_id=person.pk, kind="home_quarantine", starts_on=start, days=14
    )
    login(client, world.users["grid_a1"])
    assert "王小明" in client.get("/health/cases/?show=due").content.decode()
    url = f"/health/cases/{case.pk}/"
    early = client.post(url, {"action": "release", "release-note": ""})
    assert early.status_code == 400 and "final check" in early.content.decode()
    assert client.post(url, {"action": "report", "report-temperature": "hot"}).status_code == 400
    assert client.post(url, {"action": "report", "report-temperature": "36.5"}).status_code == 302
    assert client.post(url, {"action": "release", "release-note": "解除"}).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.RELEASED
    assert client.get(f"/health/cases/{case.pk}/release-note/").status_code == 200
    login(client, world.users["guard_a"])
    assert client.get("/health/cases/").status_code == 403


def test_the_resident_reports_and_checks_in_on_my_health(client, world, person, check_in_policy):
    case = case_open(actor=world.actor("grid_a1"), resident_id=person.pk, kind="monitoring")
    login(client, world.users["resident_a1"])
    page = client.get("/health/my/")
    assert page.status_code == 200 and 'data-testid="my-case"' in page.content.decode()
    assert 'data-testid="my-checkin"' in page.content.decode()
    response = client.post("/health/my/", {"case": str(case.pk), f"c{case.pk}-temperature": "36.7"})
    assert response.status_code == 302 and HealthReport.objects.get().by_resident
    response = client.post("/health/my/", {"action": "checkin", "resident": str(person.pk), "temperature": "36.6"})
    assert response.status_code == 302 and CheckIn.objects.count() == 1
    assert client.post("/health/my/", {"case": "abc"}).status_code == 302
    login(client, world.users["commander_a"])
    assert "100" in client.get("/health/check-ins/").content.decode() or CheckIn.objects.count() == 1


def test_the_commander_keeps_risk_areas(client, world):
    login(client, world.users["commander_a"])
    body = {
        "area_code": COMMUNITY_A,
        "division_code": "420106",
        "name": "武汉市武昌区",
        "level": "high",
        "measure": "home_quarantine",
        "days": "14",
        "since": timezone.localdate().isoformat(),
        "until": "",
        "note": "",
    }
    assert client.post("/health/risk-areas/", body).status_code == 302
    assert client.post("/health/risk-areas/", {**body, "division_code": "4201061"}).status_code == 400
    area = RiskArea.objects.get()
    assert client.post("/health/risk-areas/", {"action": "end", "risk_area": str(area.pk)}).status_code == 302
    area.refresh_from_db()
    assert area.until == timezone.localdate()
    login(client, world.users["grid_a1"])
    assert client.post("/health/risk-areas/", body).status_code == 403


def test_the_commander_sets_the_health_policy_on_its_page(client, world):
    login(client, world.users["commander_a"])
    url = f"/health/policy/{COMMUNITY_A}/"
    assert client.get(url).status_code == 200
    body = {"level": "2", "l2-check_in_required": "on", "l2-home_quarantine_days": "10", "l2-monitoring_days": "7"}
    assert client.post(url, {**body, "l2-report_grace_hours": "2"}).status_code == 302
    assert client.post(url, {**body, "l2-report_grace_hours": "99"}).status_code == 400
    assert client.post(url, {**body, "level": "9"}).status_code == 302
    from fangxian.health.models import HealthPolicy

    assert HealthPolicy.objects.get().home_quarantine_days == 10
    login(client, world.users["commander_b"])
    assert client.get(url).status_code == 404
    login(client, world.users["grid_a1"])  # the community is above a grid worker's reach
    assert client.post(url, {**body, "l2-report_grace_hours": "2"}).status_code == 404


def test_the_household_asks_for_an_offered_service_and_the_grid_gets_a_task(client, world, person):
    from fangxian.command.models import Task, TaskSource
    from fangxian.health.models import ServiceRequest

    case_open(actor=world.actor("grid_a1"), resident_id=person.pk, kind="home_quarantine")
    groceries = ServiceRequest.objects.get(kind="groceries")
    login(client, world.users["resident_a1"])
    assert 'data-testid="my-services"' in client.get("/health/my/").content.decode()
    assert client.post("/health/my/", {"action": "need", "service": str(groceries.pk)}).status_code == 302
    groceries.refresh_from_db()
    assert groceries.status == "requested"
    assert (
        Task.objects.filter(source=TaskSource.HEALTH, title__contains="Groceries").exists()
        or Task.objects.filter(source=TaskSource.HEALTH).count() == 1
    )
    waste = ServiceRequest.objects.get(kind="waste")
    client.post("/health/my/", {"action": "no_need", "service": str(waste.pk)})
    waste.refresh_from_db()
    assert waste.status == "declined"
    login(client, world.users["resident_b1"])
    client.post("/health/my/", {"action": "need", "service": str(waste.pk)})
    waste.refresh_from_db()
    assert waste.status == "declined"
