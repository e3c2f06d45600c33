"""Residents: register, edit, move, deregister, pinyin initials, and the door-step search."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from fangxian.areas.models import Household
from fangxian.core.errors import DomainError, NotFound, PermissionDenied
from fangxian.core.idcard import check_char
from fangxian.core.models import AuditEvent
from fangxian.core.testing import GRID_A1, GRID_A2, make_household
from fangxian.registry.models.residents import (
    Resident,
    ResidentChangeKind,
    ResidentMove,
    ResidentStatus,
    Vulnerability,
    VulnerabilityKind,
    name_initials,
)
from fangxian.registry.selectors.residents import resident_search, search_kind
from fangxian.registry.services.residents import (
    resident_create,
    resident_deregister,
    resident_initials_fill,
    resident_move,
    resident_reinstate,
    resident_update,
)


def id_number(first17: str) -> str:
    return first17 + check_char(first17)


ZHANG_ID = id_number("37020219500506123")  # born 1950-05-06, 17th digit 3: a man


def register(world, actor_name="grid_a1", household="A1", **data):
    payload = {"name": "张三丰", "sex": "M", "relation": "head", "residence_type": "registered"} | data
    return resident_create(actor=world.actor(actor_name), household=world.households[household], data=payload)


def test_name_initials():
    assert name_initials("张三丰") == "zsf"
    assert name_initials("李 小-龙") == "lxl"
    assert name_initials("Anna 王") == "annaw"
    assert name_initials("") == ""


@pytest.mark.django_db
def test_saving_a_resident_computes_initials(world):
    resident = Resident.objects.create(area_code=GRID_A1, household=world.households["A1"], name="王小明", sex="M")
    assert resident.name_initials == "wxm"
    resident.name = "赵六"
    resident.save(update_fields=["name"])
    resident.refresh_from_db()
    assert resident.name_initials == "zl"


@pytest.mark.django_db
def test_create_derives_birth_date_and_sex_from_the_id_number(world):
    resident = register(world, sex="F", id_number=ZHANG_ID, phone="13812345678")
    resident.refresh_from_db()
    assert resident.birth_date == dt.date(1950, 5, 6)
    assert resident.sex == "M"
    assert resident.id_number_masked == f"370202********{ZHANG_ID[-4:]}"
    assert resident.phone_masked == "138****5678"
    assert resident.area_code == GRID_A1
    assert resident.name_initials == "zsf"
    assert AuditEvent.objects.filter(object_type="registry.resident", object_id=str(resident.pk), action="create")


@pytest.mark.django_db
def test_a_passport_is_stored_as_a_personal_value(world):
    resident = register(world, name="John Smith", document_type="passport", document_number="e 1234 5678")
    resident.refresh_from_db()
    assert resident.document_type == "passport"
    assert resident.document_number_masked == "*****5678"
    assert resident.document_number.reveal() == "E12345678"


@pytest.mark.django_db
def test_a_foreign_document_needs_a_number(world):
    with pytest.raises(ValidationError):
        register(world, name="John Smith", document_type="passport")


@pytest.mark.django_db
def test_a_wrong_id_number_is_refused(world):
    with pytest.raises(ValidationError) as caught:
        register(world, id_number=ZHANG_ID[:-1] + ("0" if ZHANG_ID[-1] != "0" else "1"))
    assert "id_number" in caught.value.message_dict


@pytest.mark.django_db
def test_the_same_id_number_is_registered_once(world):
    register(world, id_number=ZHANG_ID)
    with pytest.raises(DomainError) as caught:
        register(world, household="A1", name="张三", id_number=ZHANG_ID)
    assert caught.value.code == "duplicate_id"


@pytest.mark.django_db
def test_grid_worker_cannot_register_in_another_grid(world):
    with pytest.raises(NotFound):
        register(world, household="A2")


@pytest.mark.django_db
def test_street_official_may_not_edit_the_registry(world):
    with pytest.raises(PermissionDenied):
        register(world, actor_name="street1")


@pytest.mark.django_db
def test_update_keeps_personal_numbers_left_empty(world):
    resident = register(world, id_number=ZHANG_ID, phone="13812345678")
    resident_update(
        actor=world.actor("grid_a1"),
        resident=resident,
        data={"name": "张三", "phone": "", "id_number": "", "employer": "青岛大学"},
    )
    resident.refresh_from_db()
    assert (resident.name, resident.name_initials, resident.employer) == ("张三", "zs", "青岛大学")
    assert resident.phone_masked == "138****5678"
    assert resident.id_number_last4 == ZHANG_ID[-4:]


@pytest.mark.django_db
def test_move_keeps_history_and_carries_needs(world):
    resident = register(world, actor_name="worker_a")
    Vulnerability.objects.create(area_code=GRID_A1, resident=resident, kind=VulnerabilityKind.ELDERLY_ALONE)
    target = world.households["A2"]
    move = resident_move(actor=world.actor("worker_a"), resident=resident, household=target, reason="换房")
    resident.refresh_from_db()
    assert (resident.household_id, resident.area_code) == (target.pk, GRID_A2)
    assert resident.vulnerabilities.get().area_code == GRID_A2
    assert (move.kind, move.from_household_id, move.from_area_code) == (
        ResidentChangeKind.MOVE,
        world.households["A1"].pk,
        GRID_A1,
    )
    assert move.area_code == GRID_A2
    assert AuditEvent.objects.filter(object_type="registry.residentmove", action="create").exists()
    assert AuditEvent.objects.filter(
        object_type="registry.resident", object_id=str(resident.pk), action="update"
    ).exists()


@pytest.mark.django_db
def test_grid_worker_cannot_move_into_another_grid(world):
    resident = register(world)
    with pytest.raises(NotFound):
        resident_move(actor=world.actor("grid_a1"), resident=resident, household=world.households["A2"])
    assert not ResidentMove.objects.exists()


@pytest.mark.django_db
def test_move_to_the_same_household_is_refused(world):
    resident = register(world)
    with pytest.raises(DomainError):
        resident_move(actor=world.actor("grid_a1"), resident=resident, household=world.households["A1"])


@pytest.mark.django_db
def test_deregister_keeps_the_record_and_reinstate_undoes_it(world):
    resident = register(world)
    actor = world.actor("grid_a1")
    resident_deregister(
        actor=actor, resident=resident, status=ResidentStatus.DECEASED, reason="病故", on_date=dt.date(2026, 1, 2)
    )
    resident.refresh_from_db()
    assert resident.status == ResidentStatus.DECEASED
    assert resident.status_changed_on == dt.date(2026, 1, 2)
    with pytest.raises(DomainError):
        resident_deregister(actor=actor, resident=resident, status=ResidentStatus.DECEASED)
    with pytest.raises(DomainError):
        resident_move(actor=actor, resident=resident, household=make_household(GRID_A1, "X"))
    resident_reinstate(actor=actor, resident=resident, reason="误报")
    resident.refresh_from_db()
    assert resident.status == ResidentStatus.ACTIVE
    kinds = list(ResidentMove.objects.filter(resident=resident).order_by("id").values_list("kind", flat=True))
    assert kinds == ["deregister", "reinstate"]


@pytest.mark.django_db
def test_deregister_accepts_only_moved_away_or_deceased(world):
    resident = register(world)
    with pytest.raises(DomainError):
        resident_deregister(actor=world.actor("grid_a1"), resident=resident, status=ResidentStatus.ACTIVE)


@pytest.mark.django_db
def test_initials_fill_completes_rows_written_without_them(world):
    resident = register(world)
    Resident.objects.filter(pk=resident.pk).update(name_initials="")
    assert resident_initials_fill() == 1
    resident.refresh_from_db()
    assert resident.name_initials == "zsf"


# --- search -------------------------------------------------------------------------------------------


@pytest.fixture
def people(world):
    zhang = register(world, id_number=ZHANG_ID, phone="13812345678")
    li = register(world, name="李四", sex="F", phone="13900001111", household="A1", relation="spouse")
    Vulnerability.objects.create(area_code=GRID_A1, resident=li, kind=VulnerabilityKind.DISABLED)
    other = register(world, actor_name="worker_a", name="张思凡", household="A2", phone="13700005678")
    return zhang, li, other


def names(actor, **kwargs):
    return sorted(r.name for r in resident_search(actor=actor, **kwargs))


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        ("zsf", "initials"),
        ("ZSF", "initials"),
        ("张三", "name"),
        ("1234", "last4"),
        ("123x", "last4"),
        ("3-2-301", "address"),
        ("3号楼2单元301", "address"),
        ("301", "room"),
        ("13812345678", "phone"),
        ("", None),
    ],
)
def test_search_kind(raw, kind):
    result = search_kind(raw)
    assert (result.kind if result else None) == kind


@pytest.mark.django_db
def test_search_by_initials_finds_zhang_sanfeng(people, world):
    assert names(world.actor("grid_a1"), query="zsf") == ["张三丰"]
    assert names(world.actor("worker_a"), query="zs") == ["张三丰", "张思凡"]


@pytest.mark.django_db
def test_search_stays_in_the_actors_grid(people, world):
    assert names(world.actor("grid_a1"), query="5678") == ["张三丰"]
    assert names(world.actor("grid_a2"), query="5678") == ["张思凡"]
    assert names(world.actor("grid_b1"), query="zs") == []


@pytest.mark.django_db
def test_search_by_last_four_of_id_or_phone(people, world):
    actor = world.actor("worker_a")
    assert names(actor, query=ZHANG_ID[-4:]) == ["张三丰"]
    assert names(actor, query="1111") == ["李四"]


@pytest.mark.django_db
def test_search_by_full_numbers(people, world):
    actor = world.actor("worker_a")
    assert names(actor, query=ZHANG_ID) == ["张三丰"]
    assert names(actor, query="139 0000 1111") == ["李四"]


@pytest.mark.django_db
def test_search_by_name_tag_and_address(people, world):
    actor = world.actor("grid_a1")
    assert names(actor, query="李") == ["李四"]
    assert names(actor, tag=VulnerabilityKind.DISABLED) == ["李四"]
    # make_household builds 1号楼 1单元 101.
    assert names(actor, query="1-1-101") == ["张三丰", "李四"]
    assert names(actor, query="1号楼1单元101") == ["张三丰", "李四"]
    assert names(actor, query="1-1-102") == []


@pytest.mark.django_db
def test_search_leaves_out_deregistered_people_unless_asked(people, world):
    zhang = people[0]
    actor = world.actor("grid_a1")
    resident_deregister(actor=actor, resident=zhang, status=ResidentStatus.MOVED_AWAY)
    assert names(actor, query="zsf") == []
    assert names(actor, query="zsf", status="") == ["张三丰"]
    assert Household.objects.filter(pk=zhang.household_id).exists()
