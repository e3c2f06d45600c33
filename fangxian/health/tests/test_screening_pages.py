"""Screening pages and API: sending a file, progress, answering on the phone, routing, export; who gets 403/404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from fangxian.command.models import Task, TaskStatus
from fangxian.core.testing import GRID_A1, GRID_B1, STREET_1, login
from fangxian.health.models import EntryStatus, MatchKind, ScreeningEntry, ScreeningList
from fangxian.health.services.screening import screening_list_create
from fangxian.health.tests.test_screening_services import deadline, person, rows
from fangxian.registry.tests.factories_imports import csv_bytes, id_number, xlsx_bytes

pytestmark = pytest.mark.django_db
API = "/api/v1/health/screening"


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the pages' language; messages are asserted in English
    with translation.override("en"):
        yield


@pytest.fixture
def people(world):
    return {
        "a1": person(world, GRID_A1, "甲一", idn=id_number(serial=1), phone="13800000001"),
        "b1": person(world, GRID_B1, "乙一", idn=id_number(serial=3), phone="13800000003"),
    }


@pytest.fixture
def sent(world, people):
    return screening_list_create(
        actor=world.actor("street1"),
        title="Batch 7",
        deadline=deadline(),
        rows=rows(("甲一", id_number(serial=1), ""), ("乙一", "", "13800000003"), ("某某", "", "13700000000")),
    )


def upload(client, data, name, **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    local = timezone.localtime(deadline()).strftime("%Y-%m-%dT%H:%M")
    body = {"title": "Batch 9", "deadline": local, "area_code": STREET_1, "source": "district CDC", **extra}
    body["file"] = SimpleUploadedFile(name, data)
    return client.post("/health/screening/new/", body)


def test_official_sends_an_xlsx_list_and_sees_it_routed(client, world, people):
    login(client, world.users["street1"])
    data = xlsx_bytes(
        [
            ["姓名", "身份证号", "联系电话", "协查原因"],
            ["甲一", id_number(serial=1), "", "密接"],
            ["乙一", "", 13800000003, "次密接"],
            ["坏行", "123", "", ""],
            ["", "", "", ""],
        ],
        title="某区协查名单",
    )
    response = upload(client, data, "list.xlsx")
    assert response.status_code == 302, response.content.decode()[:2000]
    created = ScreeningList.objects.get()
    assert (created.entries_count, created.matched_count, created.source) == (2, 2, "district CDC")
    assert sorted(ScreeningEntry.objects.values_list("area_code", flat=True)) == [GRID_A1, GRID_B1]
    page = client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "Batch 9" in text and "Row 5" in text  # the bad row is reported, the good ones kept


def test_gbk_csv_is_read(client, world, people):
    login(client, world.users["street1"])
    data = csv_bytes([["姓名", "手机号"], ["乙一", "138 0000 0003"]], encoding="gbk")
    assert upload(client, data, "list.csv").status_code == 302
    assert ScreeningEntry.objects.get().match == MatchKind.PHONE


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"MZ\x90\x00" + b"\0" * 100, "list.xlsx", ""),
        (b"\xff\xfe\x00garbage", "list.csv", ""),
        ("姓名,年龄\n张三,30\n".encode(), "list.csv", "No header row"),
        ("姓名,身份证号\n张三,3.70202E+17\n".encode(), "list.csv", "no row that can be used"),
        (b"name,id\n", "list.exe", "Upload an Excel"),
    ],
)
def test_hostile_and_malformed_files_are_refused_with_nothing_written(client, world, people, data, name, message):
    login(client, world.users["street1"])
    response = upload(client, data, name)
    assert response.status_code == 200
    assert 'data-testid="screening-error"' in response.content.decode()
    if message:
        assert message in response.content.decode()
    assert not ScreeningList.objects.exists() and not Task.objects.exists()


def test_oversize_upload_is_refused(client, world, people, settings):
    settings.FANGXIAN_MAX_UPLOAD_BYTES = 200
    login(client, world.users["street1"])
    data = csv_bytes([["姓名", "手机号"]] + [["乙一", "13800000003"]] * 100)
    response = upload(client, data, "big.csv")
    assert response.status_code == 200 and not ScreeningList.objects.exists()
    assert "larger than" in response.content.decode()


def test_progress_page_shows_communities_and_overdue(client, world, sent):
    login(client, world.users["street1"])
    page = client.get(f"/health/screening/{sent.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "测试甲社区" in text and "Not routed yet" in text and "overdue" not in text
    ScreeningList.objects.filter(pk=sent.pk).update(deadline=timezone.now() - dt.timedelta(minutes=5))
    text = client.get(f"/health/screening/{sent.pk}/").content.decode()
    assert "table-danger" in text and "open after the deadline" in text


def test_grid_worker_answers_on_the_entry_page_and_the_task_closes(client, world, sent):
    login(client, world.users["grid_a1"])
    listing = client.get("/health/screening/entries/")
    assert listing.status_code == 200 and "甲一" in listing.content.decode() and "乙一" not in listing.content.decode()
    entry = ScreeningEntry.objects.get(area_code=GRID_A1)
    page = client.get(f"/health/screening/entries/{entry.pk}/")
    assert page.status_code == 200 and 'data-testid="screening-answer-form"' in page.content.decode()
    done = client.post(
        f"/health/screening/entries/{entry.pk}/answer/",
        {"outcome": "verified", "measure": "monitoring", "note": "已电话核实"},
    )
    assert done.status_code == 302
    entry.refresh_from_db()
    assert entry.status == EntryStatus.ANSWERED and entry.measure == "monitoring"
    assert Task.objects.get(pk=entry.task_id).status == TaskStatus.DONE


def test_street_routes_from_the_queue(client, world, sent, people):
    login(client, world.users["street1"])
    entry = ScreeningEntry.objects.get(match=MatchKind.NONE)
    page = client.get(f"/health/screening/entries/{entry.pk}/")
    assert 'data-testid="screening-route-form"' in page.content.decode()
    bad = client.post(f"/health/screening/entries/{entry.pk}/route/", {"area_code": "370202002001"})
    assert bad.status_code == 302
    entry.refresh_from_db()
    assert entry.area_code == STREET_1
    routed = client.post(f"/health/screening/entries/{entry.pk}/route/", {"resident_id": people["a1"].pk})
    assert routed.status_code == 302
    entry.refresh_from_db()
    assert entry.area_code == GRID_A1 and entry.task_id == ScreeningEntry.objects.get(match=MatchKind.ID).task_id


def test_export_downloads_xlsx(client, world, sent):
    login(client, world.users["street1"])
    response = client.get(f"/health/screening/{sent.pk}/export.xlsx?all=1")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.post(f"/health/screening/{sent.pk}/export.xlsx", {"unmasked": "1", "reason": "x"}).status_code == 403


@pytest.mark.parametrize("who", ["guard_a", "resident_a1", "volunteer_a"])
def test_guard_resident_volunteer_are_refused(client, world, sent, who):
    login(client, world.users[who])
    entry = ScreeningEntry.objects.get(area_code=GRID_A1)
    assert client.get("/health/screening/").status_code == 403
    assert client.get(f"/health/screening/{sent.pk}/").status_code == 403
    assert client.get("/health/screening/new/").status_code == 403
    assert client.get(f"/health/screening/entries/{entry.pk}/").status_code in (403, 404)
    assert client.post(f"/health/screening/entries/{entry.pk}/answer/", {"outcome": "verified"}).status_code == 403
    assert client.get(f"/health/screening/{sent.pk}/export.xlsx").status_code in (403, 404)


def test_sibling_community_and_street_get_404(client, world, sent):
    entry = ScreeningEntry.objects.get(area_code=GRID_A1)
    login(client, world.users["commander_b"])
    assert client.get(f"/health/screening/entries/{entry.pk}/").status_code == 404
    answer = client.post(f"/health/screening/entries/{entry.pk}/answer/", {"outcome": "verified", "measure": "none"})
    assert answer.status_code == 404
    login(client, world.users["street2"])
    assert client.get(f"/health/screening/{sent.pk}/").status_code == 404
    assert client.get(f"/health/screening/{sent.pk}/export.xlsx").status_code == 404


# --- API -----------------------------------------------------------------------------------------------


def test_api_send_read_answer_route(client, world, people):
    login(client, world.users["street1"])
    body = {
        "title": "API list",
        "deadline": (timezone.now() + dt.timedelta(days=1)).isoformat(),
        "entries": [
            {"name": "甲一", "id_number": id_number(serial=1)},
            {"name": "无名", "phone": "13700000000"},
            {"name": "坏", "id_number": "12345"},
        ],
    }
    created = client.post(f"{API}/lists", body, content_type="application/json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["screening_list"]["matched_count"] == 1 and data["problems"][0]["row"] == 3
    list_id = data["screening_list"]["id"]
    detail = client.get(f"{API}/lists/{list_id}").json()
    assert detail["totals"]["total"] == 2
    entries = client.get(f"{API}/entries", {"list_id": list_id, "show": "queue"}).json()["items"]
    assert len(entries) == 1 and entries[0]["phone"] == "137****0000"
    routed = client.post(
        f"{API}/entries/{entries[0]['id']}/route", {"area_code": GRID_B1}, content_type="application/json"
    )
    assert routed.status_code == 200 and routed.json()["area_code"] == GRID_B1
    login(client, world.users["grid_b1"])
    answered = client.post(
        f"{API}/entries/{entries[0]['id']}/answer",
        {"outcome": "not_found", "measure": "none"},
        content_type="application/json",
    )
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    assert client.get(f"{API}/lists/{list_id}").status_code == 404  # the street's list is not the grid's


def test_api_refuses_bad_input_with_codes(client, world, people):
    login(client, world.users["street1"])
    past = {"title": "t", "deadline": "2020-01-01T00:00:00+08:00", "entries": [{"name": "a", "phone": "13700000000"}]}
    response = client.post(f"{API}/lists", past, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "deadline_in_past"
    nul = {**past, "deadline": (timezone.now() + dt.timedelta(days=1)).isoformat(), "title": "a\x00b"}
    nul["entries"] = [{"name": "\x00\ud800", "phone": "13700000000"}]
    response = client.post(f"{API}/lists", nul, content_type="application/json")
    assert response.status_code in (201, 400)
    login(client, world.users["commander_a"])
    assert client.post(f"{API}/lists", past, content_type="application/json").status_code == 403


def test_api_entry_of_a_sibling_is_404(client, world, sent):
    entry = ScreeningEntry.objects.get(area_code=GRID_A1)
    login(client, world.users["grid_b1"])
    assert client.get(f"{API}/entries/{entry.pk}").status_code == 404
    response = client.post(f"{API}/entries/{entry.pk}/answer", {"outcome": "verified"}, content_type="application/json")
    assert response.status_code == 404


@pytest.mark.parametrize(
    "when", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00", "2999-01-01T00:00:00Z"]
)
def test_api_extreme_deadlines_are_refused_not_crashed(client, world, when):
    login(client, world.users["street1"])
    body = {"title": "x", "deadline": when, "entries": [{"name": "a", "phone": "13700000000"}]}
    response = client.post(f"{API}/lists", body, content_type="application/json")
    assert response.status_code in (400, 422) and "code" in response.json()


def test_api_empty_lists_unknown_areas_and_missing_entries_answer_with_a_code(client, world):
    login(client, world.users["street1"])
    good = (timezone.now() + dt.timedelta(days=1)).isoformat()
    person = {"name": "a", "phone": "13700000000"}
    for body in (
        {"title": "x", "deadline": good, "entries": []},
        {"title": "x", "deadline": good, "entries": [{}]},
        {"title": "x", "deadline": good, "entries": [person], "area_code": "37"},
        {"title": "x", "deadline": good, "entries": [person], "area_code": "999999999"},
    ):
        response = client.post(f"{API}/lists", body, content_type="application/json")
        assert response.status_code in (400, 422) and "code" in response.json(), (body, response.content)
    for path, body in (
        ("/entries/99999/route", {"resident_id": 1}),
        ("/entries/99999/answer", {"outcome": "verified"}),
    ):
        assert client.post(API + path, body, content_type="application/json").status_code == 404
    assert not ScreeningList.objects.exists()
