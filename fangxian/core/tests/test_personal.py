"""PersonalField on registry.Resident: encrypted at rest, hashed for lookup, masked for display."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from fangxian.core.personal import MASK_WHOLE, PersonalKind, PersonalValue, decrypt, hash_for, lookup_hash
from fangxian.registry.models import Resident

ID_NUMBER = "11010519491231002X"
PHONE = "13812345678"


@pytest.fixture
def household(db):
    # No personas needed here: a tree and one household are enough.
    from fangxian.core.testing import GRID_A1, build_tree, make_household

    build_tree()
    return make_household(GRID_A1, "A1")


def make_resident(household, **kwargs) -> Resident:
    values = {"household": household, "area_code": household.area_code, "name": "测试居民", "sex": "M"}
    values.update(kwargs)
    return Resident.objects.create(**values)


def raw_columns(resident: Resident) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, phone, id_number_hash, id_number_last4, id_number_masked, phone_hash, phone_last4,"
            " phone_masked FROM registry_resident WHERE id = %s",
            [resident.pk],
        )
        names = [column[0] for column in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))


def test_saved_values_are_not_stored_in_clear(household, system_actor):
    resident = make_resident(household, id_number=ID_NUMBER, phone=PHONE)
    raw = raw_columns(resident)
    assert ID_NUMBER not in raw["id_number"] and "19491231" not in raw["id_number"]
    assert PHONE not in raw["phone"]
    # The column is ciphertext that the configured keys open.
    assert decrypt(raw["id_number"]) == ID_NUMBER
    assert decrypt(raw["phone"]) == PHONE


def test_siblings_hold_hash_last4_and_masked_form(household, system_actor):
    resident = make_resident(household, id_number=ID_NUMBER, phone=PHONE)
    raw = raw_columns(resident)
    assert raw["id_number_hash"] == lookup_hash(PersonalKind.ID_CARD, ID_NUMBER)
    assert len(raw["id_number_hash"]) == 64
    assert raw["id_number_last4"] == "002X"
    assert raw["id_number_masked"] == "110105********002X"
    assert raw["phone_hash"] == lookup_hash(PersonalKind.PHONE, PHONE)
    assert raw["phone_last4"] == "5678"
    assert raw["phone_masked"] == "138****5678"


def test_loaded_value_prints_masked_and_reveals_clear(household, system_actor):
    resident = make_resident(household, id_number=ID_NUMBER, phone=PHONE)
    loaded = Resident.objects.get(pk=resident.pk)
    assert isinstance(loaded.id_number, PersonalValue)
    # Loaded without its sibling, str() still never shows the clear value.
    assert str(loaded.id_number) in {MASK_WHOLE, "110105********002X"}
    assert ID_NUMBER not in str(loaded.id_number) and ID_NUMBER not in repr(loaded.id_number)
    assert loaded.id_number.reveal() == ID_NUMBER
    assert loaded.phone.reveal() == PHONE


def test_value_just_saved_prints_masked(household, system_actor):
    resident = make_resident(household, id_number=ID_NUMBER, phone=PHONE)
    assert str(resident.id_number) == "110105********002X"
    assert str(resident.phone) == "138****5678"
    assert f"{resident.phone}" == "138****5678"


def test_input_is_normalised_before_storing(household, system_actor):
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in "110105 19491231 002x".replace(" ", ""))
    resident = make_resident(household, id_number=full_width, phone="+86 138-1234-5678")
    loaded = Resident.objects.get(pk=resident.pk)
    assert loaded.id_number.reveal() == ID_NUMBER
    assert loaded.phone.reveal() == PHONE


def test_lookup_by_hash_finds_resident_from_full_width_input(household, system_actor):
    resident = make_resident(household, id_number=ID_NUMBER)
    make_resident(household, id_number="110105194912310038", name="另一位")
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in "11010519491231002x")
    found = Resident.objects.filter(id_number_hash=hash_for(Resident, "id_number", full_width))
    assert list(found) == [resident]
    found = Resident.objects.filter(phone_hash=hash_for(Resident, "phone", PHONE))
    assert list(found) == []


def test_hash_for_invalid_input_raises_validation_error():
    with pytest.raises(ValidationError):
        hash_for(Resident, "id_number", "123")


def test_bulk_create_fills_the_siblings(household, system_actor):
    Resident.objects.bulk_create(
        [
            Resident(household=household, area_code=household.area_code, name="甲", sex="M", id_number=ID_NUMBER,
                     phone=PHONE),
            Resident(household=household, area_code=household.area_code, name="乙", sex="F", phone="13900001111"),
        ]
    )
    first = Resident.objects.get(id_number_hash=hash_for(Resident, "id_number", ID_NUMBER))
    assert first.id_number_last4 == "002X" and first.id_number_masked == "110105********002X"
    assert first.phone_masked == "138****5678"
    assert first.id_number.reveal() == ID_NUMBER
    second = Resident.objects.get(phone_hash=hash_for(Resident, "phone", "13900001111"))
    assert second.id_number == "" and second.id_number_hash == ""
    assert second.phone_last4 == "1111"
    assert PHONE not in raw_columns(first)["phone"]


@pytest.mark.parametrize(
    "field,value", [("id_number", "110105194912310021"), ("id_number", "abc"), ("phone", "12345"),
                    ("phone", "23812345678")]
)
def test_invalid_value_raises_validation_error_on_save(household, system_actor, field, value):
    with pytest.raises(ValidationError):
        make_resident(household, **{field: value})
    assert not Resident.objects.exists()


def test_value_to_string_never_gives_the_clear_value(household, system_actor):
    resident = make_resident(household, id_number=ID_NUMBER, phone=PHONE)
    for obj in (resident, Resident.objects.get(pk=resident.pk)):
        for name in ("id_number", "phone"):
            text = Resident._meta.get_field(name).value_to_string(obj)
            assert text == MASK_WHOLE


def test_serializer_output_has_no_clear_value(household, system_actor):
    from django.core import serializers

    make_resident(household, id_number=ID_NUMBER, phone=PHONE)
    dumped = serializers.serialize("json", Resident.objects.all(), fields=["id_number", "phone"])
    assert ID_NUMBER not in dumped and PHONE not in dumped


def test_equal_values_give_equal_hashes_but_different_ciphertexts(household, system_actor):
    # Phones, since one ID number belongs to one resident only (a unique index on its hash).
    first = make_resident(household, phone="138 1234 5678", name="甲")
    second = make_resident(household, phone="+8613812345678", name="乙")
    assert first.phone_hash == second.phone_hash
    assert raw_columns(first)["phone"] != raw_columns(second)["phone"]


def test_id_hash_differs_from_phone_hash_for_the_same_digits():
    digits = "13812345678"
    assert lookup_hash(PersonalKind.ID_CARD, digits) != lookup_hash(PersonalKind.PHONE, digits)


def test_blank_value_stores_blank_siblings(household, system_actor):
    resident = make_resident(household)
    raw = raw_columns(resident)
    assert raw["id_number"] == "" and raw["id_number_hash"] == "" and raw["id_number_masked"] == ""


def test_clearing_a_value_clears_its_siblings(household, system_actor):
    resident = make_resident(household, id_number=ID_NUMBER)
    resident.id_number = ""
    resident.save()
    raw = raw_columns(resident)
    assert raw["id_number"] == "" and raw["id_number_hash"] == "" and raw["id_number_last4"] == ""


def test_saving_with_update_fields_keeps_the_siblings_in_step(household, system_actor):
    resident = make_resident(household, id_number=ID_NUMBER, phone=PHONE)
    resident.id_number = "370202199001011237"
    resident.save(update_fields=["id_number"])
    raw = raw_columns(resident)
    assert raw["id_number_hash"] == lookup_hash(PersonalKind.ID_CARD, "370202199001011237")
    assert raw["id_number_last4"] == "1237" and raw["id_number_masked"] == "370202********1237"
    assert list(Resident.objects.filter(id_number_hash=hash_for(Resident, "id_number", "370202199001011237"))) == [
        resident
    ]
    # Fields not named are left alone.
    assert raw["phone_masked"] == "138****5678"


def test_queryset_update_with_a_clear_value_is_refused(household, system_actor):
    resident = make_resident(household, phone=PHONE)
    with pytest.raises(ValueError, match="save"), transaction.atomic():
        Resident.objects.filter(pk=resident.pk).update(phone="13900001111")
    assert raw_columns(resident)["phone"] != "13900001111"
    # Ciphertext (what rotate_keys writes) and clearing a value still go through.
    Resident.objects.filter(pk=resident.pk).update(phone=raw_columns(resident)["phone"])
    Resident.objects.filter(pk=resident.pk).update(id_number="")


def test_filtering_on_a_clear_value_is_refused_rather_than_silently_empty(household, system_actor):
    make_resident(household, id_number=ID_NUMBER)
    with pytest.raises(ValueError), transaction.atomic():
        list(Resident.objects.filter(id_number=ID_NUMBER))
    assert Resident.objects.exclude(id_number="").count() == 1
