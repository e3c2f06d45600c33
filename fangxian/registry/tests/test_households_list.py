"""The household list: scoped, counted in one query per page, filtered, and without personal values."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fangxian.areas.models import Building, Household, Unit
from fangxian.command.models import Task, TaskStatus
from fangxian.core.testing import GRID_A1, GRID_A2, GRID_B1, login
from fangxian.registry.models.residents import Resident, ResidentStatus, Vulnerability, VulnerabilityKind

pytestmark = pytest.mark.django_db

PHONE = "13812345678"


def _households(grid: str, count: int, estate: str = "幸福小区", building: str = "5号楼") -> list[Household]:
    block = Building.objects.create(area_code=grid, estate=estate, name=building)
    unit = Unit.objects.create(area_code=grid, building=block, name="2单元")
    return [
        Household.objects.create(area_code=grid, building=block, unit=unit, room=f"{100 + n}") for n in range(count)
    ]


def _member(household: Household, name: str, *, tag: str = "", status: str = ResidentStatus.ACTIVE) -> Resident:
    person = Resident.objects.create(
        area_code=household.area_code, household=household, name=name, sex="F", phone=PHONE, status=status
    )
    if tag:
        Vulnerability.objects.create(area_code=household.area_code, resident=person, kind=tag)
    return person


def _open_task(household: Household, title: str = "入户核查") -> Task:
    return Task.objects.create(
        area_code=household.area_code, title=title, source_ref=f"areas.household:{household.pk}", status=TaskStatus.OPEN
    )


def _rows(client, **params) -> str:
    response = client.get(reverse("registry:households"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_grid_worker_sees_their_households_with_counts_and_no_personal_values(world, client):
    home = _households(GRID_A1, 1)[0]
    _member(home, "王大爷", tag=VulnerabilityKind.ELDERLY_ALONE)
    _member(home, "王小妹")
    _member(home, "搬走的人", status=ResidentStatus.MOVED_AWAY)
    _open_task(home)
    Task.objects.create(area_code=GRID_A1, title="已完成", source_ref=f"areas.household:{home.pk}", status="done")
    _households(GRID_A2, 1, estate="邻网格小区")
    _households(GRID_B1, 1, estate="乙社区小区")
    login(client, world.users["grid_a1"])
    page = _rows(client)
    assert "幸福小区" in page and "邻网格小区" not in page and "乙社区小区" not in page
    assert reverse("registry:household", args=[home.pk]) in page
    row = page.split(reverse("registry:household", args=[home.pk]))[1].split("</a>")[0]
    assert 'data-testid="household-members-count">2 ' in row
    assert 'data-testid="household-vulnerable-count">1 ' in row
    assert 'data-testid="household-task-count">1 ' in row
    # The list names nobody: names and numbers, even masked, are on the household's page.
    assert "王大爷" not in page and PHONE not in page and "138****5678" not in page


def test_filters_by_building_room_and_vulnerable_members(world, client):
    first, second = _households(GRID_A1, 2)
    other = _households(GRID_A1, 1, estate="和平小区", building="12号楼")[0]
    _member(second, "李奶奶", tag=VulnerabilityKind.BEDRIDDEN)
    _member(first, "年轻人")
    login(client, world.users["worker_a"])
    url = lambda household: reverse("registry:household", args=[household.pk])  # noqa: E731
    page = _rows(client, building="和平")
    assert url(other) in page and url(first) not in page
    page = _rows(client, building="5号楼", room="101")
    assert url(second) in page and url(first) not in page and url(other) not in page
    page = _rows(client, vulnerable="on")
    assert url(second) in page and url(first) not in page and url(other) not in page


@pytest.mark.parametrize(
    "params",
    [
        {"building": "x" * 5000},
        {"room": "' OR 1=1 --"},
        {"building": "<script>alert(1)</script>"},
        {"vulnerable": "maybe", "page": "-3"},
        {"page": "99999"},
        {"building": "\x00"},
        {"room": "１０１"},
    ],
)
def test_hostile_filters_neither_fail_nor_widen(world, client, params):
    _households(GRID_A1, 2)
    _households(GRID_B1, 1, estate="乙社区小区")
    login(client, world.users["grid_a1"])
    response = client.get(reverse("registry:households"), params)
    # A page number out of range is "not found", as on every list (Django's ListView); a NUL
    # character is refused by NulCharacterMiddleware; never a 500.
    nul = any("\x00" in str(value) for value in params.values())
    assert response.status_code == (404 if "page" in params else 400 if nul else 200)
    body = response.content.decode()
    assert "乙社区小区" not in body and "<script>alert(1)</script>" not in body


def test_malformed_query_string_is_refused_or_ignored(world, client):
    login(client, world.users["grid_a1"])
    response = client.get(reverse("registry:households") + "?building=%ED%A0%80%FF&room=%00&vulnerable=%FF")
    assert response.status_code in (200, 400)


def test_full_width_room_is_folded(world, client):
    home = _households(GRID_A1, 2)[1]
    login(client, world.users["grid_a1"])
    assert reverse("registry:household", args=[home.pk]) in _rows(client, room="１０１")


def test_sibling_community_and_roles_without_the_registry(world, client):
    _households(GRID_A1, 1, estate="甲社区小区")
    login(client, world.users["commander_b"])
    assert "甲社区小区" not in _rows(client)
    for persona in ("resident_a1", "volunteer_a", "guard_a", "counsellor_a", "admin"):
        login(client, world.users[persona])
        assert client.get(reverse("registry:households")).status_code == 403, persona


def test_street_official_reads_counts_without_task_column(world, client):
    home = _households(GRID_A1, 1)[0]
    _member(home, "王大爷", tag=VulnerabilityKind.ELDERLY_ALONE)
    login(client, world.users["street1"])
    page = _rows(client)
    assert "幸福小区" in page and 'data-testid="household-vulnerable-count">1 ' in page
    assert "王大爷" not in page


def test_menu_links_to_the_list(world, client):
    login(client, world.users["grid_a1"])
    assert reverse("registry:households") in client.get(reverse("registry:residents")).content.decode()


def _query_count(client, world) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("registry:households")).status_code == 200
    return len(queries)


def test_constant_number_of_queries_for_5_or_50_households(world, client):
    login(client, world.users["worker_a"])
    for home in _households(GRID_A1, 5):
        _member(home, "甲", tag=VulnerabilityKind.CHRONIC)
        _open_task(home)
    client.get(reverse("registry:households"))  # warm the session and the menu
    few = _query_count(client, world)
    block = Building.objects.create(area_code=GRID_A2, estate="大小区", name="1号楼")
    for n in range(45):
        home = Household.objects.create(area_code=GRID_A2, building=block, room=f"{n + 1}")
        _member(home, "乙", tag=VulnerabilityKind.CHRONIC)
        _open_task(home)
    many = _query_count(client, world)
    assert many == few
    assert Household.objects.visible_to(world.actor("worker_a")).count() >= 50
