"""Import of messy workbooks and CSV files: the exact outcome of every row."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from fangxian.core.audit import acting_as
from fangxian.core.errors import PermissionDenied
from fangxian.core.models import AuditAction, AuditEvent
from fangxian.core.personal import PersonalKind, lookup_hash
from fangxian.core.testing import GRID_A1, GRID_A2, GRID_B1
from fangxian.registry.importing.reader import ImportFileRejected
from fangxian.registry.models import Resident
from fangxian.registry.services.imports import (
    CREATED,
    ERROR,
    EXISTING,
    SKIPPED,
    UPDATED,
    error_report_xlsx,
    import_source_read,
    resident_import,
    template_xlsx,
)
from fangxian.registry.tests.factories_imports import csv_bytes, id_number, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


HEADER = ["序号", "名字", "性别", "身份证号码", "手机号", "出生日期", "楼栋", "单元", "门牌号", "与户主关系", "备注"]
ID_A = id_number("19500101", 11)
ID_B = id_number("19620315", 22)
ID_X = id_number("19881231", 1, want_x=True)
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def messy_rows() -> list[list]:
    return [
        HEADER,
        [
            1,
            "张三",
            "男",
            f" {ID_A[:6]} {ID_A[6:14]} {ID_A[14:]} ",
            "13800000001",
            "",
            "3号楼",
            "1单元",
            "101",
            "户主",
            "",
        ],  # 3 created
        [2, "李 四", "", ID_B.translate(FULL_WIDTH), "138 0000 0002", "", 3.0, 1.0, 101.0, "配偶", ""],  # 4 created
        [3, "王五", "", ID_X[:-1] + "ｘ", "", "", "3号楼", "1单元", "102", "户主", ""],  # 5 created
        [4, "赵六", "男", 3.70202198801e17, "", "", "3号楼", "1单元", "103", "户主", ""],  # 6 precision lost
        [5, "钱七", "女", "3.70202198801E+17", "", "", "3号楼", "1单元", "103", "配偶", ""],  # 7 precision lost
        [None, None, None, None, None, None, None, None, None, None, None],  # 8 blank: ignored
        [6, "孙八", "女", "", "13800000008", 18264, "3号楼", "2单元", "201", "户主", ""],  # 9 created, serial date
        [7, "周九", "男", ID_A[:17] + ("0" if ID_A[17] != "0" else "1"), "", "", "3", "1", "104", "", ""],  # 10 check
        [8, "", "男", "", "", "", "3号楼", "1单元", "105", "", ""],  # 11 no name
        [9, "吴十", "男", ID_A, "", "", "3号楼", "1单元", "106", "", ""],  # 12 same ID as row 3
        [10, "郑十一", "男", "", "", "", "", "", "", "", ""],  # 13 no dwelling
        ["合计", "", "", "", "", "", "", "", "", "", "6人"],  # 14 totals: skipped
    ]


def outcome_lines(result) -> dict[int, str]:
    return dict(sorted(result.outcomes.items()))


EXPECTED = {
    3: CREATED,
    4: CREATED,
    5: CREATED,
    6: ERROR,
    7: ERROR,
    9: CREATED,
    10: ERROR,
    11: ERROR,
    12: ERROR,
    13: ERROR,
    14: SKIPPED,
}


def run(world, data: bytes, name: str = "花名册.xlsx", grid: str = GRID_A1, dry_run: bool = False, **kwargs):
    actor = world.actor("worker_a")
    with acting_as(actor):
        return resident_import(actor, import_source_read(data, name), grid_code=grid, dry_run=dry_run, **kwargs)


def test_messy_workbook_every_row_has_its_outcome(world):
    result = run(world, xlsx_bytes(messy_rows(), title="测试甲社区居民花名册（2026年）"))
    assert outcome_lines(result) == EXPECTED
    assert result.counts == {CREATED: 4, EXISTING: 0, UPDATED: 0, SKIPPED: 1, ERROR: 6}
    messages = {e.line: e.message for e in result.errors}
    assert "lost its last digits" in messages[6] and "3.70202198801E+17" in messages[6]
    assert "lost its last digits" in messages[7]
    assert "check character" in messages[10]
    assert "name is missing" in messages[11]
    assert "row 3" in messages[12]
    assert "dwelling is missing" in messages[13]

    created = {r.name: r for r in Resident.objects.filter(area_code=GRID_A1).exclude(pk__in=[])}
    assert {"张三", "李四", "王五", "孙八"} <= set(created)
    li = created["李四"]
    assert li.id_number_hash == lookup_hash(PersonalKind.ID_CARD, ID_B)
    assert li.phone_hash == lookup_hash(PersonalKind.PHONE, "13800000002")
    assert li.id_number.reveal() == ID_B
    assert li.household_id == created["张三"].household_id  # "3", "1", 101.0 is 3号楼 1单元 101
    assert li.relation == "spouse" and li.sex == "F" and li.birth_date == dt.date(1962, 3, 15)
    assert created["王五"].id_number.reveal() == ID_X  # a full-width, lower-case check character
    assert created["张三"].id_number.reveal() == ID_A  # spaces inside the number
    assert created["孙八"].birth_date == dt.date(1950, 1, 1) and created["孙八"].sex == "F"
    assert created["孙八"].household.unit.name == "2单元"
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT).count() == 1


def test_reimport_creates_no_duplicates(world):
    data = xlsx_bytes(messy_rows())
    run(world, data)
    before = Resident.objects.count()
    again = run(world, data)
    assert Resident.objects.count() == before
    assert again.counts[CREATED] == 0
    assert again.counts[EXISTING] == 4  # three by ID hash, 孙八 by name + phone hash + household


def test_dry_run_writes_nothing_and_predicts(world):
    before = Resident.objects.count()
    result = run(world, xlsx_bytes(messy_rows(), title="花名册"), dry_run=True)
    assert outcome_lines(result) == EXPECTED
    assert Resident.objects.count() == before


def test_interrupted_import_keeps_whole_batches_and_resumes(world, monkeypatch):
    from fangxian.registry.importing import writer

    rows = [HEADER] + [
        [i, f"居民{i}", "", id_number("19700101", i), "", "", "5号楼", "1单元", f"{i}", "", ""] for i in range(1, 11)
    ]
    data = xlsx_bytes(rows)
    calls = {"n": 0}
    original = writer.ResidentWriter.write

    def dying(self, batch):
        calls["n"] += 1
        if calls["n"] == 2:
            original(self, list(batch)[:2])  # half a batch reaches the database, then the process dies
            raise SystemExit("killed")
        return original(self, batch)

    monkeypatch.setattr(writer.ResidentWriter, "write", dying)
    with pytest.raises(SystemExit):
        run(world, data, batch_size=4)
    assert Resident.objects.filter(name__startswith="居民").count() == 4  # the first batch only
    monkeypatch.setattr(writer.ResidentWriter, "write", original)
    result = run(world, data, batch_size=4)
    assert result.counts[EXISTING] == 4 and result.counts[CREATED] == 6
    assert Resident.objects.filter(name__startswith="居民").count() == 10


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_encodings_and_address_column(world, encoding):
    rows = [
        ["姓名", "证件号码", "联系方式", "现住址"],
        ["张 三", ID_A, "138-0000-0001", "阳光小区3号楼2单元301室"],
        ["李四", "", "", "阳光小区4号楼501"],
    ]
    result = run(world, csv_bytes(rows, encoding), name="residents.csv")
    assert outcome_lines(result) == {2: CREATED, 3: ERROR}  # 李四: neither sex nor ID number
    person = Resident.objects.get(id_number_hash=lookup_hash(PersonalKind.ID_CARD, ID_A))
    assert person.name == "张三"
    assert (person.household.building.name, person.household.unit.name, person.household.room) == (
        "3号楼",
        "2单元",
        "301",
    )


def test_passports_and_permits_are_imported_and_matched(world):
    rows = [
        ["姓名", "性别", "证件类型", "证件号码", "楼号", "房号"],
        ["John Smith", "男", "护照", "e 1234 5678", "1", "101"],
        ["陈大文", "男", "港澳居民来往内地通行证", "H12345678", "1", "102"],
        ["王小明", "男", "身份证", ID_A, "1", "103"],
        ["某人", "女", "驾照", "123456", "1", "104"],
        ["Jane Smith", "女", "护照", "E12345678", "1", "105"],
    ]
    result = run(world, xlsx_bytes(rows))
    assert outcome_lines(result) == {2: CREATED, 3: CREATED, 4: CREATED, 5: ERROR, 6: ERROR}
    assert "row 2" in [e.message for e in result.errors if e.line == 6][0]
    john = Resident.objects.get(name="John Smith")
    assert john.document_type == "passport" and john.document_number.reveal() == "E12345678"
    assert john.id_number_hash == "" and john.document_number_masked.endswith("5678")
    assert Resident.objects.get(name="陈大文").document_type == "hmt_permit"
    again = run(world, xlsx_bytes(rows))
    assert again.counts[EXISTING] == 3 and again.counts[CREATED] == 0


def test_latin_names_keep_their_spaces(world):
    rows = [["姓名", "性别", "楼号", "房号"], ["  John   Smith ", "男", "1", "101"]]
    assert outcome_lines(run(world, xlsx_bytes(rows))) == {2: CREATED}
    assert Resident.objects.filter(name="John Smith").exists()


def test_rows_land_only_in_the_actors_jurisdiction(world):
    rows = [
        ["姓名", "性别", "楼号", "房号", "网格编码"],
        ["甲", "男", "1", "101", GRID_A2],
        ["乙", "男", "1", "102", GRID_B1],
        ["丙", "男", "1", "103", ""],
    ]
    result = run(world, xlsx_bytes(rows))
    assert outcome_lines(result) == {2: CREATED, 3: ERROR, 4: CREATED}
    assert Resident.objects.get(name="甲").area_code == GRID_A2
    assert Resident.objects.get(name="丙").area_code == GRID_A1
    assert not Resident.objects.filter(area_code=GRID_B1, name="乙").exists()
    with pytest.raises(PermissionDenied):
        run(world, xlsx_bytes(rows), grid=GRID_B1)


def test_person_registered_elsewhere_is_reported(world):
    rows = [["姓名", "身份证号", "楼号", "房号"], ["张三", ID_A, "1", "101"]]
    actor_b = world.actor("worker_b")
    with acting_as(actor_b):
        resident_import(actor_b, import_source_read(xlsx_bytes(rows), "a.xlsx"), grid_code=GRID_B1)
    result = run(world, xlsx_bytes(rows))
    assert outcome_lines(result) == {2: ERROR}
    assert "another community" in result.errors[0].message


def test_roles_without_the_capability_cannot_import(world):
    actor = world.actor("grid_a1")
    with acting_as(actor), pytest.raises(PermissionDenied):
        resident_import(actor, import_source_read(xlsx_bytes([["姓名"], ["张三"]]), "a.xlsx"), grid_code=GRID_A1)


def test_error_report_and_template_are_workbooks(world):
    from python_calamine import CalamineWorkbook

    result = run(world, xlsx_bytes(messy_rows()))
    output = io.BytesIO()
    error_report_xlsx(result, output)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(output.getvalue())).get_sheet_by_index(0).to_python()
    assert [int(row[0]) for row in sheet[1:]] == [5, 6, 9, 10, 11, 12]
    assert sheet[0][3:5] == ["序号", "名字"]

    template = io.BytesIO()
    template_xlsx(template)
    source = import_source_read(template.getvalue(), "template.xlsx")
    assert set(source.mapping.values()) >= {"name", "id_number", "phone", "building", "unit", "room"}


def test_formula_cells_in_the_error_report_are_neutralised(world):
    from python_calamine import CalamineWorkbook

    result = run(world, xlsx_bytes([["姓名", "性别", "楼号", "房号", "备注"], ["", "男", "1", "1", "=HYPERLINK(1)"]]))
    output = io.BytesIO()
    error_report_xlsx(result, output)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(output.getvalue())).get_sheet_by_index(0).to_python()
    assert sheet[1][-1] == "'=HYPERLINK(1)"


def test_unreadable_or_wrong_files_are_refused(world):
    with pytest.raises(ImportFileRejected):
        import_source_read(b"hello", "a.pdf")
    with pytest.raises(Exception, match="not"):
        import_source_read(b"PK\x03\x04 not a zip", "a.xlsx")


def test_cell_normalisation():
    from django.core.exceptions import ValidationError

    from fangxian.registry.importing import cells

    assert cells.id_number(ID_X.lower()) == ID_X
    assert cells.id_number(float(370202500101123)) == cells.id_number("370202500101123")  # 15 digits fit a float
    with pytest.raises(ValidationError, match="lost its last digits"):
        cells.id_number(float(ID_A[:17] + "0"))
    assert cells.phone(13800000001.0) == "13800000001"
    assert cells.phone("１３８ ００００ ０００１") == "13800000001"
    assert cells.date(18264) == dt.date(1950, 1, 1)
    assert cells.date("1950年1月2日") == cells.date("1950/01/02") == cells.date("19500102") == dt.date(1950, 1, 2)
    assert cells.split_address("阳光小区 12栋3单元402室") == ("12号楼", "3单元", "402")
    assert cells.is_total(["合 计", None]) and cells.is_blank([None, "", "  "])


def test_worker_processes_give_the_same_outcomes_and_messages(world, settings):
    """Big files are prepared in forked workers: same outcome per row, messages in the user's language."""
    from django.utils import translation

    from fangxian.registry.importing import prepare

    settings.FANGXIAN_IMPORT_PARALLEL_ROWS = 1
    settings.FANGXIAN_IMPORT_WORKERS = 2
    assert prepare.workers_for(10) == 2
    with translation.override("zh-hans"):
        result = run(world, xlsx_bytes(messy_rows(), title="花名册"), batch_size=3)
        missing_name = translation.gettext("The name is missing.")
    assert outcome_lines(result) == EXPECTED
    messages = {e.line: e.message for e in result.errors}
    assert missing_name != "The name is missing." and messages[11] == missing_name
    assert Resident.objects.filter(name__in=["张三", "李四", "王五", "孙八"]).count() == 4
    again = run(world, xlsx_bytes(messy_rows()), batch_size=3)
    assert again.counts[CREATED] == 0 and again.counts[EXISTING] == 4


