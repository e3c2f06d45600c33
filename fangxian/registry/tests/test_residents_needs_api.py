"""Residents API: add and remove a need tag (with its details), register a deregistered resident again.

The same services and capabilities as the resident's page: `care.manage` for need tags,
`resident.manage` for registering again; a resident elsewhere is not found.
"""

from __future__ import annotations

import json

import pytest

from fangxian.core.models import AuditEvent
from fangxian.core.testing import GRID_A1, login
from fangxian.registry.models import Vulnerability, VulnerabilityKind
from fangxian.registry.models.care import CarePlan, VulnerabilityDetail
from fangxian.registry.models.residents import Resident, ResidentStatus
from fangxian.registry.services.residents import resident_deregister
from fangxian.registry.tests.factories_care import care_plan, vulnerable_resident
from fangxian.registry.tests.test_residents_services import register

pytestmark = pytest.mark.django_db
BASE = "/api/v1/registry/residents"


def post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")


# --- adding a need ----------------------------------------------------------------------------------


def test_community_worker_adds_a_need_with_its_details(world, client):
    person = register(world)
    login(client, world.users["worker_a"])
    response = post(
        client,
        f"{BASE}/{person.pk}/needs",
        {
            "kind": "chronic",
            "detail": " 每周透析 ",
            "disability_grade": "2",
            "chronic_disease": "SECRET-DISEASE 尿毒症",
            "care_level": "partial",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    tag = Vulnerability.objects.get(resident=person)
    assert body == {
        "id": tag.pk,
        "resident_id": person.pk,
        "kind": "chronic",
        "detail": "每周透析",
        "disability_grade": "2",
        "chronic_disease": "SECRET-DISEASE 尿毒症",
        "care_level": "partial",
    }
    assert VulnerabilityDetail.objects.get(vulnerability=tag).area_code == GRID_A1
    assert client.get(f"{BASE}/{person.pk}").json()["needs"] == ["chronic"]
    assert AuditEvent.objects.filter(object_type="registry.vulnerability", action="create").exists()
    assert "SECRET-DISEASE" not in " ".join(str(event.__dict__) for event in AuditEvent.objects.all())


def test_a_need_without_details_writes_no_details_row(world, client):
    person = register(world)
    login(client, world.users["commander_a"])
    response = post(client, f"{BASE}/{person.pk}/needs", {"kind": "elderly_alone"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "elderly_alone" and body["disability_grade"] == body["care_level"] == ""
    assert not VulnerabilityDetail.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"kind": "dragon"},
        {"kind": ""},
        {"kind": None},
        {"kind": ["chronic"]},
        {"kind": "chronic", "detail": "x" * 201},
        {"kind": "chronic", "detail": "a\x00b"},
        {"kind": "chronic", "chronic_disease": "x" * 101},
        {"kind": "chronic", "chronic_disease": "\x00"},
        {"kind": "chronic", "disability_grade": "9"},
        {"kind": "chronic", "disability_grade": 1},
        {"kind": "chronic", "care_level": "everything"},
        {"kind": "chronic", "detail": {"$gt": ""}},
    ],
)
def test_a_malformed_need_is_refused_and_nothing_is_written(world, client, data):
    person = register(world)
    login(client, world.users["worker_a"])
    response = post(client, f"{BASE}/{person.pk}/needs", data)
    # A NUL character is refused by NulCharacterMiddleware (400) before the schema (422).
    expected = (400, "invalid_characters") if "\\x00" in repr(data) else (422, "invalid")
    assert (response.status_code, response.json()["code"]) == expected, response.content
    assert not Vulnerability.objects.exists() and not VulnerabilityDetail.objects.exists()


def test_a_body_that_is_not_json_is_refused(world, client):
    person = register(world)
    login(client, world.users["worker_a"])
    for body in ("not json", "[]", '"chronic"', "{" * 5000):
        response = client.post(f"{BASE}/{person.pk}/needs", data=body, content_type="application/json")
        assert response.status_code in (400, 422), body[:20]
    assert not Vulnerability.objects.exists()


def test_a_need_carried_already_and_a_resident_who_left_are_refused(world, client):
    person = vulnerable_resident(GRID_A1, "老王", world, kind=VulnerabilityKind.CHRONIC)
    gone = register(world, name="李四")
    resident_deregister(actor=world.actor("worker_a"), resident=gone, status=ResidentStatus.MOVED_AWAY)
    login(client, world.users["worker_a"])
    response = post(client, f"{BASE}/{person.pk}/needs", {"kind": "chronic"})
    assert response.status_code == 400 and response.json()["code"] == "tag_exists"
    response = post(client, f"{BASE}/{gone.pk}/needs", {"kind": "chronic"})
    assert response.status_code == 400 and response.json()["code"] == "resident_inactive"
    assert Vulnerability.objects.count() == 1


def test_adding_a_need_is_refused_to_roles_without_care_manage_and_to_a_sibling(world, client):
    person = register(world)
    for persona in ("grid_a1", "street1", "volunteer_a"):
        login(client, world.users[persona])
        assert post(client, f"{BASE}/{person.pk}/needs", {"kind": "chronic"}).status_code == 403, persona
    login(client, world.users["commander_b"])
    assert post(client, f"{BASE}/{person.pk}/needs", {"kind": "chronic"}).status_code == 404
    assert post(client, f"{BASE}/{2**62}/needs", {"kind": "chronic"}).status_code == 404
    for bad in ("0", "-1", "abc", str(2**63)):
        assert post(client, f"{BASE}/{bad}/needs", {"kind": "chronic"}).status_code in (404, 422), bad
    assert not Vulnerability.objects.exists()


# --- removing a need --------------------------------------------------------------------------------


def test_community_worker_removes_a_need_with_its_details_and_the_plan_stays(world, client):
    plan = care_plan(GRID_A1, "老王", world)
    tag = plan.resident.vulnerabilities.get()
    VulnerabilityDetail.objects.create(area_code=GRID_A1, vulnerability=tag, care_level="full")
    login(client, world.users["worker_a"])
    response = client.delete(f"{BASE}/{plan.resident_id}/needs/{tag.pk}")
    assert response.status_code == 204
    assert not Vulnerability.objects.filter(pk=tag.pk).exists() and not VulnerabilityDetail.objects.exists()
    assert CarePlan.objects.get(pk=plan.pk).active
    assert AuditEvent.objects.filter(object_type="registry.vulnerability", action="delete").exists()
    assert AuditEvent.objects.filter(object_type="registry.vulnerabilitydetail", action="delete").exists()
    # Removing it again: it is gone.
    assert client.delete(f"{BASE}/{plan.resident_id}/needs/{tag.pk}").status_code == 404


def test_a_need_of_another_resident_is_not_found_through_this_resident(world, client):
    one = vulnerable_resident(GRID_A1, "老王", world)
    other = vulnerable_resident(GRID_A1, "老李", world)
    other_tag = other.vulnerabilities.get()
    login(client, world.users["worker_a"])
    assert client.delete(f"{BASE}/{one.pk}/needs/{other_tag.pk}").status_code == 404
    assert Vulnerability.objects.filter(pk=other_tag.pk).exists()


def test_removing_a_need_is_refused_to_roles_without_care_manage_and_to_a_sibling(world, client):
    person = vulnerable_resident(GRID_A1, "老王", world)
    tag = person.vulnerabilities.get()
    url = f"{BASE}/{person.pk}/needs/{tag.pk}"
    for persona in ("grid_a1", "street1", "volunteer_a"):
        login(client, world.users[persona])
        assert client.delete(url).status_code == 403, persona
    login(client, world.users["commander_b"])
    assert client.delete(url).status_code == 404
    login(client, world.users["worker_a"])
    for bad in ("0", "abc", str(2**63), "1.5"):
        assert client.delete(f"{BASE}/{person.pk}/needs/{bad}").status_code in (404, 422), bad
    assert client.delete(f"{BASE}/{person.pk}/needs/{2**62}").status_code == 404
    assert Vulnerability.objects.filter(pk=tag.pk).exists()


# --- registering again ------------------------------------------------------------------------------


def test_a_deregistered_resident_is_registered_again(world, client):
    person = register(world)
    resident_deregister(actor=world.actor("worker_a"), resident=person, status=ResidentStatus.DECEASED)
    login(client, world.users["grid_a1"])
    response = post(client, f"{BASE}/{person.pk}/reinstate", {"reason": " 误操作 "})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "active"
    assert any(row["kind"] == "reinstate" and row["reason"] == "误操作" for row in body["history"])
    assert Resident.objects.get(pk=person.pk).status == ResidentStatus.ACTIVE
    # Once more: registered here already.
    response = post(client, f"{BASE}/{person.pk}/reinstate", {})
    assert response.status_code == 400 and response.json()["code"] == "already_active"


@pytest.mark.parametrize("data", [{"reason": "x" * 201}, {"reason": "a\x00b"}, {"reason": 5}, {"reason": None}])
def test_registering_again_refuses_a_malformed_reason(world, client, data):
    person = register(world)
    resident_deregister(actor=world.actor("worker_a"), resident=person, status=ResidentStatus.MOVED_AWAY)
    login(client, world.users["worker_a"])
    response = post(client, f"{BASE}/{person.pk}/reinstate", data)
    assert response.status_code == (400 if "\\x00" in repr(data) else 422), response.content
    assert Resident.objects.get(pk=person.pk).status == ResidentStatus.MOVED_AWAY


def test_registering_again_is_refused_to_roles_without_resident_manage_and_to_a_sibling(world, client):
    person = register(world)
    resident_deregister(actor=world.actor("worker_a"), resident=person, status=ResidentStatus.MOVED_AWAY)
    for persona in ("street1", "volunteer_a", "guard_a"):
        login(client, world.users[persona])
        assert post(client, f"{BASE}/{person.pk}/reinstate", {}).status_code == 403, persona
    for persona in ("commander_b", "grid_a2"):
        login(client, world.users[persona])
        assert post(client, f"{BASE}/{person.pk}/reinstate", {}).status_code == 404, persona
    assert Resident.objects.get(pk=person.pk).status == ResidentStatus.MOVED_AWAY
