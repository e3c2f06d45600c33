"""`rotate_keys`: re-encrypt every personal value with the newest data key, hashes untouched."""

from __future__ import annotations

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.test import override_settings

from fangxian.core.models import AuditAction, AuditEvent
from fangxian.core.personal import _fernet
from fangxian.registry.models import Resident

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
PEOPLE = [("11010519491231002X", "13812345678"), ("370220193502140315", "13900001111"), ("", "053288886666")]


@pytest.fixture(autouse=True)
def fresh_key_cache():
    _fernet.cache_clear()
    yield
    _fernet.cache_clear()


def keys(*values: str):
    _fernet.cache_clear()
    return override_settings(FANGXIAN_DATA_KEYS=list(values))


def reveal_all() -> dict[int, tuple[str, str]]:
    result = {}
    for resident in Resident.objects.order_by("pk"):
        result[resident.pk] = (
            resident.id_number.reveal() if resident.id_number else "",
            resident.phone.reveal() if resident.phone else "",
        )
    return result


def raw_ciphertexts() -> dict[int, tuple[str, str]]:
    return {pk: (id_number, phone) for pk, id_number, phone in
            Resident.objects.order_by("pk").values_list("pk", "id_number", "phone")}


@pytest.fixture
def residents_under_old_key(db, system_actor):
    from fangxian.core.testing import GRID_A1, build_tree, make_household

    build_tree()
    household = make_household(GRID_A1, "A1")
    with keys(OLD_KEY):
        for index, (id_number, phone) in enumerate(PEOPLE):
            Resident.objects.create(household=household, area_code=GRID_A1, name=f"居民{index}", sex="F",
                                    id_number=id_number, phone=phone)
    _fernet.cache_clear()
    return {pk: values for pk, values in zip(Resident.objects.order_by("pk").values_list("pk", flat=True), PEOPLE,
                                             strict=True)}


def test_old_rows_reveal_once_the_new_key_is_put_first(residents_under_old_key):
    with keys(NEW_KEY, OLD_KEY):
        assert reveal_all() == residents_under_old_key


def test_rotation_re_encrypts_everything_with_the_newest_key(residents_under_old_key):
    hashes_before = list(Resident.objects.order_by("pk").values_list("id_number_hash", "phone_hash", "phone_masked"))
    with keys(NEW_KEY, OLD_KEY):
        before = raw_ciphertexts()
        out = io.StringIO()
        call_command("rotate_keys", stdout=out)
        assert "registry.Resident: 3 rows" in out.getvalue()
        after = raw_ciphertexts()
    for pk, (id_before, phone_before) in before.items():
        id_after, phone_after = after[pk]
        assert phone_after != phone_before
        assert (id_after != id_before) if id_before else id_after == ""
    with keys(NEW_KEY):
        assert reveal_all() == residents_under_old_key
    with keys(OLD_KEY), pytest.raises(ValueError, match="cannot be decrypted"):
        reveal_all()
    hashes_after = list(Resident.objects.order_by("pk").values_list("id_number_hash", "phone_hash", "phone_masked"))
    assert hashes_after == hashes_before


def test_rotation_writes_a_key_rotate_audit_event(residents_under_old_key):
    with keys(NEW_KEY, OLD_KEY):
        call_command("rotate_keys", stdout=io.StringIO())
    event = AuditEvent.objects.get(action=AuditAction.KEY_ROTATE)
    assert event.actor_label == "system"
    assert event.changes == {"rows": 3}


def test_rows_still_open_without_the_old_key_only_after_rotation(residents_under_old_key):
    with keys(NEW_KEY), pytest.raises(ValueError):
        reveal_all()


def test_rotation_does_not_write_a_row_audit_event_per_resident(residents_under_old_key):
    updates_before = AuditEvent.objects.filter(action=AuditAction.UPDATE).count()
    with keys(NEW_KEY, OLD_KEY):
        call_command("rotate_keys", stdout=io.StringIO())
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE).count() == updates_before


def test_rotation_in_small_batches_covers_every_row(residents_under_old_key):
    from fangxian.core.management.commands.rotate_keys import rotate_model

    with keys(NEW_KEY, OLD_KEY):
        assert rotate_model(Resident, batch=1) == 3
    with keys(NEW_KEY):
        assert reveal_all() == residents_under_old_key