def test_a_person_registered_meanwhile_is_matched_not_duplicated(world, monkeypatch):
    """Another import registers a person between our matching and our writing: the batch is redone."""
    from fangxian.registry.services import imports

    rows = [["姓名", "身份证号", "楼号", "房号"], ["赵一", ID_A, "7号楼", "701"], ["钱二", ID_B, "7号楼", "702"]]
    data = xlsx_bytes(rows)
    run(world, xlsx_bytes(rows[:2]))  # 赵一 is registered "by the other import"
    original = imports._registered_areas
    calls = {"n": 0}

    def blind_first(hashes):
        calls["n"] += 1
        return {} if calls["n"] == 1 else original(hashes)

    monkeypatch.setattr(imports, "_registered_areas", blind_first)
    result = run(world, data)
    assert calls["n"] == 2  # the unique ID constraint failed the first try
    assert outcome_lines(result) == {2: EXISTING, 3: CREATED}
    assert Resident.objects.filter(id_number_hash=lookup_hash(PersonalKind.ID_CARD, ID_A)).count() == 1
    assert Resident.objects.filter(id_number_hash=lookup_hash(PersonalKind.ID_CARD, ID_B)).count() == 1
    assert Resident.objects.filter(household__building__name="7号楼").values("household").distinct().count() == 2


