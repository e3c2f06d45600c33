"""Filtered lists to Excel: the list's own scope and filters, masked values, formula-safe, audited."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from fangxian.areas.models import Building, Household, Unit
from fangxian.core.models import AuditAction, AuditEvent
from fangxian.core.testing import GRID_A1, GRID_B1, login
from fangxian.registry.models import PartyMember, Resident, Vulnerability

pytestmark = pytest.mark.django_db


def _sheet(response) -> list[list]:
    assert response.status_code == 200, response.content[:300]
    data = b"".join(response.streaming_content)
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()


def _household(grid: str, building: str, room: str) -> Household:
    block, _ = Building.objects.get_or_create(area_code=grid, estate="导出小区", name=building)
    unit, _ = Unit.objects.get_or_create(area_code=grid, building=block, name="1单元")
    return Household.objects.create(area_code=grid, building=block, unit=unit, room=room)


def test_household_list_exports_its_filter_and_scope(world, client):
    tagged = _household(GRID_A1, "8号楼", "801")
    _household(GRID_A1, "8号楼", "802")
    _household(GRID_A1, '=HYPERLINK("http://x")', "803")  # a hostile building name
    _household(GRID_B1, "8号楼", "801")  # the sibling community's
    person = Resident.objects.create(area_code=GRID_A1, household=tagged, name="导出甲", sex="F", phone="13800000077")
    Vulnerability.objects.create(area_code=GRID_A1, resident=person, kind="disabled")
    login(client, world.users["grid_a1"])
    page = client.get(reverse("registry:households"), {"building": "8号楼"})
    assert b'data-testid="list-export"' in page.content
    rows = _sheet(client.get(reverse("registry:households"), {"building": "8号楼", "export": "xlsx"}))
    assert rows[0][0] and len(rows) == 3  # the heading and the two filtered households of grid A1
    assert {(r[2], r[4], int(r[5]), int(r[6])) for r in rows[1:]} == {("8号楼", "801", 1, 1), ("8号楼", "802", 0, 0)}
    assert all(r[0] == GRID_A1 for r in rows[1:])
    everything = _sheet(client.get(reverse("registry:households"), {"export": "xlsx"}))
    hostile = [r for r in everything if "HYPERLINK" in str(r[2])]
    assert hostile and hostile[0][2].startswith("'=")  # stays text, never a formula
    assert "13800000077" not in str(everything) and "导出甲" not in str(everything)
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT, object_type="areas.household").latest("id")
    assert event.changes == {"rows": len(everything) - 1, "unmasked": False}


def test_party_member_export_needs_the_management_capability(world, client):
    PartyMember.objects.create(
        area_code=GRID_A1, name="党员导出", branch="市直机关党支部", registered_on=dt.date(2026, 3, 1)
    )
    PartyMember.objects.create(area_code=GRID_B1, name="隔壁党员", branch="区直机关", registered_on=dt.date(2026, 3, 1))
    login(client, world.users["commander_a"])
    rows = _sheet(client.get(reverse("registry:party_members"), {"export": "xlsx"}))
    names = [r[0] for r in rows[1:]]
    assert "党员导出" in names and "隔壁党员" not in names
    assert any(isinstance(r[7], dt.date | dt.datetime) for r in rows[1:])
    client.logout()
    # A grid worker sees the list (party.view) but may not export it (party.manage).
    login(client, world.users["grid_a1"])
    list_page = client.get(reverse("registry:party_members"))
    assert list_page.status_code == 200 and b'data-testid="list-export"' not in list_page.content
    assert client.get(reverse("registry:party_members"), {"export": "xlsx"}).status_code == 403


def test_unknown_export_format_is_the_ordinary_page(world, client):
    login(client, world.users["grid_a1"])
    response = client.get(reverse("registry:households"), {"export": "pdf<script>"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")


def test_care_plan_export_keeps_the_lists_filter(world, client):
    from fangxian.registry.models import CarePlan

    home = _household(GRID_A1, "9号楼", "901")
    person = Resident.objects.create(area_code=GRID_A1, household=home, name="关爱对象", sex="F")
    due = CarePlan.objects.create(
        area_code=GRID_A1,
        resident=person,
        visitor=world.users["grid_a1"],
        frequency_days=7,
        started_on=dt.date(2026, 1, 1),
        next_due_on=dt.date(2026, 1, 8),
    )
    login(client, world.users["worker_a"])
    rows = _sheet(client.get(reverse("registry:care_plans"), {"overdue": "1", "export": "xlsx"}))
    assert [r[0] for r in rows[1:]] == ["关爱对象"] and int(rows[1][3]) == 7
    CarePlan.objects.filter(pk=due.pk).update(next_due_on=dt.date(2099, 1, 1))
    assert len(_sheet(client.get(reverse("registry:care_plans"), {"overdue": "1", "export": "xlsx"}))) == 1
