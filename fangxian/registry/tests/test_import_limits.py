"""Import limits: file size, row count, zip bombs and XML entity bombs are refused before parsing."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.utils import translation

from fangxian.core.errors import DomainError
from fangxian.registry.importing.reader import ImportFileRejected
from fangxian.registry.services.imports import import_source_read
from fangxian.registry.tests.factories_imports import csv_bytes, xlsx_bytes


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


def test_zip_bomb_is_refused_unopened():
    bomb = rebuilt(xlsx_bytes([["姓名"], ["张三"]]), {"xl/worksheets/sheet2.xml": b"\0" * (30 * 1024 * 1024)})
    assert len(bomb) < 200_000
    with pytest.raises(ImportFileRejected, match="unpack") as refused:
        import_source_read(bomb, "bomb.xlsx")
    assert refused.value.code == "import_zip_bomb"


def test_declared_size_over_the_limit_is_refused(settings):
    settings.FANGXIAN_IMPORT_MAX_UNCOMPRESSED_BYTES = 1000
    with pytest.raises(ImportFileRejected) as refused:
        import_source_read(xlsx_bytes([["姓名"], ["张三" * 500]]), "big.xlsx")
    assert refused.value.code == "import_zip_bomb"


def test_entity_bomb_is_refused():
    data = xlsx_bytes([["姓名"], ["张三"]])
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    evil = sheet.replace(b"?>", b'?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>', 1)
    with pytest.raises(ImportFileRejected, match="DOCTYPE") as refused:
        import_source_read(rebuilt(data, {"xl/worksheets/sheet1.xml": evil}), "lol.xlsx")
    assert refused.value.code == "import_xml_entities"


def test_row_count_limit(settings):
    settings.FANGXIAN_IMPORT_MAX_ROWS = 5
    rows = [["姓名"]] + [[f"居民{i}"] for i in range(40)]
    for data, name in ((xlsx_bytes(rows), "a.xlsx"), (csv_bytes(rows), "a.csv")):
        with pytest.raises(ImportFileRejected, match="at most 5 rows"):
            import_source_read(data, name)


def test_file_size_limit(settings):
    settings.FANGXIAN_MAX_UPLOAD_BYTES = 100
    with pytest.raises(DomainError) as refused:
        import_source_read(csv_bytes([["姓名"]] + [["张三"]] * 100), "a.csv")
    assert refused.value.code == "upload_too_large"


def test_disguised_file_is_refused():
    with pytest.raises(DomainError):
        import_source_read(b"MZ\x90\x00" + b"\0" * 100, "residents.xlsx")
    with pytest.raises(ImportFileRejected):
        import_source_read(b"not an old workbook", "residents.xls")


def test_merged_title_and_header_variants_are_recognised():
    data = xlsx_bytes([["名字", "身份证号码", "联系电话", "现住址", "楼栋", "单元", "门牌号", "说明"]], title="花名册")
    source = import_source_read(data, "a.xlsx")
    assert source.header_index == 1
    assert source.mapping == {0: "name", 1: "id_number", 2: "phone", 3: "address", 4: "building", 5: "unit", 6: "room"}


def test_entity_declaration_after_a_long_prolog_is_refused():
    data = xlsx_bytes([["姓名"], ["张三"]])
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    evil = sheet.replace(b"?>", b"?><!--" + b" " * 200_000 + b'--><!DOCTYPE x [<!ENTITY a "b">]>', 1)
    with pytest.raises(ImportFileRejected) as refused:
        import_source_read(rebuilt(data, {"xl/worksheets/sheet1.xml": evil}), "lol.xlsx")
    assert refused.value.code == "import_xml_entities"
