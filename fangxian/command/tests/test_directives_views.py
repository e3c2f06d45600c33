"""Directive pages and API: list with roll-ups, send form with bad input, compliance table, answers, reminders."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fangxian.command.models import Directive, DirectiveRecipient
from fangxian.command.services.directives import directive_report, directive_send
from fangxian.core.testing import COMMUNITY_A, COMMUNITY_B, COMMUNITY_C, DISTRICT, STREET_1, login

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 100
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
HTMX = {"HTTP_HX_REQUEST": "true"}
API = "/api/v1/command/directives"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path


def later(hours: float = 6) -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=hours)


def local_input(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def send(world, communities=(COMMUNITY_A, COMMUNITY_B), **extra) -> Directive:
    return directive_send(
        actor=world.actor(extra.pop("actor", "street1")),
        title=extra.pop("title", "入户排查"),
        body="今日完成",
        deadline=later(),
        community_codes=communities,
        **extra,
    )


# --- pages ----------------------------------------------------------------------------------------------


def test_send_form_and_the_compliance_table(world, client):
    login(client, world.users["street1"])
    form = client.get("/command/directives/new/", **EN).content.decode()
    assert COMMUNITY_A in form and COMMUNITY_B in form and COMMUNITY_C not in form
    response = client.post(
        "/command/directives/new/",
        {
            "area_code": STREET_1,
            "title": "核酸检测动员",
            "body": "组织居民下楼",
            "deadline": local_input(later()),
            "report_required": "on",
            "communities": [COMMUNITY_A, COMMUNITY_B],
            "attachments": [SimpleUploadedFile("通知.pdf", PDF)],
        },
    )
    directive = Directive.objects.get(title="核酸检测动员")
    assert response.status_code == 302 and response["Location"] == f"/command/directives/{directive.pk}/"
    assert directive.attachments.count() == 1
    page = client.get(f"/command/directives/{directive.pk}/", **EN).content.decode()
    assert "0/2 complied" in page and 'data-testid="directive-remind"' in page and "通知.pdf" in page
    directive_report(actor=world.actor("commander_a"), directive=directive, text="已组织 80% 居民")
    page = client.get(f"/command/directives/{directive.pk}/", **EN).content.decode()
    assert "1/2 complied" in page and "已组织 80% 居民" in page
    listing = client.get("/command/directives/", **EN).content.decode()
    assert "1/2 complied" in listing and 'data-testid="directive-rollup"' in listing


def test_send_all_communities(world, client):
    login(client, world.users["street1"])
    client.post(
        "/command/directives/new/",
        {
            "area_code": STREET_1,
            "title": "全体",
            "body": "b",
            "deadline": local_input(later()),
            "all_communities": "on",
        },
    )
    assert set(DirectiveRecipient.objects.values_list("area_code", flat=True)) == {COMMUNITY_A, COMMUNITY_B}


@pytest.mark.parametrize(
    "change,field,message",
    [
        ({"deadline": "2020-01-01T08:00"}, "deadline", "is in the past"),
        ({"communities": []}, "communities", "Choose at least one community."),
        ({"communities": [COMMUNITY_C]}, "communities", "Select a valid choice"),
        ({"attachments": [SimpleUploadedFile("通知.pdf", EXE)]}, "attachments", "Windows program"),
        ({"attachments": [SimpleUploadedFile("通知.pdf", b"")]}, "attachments", "empty"),
    ],
)
def test_send_form_bad_input_gets_a_clear_message(world, client, change, field, message):
    login(client, world.users["street1"])
    data = {
        "area_code": STREET_1,
        "title": "t",
        "body": "b",
        "deadline": local_input(later()),
        "communities": [COMMUNITY_A],
        **change,
    }
    response = client.post("/command/directives/new/", data, **EN)
    body = response.content.decode()
    assert response.status_code == 400 and f'data-testid="error-{field}"' in body and message in body
    assert not Directive.objects.exists()


def test_send_form_oversize_attachment(world, client, settings):
    settings.FANGXIAN_MAX_UPLOAD_BYTES = 1024
    login(client, world.users["street1"])
    response = client.post(
        "/command/directives/new/",
        {
            "area_code": STREET_1,
            "title": "t",
            "body": "b",
            "deadline": local_input(later()),
            "communities": [COMMUNITY_A],
            "attachments": [SimpleUploadedFile("大文件.pdf", PDF + b"0" * 4096)],
        },
        **EN,
    )
    assert response.status_code == 400 and "larger than 1.0\xa0KB" in response.content.decode()


def test_commanders_may_not_send(world, client):
    login(client, world.users["commander_a"])
    assert client.get("/command/directives/new/").status_code == 403


def test_community_acknowledges_and_reports_with_htmx(world, client):
    directive = send(world)
    login(client, world.users["commander_a"])
    page = client.get(f"/command/directives/{directive.pk}/", **EN).content.decode()
    assert 'data-testid="directive-acknowledge"' in page and 'data-testid="compliance"' not in page
    ack = client.post(f"/command/directives/{directive.pk}/acknowledge/", {"community_code": COMMUNITY_A}, **HTMX, **EN)
    assert ack.status_code == 200 and "Acknowledged." in ack.content.decode()
    empty = client.post(f"/command/directives/{directive.pk}/report/", {"text": ""}, **HTMX, **EN)
    assert "needs a completion report" in empty.content.decode()
    report = client.post(f"/command/directives/{directive.pk}/report/", {"text": "完成 300 户"}, **HTMX, **EN)
    assert "Report sent." in report.content.decode()
    copy = directive.recipients.get(area_code=COMMUNITY_A)
    assert copy.report == "完成 300 户"
    inbox = client.get("/command/directives/?box=received", **EN).content.decode()
    assert "入户排查" in inbox and "Complied" in inbox


def test_another_community_neither_sees_nor_answers(world, client):
    directive = send(world, communities=[COMMUNITY_A])
    login(client, world.users["commander_b"])
    assert client.get(f"/command/directives/{directive.pk}/").status_code == 404
    assert client.post(f"/command/directives/{directive.pk}/acknowledge/").status_code == 404
    assert "入户排查" not in client.get("/command/directives/").content.decode()


def test_remind_button(world, client):
    directive = send(world)
    login(client, world.users["street1"])
    response = client.post(f"/command/directives/{directive.pk}/remind/", follow=True, **EN)
    assert "Reminded 2 communities." in response.content.decode()
    assert set(directive.recipients.values_list("reminder_count", flat=True)) == {1}
    client.logout()
    login(client, world.users["commander_a"])
    assert client.post(f"/command/directives/{directive.pk}/remind/").status_code == 403


def test_the_directive_task_links_to_the_directive(world, client):
    directive = send(world)
    login(client, world.users["commander_a"])
    inbox = client.get("/command/tasks/", **EN).content.decode()
    assert "入户排查" in inbox
    task_id = directive.recipients.get(area_code=COMMUNITY_A).pk
    from fangxian.command.models import Task
    from fangxian.command.services.directives import directive_task_ref

    task = Task.objects.get(source_ref=directive_task_ref(task_id))
    page = client.get(f"/command/tasks/{task.pk}/", **EN).content.decode()
    assert f"/command/directives/{directive.pk}/" in page and 'data-testid="task-done"' not in page


def test_district_rollup_drills_down_to_a_street(world, client):
    send(world)
    login(client, world.users["district"])
    page = client.get("/command/directives/", **EN).content.decode()
    assert f"?area={STREET_1}" in page
    street = client.get(f"/command/directives/?area={STREET_1}", **EN).content.decode()
    assert "测试甲社区" in street
    # a code outside the jurisdiction falls back to the official's own area
    assert client.get("/command/directives/?area=4401", **EN).status_code == 200


def test_directive_files_are_read_by_recipients_only(world, client):
    directive = send(world, communities=[COMMUNITY_A], attachments=[SimpleUploadedFile("通知.pdf", PDF)])
    attachment = directive.attachments.get()
    login(client, world.users["commander_a"])
    response = client.get(f"/command/directives/files/{attachment.pk}/")
    assert response.status_code == 200 and response.content == PDF
    client.logout()
    login(client, world.users["commander_b"])
    assert client.get(f"/command/directives/files/{attachment.pk}/").status_code == 404


# --- API --------------------------------------------------------------------------------------------------


def test_api_send_acknowledge_report_and_compliance(world, client):
    login(client, world.users["street1"])
    response = client.post(
        f"{API}/",
        {
            "title": "排查",
            "body": "b",
            "deadline": later().isoformat(),
            "community_codes": [COMMUNITY_A, COMMUNITY_B],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    directive_id = response.json()["id"]
    assert response.json()["compliance"]["label"] == "0/2"
    client.logout()
    login(client, world.users["commander_a"])
    ack = client.post(f"{API}/{directive_id}/acknowledge", {}, content_type="application/json")
    assert ack.status_code == 200 and ack.json()["acknowledged_at"]
    report = client.post(f"{API}/{directive_id}/report", {"text": "完成"}, content_type="application/json")
    assert report.json()["report"] == "完成"
    mine = client.get(f"{API}/{directive_id}").json()
    assert mine["my_copy"]["community_code"] == COMMUNITY_A and mine["compliance"]["total"] == 1
    assert [c["community_code"] for c in client.get(f"{API}/received").json()["items"]] == [COMMUNITY_A]
    client.logout()
    login(client, world.users["street1"])
    compliance = client.get(f"{API}/{directive_id}/compliance").json()
    assert compliance["label"] == "1/2" and compliance["laggards"] == 1
    assert client.post(f"{API}/{directive_id}/remind").json() == {"reminded": 1}
    listing = client.get(f"{API}/?box=sent").json()
    assert listing["items"][0]["totals"] == {"total": 2, "complied": 1, "overdue": 0}
    rollup = client.get(f"{API}/rollup").json()
    assert [(r["code"], r["complied"]) for r in rollup["rows"]] == [(COMMUNITY_A, 1), (COMMUNITY_B, 0)]


@pytest.mark.parametrize(
    "change,status,code",
    [
        ({"deadline": "2020-01-01T00:00:00+08:00"}, 400, "deadline_in_past"),
        ({"community_codes": [COMMUNITY_C]}, 400, "community_out_of_reach"),
        ({"community_codes": ["370202001099"]}, 400, "unknown_community"),
        ({"community_codes": [DISTRICT]}, 400, "not_a_community"),
        ({"community_codes": []}, 422, "invalid"),
        ({"community_codes": ["3" * 13]}, 422, "invalid"),
        ({"title": ""}, 422, "invalid"),
    ],
)
def test_api_send_bad_input(world, client, change, status, code):
    login(client, world.users["street1"])
    payload = {"title": "t", "body": "b", "deadline": later().isoformat(), "community_codes": [COMMUNITY_A], **change}
    response = client.post(f"{API}/", payload, content_type="application/json", **EN)
    assert response.status_code == status and response.json()["code"] == code and response.json()["message"]


def test_api_all_communities(world, client):
    login(client, world.users["street1"])
    response = client.post(
        f"{API}/",
        {"title": "t", "body": "b", "deadline": later().isoformat(), "community_codes": ["all"]},
        content_type="application/json",
    )
    assert response.json()["compliance"]["total"] == 2


def test_api_report_required_and_permissions(world, client):
    directive = send(world)
    login(client, world.users["commander_a"])
    missing = client.post(f"{API}/{directive.pk}/report", {"text": ""}, content_type="application/json", **EN)
    assert missing.status_code == 400 and missing.json()["code"] == "report_required"
    assert client.post(f"{API}/{directive.pk}/remind").status_code == 403
    client.logout()
    login(client, world.users["commander_b"])
    other = send(world, communities=[COMMUNITY_A], title="只给甲")
    assert client.get(f"{API}/{other.pk}").status_code == 404
    assert client.post(f"{API}/{other.pk}/acknowledge", {}, content_type="application/json").status_code == 404
