"""The tasks API: inbox pages, one task, create, status, comments, files; errors as JSON with codes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fangxian.accounts.services import api_token_create
from fangxian.command.models import Task, TaskStatus
from fangxian.command.services.tasks import task_create
from fangxian.core.testing import COMMUNITY_A, GRID_A1, GRID_A2, login

pytestmark = pytest.mark.django_db

BASE = "/api/v1/command/tasks"
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 100
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }


def later(hours: float = 2) -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=hours)


def make(world, title="测温", *, area=GRID_A1, assignees=("grid_a1",)) -> Task:
    return task_create(
        actor=world.actor("commander_a"),
        title=title,
        area_code=area,
        assignees=[world.users[n] for n in assignees],
        due_at=later(),
    )


def test_inbox_pages_by_cursor(world, client):
    for i in range(5):
        make(world, f"t{i}")
    make(world, "elsewhere", area=GRID_A2, assignees=("grid_a2",))
    login(client, world.users["grid_a1"])
    seen, after = [], None
    while True:
        page = client.get(f"{BASE}/?limit=2" + (f"&after={after}" if after else "")).json()
        seen += [item["title"] for item in page["items"]]
        after = page["next_cursor"]
        if not after:
            break
    assert sorted(seen) == [f"t{i}" for i in range(5)]
    assert client.get(f"{BASE}/?tab=nonsense").status_code == 422
    assert client.get(f"{BASE}/?limit=0").json()["code"] == "invalid"


def test_detail_and_sibling_not_found(world, client):
    task = make(world)
    other = make(world, area=GRID_A2, assignees=("grid_a2",))
    login(client, world.users["grid_a1"])
    body = client.get(f"{BASE}/{task.pk}").json()
    assert body["title"] == "测温" and body["may_work"] is True and body["history"][0]["to_status"] == "open"
    assert [a["name"] for a in body["assignees"]] == ["grid_a1"]
    missing = client.get(f"{BASE}/{other.pk}")
    assert missing.status_code == 404 and missing.json() == client.get(f"{BASE}/999999").json()


def test_create_and_work_through_the_status_flow(world, client):
    login(client, world.users["commander_a"])
    response = client.post(
        f"{BASE}/",
        {
            "title": "送药",
            "area_code": COMMUNITY_A,
            "assignees": [world.users["worker_a"].pk],
            "due_at": later().isoformat(),
            "priority": "urgent",
            "duty": "medical",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    task_id = response.json()["id"]
    client.logout()
    login(client, world.users["worker_a"])
    accepted = client.post(f"{BASE}/{task_id}/status", {"status": "accepted"}, content_type="application/json")
    assert accepted.json()["status"] == "accepted"
    refused = client.post(f"{BASE}/{task_id}/status", {"status": "cannot_do"}, content_type="application/json", **EN)
    assert refused.status_code == 400 and refused.json()["code"] == "reason_required"
    assert refused.json()["field"] == "reason"
    done = client.post(
        f"{BASE}/{task_id}/status", {"status": "done", "reason": "已送"}, content_type="application/json"
    )
    assert done.json()["status"] == "done"
    again = client.post(f"{BASE}/{task_id}/status", {"status": "done"}, content_type="application/json", **EN)
    assert again.status_code == 409 and again.json()["code"] == "illegal_transition"
    assert "already done" in again.json()["message"]


@pytest.mark.parametrize(
    "change,status,code",
    [
        ({"due_at": "2020-01-01T00:00:00+08:00"}, 400, "due_in_past"),
        ({"duty": "astronaut"}, 400, "unknown_duty"),
        ({"area_code": "370202001002"}, 400, "area_out_of_reach"),
        ({"assignees": [0]}, 400, "assignee_not_eligible"),
        ({"priority": "extreme"}, 422, "invalid"),
        ({"title": "x" * 201}, 422, "invalid"),
        ({"area_code": "abc"}, 422, "invalid"),
    ],
)
def test_create_bad_input(world, client, change, status, code):
    login(client, world.users["commander_a"])
    payload = {"title": "t", "area_code": GRID_A1, **change}
    response = client.post(f"{BASE}/", payload, content_type="application/json", **EN)
    assert response.status_code == status and response.json()["code"] == code
    assert response.json()["message"]


def test_create_needs_task_assign(world, client):
    login(client, world.users["grid_a1"])
    response = client.post(f"{BASE}/", {"title": "t", "area_code": GRID_A1}, content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_comments_and_files(world, client):
    task = make(world)
    login(client, world.users["grid_a1"])
    comment = client.post(f"{BASE}/{task.pk}/comments", {"text": "敲门无人"}, content_type="application/json")
    assert comment.status_code == 201 and comment.json()["text"] == "敲门无人"
    ok = client.post(f"{BASE}/{task.pk}/attachments", {"file": SimpleUploadedFile("表.pdf", PDF)})
    assert ok.status_code == 201 and ok.json()["content_type"] == "application/pdf"
    assert ok.json()["url"].startswith("/command/tasks/files/")
    bad = client.post(f"{BASE}/{task.pk}/attachments", {"file": SimpleUploadedFile("表.pdf", EXE)}, **EN)
    assert bad.status_code == 400 and bad.json()["code"] == "upload_executable"
    detail = client.get(f"{BASE}/{task.pk}").json()
    assert [c["text"] for c in detail["comments"]] == ["敲门无人"] and len(detail["attachments"]) == 1


def test_oversize_file_is_413(world, client, settings):
    settings.FANGXIAN_MAX_UPLOAD_BYTES = 100
    task = make(world)
    login(client, world.users["grid_a1"])
    response = client.post(f"{BASE}/{task.pk}/attachments", {"file": SimpleUploadedFile("a.pdf", PDF * 10)}, **EN)
    assert response.status_code == 413 and response.json()["code"] == "upload_too_large"


def test_counts_overdue_and_by_duty(world, client):
    task = make(world)
    Task.objects.filter(pk=task.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    login(client, world.users["commander_a"])
    assert client.get(f"{BASE}/counts").json() == {"open": 1, "overdue": 1, "done_today": 0}
    assert [t["id"] for t in client.get(f"{BASE}/overdue").json()] == [task.pk]
    assert client.get(f"{BASE}/by-duty").json()[0]["open"] == 1
    assert client.get(f"{BASE}/counts?area_code=370202001002").json() == {"open": 0, "overdue": 0, "done_today": 0}


def test_a_bearer_token_reads_the_inbox_and_updates(world, client):
    make(world)
    assignment = world.users["grid_a1"].role_assignments.get()
    _token, secret = api_token_create(actor=world.actor("grid_a1"), name="phone", assignment=assignment)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    items = client.get(f"{BASE}/", **auth).json()["items"]
    assert len(items) == 1
    response = client.post(
        f"{BASE}/{items[0]['id']}/status", {"status": "done"}, content_type="application/json", **auth
    )
    assert response.json()["status"] == TaskStatus.DONE
