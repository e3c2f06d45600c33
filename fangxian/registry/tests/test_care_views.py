"""Care pages and API: overdue visits on a phone, recording a visit, planning care, the home panel."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from fangxian.core.testing import GRID_A1, GRID_A2, GRID_B1, login
from fangxian.registry.models.care import CarePlan, CareVisit, VulnerabilityDetail
from fangxian.registry.tests.factories_care import care_plan, vulnerable_resident

pytestmark = pytest.mark.django_db


def _overdue_plan(world, grid=GRID_A1, name="王大爷"):
    return care_plan(grid, name, world, started_on=timezone.localdate() - dt.timedelta(days=30), frequency_days=7)


def test_grid_worker_sees_their_overdue_visit_and_records_it(world, client):
    plan = _overdue_plan(world)
    other = _overdue_plan(world, GRID_A2, "李奶奶")
    login(client, world.users["grid_a1"])
    page = client.get(reverse("registry:care_overdue")).content.decode()
    assert "王大爷" in page and "李奶奶" not in page
    url = reverse("registry:care_plan", kwargs={"pk": plan.pk})
    response = client.post(
        url, {"visited_on": timezone.localdate().isoformat(), "findings": "精神不错", "follow_up_needed": "on"}
    )
    assert response.status_code == 302
    visit = CareVisit.objects.get(plan=plan)
    assert visit.follow_up_needed and visit.visitor == world.users["grid_a1"]
    assert "王大爷" not in client.get(reverse("registry:care_overdue")).content.decode()
    assert client.get(reverse("registry:care_plan", kwargs={"pk": other.pk})).status_code == 404


def test_visit_form_shows_errors(world, client):
    plan = _overdue_plan(world)
    login(client, world.users["grid_a1"])
    future = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    response = client.post(
        reverse("registry:care_plan", kwargs={"pk": plan.pk}),
        {"visited_on": future, "findings": "x"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "future" in response.content.decode()


@pytest.mark.parametrize("persona", ["volunteer_a", "guard_a", "resident_a1", "counsellor_a"])
def test_roles_without_care_get_none_of_its_pages(world, client, persona):
    plan = _overdue_plan(world)
    login(client, world.users[persona])
    for url in (
        reverse("registry:care_plans"),
        reverse("registry:care_overdue"),
        reverse("registry:care_plan", kwargs={"pk": plan.pk}),
    ):
        assert client.get(url).status_code in (403, 404), url
    assert client.get(f"/api/v1/registry/care/plans/{plan.pk}").status_code in (403, 404)


def test_community_worker_plans_care_from_the_page(world, client):
    person = vulnerable_resident(GRID_A1, "赵爷爷", world)
    login(client, world.users["worker_a"])
    url = reverse("registry:care_plan_create", kwargs={"pk": person.pk})
    page = client.get(url).content.decode()
    assert "grid_a1" in page and "grid_b1" not in page
    response = client.post(url, {"resident": person.pk, "visitor": world.users["grid_a1"].pk, "frequency_days": 5})
    assert response.status_code == 302
    plan = CarePlan.objects.get(resident=person)
    assert plan.frequency_days == 5 and plan.visitor == world.users["grid_a1"]
    login(client, world.users["grid_a1"])
    assert client.get(url).status_code == 403


def test_care_plan_list_filters_overdue(world, client):
    _overdue_plan(world)
    care_plan(GRID_A2, "按时", world, started_on=timezone.localdate(), frequency_days=7)
    login(client, world.users["commander_a"])
    everything = client.get(reverse("registry:care_plans")).content.decode()
    overdue = client.get(reverse("registry:care_plans") + "?overdue=1").content.decode()
    assert "王大爷" in everything and "按时" in everything
    assert "王大爷" in overdue and "按时" not in overdue


def test_home_panel_counts_and_my_overdue_visits(world, client):
    _overdue_plan(world)
    vulnerable_resident(GRID_A2, "二网格", world)
    vulnerable_resident(GRID_B1, "乙社区", world)
    login(client, world.users["grid_a1"])
    page = client.get(reverse("core:home")).content.decode()
    assert 'data-testid="home-care"' in page
    assert 'data-testid="home-care-overdue"' in page
    login(client, world.users["street1"])
    page = client.get(reverse("core:home")).content.decode()
    assert 'data-testid="home-care-total">3<' in page
    assert "王大爷" not in page  # officials see counts, not names
    login(client, world.users["volunteer_a"])
    assert 'data-testid="home-care"' not in client.get(reverse("core:home")).content.decode()


def test_api_overdue_and_visit(world, client):
    plan = _overdue_plan(world)
    login(client, world.users["grid_a1"])
    overdue = client.get("/api/v1/registry/care/overdue").json()
    assert [p["id"] for p in overdue] == [plan.pk] and overdue[0]["is_overdue"]
    response = client.post(
        f"/api/v1/registry/care/plans/{plan.pk}/visits", {"findings": "一切正常"}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert client.get("/api/v1/registry/care/overdue").json() == []
    detail = client.get(f"/api/v1/registry/care/plans/{plan.pk}").json()
    assert detail["visits"][0]["findings"] == "一切正常"
    page = client.get("/api/v1/registry/care/plans").json()
    assert [p["id"] for p in page["items"]] == [plan.pk]


def test_api_counts_and_detail_errors(world, client):
    vulnerable_resident(GRID_A1, "一", world)
    login(client, world.users["worker_a"])
    counts = client.get(f"/api/v1/registry/care/counts?area_code={GRID_A1}&area_code={GRID_B1}").json()
    assert counts == [{"area_code": GRID_A1, "vulnerable": 1}, {"area_code": GRID_B1, "vulnerable": 0}]
    response = client.post(
        "/api/v1/registry/care/plans/999999/visits", {"findings": "x"}, content_type="application/json"
    )
    assert response.status_code == 404


def test_community_worker_finds_unplanned_people_and_sets_tag_details(world, client):
    plan = _overdue_plan(world)
    unplanned = vulnerable_resident(GRID_A1, "无计划的孙奶奶", world)
    login(client, world.users["worker_a"])
    page = client.get(reverse("registry:care_unplanned")).content.decode()
    assert "无计划的孙奶奶" in page and "王大爷" not in page
    assert reverse("registry:care_plan_create", kwargs={"pk": unplanned.pk}) in page
    tag = plan.resident.vulnerabilities.get()
    url = reverse("registry:care_plan", kwargs={"pk": plan.pk})
    response = client.post(
        url,
        {
            "action": "detail",
            "vulnerability": tag.pk,
            "disability_grade": "2",
            "chronic_disease": "高血压",
            "care_level": "partial",
        },
    )
    assert response.status_code == 302
    detail = VulnerabilityDetail.objects.get(vulnerability=tag)
    assert (detail.disability_grade, detail.chronic_disease, detail.care_level) == ("2", "高血压", "partial")
    assert "高血压" in client.get(url).content.decode()
    response = client.post(url, {"action": "detail", "vulnerability": tag.pk, "care_level": "nonsense"})
    assert response.status_code == 400
    login(client, world.users["grid_a1"])
    assert client.post(url, {"action": "detail", "vulnerability": tag.pk, "care_level": "full"}).status_code == 403
    assert client.get(reverse("registry:care_unplanned")).status_code == 403


def test_home_panel_costs_a_constant_number_of_queries(world, django_assert_max_num_queries):
    from fangxian.registry.home_care import care_panel

    for index in range(5):
        _overdue_plan(world, GRID_A1, f"老人{index}")
    with django_assert_max_num_queries(4):
        panel = care_panel(world.actor("grid_a1"))
    assert panel["total"] == 5 and len(panel["overdue"]) == 5
    with django_assert_max_num_queries(4):
        panel = care_panel(world.actor("district"))
    assert panel["total"] == 5 and panel["overdue"] == []


def test_api_hands_a_plan_to_another_visitor_and_ends_it(world, client):
    plan = _overdue_plan(world)
    login(client, world.users["worker_a"])
    url = f"/api/v1/registry/care/plans/{plan.pk}"
    response = client.patch(url, {"visitor_id": world.users["grid_b1"].pk}, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "visitor_invalid"
    response = client.patch(
        url, {"visitor_id": world.users["worker_a"].pk, "frequency_days": 60}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["visitor_id"] == world.users["worker_a"].pk and not response.json()["is_overdue"]
    ended = client.patch(url, {"active": False, "end_reason": "搬去养老院"}, content_type="application/json")
    assert ended.json()["active"] is False
    login(client, world.users["grid_a1"])
    assert client.patch(url, {"frequency_days": 3}, content_type="application/json").status_code == 403


@pytest.mark.parametrize("persona", ["volunteer_a", "guard_a", "resident_a1", "admin"])
def test_api_reads_of_care_and_party_are_refused_to_roles_without_them(world, client, persona):
    _overdue_plan(world)
    login(client, world.users[persona])
    for path in ("/api/v1/registry/care/plans", "/api/v1/registry/care/overdue", "/api/v1/registry/party/members"):
        assert client.get(path).status_code == 403, path
