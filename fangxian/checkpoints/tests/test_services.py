"""Passes, visitors, deliveries, vehicles, gates and policies: who may, and what they get."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fangxian.checkpoints.models import GatePolicy, Pass, VisitorStatus
from fangxian.checkpoints.selectors import gate_policy_in_force, visitor_list
from fangxian.checkpoints.services.gates import checkpoint_create, gate_policy_set, guard_shift_add
from fangxian.checkpoints.services.passes import (
    pass_issue,
    pass_qr_png,
    pass_qr_svg,
    pass_revoke,
    pass_token,
    pass_verify,
    vehicle_register,
)
from fangxian.checkpoints.services.visitors import delivery_record, visitor_approve, visitor_deny, visitor_register
from fangxian.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangxian.core.testing import COMMUNITY_A, COMMUNITY_B, GRID_A1

pytestmark = pytest.mark.django_db


def test_grid_worker_issues_a_pass_and_reissuing_revokes_the_old_one(world, person):
    actor = world.actor("grid_a1")
    first = pass_issue(actor=actor, household_id=person.household_id, resident_id=person.pk, days=14)
    assert first.area_code == GRID_A1 and first.expires_at - first.issued_at == dt.timedelta(days=14)
    second = pass_issue(actor=actor, household_id=person.household_id, resident_id=person.pk)
    first.refresh_from_db()
    assert first.revoked_at is not None and first.revoke_reason and second.revoked_at is None
    assert not pass_verify(pass_token(first)).ok and pass_verify(pass_token(second)).ok


def test_a_household_pass_has_no_resident(world, person):
    issued = pass_issue(actor=world.actor("worker_a"), household_id=person.household_id)
    assert issued.resident is None and pass_verify(pass_token(issued)).ok


def test_pass_issue_rules(world, person, person_b):
    with pytest.raises(PermissionDenied):
        pass_issue(actor=world.actor("guard_a"), household_id=person.household_id)
    with pytest.raises(NotFound):
        pass_issue(actor=world.actor("grid_a2"), household_id=person.household_id)
    with pytest.raises(DomainError):
        pass_issue(actor=world.actor("worker_a"), household_id=world.households["A2"].pk, resident_id=person.pk)
    with pytest.raises(DomainError):
        pass_issue(actor=world.actor("worker_a"), household_id=person.household_id, days=400)


def test_revoking_is_immediate_and_once(world, person_pass):
    actor = world.actor("commander_a")
    pass_revoke(actor=actor, pass_id=person_pass.pk, reason="丢失")
    assert pass_verify(pass_token(person_pass)).reason == "pass_revoked"
    with pytest.raises(Conflict):
        pass_revoke(actor=actor, pass_id=person_pass.pk, reason="丢失")
    with pytest.raises(NotFound):
        pass_revoke(actor=world.actor("commander_b"), pass_id=person_pass.pk, reason="丢失")


def test_the_qr_code_is_drawn_for_the_household_and_staff_only(world, person_pass):
    png = pass_qr_png(actor=world.actor("resident_a1"), pass_id=person_pass.pk)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert "<svg" in pass_qr_svg(actor=world.actor("grid_a1"), pass_id=person_pass.pk)
    with pytest.raises(NotFound):
        pass_qr_png(actor=world.actor("resident_b1"), pass_id=person_pass.pk)
    with pytest.raises(PermissionDenied):
        pass_qr_svg(actor=world.actor("guard_a"), pass_id=person_pass.pk)


def test_the_qr_code_decodes_to_the_token(world, person_pass):
    segno = pytest.importorskip("segno")
    code = segno.make(pass_token(person_pass), error="m")
    assert code.error == "M" and code.mode == "byte"


def test_guard_registers_a_visitor_and_the_host_household_decides(world, gate, strict_policy):
    strict_policy.visitors_need_host_approval = True
    strict_policy.save()
    host = world.households["A1"]
    visitor = visitor_register(
        actor=world.actor("guard_a"),
        checkpoint_id=gate.pk,
        name="赵访客",
        phone="139 0000 1111",
        id_number="11010519491231002x",
        purpose="送药",
        host_household_id=host.pk,
        origin="济南",
    )
    assert visitor.status == VisitorStatus.PENDING and visitor.area_code == host.area_code
    assert visitor.phone_masked == "139****1111" and visitor.id_number_masked == "110105********002X"
    # The guard reaches no personal data: the list is empty for them.
    assert not visitor_list(actor=world.actor("guard_a")).exists()
    with pytest.raises(NotFound):
        visitor_approve(actor=world.actor("resident_b1"), visitor_id=visitor.pk)
    approved = visitor_approve(actor=world.actor("resident_a1"), visitor_id=visitor.pk)
    assert approved.status == VisitorStatus.APPROVED and approved.decided_by == world.users["resident_a1"]
    with pytest.raises(Conflict):
        visitor_deny(actor=world.actor("commander_a"), visitor_id=visitor.pk)


def test_a_visitor_needs_a_host_when_approval_is_required(world, gate, strict_policy):
    strict_policy.visitors_need_host_approval = True
    strict_policy.save()
    with pytest.raises(DomainError) as error:
        visitor_register(actor=world.actor("guard_a"), checkpoint_id=gate.pk, name="赵", purpose="探亲")
    assert error.value.code == "host_required"


def test_a_visitor_with_a_bad_phone_is_refused_without_echoing_it(world, gate):
    with pytest.raises(DomainError) as error:
        visitor_register(actor=world.actor("guard_a"), checkpoint_id=gate.pk, name="赵", purpose="探亲", phone="12345")
    assert error.value.field == "phone" and "12345" not in str(error.value.message)


def test_visitors_without_approval_are_approved_at_once(world, gate):
    visitor = visitor_register(actor=world.actor("worker_a"), checkpoint_id=gate.pk, name="钱", purpose="维修")
    assert visitor.status == VisitorStatus.APPROVED and visitor.area_code == COMMUNITY_A


def test_a_host_must_live_in_the_checkpoints_community(world, gate):
    with pytest.raises(NotFound):
        visitor_register(
            actor=world.actor("guard_a"),
            checkpoint_id=gate.pk,
            name="孙",
            purpose="探亲",
            host_household_id=world.households["B1"].pk,
        )


def test_delivery_keeps_nothing_about_the_rider(world, gate):
    delivery = delivery_record(
        actor=world.actor("guard_a"),
        checkpoint_id=gate.pk,
        kind="takeaway",
        household_id=world.households["A2"].pk,
        note="放门卫室",
    )
    assert delivery.area_code == COMMUNITY_A and delivery.recorded_by == world.users["guard_a"]
    with pytest.raises(DomainError):
        delivery_record(actor=world.actor("guard_a"), checkpoint_id=gate.pk, kind="pizza")
    with pytest.raises(PermissionDenied):
        delivery_record(actor=world.actor("resident_a1"), checkpoint_id=gate.pk, kind="express")


def test_vehicle_register(world):
    household = world.households["A1"]
    vehicle = vehicle_register(actor=world.actor("grid_a1"), household_id=household.pk, plate="鲁b 12345")
    assert vehicle.plate == "鲁B12345"
    with pytest.raises(Conflict):
        vehicle_register(actor=world.actor("grid_a1"), household_id=household.pk, plate="鲁B·12345")
    with pytest.raises(DomainError):
        vehicle_register(actor=world.actor("grid_a1"), household_id=household.pk, plate="鲁I12345")
    with pytest.raises(NotFound):
        vehicle_register(actor=world.actor("grid_b1"), household_id=household.pk, plate="鲁B54321")


def test_commander_sets_up_gates_shifts_and_policies(world, epidemic):
    commander = world.actor("commander_a")
    gate = checkpoint_create(
        actor=commander, area_code=COMMUNITY_A, name="西门", kind="vehicle", opens_at=dt.time(6), closes_at=dt.time(22)
    )
    now = timezone.now()
    shift = guard_shift_add(
        actor=commander,
        checkpoint_id=gate.pk,
        guard=world.users["guard_a"],
        starts_at=now,
        ends_at=now + dt.timedelta(hours=8),
    )
    assert shift.area_code == COMMUNITY_A
    with pytest.raises(DomainError):
        guard_shift_add(
            actor=commander,
            checkpoint_id=gate.pk,
            guard=world.users["guard_b"],
            starts_at=now,
            ends_at=now + dt.timedelta(hours=8),
        )
    policy = gate_policy_set(
        actor=commander, community_code=COMMUNITY_A, level=2, residents_only=True, quota_persons=1, quota_days=2
    )
    assert gate_policy_in_force(COMMUNITY_A + "001") == (policy, epidemic)
    assert gate_policy_set(actor=commander, community_code=COMMUNITY_A, level=2, quota_days=3).pk == policy.pk
    with pytest.raises(NotFound):
        checkpoint_create(actor=commander, area_code=COMMUNITY_B, name="越权")
    with pytest.raises(PermissionDenied):
        checkpoint_create(actor=world.actor("worker_a"), area_code=COMMUNITY_A, name="无权")
    with pytest.raises(ValidationError):
        checkpoint_create(actor=commander, area_code=COMMUNITY_A, name="半天", opens_at=dt.time(6))
    with pytest.raises(DomainError):
        gate_policy_set(actor=commander, community_code=COMMUNITY_A, level=9)


def test_the_open_policy_without_an_emergency(world):
    policy, emergency = gate_policy_in_force(COMMUNITY_A)
    assert emergency is None and policy.pk is None and not policy.residents_only
    assert str(policy.fever_celsius) == "37.3"
    assert not GatePolicy.objects.exists() and not Pass.objects.exists()