def test_the_database_refuses_a_second_record_of_one_id_number(world):
    from django.db import IntegrityError, transaction

    run(world, xlsx_bytes([["姓名", "身份证号", "楼号", "房号"], ["孙三", ID_X, "8号楼", "801"]]))
    person = Resident.objects.get(name="孙三")
    twin = Resident(household_id=person.household_id, area_code=person.area_code, name="孙三", sex="M")
    twin.id_number = ID_X
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_a_real_excel_97_2003_file(world):
    """An .xls written by a BIFF8 writer (xlwt, as old Excel saves): merged title, numbers, a date cell."""
    from pathlib import Path

    data = (Path(__file__).parent / "data" / "residents-97-2003.xls").read_bytes()
    result = run(world, data, name="花名册.xls")
    assert outcome_lines(result) == {3: CREATED, 4: CREATED, 5: ERROR, 6: CREATED, 7: SKIPPED}
    assert "lost its last digits" in result.errors[0].message
    wu = Resident.objects.get(name="吴二")
    assert wu.phone.reveal() == "13900000042" and wu.id_number.reveal() == "37020219610712042X"
    assert (wu.household.building.name, wu.household.room) == ("5号楼", "502")
    feng = Resident.objects.get(name="冯四")
    assert feng.birth_date == dt.date(1948, 2, 29) and not feng.id_number


