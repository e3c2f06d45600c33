"""Area tree CSV: export scoped and neutralised, import strict, all or nothing, against hostile files."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command

from fangxian.areas import services
from fangxian.areas.models import Area
from fangxian.areas.services import area_tree_export, area_tree_import
from fangxian.core.errors import DomainError, PermissionDenied
from fangxian.core.exports import csv_cell_restore, csv_safe_cell, csv_stream_response
from fangxian.core.models import AuditAction, AuditEvent
from fangxian.core.testing import COMMUNITY_A, COMMUNITY_B, GRID_A1, GRID_A2, GRID_B1, STREET_1

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_and_fast_passwords(settings):
    """Messages are asserted in the source language; personas need no slow password hashing here."""
    from django.utils import translation

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with translation.override("en"):
        yield


POLYGON = {"type": "Polygon", "coordinates": [[[120.38, 36.06], [120.39, 36.06], [120.39, 36.07], [120.38, 36.06]]]}


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def do_import(world, rows=None, *, stream=None, persona="admin"):
    return area_tree_import(
        actor=world.actor(persona), stream=stream if stream is not None else csv_bytes(rows), filename="areas.csv"
    )


# --- csv_safe_cell -------------------------------------------------------------------------------


@pytest.mark.parametrize("cell", ["=1+1", "+86 138", "-2", "@SUM(A1)", "\t=cmd", "\r=cmd", '=HYPERLINK("x")'])
def test_cells_that_a_spreadsheet_would_run_get_an_apostrophe(cell):
    assert csv_safe_cell(cell) == "'" + cell
    assert csv_cell_restore(csv_safe_cell(cell)) == cell


@pytest.mark.parametrize("value", ["云霄路社区", "370202", "", "a=b", "'quoted"])
def test_ordinary_cells_pass_unchanged(value):
    assert csv_safe_cell(value) == value
    assert csv_cell_restore(value) == value


def test_neutralising_is_idempotent_and_handles_none_and_numbers():
    assert csv_safe_cell(csv_safe_cell("=x")) == "'=x"
    assert csv_safe_cell(None) == ""
    assert csv_safe_cell(-5) == "'-5"
    assert csv_safe_cell(12) == "12"


def test_the_streaming_response_neutralises_every_cell_and_starts_with_a_bom():
    response = csv_stream_response([["code", "name"], ["1", "=evil()"]], filename="区域.csv")
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(body.lstrip("\ufeff")))) == [["code", "name"], ["1", "'=evil()"]]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]


# --- export --------------------------------------------------------------------------------------


def test_export_lists_the_visible_subtree_with_parents_and_levels(world):
    rows = list(area_tree_export(actor=world.actor("commander_a"), prefix=""))
    assert rows[0] == ["code", "name", "level", "parent_code", "geometry"]
    assert [row[0] for row in rows[1:]] == [COMMUNITY_A, GRID_A1, GRID_A2]
    assert rows[2] == [GRID_A1, "甲社区第一网格", "15", COMMUNITY_A, ""]


def test_export_of_a_sibling_subtree_is_empty(world):
    rows = list(area_tree_export(actor=world.actor("commander_a"), prefix=COMMUNITY_B))
    assert rows == [["code", "name", "level", "parent_code", "geometry"]]


def test_export_neutralises_formulas_and_writes_geometry_as_json(world):
    Area.objects.filter(code=GRID_A1).update(name='=HYPERLINK("http://evil","点我")', geometry=POLYGON)
    rows = {row[0]: row for row in area_tree_export(actor=world.actor("commander_a"), prefix=COMMUNITY_A)}
    assert rows[GRID_A1][1] == '\'=HYPERLINK("http://evil","点我")'
    assert json.loads(rows[GRID_A1][4]) == POLYGON


def test_export_needs_the_capability_and_fails_before_the_first_row(world):
    with pytest.raises(PermissionDenied):
        area_tree_export(actor=world.actor("grid_a1"), prefix=GRID_A1)
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_export_is_audited_when_it_starts(world):
    area_tree_export(actor=world.actor("street1"), prefix=STREET_1)
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.area_code == STREET_1 and event.actor_label == "street1"
    assert event.changes == {"format": "csv", "rows": 6}


def test_export_refuses_a_prefix_that_is_not_digits(world):
    with pytest.raises(DomainError):
        area_tree_export(actor=world.actor("admin"), prefix="37%")


# --- import: what works --------------------------------------------------------------------------


def test_import_creates_renames_and_leaves_the_rest(world):
    result = do_import(
        world,
        [
            ["code", "name", "geometry"],
            [GRID_A1, "甲社区第一网格", ""],
            [GRID_A2, "改名的网格", json.dumps(POLYGON)],
            [f"{COMMUNITY_A}003", "甲社区第三网格", ""],
        ],
    )
    assert result.ok and (result.created, result.updated, result.unchanged, result.valid_rows) == (1, 1, 1, 3)
    new = Area.objects.get(code=f"{COMMUNITY_A}003")
    assert (new.level, new.parent_id, new.name) == (15, COMMUNITY_A, "甲社区第三网格")
    renamed = Area.objects.get(code=GRID_A2)
    assert renamed.name == "改名的网格" and renamed.geometry == POLYGON


def test_a_parent_earlier_in_the_file_is_enough(world):
    result = do_import(
        world,
        [
            ["code", "name"],
            [f"{STREET_1}003", "新街道社区"],
            [f"{STREET_1}003001", "新社区第一网格"],
        ],
    )
    assert result.ok and result.created == 2


def test_an_empty_geometry_cell_keeps_the_stored_outline(world):
    Area.objects.filter(code=GRID_A1).update(geometry=POLYGON)
    result = do_import(world, [["code", "name", "geometry"], [GRID_A1, "甲社区第一网格", ""]])
    assert result.unchanged == 1
    assert Area.objects.get(code=GRID_A1).geometry == POLYGON


def test_an_export_imports_back_unchanged(world):
    Area.objects.filter(code=GRID_A1).update(name="=1+1 网格", geometry=POLYGON)
    stream = csv_bytes(list(area_tree_export(actor=world.actor("admin"), prefix="3702")), "utf-8-sig")
    result = do_import(world, stream=stream)
    assert result.ok and result.created == result.updated == 0
    assert result.unchanged == Area.objects.filter(code__startswith="3702").count()
    assert Area.objects.get(code=GRID_A1).name == "=1+1 网格"


def test_utf8_with_bom_and_gbk_are_both_read(world):
    rows = [["code", "name"], [f"{COMMUNITY_A}003", "甲社区第三网格"]]
    assert do_import(world, stream=csv_bytes(rows, "utf-8-sig")).created == 1
    rows = [["code", "name"], [f"{COMMUNITY_A}004", "甲社区第四网格（老城区）"]]
    assert do_import(world, stream=csv_bytes(rows, "gbk")).created == 1
    assert Area.objects.get(code=f"{COMMUNITY_A}004").name == "甲社区第四网格（老城区）"


def test_chinese_headers_full_width_digits_and_crlf_are_accepted(world):
    stream = "代码,名称\r\n３７０２０２００１００１００３, 甲社区第三网格 \r\n\r\n".encode()
    result = do_import(world, stream=stream)
    assert result.ok and Area.objects.get(code=f"{COMMUNITY_A}003").name == "甲社区第三网格"


def test_import_is_audited_once(world):
    do_import(world, [["code", "name"], [f"{COMMUNITY_A}003", "甲社区第三网格"]])
    event = AuditEvent.objects.get(action=AuditAction.IMPORT)
    assert event.changes == {"file": "areas.csv", "created": 1, "updated": 0}
    assert event.area_code == f"{COMMUNITY_A}003" and event.actor_label == "admin"


# --- import: what is refused ---------------------------------------------------------------------


def assert_nothing_written(before: int) -> None:
    assert Area.objects.count() == before
    assert not AuditEvent.objects.filter(action=AuditAction.IMPORT).exists()


@pytest.mark.parametrize(
    ("code", "name", "geometry", "fragment"),
    [
        ("3702020010010", "x", "", "is not an area code"),
        ("37020200100a", "x", "", "is not an area code"),
        ("3.70202E+14", "x", "", "turned into a number by Excel"),
        (f"{COMMUNITY_A}003", "", "", "name is empty"),
        (f"{COMMUNITY_A}003", "长" * 101, "", "longer than 100"),
        (f"{COMMUNITY_A}003", "a\x07b", "", "control characters"),
        (f"{COMMUNITY_A}003", "ok", "{not json", "not valid JSON"),
        (f"{COMMUNITY_A}003", "ok", '{"type": "LineString", "coordinates": []}', "GeoJSON"),
        (f"{COMMUNITY_A}003", "ok", "[1, 2]", "GeoJSON"),
        ("370202001009001", "孤儿网格", "", "neither in the tree nor on an earlier row"),
    ],
)
def test_a_bad_row_is_reported_and_nothing_is_written(world, code, name, geometry, fragment):
    before = Area.objects.count()
    result = do_import(
        world,
        [
            ["code", "name", "geometry"],
            [f"{COMMUNITY_A}004", "有效的一行", ""],
            [code, name, geometry],
        ],
    )
    assert not result.ok and result.valid_rows == 1
    assert [row for row, _message in result.errors] == [3]
    assert fragment in result.errors[0][1]
    assert result.created == 0
    assert_nothing_written(before)


def test_every_error_is_listed_with_its_row(world):
    result = do_import(
        world,
        [
            ["code", "name"],
            ["1", "a"],
            [f"{COMMUNITY_A}003", "ok"],
            [f"{COMMUNITY_A}003", "again"],
            ["", ""],
            ["370202001009001", "orphan"],
        ],
    )
    assert [row for row, _message in result.errors] == [2, 4, 6]
    assert "also on row 3" in result.errors[1][1]


def test_a_parent_later_in_the_file_does_not_count(world):
    result = do_import(world, [["code", "name"], [f"{STREET_1}003001", "网格"], [f"{STREET_1}003", "社区"]])
    assert [row for row, _message in result.errors] == [2]


def test_a_code_outside_the_jurisdiction_is_refused(world):
    before = Area.objects.count()
    result = do_import(
        world, [["code", "name"], [GRID_B1, "别人的网格"], [f"{COMMUNITY_A}003", "x"]], persona="admin_street2"
    )
    assert [row for row, _message in result.errors] == [2, 3]
    assert "outside your jurisdiction" in result.errors[0][1]
    assert Area.objects.get(code=GRID_B1).name == "乙社区第一网格"
    assert_nothing_written(before)


def test_only_administrators_import(world):
    with pytest.raises(PermissionDenied):
        do_import(world, [["code", "name"], [f"{COMMUNITY_A}003", "x"]], persona="commander_a")


@pytest.mark.parametrize(
    ("stream", "code"),
    [
        (b"", "empty"),
        (b"name,code2\n1,2\n", "header"),
        (b"code,code,name\n", "header"),
        (b"code,level\n", "header"),
        ("code,name\n1,a\n".encode("utf-16"), "encoding"),
        (b"PK\x03\x04rest-of-a-zip", "format"),
        (b"\xef\xbb\xbfcode,name\n\xff\xfe\n", "encoding"),
        (b"code,name\n\x81\x30\x81", "encoding"),
    ],
)
def test_a_file_that_is_not_an_area_csv_is_refused_with_a_reason(world, stream, code):
    with pytest.raises(DomainError) as caught:
        do_import(world, stream=stream)
    assert caught.value.code == code
    assert str(caught.value.message)


def test_an_oversize_file_is_refused_before_it_is_read(world, settings):
    settings.FANGXIAN_MAX_UPLOAD_BYTES = 1024
    with pytest.raises(DomainError) as caught:
        do_import(world, stream=b"code,name\n" + b"x" * 2000)
    assert caught.value.code == "too_large"


def test_too_many_rows_are_refused(world, monkeypatch):
    monkeypatch.setattr(services, "IMPORT_MAX_ROWS", 3)
    rows = [["code", "name"]] + [[f"{COMMUNITY_A}{n:03d}", f"网格{n}"] for n in range(3, 8)]
    with pytest.raises(DomainError) as caught:
        do_import(world, rows)
    assert caught.value.code == "too_many_rows"
    assert "3" in str(caught.value.message)


def test_a_ten_megabyte_cell_is_an_error_not_a_crash(world):
    before = Area.objects.count()
    stream = b"code,name\n" + f"{COMMUNITY_A}003,".encode() + b"x" * (10 * 1024 * 1024) + b"\n"
    result = do_import(world, stream=stream)
    assert [row for row, _message in result.errors] == [2]
    assert "longer than" in result.errors[0][1]
    assert_nothing_written(before)


def test_a_ten_megabyte_line_of_commas_is_an_error_not_a_crash(world):
    stream = b"code,name\n" + f"{COMMUNITY_A}003,a,".encode() + b"b," * (5 * 1024 * 1024) + b"\n"
    result = do_import(world, stream=stream)
    assert [row for row, _message in result.errors] == [2]
    assert "more cells than the header" in result.errors[0][1]


def test_a_nul_byte_is_an_error(world):
    result = do_import(world, stream=f"code,name\n{COMMUNITY_A}003,a\x00b\n".encode())
    # Python 3.11's csv reads NUL; the name check refuses it (older versions stop at the row).
    assert not result.ok and result.errors[0][0] == 2


def test_an_unterminated_quote_does_not_swallow_the_file_silently(world):
    result = do_import(world, stream=f'code,name\n{COMMUNITY_A}003,"open\n{COMMUNITY_A}004,b\n'.encode())
    # The csv module reads the rest as one quoted cell; the name check catches it.
    assert not result.ok


# --- commands ------------------------------------------------------------------------------------


def test_the_commands_export_and_import_a_file(world, tmp_path):
    path = tmp_path / "areas.csv"
    call_command("areas_export", "3702", "-o", str(path))
    text = path.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "code,name,level,parent_code,geometry"
    path.write_text(text + f"{COMMUNITY_A}003,甲社区第三网格,15,{COMMUNITY_A},\n", encoding="utf-8-sig")
    out = io.StringIO()
    call_command("areas_import", str(path), stdout=out)
    assert Area.objects.filter(code=f"{COMMUNITY_A}003").exists()
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT, actor_label="system").exists()


def test_the_import_command_fails_with_the_row_errors(world, tmp_path):
    from django.core.management.base import CommandError

    path = tmp_path / "bad.csv"
    path.write_text("code,name\n370202001009001,orphan\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("areas_import", str(path), stderr=err)
    assert "Row 2" in err.getvalue()
