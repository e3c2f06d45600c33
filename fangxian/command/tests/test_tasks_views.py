"""Task pages: the inbox, a task with htmx actions, files, the create form, the home panel."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fangxian.command.models import Task, TaskStatus
from fangxian.command.services.tasks import task_attachment_add, task_create
from fangxian.core.testing import GRID_A1, GRID_A2, login

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 100
HTMX = {"HTTP_HX_REQUEST": "true"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path


def make(world, title="入户排查", *, area=GRID_A1, assignees=("grid_a1",), hours=2.0) -> Task:
    return task_create(
        actor=world.actor("commander_a"),
        title=title,
        area_code=area,
        assignees=[world.users[n] for n in assignees],
        due_at=timezone.now() + dt.timedelta(hours=hours),
    )


def make_overdue(world, title: str) -> Task:
    task = make(world, title)
    Task.objects.filter(pk=task.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    return task


def test_inbox_lists_my_tasks_with_tabs(world, client):
    make(world, "三号楼测温")
    make_overdue(world, "独居老人回访")
    make(world, "别人的任务", area=GRID_A2, assignees=("grid_a2",))
    login(client, world.users["grid_a1"])
    body = client.get("/command/tasks/", **EN).content.decode()
    assert "三号楼测温" in body and "独居老人回访" in body and "别人的任务" not in body
    assert 'data-testid="tab-overdue"' in body and "fx-task-overdue" in body
    overdue = client.get("/command/tasks/?tab=overdue").content.decode()
    assert "独居老人回访" in overdue and "三号楼测温" not in overdue
    assert client.get("/command/tasks/?tab=<script>").status_code == 200  # unknown tab: the default


def test_residents_have_no_inbox(world, client):
    login(client, world.users["resident_a1"])
    assert client.get("/command/tasks/").status_code == 403


def test_the_nav_shows_tasks_to_workers_only(world, client):
    login(client, world.users["grid_a1"])
    assert "/command/tasks/" in client.get("/home/").content.decode()
    client.logout()
    login(client, world.users["resident_a1"])
    assert "/command/tasks/" not in client.get("/home/").content.decode()


def test_accept_then_done_with_htmx_partials(world, client):
    task = make(world)
    login(client, world.users["grid_a1"])
    page = client.get(f"/command/tasks/{task.pk}/", **EN).content.decode()
    assert 'data-testid="task-accept"' in page and "入户排查" in page
    accepted = client.post(f"/command/tasks/{task.pk}/status/", {"status": "accepted"}, **HTMX, **EN)
    body = accepted.content.decode()
    assert accepted.status_code == 200 and 'id="task-main"' in body and "<html" not in body
    assert 'data-testid="task-accept"' not in body and "Accepted" in body
    done = client.post(f"/command/tasks/{task.pk}/status/", {"status": "done", "reason": "正常"}, **HTMX, **EN)
    assert 'data-testid="task-reopen"' in done.content.decode()
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.status_reason == "正常"


def test_cannot_do_without_reason_shows_the_message_in_place(world, client):
    task = make(world)
    login(client, world.users["grid_a1"])
    response = client.post(f"/command/tasks/{task.pk}/status/", {"status": "cannot_do", "reason": ""}, **HTMX, **EN)
    assert response.status_code == 200
    assert "Say why the task cannot be done." in response.content.decode()
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_without_htmx_the_form_posts_and_returns_to_the_task(world, client):
    task = make(world)
    login(client, world.users["grid_a1"])
    response = client.post(f"/command/tasks/{task.pk}/status/", {"status": "done"})
    assert response.status_code == 302 and response["Location"] == f"/command/tasks/{task.pk}/"
    illegal = client.post(f"/command/tasks/{task.pk}/status/", {"status": "done"}, follow=True, **EN)
    assert "This task is already done." in illegal.content.decode()


def test_someone_elses_task_is_not_found_and_not_movable(world, client):
    task = make(world, area=GRID_A2, assignees=("grid_a2",))
    login(client, world.users["grid_a1"])
    assert client.get(f"/command/tasks/{task.pk}/").status_code == 404
    assert client.post(f"/command/tasks/{task.pk}/status/", {"status": "accepted"}).status_code == 404
    assert client.post(f"/command/tasks/{task.pk}/comments/", {"text": "x"}).status_code == 404


def test_a_guard_sees_only_the_tasks_given_to_them(world, client):
    # Tasks are about people: a guard reaches the community's places, not its people's tasks.
    others = make(world, area="370202001001", assignees=("worker_a",))
    mine = make(world, "体温复测", area="370202001001", assignees=("guard_a",))
    login(client, world.users["guard_a"])
    assert client.get(f"/command/tasks/{others.pk}/").status_code == 404
    assert client.post(f"/command/tasks/{others.pk}/status/", {"status": "accepted"}, **HTMX).status_code == 404
    assert 'data-testid="task-actions"' in client.get(f"/command/tasks/{mine.pk}/").content.decode()
    inbox = client.get("/command/tasks/").content.decode()
    assert "体温复测" in inbox and "入户排查" not in inbox


def test_comments_through_htmx(world, client):
    task = make(world)
    login(client, world.users["grid_a1"])
    response = client.post(f"/command/tasks/{task.pk}/comments/", {"text": "下午再去一次"}, **HTMX, **EN)
    assert "下午再去一次" in response.content.decode() and 'id="task-comments"' in response.content.decode()
    empty = client.post(f"/command/tasks/{task.pk}/comments/", {"text": ""}, **HTMX, **EN)
    assert 'data-testid="comment-error"' in empty.content.decode()


def test_attach_a_pdf_and_download_it(world, client):
    task = make(world)
    login(client, world.users["grid_a1"])
    upload = SimpleUploadedFile("排查表.pdf", PDF, content_type="application/octet-stream")
    response = client.post(f"/command/tasks/{task.pk}/attachments/", {"file": upload}, **HTMX, **EN)
    assert "排查表.pdf" in response.content.decode()
    attachment = task.attachments.get()
    download = client.get(f"/command/tasks/files/{attachment.pk}/")
    assert download.status_code == 200 and download.content == PDF
    assert download["Content-Type"] == "application/pdf" and download["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download["Content-Security-Policy"]
    client.logout()
    login(client, world.users["grid_a2"])
    assert client.get(f"/command/tasks/files/{attachment.pk}/").status_code == 404


@pytest.mark.parametrize(
    "name,content,expected",
    [
        ("通知.pdf", EXE, "Windows program"),
        ("empty.pdf", b"", "empty"),
        ("photo.jpg", PDF, "named .jpg but its content is a PDF document"),
    ],
)
def test_bad_files_get_a_clear_message(world, client, name, content, expected):
    task = make(world)
    login(client, world.users["grid_a1"])
    upload = SimpleUploadedFile(name, content)
    response = client.post(f"/command/tasks/{task.pk}/attachments/", {"file": upload}, **HTMX, **EN)
    assert response.status_code == 200 and expected in response.content.decode()
    assert not task.attachments.exists()


def test_an_oversize_file_gets_a_clear_message(world, client, settings):
    settings.FANGXIAN_MAX_UPLOAD_BYTES = 1024
    task = make(world)
    login(client, world.users["grid_a1"])
    upload = SimpleUploadedFile("big.pdf", PDF + b"0" * 5000)
    response = client.post(f"/command/tasks/{task.pk}/attachments/", {"file": upload}, follow=True, **EN)
    assert "The file is larger than 1.0\xa0KB" in response.content.decode()


def test_create_form(world, client):
    login(client, world.users["commander_a"])
    page = client.get("/command/tasks/new/", **EN).content.decode()
    assert GRID_A1 in page and "grid_a1" in page and "resident_a1" not in page
    due = (timezone.localtime() + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        "/command/tasks/new/",
        {
            "title": "给独居老人送药",
            "area_code": GRID_A1,
            "assignees": [world.users["grid_a1"].pk],
            "due_at": due,
            "priority": "high",
            "duty": "medical",
            "description": "",
        },
    )
    task = Task.objects.get(title="给独居老人送药")
    assert response.status_code == 302 and response["Location"] == f"/command/tasks/{task.pk}/"
    assert task.duty == "medical" and task.priority == "high"


@pytest.mark.parametrize(
    "change,field,message",
    [
        ({"due_at": "2020-01-01T08:00"}, "due_at", "is in the past"),
        ({"duty": "astronaut"}, "duty", "astronaut"),
        ({"area_code": "370202001002001"}, "area_code", "Select a valid choice"),
        ({"title": ""}, "title", "This field is required"),
    ],
)
def test_create_form_bad_input_gets_a_clear_message(world, client, change, field, message):
    login(client, world.users["commander_a"])
    data = {"title": "t", "area_code": GRID_A1, "priority": "normal", "duty": "", "due_at": "", **change}
    response = client.post("/command/tasks/new/", data, **EN)
    assert response.status_code == 400
    body = response.content.decode()
    assert f'data-testid="error-{field}"' in body and message in body
    assert not Task.objects.exists()


def test_grid_workers_may_not_open_the_create_form(world, client):
    login(client, world.users["grid_a1"])
    assert client.get("/command/tasks/new/").status_code == 403


def test_overdue_tasks_show_on_the_home_page_and_to_the_assigner(world, client):
    make_overdue(world, "独居老人回访")
    make(world, "测温")
    login(client, world.users["grid_a1"])
    body = client.get("/home/", **EN).content.decode()
    assert 'data-testid="home-overdue"' in body
    client.logout()
    # the commander gave the task: it is overdue for them too, and their inbox names it
    login(client, world.users["commander_a"])
    assert 'data-testid="home-overdue"' in client.get("/home/", **EN).content.decode()
    inbox = client.get("/command/tasks/", **EN).content.decode()
    assert 'data-testid="assigned-overdue"' in inbox and "Overdue tasks you assigned" in inbox
    assert "独居老人回访" in inbox


def test_a_task_page_shows_files_and_history_to_the_commander(world, client):
    task = make(world)
    task_attachment_add(
        actor=world.actor("grid_a1"), task=task, file=SimpleUploadedFile("a.png", (b"\x89PNG\r\n\x1a\n" + b"\x00" * 30))
    )
    login(client, world.users["commander_a"])
    page = client.get(f"/command/tasks/{task.pk}/", **EN).content.decode()
    assert "a.png" in page and 'data-testid="task-history"' in page


def test_the_only_active_emergency_is_chosen_for_a_new_task(world, client):
    from fangxian.command.models import Emergency

    emergency = Emergency.objects.create(area_code="370202001001", kind="epidemic", level=2, title="甲社区疫情")
    login(client, world.users["commander_a"])
    page = client.get("/command/tasks/new/", **EN).content.decode()
    assert f'<option value="{emergency.pk}" selected>' in page
    client.post(
        "/command/tasks/new/",
        {"title": "消杀", "area_code": GRID_A1, "priority": "normal", "duty": "medical", "emergency": emergency.pk},
    )
    task = Task.objects.get(title="消杀")
    assert task.emergency == emergency
    assert "Medical" in client.get(f"/command/tasks/{task.pk}/", **EN).content.decode()
