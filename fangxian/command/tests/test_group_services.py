"""The command group: members with duties, who holds a duty, the roster as an audited export."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from fangxian.command.models import CommandGroupMember, Duty
from fangxian.command.selectors.group import community_commander_ids, duty_holder_ids, duty_holders
from fangxian.command.services.group import (
    group_member_add,
    group_member_deactivate,
    group_member_update,
    group_roster_export,
)
from fangxian.command.tests.factories_group import make_member
from fangxian.core.errors import DomainError, NotFound, PermissionDenied
from fangxian.core.models import AuditEvent
from fangxian.core.testing import COMMUNITY_A, COMMUNITY_B, GRID_A1, STREET_1

pytestmark = pytest.mark.django_db


def test_commander_adds_a_user_and_an_outside_contact(world):
    actor = world.actor("commander_a")
    member = group_member_add(
        actor=actor, area_code=COMMUNITY_A, duty=Duty.LOGISTICS, user=world.users["worker_a"], organisation="居委会"
    )
    assert member.name == "worker_a" and member.user == world.users["worker_a"] and member.active
    contact = group_member_add(
        actor=actor,
        area_code=COMMUNITY_A,
        duty=Duty.SECURITY,
        name="物业张经理",
        organisation="某物业公司",
        organisation_kind="property",
        phone="138 0000 5678",
    )
    assert contact.user is None and contact.phone_masked == "138****5678"
    assert str(contact.phone) == "138****5678"


def test_a_custom_duty_needs_its_name(world):
    actor = world.actor("commander_a")
    with pytest.raises(DomainError) as error:
        group_member_add(actor=actor, area_code=COMMUNITY_A, duty=Duty.CUSTOM, name="王")
    assert error.value.code == "duty_label_required"
    member = group_member_add(actor=actor, area_code=COMMUNITY_A, duty=Duty.CUSTOM, duty_label="心理疏导", name="王")
    assert member.duty_display == "心理疏导"


def test_an_unknown_duty_is_refused_with_the_known_ones(world):
    with pytest.raises(DomainError) as error:
        group_member_add(actor=world.actor("commander_a"), area_code=COMMUNITY_A, duty="catering", name="王")
    assert error.value.code == "unknown_duty" and "catering" in str(error.value.message)
    assert "Logistics" in str(error.value.message)


def test_a_bad_phone_is_refused(world):
    with pytest.raises(ValidationError) as error:
        group_member_add(
            actor=world.actor("commander_a"), area_code=COMMUNITY_A, duty=Duty.MEDICAL, name="王", phone="12345"
        )
    assert "phone" in error.value.message_dict


def test_outside_the_community_or_without_the_capability(world):
    with pytest.raises(NotFound):
        group_member_add(actor=world.actor("commander_a"), area_code=COMMUNITY_B, duty=Duty.MEDICAL, name="王")
    with pytest.raises(DomainError) as error:
        group_member_add(actor=world.actor("commander_a"), area_code=GRID_A1, duty=Duty.MEDICAL, name="王")
    assert error.value.code == "wrong_area_level"
    for persona in ("worker_a", "street1", "grid_a1"):
        with pytest.raises(PermissionDenied):
            group_member_add(actor=world.actor(persona), area_code=COMMUNITY_A, duty=Duty.MEDICAL, name="王")


def test_a_user_from_elsewhere_cannot_be_added(world):
    with pytest.raises(DomainError) as error:
        group_member_add(
            actor=world.actor("commander_a"), area_code=COMMUNITY_A, duty=Duty.MEDICAL, user=world.users["worker_b"]
        )
    assert error.value.code == "unknown_user"


def test_update_keeps_the_phone_when_blank_and_deactivate_keeps_the_row(world):
    actor = world.actor("commander_a")
    member = make_member(COMMUNITY_A, Duty.MEDICAL, name="李医生", phone="13900001111")
    group_member_update(actor=actor, member=member, duty=Duty.LIAISON, phone="", organisation="卫生站")
    member.refresh_from_db()
    assert member.duty == Duty.LIAISON and member.phone_masked == "139****1111" and member.organisation == "卫生站"
    group_member_deactivate(actor=actor, member=member.pk)
    member.refresh_from_db()
    assert not member.active and CommandGroupMember.objects.filter(pk=member.pk).exists()
    with pytest.raises(Http404):
        group_member_deactivate(actor=world.actor("commander_b"), member=member)


def test_duty_holders_are_active_members_who_are_users(world):
    make_member(COMMUNITY_A, Duty.LOGISTICS, user=world.users["worker_a"])
    make_member(COMMUNITY_A, Duty.LOGISTICS, user=world.users["grid_a1"], active=False)
    make_member(COMMUNITY_A, Duty.LOGISTICS, name="外部联系人")
    make_member(COMMUNITY_B, Duty.LOGISTICS, user=world.users["worker_b"])
    make_member(COMMUNITY_A, Duty.CUSTOM, duty_label="心理疏导", user=world.users["counsellor_a"])
    assert duty_holders(COMMUNITY_A, Duty.LOGISTICS) == [world.users["worker_a"]]
    assert duty_holders(COMMUNITY_A, Duty.MEDICAL) == []
    assert duty_holders(COMMUNITY_A, Duty.CUSTOM, " 心理疏导") == [world.users["counsellor_a"]]
    assert duty_holders(COMMUNITY_A, Duty.CUSTOM, "other") == []
    ids = duty_holder_ids(COMMUNITY_A, [(Duty.LOGISTICS, ""), (Duty.CUSTOM, "心理疏导")])
    assert ids == {"logistics": [world.users["worker_a"].pk], "custom:心理疏导": [world.users["counsellor_a"].pk]}
    assert community_commander_ids(COMMUNITY_A) == [world.users["commander_a"].pk]


def test_roster_shows_full_phones_and_is_recorded_as_an_export(world):
    make_member(COMMUNITY_A, Duty.LEADER, name="书记", phone="13800001234")
    make_member(COMMUNITY_B, Duty.LEADER, name="乙书记", phone="13800005678")
    pages = group_roster_export(actor=world.actor("commander_a"))
    assert [p.area.code for p in pages] == [COMMUNITY_A]
    assert pages[0].rows[0]["phone"] == "13800001234"
    event = AuditEvent.objects.get(action="export")
    assert event.actor_label == "commander_a" and event.changes["members"] == 1
    assert event.changes["phones"] == "full"


def test_roster_of_an_official_is_masked_and_spans_communities(world):
    make_member(COMMUNITY_A, Duty.LEADER, name="书记", phone="13800001234")
    make_member(COMMUNITY_B, Duty.LEADER, name="乙书记", phone="13800005678")
    pages = group_roster_export(actor=world.actor("street1"), area_code=STREET_1)
    assert [p.area.code for p in pages] == [COMMUNITY_A, COMMUNITY_B]
    assert pages[0].rows[0]["phone"] == "138****1234"
    with pytest.raises(PermissionDenied):
        group_roster_export(actor=world.actor("resident_a1"))
