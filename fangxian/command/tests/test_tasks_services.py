"""Task services: create with its checks, the status flow, comments, files, escalation of overdue tasks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from fangxian.command.models import Task, TaskComment, TaskPriority, TaskSource, TaskStatus, TaskStatusChange
from fangxian.command.models.tasks import TaskCommentKind
from fangxian.command.services.tasks import (
    task_accept,
    task_attachment_add,
    task_cannot_do,
    task_close_for_source,
    task_comment_add,
    task_complete,
    task_create,
    task_reopen,
    task_status_set,
    tasks_escalate_overdue,
)
from fangxian.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangxian.core.models import AuditEvent
from fangxian.core.scoping import Actor
from fangxian.core.testing import COMMUNITY_A, COMMUNITY_B, GRID_A1, GRID_A2, GRID_B1, STREET_1

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 100


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path


def soon(hours: float = 2) -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=hours)


def make(world, *, actor="commander_a", area=GRID_A1, assignees=("grid_a1",), **extra) -> Task:
    return task_create(
        actor=world.actor(actor),
        title=extra.pop("title", "入户排查 3 号楼"),
        area_code=area,
        assignees=[world.users[name] for name in assignees],
        due_at=extra.pop("due_at", soon()),
        **extra,
    )


# --- create -----------------------------------------------------------------------------------------


def test_commander_gives_a_grid_worker_a_task(world):
    task = make(world, priority=TaskPriority.HIGH, duty="medical", description="量体温")
    assert task.status == TaskStatus.OPEN and task.area_code == GRID_A1
    assert list(task.assignees.all()) == [world.users["grid_a1"]]
    assert task.assigner == world.users["commander_a"] and task.source == TaskSource.MANUAL
    first = TaskStatusChange.objects.get(task=task)
    assert (first.from_status, first.to_status, first.by) == ("", TaskStatus.OPEN, world.users["commander_a"])
    assert AuditEvent.objects.filter(object_type="command.task", object_id=str(task.pk), action="create").exists()


def test_a_due_time_in_the_past_is_refused_with_a_clear_message(world):
    with pytest.raises(DomainError) as error:
        make(world, due_at=timezone.now() - dt.timedelta(hours=3))
    assert error.value.code == "due_in_past" and error.value.field == "due_at"
    assert "in the past" in str(error.value.message)
    assert not Task.objects.exists()


def test_a_due_time_of_this_very_minute_is_accepted(world):
    assert make(world, due_at=timezone.now() - dt.timedelta(seconds=30)).pk


def test_an_unknown_duty_is_refused_naming_the_duties(world):
    with pytest.raises(DomainError) as error:
        make(world, duty="astronaut")
    assert error.value.code == "unknown_duty" and "astronaut" in str(error.value.message)
    assert "Medical" in str(error.value.message)


@pytest.mark.parametrize(
    "field,value,code", [("priority", "extreme", "unknown_priority"), ("source", "x", "unknown_source")]
)
def test_unknown_choices_are_refused(world, field, value, code):
    with pytest.raises(DomainError) as error:
        make(world, **{field: value})
    assert error.value.code == code


def test_a_blank_title_is_refused(world):
    with pytest.raises(DomainError) as error:
        make(world, title="   ")
    assert error.value.code == "title_required"


def test_the_area_must_be_within_the_actors_reach(world):
    with pytest.raises(DomainError) as error:
        make(world, area=GRID_B1, assignees=())
    assert error.value.code == "area_out_of_reach"
    with pytest.raises(DomainError) as error:
        make(world, area="12345", assignees=())
    assert error.value.code == "area_invalid"


def test_assignees_must_hold_a_role_on_the_areas_branch(world):
    # grid_a2 works in grid A2, not in A1
    with pytest.raises(DomainError) as error:
        make(world, assignees=("grid_a1", "grid_a2"))
    assert error.value.code == "assignee_not_eligible"
    # a resident is never an assignee
    with pytest.raises(DomainError):
        make(world, assignees=("resident_a1",))
    # someone of another community is not visible to the commander at all
    with pytest.raises(DomainError):
        make(world, assignees=("grid_b1",))


def test_a_community_task_may_go_to_its_grid_workers_and_volunteers(world):
    task = make(world, area=COMMUNITY_A, assignees=("grid_a1", "volunteer_a", "worker_a"))
    assert task.assignees.count() == 3


def test_a_street_official_assigns_in_a_community_of_the_street(world):
    task = make(world, actor="street1", area=COMMUNITY_B, assignees=("commander_b",))
    assert task.area_code == COMMUNITY_B


def test_roles_without_task_assign_cannot_create(world):
    with pytest.raises(PermissionDenied):
        make(world, actor="grid_a1")
    with pytest.raises(PermissionDenied):
        make(world, actor="volunteer_a")


def test_the_system_actor_needs_no_capability(world):
    task = task_create(
        actor=Actor.system("test"),
        title="发热人员复核",
        area_code=GRID_A1,
        assignees=[world.users["grid_a1"]],
        source=TaskSource.CHECKPOINT,
        source_ref="checkpoints.temperature:1",
        priority=TaskPriority.URGENT,
    )
    assert task.assigner is None and task.source == TaskSource.CHECKPOINT


def test_the_same_source_while_open_gives_the_same_task(world):
    system = Actor.system("test")
    first = task_create(actor=system, title="a", area_code=GRID_A1, source_ref="health.case:1")
    again = task_create(actor=system, title="a", area_code=GRID_A1, source_ref="health.case:1")
    assert first.pk == again.pk
    task_complete(actor=system, task=first)
    assert task_create(actor=system, title="a", area_code=GRID_A1, source_ref="health.case:1").pk != first.pk


# --- the status flow --------------------------------------------------------------------------------


def test_open_accepted_done_with_history(world):
    task = make(world)
    grid = world.actor("grid_a1")
    task_accept(actor=grid, task=task)
    done = task_complete(actor=grid, task=task.pk, note="已上门，一切正常")
    assert done.status == TaskStatus.DONE and done.closed_at is not None and done.status_reason == "已上门，一切正常"
    steps = list(TaskStatusChange.objects.filter(task=task).values_list("from_status", "to_status"))
    assert steps == [("", "open"), ("open", "accepted"), ("accepted", "done")]


def test_cannot_do_needs_a_reason(world):
    task = make(world)
    with pytest.raises(DomainError) as error:
        task_cannot_do(actor=world.actor("grid_a1"), task=task, reason="  ")
    assert error.value.code == "reason_required" and error.value.field == "reason"
    refused = task_cannot_do(actor=world.actor("grid_a1"), task=task, reason="家中无人，已留言")
    assert refused.status == TaskStatus.CANNOT_DO and refused.status_reason == "家中无人，已留言"


@pytest.mark.parametrize(
    "steps,illegal,message",
    [
        ([], "open", "already open"),
        (["accepted"], "accepted", "already accepted"),
        (["done"], "done", "already done"),
        (["done"], "accepted", "Reopen it first"),
        (["cannot_do"], "done", "Reopen it first"),
    ],
)
def test_illegal_transitions_are_refused_with_a_clear_message(world, steps, illegal, message):
    task = make(world)
    grid = world.actor("grid_a1")
    for step in steps:
        task_status_set(actor=grid, task=task, status=step, reason="原因")
    with pytest.raises(Conflict) as error:
        task_status_set(actor=grid, task=task, status=illegal, reason="原因")
    assert error.value.code == "illegal_transition" and message in str(error.value.message)


def test_reopen_a_closed_task_with_a_new_due_time(world):
    task = make(world)
    grid = world.actor("grid_a1")
    task_complete(actor=grid, task=task)
    task.refresh_from_db()
    task.escalated_at = timezone.now()
    task.save()
    reopened = task_reopen(actor=world.actor("commander_a"), task=task, reason="复查", due_at=soon(5))
    assert reopened.status == TaskStatus.OPEN and reopened.closed_at is None and reopened.escalated_at is None
    with pytest.raises(DomainError):
        task_reopen(actor=grid, task=task, due_at=timezone.now() - dt.timedelta(days=1))


def test_unknown_status_is_refused(world):
    with pytest.raises(DomainError) as error:
        task_status_set(actor=world.actor("grid_a1"), task=make(world), status="exploded")
    assert error.value.code == "unknown_status"


def test_only_assignees_and_supervisors_move_an_assigned_task(world):
    task = make(world, area=COMMUNITY_A, assignees=("grid_a1",))
    # worker_a holds task.assign in community A: may take over
    assert task_accept(actor=world.actor("worker_a"), task=task).status == TaskStatus.ACCEPTED
    # the guard of community A reaches its places, not its people's tasks
    with pytest.raises(NotFound):
        task_complete(actor=world.actor("guard_a"), task=task)


def test_an_unassigned_task_becomes_the_accepting_persons(world):
    task = make(world, assignees=())
    accepted = task_accept(actor=world.actor("grid_a1"), task=task)
    assert list(accepted.assignees.all()) == [world.users["grid_a1"]]


def test_a_task_elsewhere_is_not_found(world):
    task = make(world)
    with pytest.raises(NotFound):
        task_accept(actor=world.actor("grid_a2"), task=task)
    with pytest.raises(NotFound):
        task_comment_add(actor=world.actor("commander_b"), task=task, text="x")


def test_a_volunteer_works_on_the_task_given_to_them(world):
    task = make(world, area=COMMUNITY_A, assignees=("volunteer_a",))
    volunteer = world.actor("volunteer_a")
    task_accept(actor=volunteer, task=task)
    task_comment_add(actor=volunteer, task=task, text="已送达药品")
    assert task_complete(actor=volunteer, task=task).status == TaskStatus.DONE
    other = make(world, area=COMMUNITY_A, assignees=("worker_a",))
    with pytest.raises(NotFound):
        task_accept(actor=volunteer, task=other)


def test_residents_cannot_work_on_tasks(world):
    with pytest.raises(PermissionDenied):
        task_accept(actor=world.actor("resident_a1"), task=make(world))


def test_a_directive_task_closes_through_the_directive_only(world):
    system = Actor.system("test")
    task = task_create(
        actor=system,
        title="d",
        area_code=COMMUNITY_A,
        assignees=[world.users["commander_a"]],
        source=TaskSource.DIRECTIVE,
        source_ref="command.directiverecipient:99",
    )
    commander = world.actor("commander_a")
    task_accept(actor=commander, task=task)
    with pytest.raises(Conflict) as error:
        task_complete(actor=commander, task=task)
    assert error.value.code == "directive_task"
    assert task_close_for_source(actor=commander, source_ref="command.directiverecipient:99", status="done") == 1
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


# --- comments and files -------------------------------------------------------------------------


def test_comments_are_kept_and_checked(world):
    task = make(world)
    comment = task_comment_add(actor=world.actor("grid_a1"), task=task, text="  老人说下午再来  ")
    assert comment.text == "老人说下午再来" and comment.kind == TaskCommentKind.COMMENT and comment.area_code == GRID_A1
    with pytest.raises(DomainError) as error:
        task_comment_add(actor=world.actor("grid_a1"), task=task, text=" ")
    assert error.value.code == "comment_empty"
    with pytest.raises(DomainError) as error:
        task_comment_add(actor=world.actor("grid_a1"), task=task, text="x" * 5001)
    assert error.value.code == "comment_too_long"


def test_a_pdf_is_attached_with_its_detected_type(world, media):
    task = make(world)
    attachment = task_attachment_add(
        actor=world.actor("grid_a1"),
        task=task,
        file=SimpleUploadedFile("../../排查表.pdf", PDF, content_type="image/png"),
    )
    assert attachment.original_name == "排查表.pdf" and attachment.content_type == "application/pdf"
    assert attachment.size == len(PDF) and len(attachment.sha256) == 64
    assert attachment.file.name.startswith("tasks/") and "排查表" not in attachment.file.name
    with attachment.file.open("rb") as handle:
        assert handle.read() == PDF


def test_an_exe_named_pdf_is_refused_and_nothing_is_stored(world, media):
    task = make(world)
    with pytest.raises(DomainError) as error:
        task_attachment_add(actor=world.actor("grid_a1"), task=task, file=SimpleUploadedFile("通知.pdf", EXE))
    assert error.value.code == "upload_executable" and "Windows program" in str(error.value.message)
    assert not task.attachments.exists() and not any(media.rglob("*.pdf"))


def test_an_oversize_attachment_is_refused(world, media, settings):
    settings.FANGXIAN_MAX_UPLOAD_BYTES = 100
    with pytest.raises(DomainError) as error:
        task_attachment_add(
            actor=world.actor("grid_a1"), task=make(world), file=SimpleUploadedFile("a.pdf", PDF + b"0" * 200)
        )
    assert error.value.code == "upload_too_large" and "100" in str(error.value.message)


def test_attachments_per_task_are_limited(world, media, monkeypatch):
    from fangxian.command.services import tasks as services

    monkeypatch.setattr(services, "MAX_ATTACHMENTS_PER_TASK", 1)
    task = make(world)
    task_attachment_add(actor=world.actor("grid_a1"), task=task, file=SimpleUploadedFile("a.pdf", PDF))
    with pytest.raises(DomainError) as error:
        task_attachment_add(actor=world.actor("grid_a1"), task=task, file=SimpleUploadedFile("b.pdf", PDF))
    assert error.value.code == "too_many_attachments"


# --- escalation -------------------------------------------------------------------------------------


def test_overdue_open_tasks_escalate_once(world):
    due_soon = make(world, due_at=soon(1))
    later = make(world, due_at=soon(10))
    done = make(world, due_at=soon(1))
    task_complete(actor=world.actor("grid_a1"), task=done)
    no_due = make(world, due_at=None)

    in_two_hours = timezone.now() + dt.timedelta(hours=2)
    assert tasks_escalate_overdue(now=in_two_hours) == 1
    due_soon.refresh_from_db()
    assert due_soon.escalated_at == in_two_hours
    note = TaskComment.objects.get(task=due_soon)
    assert note.kind == TaskCommentKind.ESCALATION and note.area_code == GRID_A1
    for untouched in (later, done, no_due):
        untouched.refresh_from_db()
        assert untouched.escalated_at is None
    # a second run does not escalate again
    assert tasks_escalate_overdue(now=in_two_hours + dt.timedelta(minutes=5)) == 0
    assert TaskComment.objects.filter(kind=TaskCommentKind.ESCALATION).count() == 1
    # later, the second one is overdue too
    assert tasks_escalate_overdue(now=timezone.now() + dt.timedelta(hours=11)) == 1
    assert AuditEvent.objects.filter(object_type="command.task", changes__escalated=1).count() == 2


def test_escalation_works_in_batches(world, monkeypatch):
    from fangxian.command.services import tasks as services

    monkeypatch.setattr(services, "ESCALATION_BATCH", 2)
    for _ in range(5):
        make(world, due_at=soon(1))
    assert tasks_escalate_overdue(now=timezone.now() + dt.timedelta(hours=3)) == 5
    assert not Task.objects.filter(escalated_at__isnull=True).exists()


def test_the_periodic_job_escalates_as_the_system(world):
    from fangxian.command import jobs

    task = make(world, due_at=soon(1))
    Task.objects.filter(pk=task.pk).update(due_at=timezone.now() - dt.timedelta(minutes=1))
    assert jobs.escalate_overdue_tasks.call_local() == 1
    event = AuditEvent.objects.filter(changes__escalated=1).get()
    assert event.actor_label == "system"
    # scheduled by Huey every five minutes
    schedule = jobs.escalate_overdue_tasks.task_class().validate_datetime
    assert schedule(dt.datetime(2026, 1, 1, 8, 5, tzinfo=dt.UTC)) and not schedule(
        dt.datetime(2026, 1, 1, 8, 7, tzinfo=dt.UTC)
    )


def test_escalation_covers_every_area(world):
    make(world, due_at=soon(1))
    make(world, actor="commander_b", area=GRID_B1, assignees=("grid_b1",), due_at=soon(1))
    make(world, actor="street1", area=STREET_1, assignees=(), due_at=soon(1))
    assert tasks_escalate_overdue(now=timezone.now() + dt.timedelta(hours=2)) == 3
    assert AuditEvent.objects.get(changes__escalated=3).area_code == STREET_1


def test_reopened_task_may_escalate_again(world):
    task = make(world, due_at=soon(1))
    tasks_escalate_overdue(now=timezone.now() + dt.timedelta(hours=2))
    task_complete(actor=world.actor("grid_a1"), task=task)
    task_reopen(actor=world.actor("commander_a"), task=task, due_at=soon(3))
    assert tasks_escalate_overdue(now=timezone.now() + dt.timedelta(hours=4)) == 1


def test_administrators_see_no_tasks_of_their_area_but_the_audit_masks_the_text(world):
    task = make(world, title="回访独居老人王大爷", description="住 3-1-101")
    assert not Task.objects.visible_to(world.actor("admin")).filter(pk=task.pk).exists()
    created = AuditEvent.objects.get(object_type="command.task", object_id=str(task.pk), action="create")
    assert created.changes["title"]["new"] == "******" and created.changes["description"]["new"] == "******"
    assert "王大爷" not in str(created.changes)


def test_grid_workers_of_another_grid_do_not_see_the_task(world):
    task = make(world, area=GRID_A2, assignees=("grid_a2",))
    assert not Task.objects.visible_to(world.actor("grid_a1")).filter(pk=task.pk).exists()
    assert Task.objects.visible_to(world.actor("commander_a")).filter(pk=task.pk).exists()