def test_update_existing_gives_registered_people_the_files_values(world):
    """A corrected register: phones, employers and relations change; empty cells change nothing."""
    header = ["姓名", "身份证号", "联系电话", "楼号", "房号", "与户主关系", "工作单位"]
    first = [
        header,
        ["陈一", ID_A, "13800000011", "9号楼", "901", "户主", "市一中"],
        ["陈二", ID_B, "", "9号楼", "901", "配偶", ""],
    ]
    run(world, xlsx_bytes(first))
    corrected = [
        header,
        ["陈一", ID_A, "13800000099", "9号楼", "901", "", "市二中"],  # new phone and school; relation left empty
        ["陈二", ID_B, "", "9号楼", "901", "配偶", ""],  # nothing new
    ]
    before = AuditEvent.objects.filter(action=AuditAction.UPDATE, object_type="registry.resident").count()
    preview = run(world, xlsx_bytes(corrected), dry_run=True, update_existing=True)
    assert outcome_lines(preview) == {2: UPDATED, 3: EXISTING}
    assert Resident.objects.get(name="陈一").phone.reveal() == "13800000011"  # the preview wrote nothing
    plain = run(world, xlsx_bytes(corrected))
    assert outcome_lines(plain) == {2: EXISTING, 3: EXISTING}  # without the option nothing changes
    result = run(world, xlsx_bytes(corrected), update_existing=True)
    assert outcome_lines(result) == {2: UPDATED, 3: EXISTING} and result.counts[UPDATED] == 1
    chen = Resident.objects.get(name="陈一")
    assert chen.phone.reveal() == "13800000099" and chen.employer == "市二中" and chen.relation == "head"
    updates = AuditEvent.objects.filter(action=AuditAction.UPDATE, object_type="registry.resident")
    assert updates.count() == before + 1
    change = updates.order_by("-id").first().changes
    assert set(change) >= {"phone", "employer"} and "13800000099" not in str(change)  # masked in the trail


