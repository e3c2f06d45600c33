"""Command-group pages and API: list with masked phones, add/edit/remove, the printed roster."""

from __future__ import annotations

import pytest

from fangxian.command.models import CommandGroupMember, Duty
from fangxian.command.tests.factories_group import make_member
from fangxian.core.models import AuditEvent
from fangxian.core.testing import COMMUNITY_A, COMMUNITY_B, login

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    # Messages are asserted in English, the source language (the default is Chinese).
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def _member_data(**kwargs):
    return {
        "area_code": COMMUNITY_A,
        "user": "",
        "name": "王物业",
        "duty": "security",
        "duty_label": "",
        "organisation": "某物业",
        "organisation_kind": "property",
        "phone": "13912345678",
        "order": "1",
        **kwargs,
    }


def test_list_shows_duties_and_masked_phones_only(world, client):
    make_member(COMMUNITY_A, Duty.MEDICAL, name="李医生", phone="13800001234")
    make_member(COMMUNITY_B, Duty.MEDICAL, name="乙医生", phone="13800005678")
    login(client, world.users["commander_a"])
    body = client.get("/command/group/").content.decode()
    assert "李医生" in body and "138****1234" in body and "13800001234" not in body and "乙医生" not in body


def test_commander_adds_edits_and_removes_a_member(world, client):
    login(client, world.users["commander_a"])
    assert client.get("/command/group/add/").status_code == 200
    response = client.post("/command/group/add/", _member_data())
    assert response.status_code == 302
    member = CommandGroupMember.objects.get()
    assert member.duty == Duty.SECURITY and member.phone_masked == "139****5678"
    response = client.post(f"/command/group/{member.pk}/edit/", _member_data(duty="logistics", phone=""))
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.duty == Duty.LOGISTICS and member.phone_masked == "139****5678"
    assert client.post(f"/command/group/{member.pk}/deactivate/").status_code == 302
    member.refresh_from_db()
    assert not member.active
    assert "is no longer in the command group" in client.get("/command/group/").content.decode()
    assert "王物业" not in client.get("/command/group/").content.decode()
    assert "王物业" in client.get("/command/group/?inactive=1").content.decode()


def test_bad_input_on_the_member_form(world, client):
    login(client, world.users["commander_a"])
    response = client.post("/command/group/add/", _member_data(duty="catering"))
    assert response.status_code == 400 and 'data-testid="form-error"' in response.content.decode()
    response = client.post("/command/group/add/", _member_data(duty="custom"))
    assert response.status_code == 400 and "Name the other duty" in response.content.decode()
    response = client.post("/command/group/add/", _member_data(phone="12345"))
    assert response.status_code == 400 and "mobile number" in response.content.decode()
    response = client.post("/command/group/add/", _member_data(name="", user=""))
    assert response.status_code == 400 and "Give the member" in response.content.decode()
    assert not CommandGroupMember.objects.exists()


def test_others_are_forbidden_or_not_found(world, client):
    member = make_member(COMMUNITY_A, Duty.MEDICAL, name="李医生")
    login(client, world.users["worker_a"])
    assert client.get("/command/group/").status_code == 200
    assert client.get("/command/group/add/").status_code == 403
    assert client.post(f"/command/group/{member.pk}/deactivate/").status_code == 403
    client.logout()
    login(client, world.users["commander_b"])
    assert client.get(f"/command/group/{member.pk}/edit/").status_code == 404
    assert client.post(f"/command/group/{member.pk}/deactivate/").status_code == 404
    client.logout()
    login(client, world.users["admin"])
    assert client.get("/command/group/").status_code == 403


def test_the_roster_prints_full_phones_and_records_the_export(world, client):
    make_member(COMMUNITY_A, Duty.LEADER, name="张书记", phone="13800001234")
    login(client, world.users["commander_a"])
    body = client.get("/command/group/roster/").content.decode()
    assert "张书记" in body and "13800001234" in body and "@page" in body and "A4" in body
    event = AuditEvent.objects.get(action="export")
    assert event.actor_label == "commander_a" and event.changes["members"] == 1


def test_the_api_lists_members_masked_and_hides_siblings(world, client):
    member = make_member(COMMUNITY_A, Duty.MEDICAL, name="李医生", phone="13800001234")
    other = make_member(COMMUNITY_B, Duty.MEDICAL, name="乙医生")
    login(client, world.users["worker_a"])
    items = client.get("/api/v1/command/group/").json()["items"]
    assert [(m["name"], m["phone_masked"], m["duty_name"]) for m in items] == [("李医生", "138****1234", "Medical")]
    assert "13800001234" not in client.get(f"/api/v1/command/group/{member.pk}").content.decode()
    assert client.get(f"/api/v1/command/group/{other.pk}").status_code == 404
    client.logout()
    login(client, world.users["volunteer_a"])
    assert client.get("/api/v1/command/group/").status_code == 403
