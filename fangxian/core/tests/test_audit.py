"""The audit trail: every write of a jurisdictional row, every reveal; append-only."""

from __future__ import annotations

import json

import pytest
from django.db import DatabaseError, connection, transaction

from fangxian.areas.models import Building
from fangxian.core.audit import acting_as
from fangxian.core.errors import DomainError, NotFound, PermissionDenied
from fangxian.core.models import AuditAction, AuditEvent
from fangxian.core.personal import MASK_WHOLE
from fangxian.core.scoping import Actor
from fangxian.core.services import personal_value_reveal
from fangxian.core.testing import GRID_A1
from fangxian.registry.models import Resident

ID_NUMBER = "370202199001011237"
ID_MASKED = "370202********1237"
PHONE = "13812345678"
PHONE_MASKED = "138****5678"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The personas' passwords are hashed twenty times per test; the default hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def worker_a(world):
    actor = Actor.for_user(world.users["worker_a"], source_ip="10.1.2.3")
    with acting_as(actor):
        yield actor


def events(**filters) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(**filters).order_by("id"))


def make_resident(world, **kwargs) -> Resident:
    household = world.households["A1"]
    values = {
        "household": household,
        "area_code": household.area_code,
        "name": "审计测试",
        "sex": "M",
        "id_number": ID_NUMBER,
        "phone": PHONE,
    }
    values.update(kwargs)
    return Resident.objects.create(**values)


def test_creating_a_row_records_actor_area_and_new_values(world, worker_a):
    building = Building.objects.create(area_code=GRID_A1, estate="海景花园", name="3号楼", floors=6)
    (event,) = events(object_type="areas.building", object_id=str(building.pk))
    assert event.action == AuditAction.CREATE
    assert event.actor == world.users["worker_a"]
    assert event.actor_label == "worker_a"
    assert event.area_code == GRID_A1
    assert event.source_ip == "10.1.2.3"
    assert event.changes["name"] == {"new": "3号楼"}
    assert event.changes["floors"] == {"new": 6}
    assert "id" not in event.changes


def test_updating_a_row_records_only_changed_fields_with_old_and_new(world, worker_a):
    building = Building.objects.create(area_code=GRID_A1, estate="海景花园", name="3号楼", floors=6)
    building.name = "5号楼"
    building.save()
    loaded = Building.objects.get(pk=building.pk)
    loaded.floors = 18
    loaded.save()
    updates = events(object_type="areas.building", object_id=str(building.pk), action=AuditAction.UPDATE)
    assert [event.changes for event in updates] == [
        {"name": {"old": "3号楼", "new": "5号楼"}},
        {"floors": {"old": 6, "new": 18}},
    ]
    assert all(event.actor == world.users["worker_a"] and event.area_code == GRID_A1 for event in updates)


def test_deleting_a_row_records_its_last_values(world, worker_a):
    building = Building.objects.create(area_code=GRID_A1, estate="海景花园", name="3号楼")
    pk = building.pk
    Building.objects.get(pk=pk).delete()
    (event,) = events(object_type="areas.building", object_id=str(pk), action=AuditAction.DELETE)
    assert event.object_id == str(pk)
    assert event.area_code == GRID_A1
    assert event.changes["name"] == {"old": "3号楼"}
    assert event.actor == world.users["worker_a"]


def test_save_that_changes_nothing_writes_no_event(world, worker_a):
    building = Building.objects.create(area_code=GRID_A1, estate="海景花园", name="3号楼", latitude="36.066000")
    building.save()
    loaded = Building.objects.get(pk=building.pk)
    loaded.save()
    resident = make_resident(world)
    resident.save()
    Resident.objects.get(pk=resident.pk).save()
    assert not events(action=AuditAction.UPDATE)


def test_setting_the_same_personal_value_again_is_not_a_change(world, worker_a):
    resident = make_resident(world)
    loaded = Resident.objects.get(pk=resident.pk)
    loaded.id_number = " 370202 19900101 1237 "  # re-encrypted, but the same person
    loaded.save()
    assert not events(action=AuditAction.UPDATE)


def test_personal_values_are_masked_whole_in_the_trail(world, worker_a):
    resident = make_resident(world)
    resident.id_number = "11010519491231002X"
    resident.save()
    resident.delete()
    trail = events(object_type="registry.resident")
    assert [event.action for event in trail] == [AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE]
    create, update, delete = trail
    assert create.changes["id_number"] == {"new": MASK_WHOLE}
    assert create.changes["phone"] == {"new": MASK_WHOLE}
    assert update.changes == {"id_number": {"old": MASK_WHOLE, "new": MASK_WHOLE}}
    assert delete.changes["id_number"] == {"old": MASK_WHOLE}
    for event in trail:
        text = json.dumps(event.changes, ensure_ascii=False) + event.object_label
        for secret in (
            ID_NUMBER,
            ID_MASKED,
            "1237",
            "19900101",
            PHONE,
            PHONE_MASKED,
            "5678",
            "11010519491231002X",
            "110105********002X",
        ):
            assert secret not in text
        # The history keeps the name as a change, but the label that lists show does not carry it.
        assert "审计测试" not in event.object_label
        assert not any(name.endswith(("_hash", "_last4", "_masked")) for name in event.changes)