def test_needs_column_records_vulnerable_groups(world):
    from fangxian.registry.models import Vulnerability

    header = ["姓名", "身份证号", "性别", "联系电话", "楼号", "房号", "特殊人群"]
    rows = [
        header,
        ["蒋一", ID_A, "", "", "6号楼", "601", "独居老人、慢性病"],
        ["沈二", "", "女", "13800000021", "6号楼", "602", "残疾， 低保户"],  # no ID: found by name + phone
        ["韩三", ID_B, "", "", "6号楼", "603", "独居老人；外星人"],  # an unknown group
        ["杨四", ID_X, "", "", "6号楼", "604", ""],
    ]
    result = run(world, xlsx_bytes(rows))
    assert outcome_lines(result) == {2: CREATED, 3: CREATED, 4: ERROR, 5: CREATED}
    assert "外星人" in result.errors[0].message
    kinds = lambda name: sorted(Vulnerability.objects.filter(resident__name=name).values_list("kind", flat=True))  # noqa: E731
    assert kinds("蒋一") == ["chronic", "elderly_alone"]
    assert kinds("沈二") == ["disabled", "low_income"]
    assert kinds("杨四") == []
    assert Vulnerability.objects.get(resident__name="蒋一", kind="chronic").area_code == GRID_A1
    # Importing again adds nothing; with the update option a new group is added, none removed.
    rows[1][6] = "独居老人、卧床"
    assert run(world, xlsx_bytes(rows[:2])).counts[EXISTING] == 1
    assert kinds("蒋一") == ["chronic", "elderly_alone"]
    assert outcome_lines(run(world, xlsx_bytes(rows[:2]), update_existing=True)) == {2: UPDATED}
    assert kinds("蒋一") == ["bedridden", "chronic", "elderly_alone"]
    audit = AuditEvent.objects.filter(action=AuditAction.IMPORT).order_by("id")
    assert audit.first().changes["needs_added"] == 4 and audit.last().changes["needs_added"] == 1
