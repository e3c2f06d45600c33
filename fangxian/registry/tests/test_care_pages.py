"""Care pages: change or end a care plan, add and remove need tags, from the pages; bad input refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from fangxian.command.models import Task, TaskStatus
from fangxian.core.audit import acting_as
from fangxian.core.models import AuditEvent
from fangxian.core.scoping import Actor
from fangxian.core.testing import GRID_A1, GRID_A2, login
from fangxian.registry.models import Vulnerability, VulnerabilityKind
from fangxian.registry.models.care import CarePlan, VulnerabilityDetail
from fangxian.registry.services.care import care_overdue_tasks_create
from fangxian.registry.tests.factories_care import care_plan, vulnerable_resident
from fangxian.registry.tests.factories_residents import resident

pytestmark = pytest.mark.django_db


def _overdue_plan(world, grid=GRID_A1, name="王大爷"):
    return care_plan(grid, name, world, started_on=timezone.localdate() - dt.timedelta(days=30), frequency_days=7)


def _plan_url(plan) -> str:
    return reverse("registry:care_plan", kwargs={"pk": plan.pk})


def _overdue_task(plan) -> Task:
    with acting_as(Actor.system("test")) as system:
        care_overdue_tasks_create(actor=system)
    return Task.objects.get(source_ref=f"registry.careplan:{plan.pk}", status=TaskStatus.OPEN)


# --- change or end a plan -------------------------------------------------------------------------


def test_community_worker_hands_the_plan_to_another_visitor_and_changes_the_frequency(world, client):
    plan = _overdue_plan(world)
    old_task = _overdue_task(plan)
    login(client, world.users["worker_a"])
    page = client.get(_plan_url(plan)).content.decode()
    assert 'data-testid="care-plan-change"' in page and 'data-testid="care-plan-end"' in page
    response = client.post(
        _plan_url(plan), {"action": "change", "visitor": world.users["worker_a"].pk, "frequency_days": 10}
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.visitor == world.users["worker_a"] and plan.frequency_days == 10
    assert plan.next_due_on == plan.started_on + dt.timedelta(days=10)
    assert AuditEvent.objects.filter(object_type="registry.careplan", object_id=str(plan.pk), action="update").exists()
    # The overdue-visit task follows the plan to its new visitor.
    old_task.refresh_from_db()
    assert old_task.status == TaskStatus.CANNOT_DO
    new_task = Task.objects.get(source_ref=f"registry.careplan:{plan.pk}", status=TaskStatus.OPEN)
    assert list(new_task.assignees.all()) == [world.users["worker_a"]]


def test_a_longer_frequency_that_brings_the_plan_back_on_time_closes_the_overdue_task(world, client):
    plan = _overdue_plan(world)
    task = _overdue_task(plan)
    login(client, world.users["commander_a"])
    response = client.post(_plan_url(plan), {"action": "change", "visitor": plan.visitor_id, "frequency_days": 60})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.CANNOT_DO and not Task.objects.filter(status=TaskStatus.OPEN).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"visitor": "grid_b1", "frequency_days": 7}, "Select a valid choice"),
        ({"visitor": "grid_a2", "frequency_days": 7}, "Select a valid choice"),
        ({"visitor": "grid_a1", "frequency_days": 0}, "greater than or equal to 1"),
        ({"visitor": "grid_a1", "frequency_days": 367}, "less than or equal to 366"),
        ({"visitor": "grid_a1", "frequency_days": "10" * 40}, "less than or equal to 366"),
        ({"visitor": "grid_a1", "frequency_days": "七"}, "Enter a whole number"),
        ({"visitor": "1 OR 1=1", "frequency_days": 7}, "Select a valid choice"),
        ({"visitor": "", "frequency_days": 7}, "This field is required"),
        ({"visitor": "grid_a1"}, "This field is required"),
    ],
)
def test_change_form_shows_errors_and_changes_nothing(world, client, data, message):
    plan = _overdue_plan(world)
    login(client, world.users["worker_a"])
    payload = {"action": "change", **data}
    if payload.get("visitor") in world.users:
        payload["visitor"] = world.users[payload["visitor"]].pk
    response = client.post(_plan_url(plan), payload, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert message in response.content.decode()
    fresh = CarePlan.objects.get(pk=plan.pk)
    assert (fresh.visitor_id, fresh.frequency_days) == (plan.visitor_id, plan.frequency_days)


def test_grid_worker_may_visit_but_not_change_or_end(world, client):
    plan = _overdue_plan(world)
    login(client, world.users["grid_a1"])
    page = client.get(_plan_url(plan)).content.decode()
    assert 'data-testid="care-plan-change"' not in page and 'data-testid="care-visit-form"' in page
    change = {"action": "change", "visitor": world.users["grid_a1"].pk, "frequency_days": 3}
    assert client.post(_plan_url(plan), change).status_code == 403
    assert client.post(_plan_url(plan), {"action": "end", "reason": "搬去养老院"}).status_code == 403
    plan.refresh_from_db()
    assert plan.active and plan.frequency_days == 7


def test_sibling_community_gets_not_found(world, client):
    plan = _overdue_plan(world)
    login(client, world.users["commander_b"])
    assert client.post(_plan_url(plan), {"action": "end", "reason": "搬去养老院"}).status_code == 404
    change = {"action": "change", "visitor": world.users["commander_b"].pk, "frequency_days": 3}
    assert client.post(_plan_url(plan), change).status_code == 404
    assert CarePlan.objects.get(pk=plan.pk).active


def test_commander_ends_the_plan_and_its_overdue_task_closes(world, client):
    plan = _overdue_plan(world)
    task = _overdue_task(plan)
    login(client, world.users["commander_a"])
    response = client.post(_plan_url(plan), {"action": "end", "reason": "搬去养老院"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert not plan.active
    task.refresh_from_db()
    assert task.status == TaskStatus.CANNOT_DO and task.status_reason
    assert AuditEvent.objects.filter(object_type="registry.careplan", object_id=str(plan.pk), action="update").exists()
    page = client.get(_plan_url(plan), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "ended" in page and 'data-testid="care-plan-change"' not in page
    assert 'data-testid="care-visit-form"' not in page
    # Ending twice, or changing an ended plan, says so and changes nothing.
    response = client.post(
        _plan_url(plan), {"action": "end", "reason": "搬去养老院"}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "This care plan has ended." in response.content.decode()
    change = {"action": "change", "visitor": world.users["commander_a"].pk, "frequency_days": 3}
    response = client.post(_plan_url(plan), change, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "This care plan has ended." in response.content.decode()
    assert CarePlan.objects.get(pk=plan.pk).frequency_days == 7


def test_unknown_action_is_read_as_a_visit_and_validated(world, client):
    plan = _overdue_plan(world)
    login(client, world.users["worker_a"])
    response = client.post(_plan_url(plan), {"action": "x" * 10000})
    assert response.status_code == 400
    assert CarePlan.objects.get(pk=plan.pk).active


def test_plan_list_marks_and_filters_plans_whose_visitor_left(world, client):
    gone = _overdue_plan(world, GRID_A1, "没人管")
    _overdue_plan(world, GRID_A2, "有人管")
    gone.visitor.role_assignments.update(active=False)
    login(client, world.users["worker_a"])
    page = client.get(reverse("registry:care_plans")).content.decode()
    assert page.count('data-testid="care-plan-row-needs-visitor"') == 1
    page = client.get(reverse("registry:care_plans") + "?needs_visitor=1").content.decode()
    assert "没人管" in page and "有人管" not in page
    page = client.get(_plan_url(gone)).content.decode()
    assert 'data-testid="care-plan-visitor-warning"' in page


# --- need tags on the resident's page ------------------------------------------------------------


def _resident_url(person) -> str:
    return reverse("registry:resident_detail", args=[person.pk])


def test_community_worker_adds_a_need_with_details_and_removes_it(world, client):
    person = resident(GRID_A1, "孙奶奶", world)
    login(client, world.users["worker_a"])
    page = client.get(_resident_url(person)).content.decode()
    assert 'data-testid="resident-need-add"' in page
    response = client.post(
        _resident_url(person),
        {
            "action": "tag_add",
            "kind": VulnerabilityKind.DISABLED,
            "detail": "行动不便",
            "disability_grade": "2",
            "chronic_disease": "糖尿病",
            "care_level": "partial",
        },
    )
    assert response.status_code == 302
    tag = Vulnerability.objects.get(resident=person)
    assert (tag.kind, tag.detail, tag.area_code) == (VulnerabilityKind.DISABLED, "行动不便", GRID_A1)
    detail = VulnerabilityDetail.objects.get(vulnerability=tag)
    assert (detail.disability_grade, detail.chronic_disease, detail.care_level) == ("2", "糖尿病", "partial")
    page = client.get(_resident_url(person)).content.decode()
    assert "糖尿病" in page and 'data-testid="resident-need-remove-disabled"' in page
    created = AuditEvent.objects.filter(
        action="create", object_type__in=["registry.vulnerability", "registry.vulnerabilitydetail"]
    )
    assert created.count() == 2
    # The trail records that details were set, never the disease itself.
    assert "糖尿病" not in str(list(created.values_list("changes", flat=True)))
    # The resident now shows as vulnerable without a plan.
    assert "孙奶奶" in client.get(reverse("registry:care_unplanned")).content.decode()

    response = client.post(_resident_url(person), {"action": "tag_remove", "vulnerability": tag.pk})
    assert response.status_code == 302
    assert not Vulnerability.objects.filter(resident=person).exists()
    assert not VulnerabilityDetail.objects.filter(pk=detail.pk).exists()
    deleted = AuditEvent.objects.filter(action="delete")
    assert set(deleted.values_list("object_type", flat=True)) == {
        "registry.vulnerability",
        "registry.vulnerabilitydetail",
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "wizard"}, "Select a valid choice"),
        ({"kind": ""}, "This field is required"),
        ({"kind": "chronic", "detail": "x" * 201}, "at most 200 characters"),
        ({"kind": "chronic", "chronic_disease": "病" * 101}, "at most 100 characters"),
        ({"kind": "chronic", "disability_grade": "0"}, "Select a valid choice"),
        ({"kind": "chronic", "care_level": "<script>"}, "Select a valid choice"),
        ({"kind": "chronic", "detail": "\x00"}, "Null characters are not allowed"),
        ({"kind": "elderly_alone"}, "carries this need already"),
    ],
)
def test_add_need_form_shows_errors_and_writes_nothing(world, client, data, message):
    person = vulnerable_resident(GRID_A1, "老李", world)  # already tagged "elderly, living alone"
    login(client, world.users["worker_a"])
    before = AuditEvent.objects.count()
    response = client.post(_resident_url(person), {"action": "tag_add", **data}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Vulnerability.objects.filter(resident=person).count() == 1
    assert not VulnerabilityDetail.objects.exists()
    assert AuditEvent.objects.count() == before


def test_remove_with_bad_or_foreign_tag_changes_nothing(world, client):
    person = vulnerable_resident(GRID_A1, "老李", world)
    other = vulnerable_resident(GRID_A1, "老张", world)
    login(client, world.users["worker_a"])
    for value in ("", "abc", "-1", "9" * 40, str(other.vulnerabilities.get().pk)):
        response = client.post(
            _resident_url(person),
            {"action": "tag_remove", "vulnerability": value},
            follow=True,
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert response.status_code == 200
        assert "Choose one of the resident" in response.content.decode()
    assert Vulnerability.objects.count() == 2


def test_grid_worker_and_officials_may_not_change_needs(world, client):
    person = vulnerable_resident(GRID_A1, "老李", world)
    tag = person.vulnerabilities.get()
    for persona in ("grid_a1", "street1"):
        login(client, world.users[persona])
        page = client.get(_resident_url(person)).content.decode()
        assert 'data-testid="resident-need-add"' not in page and "resident-need-remove" not in page
        assert client.post(_resident_url(person), {"action": "tag_add", "kind": "chronic"}).status_code == 403
        assert client.post(_resident_url(person), {"action": "tag_remove", "vulnerability": tag.pk}).status_code == 403
    assert list(Vulnerability.objects.values_list("kind", flat=True)) == ["elderly_alone"]


def test_sibling_community_gets_not_found_on_needs(world, client):
    person = vulnerable_resident(GRID_A1, "老李", world)
    tag = person.vulnerabilities.get()
    login(client, world.users["worker_b"])
    assert client.post(_resident_url(person), {"action": "tag_add", "kind": "chronic"}).status_code == 404
    assert client.post(_resident_url(person), {"action": "tag_remove", "vulnerability": tag.pk}).status_code == 404
    assert Vulnerability.objects.count() == 1


def test_services_refuse_a_resident_who_left_and_a_tag_elsewhere(world):
    from fangxian.core.errors import DomainError, NotFound, PermissionDenied
    from fangxian.registry.services.care import vulnerability_add, vulnerability_remove

    person = resident(GRID_A1, "已搬走", world)
    person.status = "moved_away"
    person.save(update_fields=["status"])
    with pytest.raises(DomainError) as error:
        vulnerability_add(actor=world.actor("worker_a"), resident=person, kind="chronic")
    assert error.value.code == "resident_inactive"
    elsewhere = vulnerable_resident(GRID_A1, "甲社区", world).vulnerabilities.get()
    with pytest.raises(NotFound):
        vulnerability_remove(actor=world.actor("worker_b"), vulnerability=elsewhere.pk)
    with pytest.raises(PermissionDenied):
        vulnerability_remove(actor=world.actor("grid_a1"), vulnerability=elsewhere.pk)
    with pytest.raises(NotFound):
        vulnerability_remove(actor=world.actor("worker_a"), vulnerability="1 OR 1=1")
    assert Vulnerability.objects.filter(pk=elsewhere.pk).exists()
