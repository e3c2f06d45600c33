"""Party members reporting home (双报到): registration, status, tasks through the command inbox."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fangxian.command.models import Task
from fangxian.command.selectors.tasks import task_inbox
from fangxian.core.errors import DomainError, NotFound, PermissionDenied
from fangxian.core.testing import COMMUNITY_A, COMMUNITY_B, GRID_A1, GRID_B1, login
from fangxian.registry.models.party import PartyMember, PartyMemberStatus
from fangxian.registry.selectors.party import party_member_list, party_member_tasks
from fangxian.registry.services.party import party_member_assign_task, party_member_register, party_member_update
from fangxian.registry.tests.factories_party import party_member
from fangxian.registry.tests.factories_residents import resident

pytestmark = pytest.mark.django_db


def test_community_worker_registers_a_party_member(world):
    member = party_member_register(
        actor=world.actor("worker_a"),
        name="刘党员",
        area_code=COMMUNITY_A,
        branch="市财政局第二党支部",
        employer="市财政局",
        availability="weekends",
        skills="驾驶, 急救",
        user=world.users["volunteer_a"],
    )
    assert member.status == PartyMemberStatus.REGISTERED and member.area_code == COMMUNITY_A
    with pytest.raises(DomainError) as error:
        party_member_register(
            actor=world.actor("worker_a"),
            name="刘党员",
            area_code=COMMUNITY_A,
            branch="x",
            user=world.users["volunteer_a"],
        )
    assert error.value.code == "already_registered"


def test_registration_from_a_resident_takes_their_grid(world):
    person = resident(GRID_A1, "陈党员", world)
    member = party_member_register(
        actor=world.actor("commander_a"), name="", resident=person.pk, branch="区教育局党支部"
    )
    assert member.area_code == GRID_A1 and member.name == "陈党员"


def test_registration_rules(world):
    actor = world.actor("worker_a")
    with pytest.raises(DomainError) as error:
        party_member_register(actor=actor, name="x", area_code=COMMUNITY_B, branch="b")
    assert error.value.code == "area_out_of_reach"
    with pytest.raises(DomainError) as error:
        party_member_register(actor=actor, name="x", area_code=COMMUNITY_A, branch="  ")
    assert error.value.code == "branch_required"
    with pytest.raises(DomainError) as error:
        party_member_register(actor=actor, name="x", resident=resident(GRID_B1, "乙", world).pk, branch="b")
    assert error.value.code == "resident_invalid"
    with pytest.raises(PermissionDenied):
        party_member_register(actor=world.actor("grid_a1"), name="x", area_code=GRID_A1, branch="b")


def test_community_gives_a_party_member_a_task_in_their_inbox(world):
    member = party_member(GRID_A1, "刘党员", world, user=world.users["volunteer_a"])
    actor = world.actor("worker_a")
    first = party_member_assign_task(actor=actor, member=member.pk, title="协助卡口值守")
    second = party_member_assign_task(actor=actor, member=member.pk, title="为独居老人送药")
    assert first.pk != second.pk
    assert first.source == "other" and first.source_ref.startswith(f"registry.partymember:{member.pk}#")
    inbox = set(task_inbox(actor=world.actor("volunteer_a")).values_list("pk", flat=True))
    assert {first.pk, second.pk} <= inbox
    assert set(party_member_tasks(actor=actor, member=member)) == {first, second}


def test_task_needs_an_account_and_an_available_member(world):
    actor = world.actor("worker_a")
    no_account = party_member(GRID_A1, "无账号", world)
    with pytest.raises(DomainError) as error:
        party_member_assign_task(actor=actor, member=no_account, title="t")
    assert error.value.code == "no_account"
    member = party_member(GRID_A1, "请假", world, user=world.users["volunteer_a"])
    party_member_update(actor=actor, member=member.pk, status=PartyMemberStatus.UNAVAILABLE)
    with pytest.raises(DomainError) as error:
        party_member_assign_task(actor=actor, member=member, title="t")
    assert error.value.code == "member_unavailable"
    elsewhere = party_member(GRID_B1, "乙", world, user=world.users["volunteer_b"])
    with pytest.raises(NotFound):
        party_member_assign_task(actor=actor, member=elsewhere.pk, title="t")
    assert not Task.objects.exists()


def test_list_filters_by_status_and_skill(world):
    party_member(GRID_A1, "甲", world)
    b = party_member(GRID_A1, "乙", world)
    party_member_update(actor=world.actor("worker_a"), member=b.pk, status="active", skills="心理疏导")
    actor = world.actor("grid_a1")
    assert list(party_member_list(actor=actor, status="active")) == [b]
    assert list(party_member_list(actor=actor, query="心理")) == [b]
    assert party_member_list(actor=world.actor("grid_b1")).count() == 0


def test_pages_register_and_give_a_task(world, client):
    login(client, world.users["worker_a"])
    response = client.post(
        reverse("registry:party_member_create"),
        {
            "name": "孙党员",
            "area_code": GRID_A1,
            "branch": "市卫健委党支部",
            "availability": "anytime",
            "skills": "医护",
            "username": "volunteer_a",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    member = PartyMember.objects.get(name="孙党员")
    url = reverse("registry:party_member", kwargs={"pk": member.pk})
    response = client.post(url, {"action": "task", "title": "社区核酸点协助"})
    assert response.status_code == 302
    assert "社区核酸点协助" in client.get(url).content.decode()
    response = client.post(url, {"action": "status", "status": "left"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.status == "left"
    login(client, world.users["grid_a1"])
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "task", "title": "x"}).status_code == 403
    assert client.get(reverse("registry:party_member_create")).status_code == 403
    login(client, world.users["volunteer_a"])
    assert client.get(reverse("registry:party_members")).status_code == 403


def test_api_register_list_and_task(world, client):
    login(client, world.users["worker_a"])
    response = client.post(
        "/api/v1/registry/party/members",
        {
            "name": "周党员",
            "area_code": COMMUNITY_A,
            "branch": "区法院党支部",
            "user_id": world.users["volunteer_a"].pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    member_id = response.json()["id"]
    items = client.get("/api/v1/registry/party/members").json()["items"]
    assert [m["id"] for m in items] == [member_id]
    response = client.post(
        f"/api/v1/registry/party/members/{member_id}/tasks", {"title": "入户宣传"}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["source_ref"].startswith(f"registry.partymember:{member_id}#")
    response = client.patch(
        f"/api/v1/registry/party/members/{member_id}", {"status": "active"}, content_type="application/json"
    )
    assert response.json()["status"] == "active"
    login(client, world.users["worker_b"])
    assert client.get(f"/api/v1/registry/party/members/{member_id}").status_code == 404


def test_a_resident_reports_home_themselves_and_the_community_confirms(world, client):
    login(client, world.users["resident_a1"])
    url = reverse("registry:party_join")
    assert 'data-testid="party-join-form"' in client.get(url).content.decode()
    response = client.post(url, {"branch": "市交通局党支部", "availability": "on_call", "skills": "驾驶"})
    assert response.status_code == 302
    member = PartyMember.objects.get(user=world.users["resident_a1"])
    assert member.area_code == GRID_A1 and member.status == PartyMemberStatus.REGISTERED
    assert 'data-testid="party-join-done"' in client.get(url).content.decode()
    assert client.post(url, {"branch": "x", "availability": "anytime"}).status_code == 400
    assert client.get(reverse("registry:party_members")).status_code == 403
    # The community sees and confirms them; another resident's join page shows nothing of theirs.
    assert list(party_member_list(actor=world.actor("worker_a"))) == [member]
    party_member_update(actor=world.actor("worker_a"), member=member.pk, status="active")
    login(client, world.users["resident_b1"])
    page = client.get(url).content.decode()
    assert "市交通局党支部" not in page and 'data-testid="party-join-form"' in page
    login(client, world.users["worker_a"])
    assert client.get(url).status_code == 403


def test_a_member_with_only_a_resident_account_cannot_be_given_tasks_yet(world):
    member = party_member(GRID_A1, "居民党员", world, user=world.users["resident_a1"])
    with pytest.raises(DomainError) as error:
        party_member_assign_task(actor=world.actor("worker_a"), member=member, title="t")
    assert error.value.code == "member_without_role"