def test_write_is_rolled_back_when_the_audit_row_cannot_be_written(world, worker_a, monkeypatch):
    building = Building.objects.create(area_code=GRID_A1, estate="海景花园", name="3号楼")

    def broken_create(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(AuditEvent.objects, "create", broken_create)
    with pytest.raises(RuntimeError, match="audit store down"):
        Building.objects.create(area_code=GRID_A1, estate="海景花园", name="4号楼")
    assert not Building.objects.filter(name="4号楼").exists()

    building.name = "9号楼"
    with pytest.raises(RuntimeError):
        building.save()
    assert Building.objects.get(pk=building.pk).name == "3号楼"

    with pytest.raises(RuntimeError):
        Building.objects.get(pk=building.pk).delete()
    assert Building.objects.filter(pk=building.pk).exists()


def test_audit_event_refuses_update_and_delete_through_the_model(world, worker_a):
    building = Building.objects.create(area_code=GRID_A1, estate="海景花园", name="3号楼")
    event = AuditEvent.objects.get(object_type="areas.building", object_id=str(building.pk))
    event.reason = "rewritten"
    with pytest.raises(RuntimeError, match="append-only"):
        event.save()
    with pytest.raises(RuntimeError, match="append-only"):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).reason == ""


@pytest.mark.postgres_only
def test_database_trigger_refuses_raw_update_and_delete_of_audit_rows(world, worker_a):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    building = Building.objects.create(area_code=GRID_A1, estate="海景花园", name="3号楼")
    event = AuditEvent.objects.get(object_type="areas.building", object_id=str(building.pk))
    for sql in (
        "UPDATE core_auditevent SET reason = 'rewritten' WHERE id = %s",
        "DELETE FROM core_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    # Below the queryset's own guard: the base manager's update() reaches the trigger.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent._base_manager.filter(pk=event.pk).update(reason="rewritten")
    assert AuditEvent.objects.get(pk=event.pk).reason == ""


def test_queryset_refuses_bulk_rewrites_on_every_database(world, worker_a):
    Building.objects.create(area_code=GRID_A1, estate="海景花园", name="5号楼")
    with pytest.raises(RuntimeError, match="append-only"):
        AuditEvent.objects.all().update(reason="rewritten")
    with pytest.raises(RuntimeError, match="append-only"):
        AuditEvent.objects.all().delete()


# --- revealing a personal value ----------------------------------------------------------------


@pytest.mark.parametrize("persona", ["grid_a1", "worker_a", "commander_a"])
def test_staff_of_the_community_may_reveal_with_a_reason_and_it_is_recorded(world, system_actor, persona):
    resident = make_resident(world)
    actor = Actor.for_user(world.users[persona], source_ip="10.9.8.7")
    loaded = Resident.objects.get_visible(actor, pk=resident.pk)
    clear = personal_value_reveal(actor=actor, obj=loaded, field_name="id_number", reason="  核实 协查名单  ")
    assert clear == ID_NUMBER
    (event,) = events(action=AuditAction.REVEAL)
    assert event.actor == world.users[persona]
    assert event.reason == "核实 协查名单"
    assert event.changes == {"field": "id_number"}
    assert event.object_type == "registry.resident" and event.object_id == str(resident.pk)
    assert event.area_code == GRID_A1
    assert event.source_ip == "10.9.8.7"
    assert ID_NUMBER not in json.dumps(event.changes)


@pytest.mark.parametrize("persona", ["volunteer_a", "street1", "guard_a", "resident_a1", "counsellor_a"])
def test_roles_without_the_capability_may_not_reveal(world, system_actor, persona):
    resident = make_resident(world)
    with pytest.raises(PermissionDenied):
        personal_value_reveal(actor=world.actor(persona), obj=resident, field_name="phone", reason="想打电话联系")
    assert not events(action=AuditAction.REVEAL)


@pytest.mark.parametrize("reason", ["", "   ", "abc", "核实", "x" * 201])
def test_reveal_needs_a_reason_of_four_to_two_hundred_characters(world, system_actor, reason):
    resident = make_resident(world)
    with pytest.raises(DomainError) as excinfo:
        personal_value_reveal(actor=world.actor("grid_a1"), obj=resident, field_name="phone", reason=reason)
    assert excinfo.value.code == "reason_required"
    assert not events(action=AuditAction.REVEAL)


@pytest.mark.parametrize("reason", ["核实身份", "x" * 200])
def test_reveal_accepts_reasons_at_the_limits(world, system_actor, reason):
    resident = make_resident(world)
    assert personal_value_reveal(actor=world.actor("grid_a1"), obj=resident, field_name="phone", reason=reason) == PHONE
    assert events(action=AuditAction.REVEAL)[0].reason == reason


def test_reveal_of_a_field_that_is_not_personal_is_refused(world, system_actor):
    resident = make_resident(world)
    for name in ("name", "id_number_hash", "no_such_field"):
        with pytest.raises(DomainError) as excinfo:
            personal_value_reveal(actor=world.actor("grid_a1"), obj=resident, field_name=name, reason="核实身份信息")
        assert excinfo.value.code == "not_personal"


def test_reveal_outside_the_jurisdiction_is_not_found(world, system_actor):
    # Even when a caller forgets to load the object through visible_to, the service does not reveal.
    resident = make_resident(world)  # in grid A1
    for persona in ("grid_a2", "grid_b1", "commander_b", "worker_b"):
        with pytest.raises(NotFound):
            personal_value_reveal(
                actor=world.actor(persona), obj=resident, field_name="id_number", reason="核实身份信息"
            )
    assert not events(action=AuditAction.REVEAL)
