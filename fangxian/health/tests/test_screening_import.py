"""Reading a screening list file: header variants, messy cells, duplicates, bombs and disguised files."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.utils import translation

from fangxian.core.errors import DomainError
from fangxian.health.importing import MAX_ENTRIES, screening_file_read, screening_rows_check
from fangxian.registry.importing.reader import ImportFileRejected
from fangxian.registry.tests.factories_imports import csv_bytes, id_number, xlsx_bytes


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def rebuilt(data: bytes, change: dict[str, bytes]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, change.get(info.filename, source.read(info.filename)))
        for name, content in change.items():
            if name not in source.namelist():
                target.writestr(name, content)
    return output.getvalue()


def test_messy_cells_are_cleaned_and_bad_rows_reported():
    good = id_number(serial=5)
    wide = good.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    parsed = screening_file_read(
        xlsx_bytes(
            [
                ["序号", "姓 名", "公民身份号码（18位）", "手机号码", "协查原因"],
                [1, " 张三 ", wide, "138 0013 8000", "密接"],
                [2, "李四", 3.70202195001011e17, "", ""],  # Excel turned the ID into a float
                [3, "王五", "", "+86 139-0013-9000", "=HYPERLINK(1)"],
                [4, "张三", good, "", "again"],  # the same person twice
                [5, "", "", "13900139001", ""],  # no name
                [6, "赵六", "", "", ""],  # nothing to find them by
                ["合计", "", "", "", ""],
            ],
            title="某区疾控协查名单",
        ),
        "list.xlsx",
    )
    assert [(r.row_number, r.name, r.id_number, r.phone) for r in parsed.rows] == [
        (3, "张三", good, "13800138000"),
        (5, "王五", "", "13900139000"),
    ]
    assert parsed.rows[1].reason == "=HYPERLINK(1)"
    problems = {p.row_number: p.message for p in parsed.problems}
    assert "lost its last digits" in problems[4]
    assert "same person as on row 3" in problems[6]
    assert "name is missing" in problems[7]
    assert "ID card number or a phone" in problems[8]


def test_rows_of_a_json_request_use_the_same_checks():
    parsed = screening_rows_check(
        [(1, {"name": "甲", "id_number": "123"}), (2, {"name": "乙\x00", "phone": "13800000000", "reason": "\ud800"})]
    )
    assert [p.row_number for p in parsed.problems] == [1]
    assert parsed.rows[0].name == "乙" and parsed.rows[0].reason == ""


def test_too_many_entries_are_refused():
    items = ((n, {"name": "x", "phone": f"138{n:08d}"}) for n in range(MAX_ENTRIES + 2))
    with pytest.raises(DomainError) as refused:
        screening_rows_check(items)
    assert refused.value.code == "screening_list_too_long"


def test_zip_bomb_entity_bomb_and_disguised_files_are_refused():
    bomb = rebuilt(
        xlsx_bytes([["姓名", "手机号"], ["张三", "13800000000"]]), {"xl/worksheets/sheet2.xml": b"\0" * (30 << 20)}
    )
    with pytest.raises(ImportFileRejected) as refused:
        screening_file_read(bomb, "bomb.xlsx")
    assert refused.value.code == "import_zip_bomb"
    data = xlsx_bytes([["姓名", "手机号"], ["张三", "13800000000"]])
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    evil = sheet.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>', 1)
    with pytest.raises(ImportFileRejected) as refused:
        screening_file_read(rebuilt(data, {"xl/worksheets/sheet1.xml": evil}), "lol.xlsx")
    assert refused.value.code == "import_xml_entities"
    with pytest.raises(DomainError):
        screening_file_read(b"MZ\x90\x00" + b"\0" * 100, "list.xlsx")
    with pytest.raises(DomainError):
        screening_file_read(b"PK\x03\x04 broken", "list.xlsx")


def test_row_and_size_limits(settings):
    settings.FANGXIAN_IMPORT_MAX_ROWS = 5
    rows = [["姓名", "手机号"]] + [[f"居民{i}", f"138{i:08d}"] for i in range(40)]
    with pytest.raises(ImportFileRejected):
        screening_file_read(csv_bytes(rows), "a.csv")
    settings.FANGXIAN_IMPORT_MAX_ROWS = 200_000
    settings.FANGXIAN_MAX_UPLOAD_BYTES = 100
    with pytest.raises(DomainError) as refused:
        screening_file_read(csv_bytes(rows), "a.csv")
    assert refused.value.code == "upload_too_large"


def test_a_file_without_the_needed_columns_is_refused():
    with pytest.raises(DomainError) as refused:
        screening_file_read(csv_bytes([["姓名", "住址"], ["张三", "x"]]), "a.csv")
    assert refused.value.code == "screening_header_missing"
