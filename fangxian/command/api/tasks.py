"""Command app API: tasks (the inbox, one task, create, status, comments, files).

Mounted at /api/v1/command/tasks/. Reads go through the task selectors (scoped), writes through
the task services, so the API and the pages keep one set of rules.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Path, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from fangxian.command.models import Task
from fangxian.command.selectors.tasks import (
    INBOX_TABS,
    task_attachments,
    task_comments,
    task_counts,
    task_history,
    task_inbox,
    tasks_by_duty,
    tasks_overdue,
)
from fangxian.command.services.tasks import (
    task_attachment_add,
    task_comment_add,
    task_create,
    task_may_work_on,
    task_status_set,
)
from fangxian.core.api import StoredFileOut, api_actor, require, scope_detail, scope_list
from fangxian.core.errors import NotFound

router = Router(tags=["tasks"])
MAX_LIMIT = 200
AREA_CODE_PATTERN = r"^[0-9]{2,15}$"
UploadField = File(..., description="The file (at most FANGXIAN_MAX_UPLOAD_BYTES)")
TaskIdPath = Path(..., ge=1, le=2**62, description="The task's id")


class PersonOut(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj)


class TaskOut(Schema):
    id: int
    title: str
    area_code: str
    source: str
    source_ref: str
    priority: str
    status: str
    status_label: str
    status_reason: str
    duty: str
    emergency_id: int | None
    due_at: dt.datetime | None
    created_at: dt.datetime
    closed_at: dt.datetime | None
    escalated_at: dt.datetime | None
    is_overdue: bool
    assigner: PersonOut | None
    assignees: list[PersonOut]

    @staticmethod
    def resolve_status_label(obj: Task) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_assignees(obj: Task) -> list[Any]:
        return list(obj.assignees.all())


class TaskPage(Schema):
    items: list[TaskOut]
    next_cursor: int | None


class HistoryOut(Schema):
    from_status: str
    to_status: str
    reason: str
    by: PersonOut | None
    at: dt.datetime


class CommentOut(Schema):
    id: int
    kind: str
    text: str
    author: PersonOut | None
    created_at: dt.datetime


class AttachmentOut(StoredFileOut):
    uploaded_at: dt.datetime

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return reverse("command:task_attachment", kwargs={"pk": obj.pk})


class TaskDetailOut(TaskOut):
    description: str
    may_work: bool
    history: list[HistoryOut]
    comments: list[CommentOut]
    attachments: list[AttachmentOut]


class TaskCreateIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    area_code: str = Field(..., pattern=AREA_CODE_PATTERN)
    assignees: list[int] = Field(default_factory=list, max_length=50)
    due_at: dt.datetime | None = None
    priority: Literal["low", "normal", "high", "urgent"] = "normal"
    duty: str = Field("", max_length=16)
    description: str = Field("", max_length=5000)
    emergency_id: int | None = Field(None, ge=1, le=2**62)


class TaskStatusIn(Schema):
    status: Literal["accepted", "done", "cannot_do", "open"]
    reason: str = Field("", max_length=500)


class CommentIn(Schema):
    text: str = Field(..., min_length=1, max_length=5000)


class TaskCountsOut(Schema):
    open: int
    overdue: int
    done_today: int


class DutyRowOut(Schema):
    duty: str
    label: str
    open: int
    overdue: int
    done: int
    total: int


def _load(request: HttpRequest, task_id: int) -> Task:
    actor = api_actor(request)
    require(actor, "task.view")
    task = Task.objects.visible_to(actor).select_related("assigner").filter(pk=task_id).first()
    if task is None:
        raise NotFound(_("Not found."))
    return task


class _DetailView:
    """Adapts a task and its related rows to TaskDetailOut (attachments under their own name)."""

    def __init__(self, request: HttpRequest, task: Task) -> None:
        actor = api_actor(request)
        self._task = task
        self.may_work = task_may_work_on(actor=actor, task=task)
        self.history = list(task_history(actor=actor, task=task))
        self.comments = list(task_comments(actor=actor, task=task))
        self.attachments = list(task_attachments(actor=actor, task=task))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._task, name)

    def get_status_display(self) -> str:
        return self._task.get_status_display()

    @property
    def assignees(self) -> Any:
        return self._task.assignees


@router.get(
    "/",
    response=TaskPage,
    openapi_extra=scope_list("command.Task"),
    summary="My inbox: tasks given to me and unassigned tasks where I am on duty, newest first",
)
def task_inbox_list(
    request: HttpRequest,
    tab: Literal["todo", "open", "accepted", "overdue", "done"] = "todo",
    after: int | None = Query(None, ge=1, le=2**62),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
):
    actor = api_actor(request)
    require(actor, "task.view")
    if tab not in INBOX_TABS:
        raise HttpError(422, "unknown tab")
    tasks = task_inbox(actor=actor, tab=tab).select_related("assigner").order_by("-pk")
    if after:
        tasks = tasks.filter(pk__lt=after)
    items = list(tasks[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    return {"items": items, "next_cursor": items[-1].pk if more and items else None}


@router.get(
    "/overdue",
    response=list[TaskOut],
    openapi_extra=scope_list("command.Task"),
    summary="Overdue tasks that concern me: given to me, given by me, unassigned where I am on duty",
)
def task_overdue_list(request: HttpRequest, limit: int = Query(100, ge=1, le=MAX_LIMIT)):
    actor = api_actor(request)
    require(actor, "task.view")
    return list(tasks_overdue(actor=actor)[:limit])


@router.get(
    "/counts",
    response=TaskCountsOut,
    openapi_extra=scope_list("command.Task"),
    summary="Open, overdue and done-today tasks below an area (my widest area by default)",
)
def task_counts_read(request: HttpRequest, area_code: str | None = Query(None, pattern=AREA_CODE_PATTERN)):
    actor = api_actor(request)
    require(actor, "task.view")
    code = area_code or actor.primary_area_code
    if not code:
        return {"open": 0, "overdue": 0, "done_today": 0}
    return task_counts(actor=actor, area_code=code)


@router.get(
    "/by-duty",
    response=list[DutyRowOut],
    openapi_extra=scope_list("command.Task"),
    summary="Open and overdue tasks per duty of the command group (of one emergency, or all I see)",
)
def task_by_duty(
    request: HttpRequest,
    emergency: int | None = Query(None, ge=1, le=2**62),
    area_code: str | None = Query(None, pattern=AREA_CODE_PATTERN),
):
    actor = api_actor(request)
    require(actor, "task.view")
    return tasks_by_duty(actor=actor, emergency=emergency, area_code=area_code or "")


@router.get(
    "/{task_id}",
    response=TaskDetailOut,
    openapi_extra=scope_detail("command.Task", "pk", "task_id"),
    summary="One task with its history, comments and files",
)
def task_detail(request: HttpRequest, task_id: int = TaskIdPath):
    return _DetailView(request, _load(request, task_id))


@router.post("/", response={201: TaskDetailOut}, summary="Create a task (capability task.assign)")
def task_create_endpoint(request: HttpRequest, payload: TaskCreateIn):
    actor = api_actor(request)
    require(actor, "task.assign")
    task = task_create(
        actor=actor,
        title=payload.title,
        area_code=payload.area_code,
        assignees=payload.assignees,
        due_at=payload.due_at,
        priority=payload.priority,
        duty=payload.duty,
        description=payload.description,
        emergency=payload.emergency_id,
    )
    return Status(201, _DetailView(request, _load(request, task.pk)))


@router.post(
    "/{task_id}/status",
    response=TaskDetailOut,
    summary="Accept, complete, refuse (cannot_do, with a reason) or reopen a task",
)
def task_status_update(request: HttpRequest, payload: TaskStatusIn, task_id: int = TaskIdPath):
    actor = api_actor(request)
    require(actor, "task.update")
    task = _load(request, task_id)
    task_status_set(actor=actor, task=task, status=payload.status, reason=payload.reason)
    return _DetailView(request, _load(request, task_id))


@router.post("/{task_id}/comments", response={201: CommentOut}, summary="Comment on a task")
def task_comment_create(request: HttpRequest, payload: CommentIn, task_id: int = TaskIdPath):
    actor = api_actor(request)
    require(actor, "task.update")
    comment = task_comment_add(actor=actor, task=_load(request, task_id), text=payload.text)
    return Status(201, comment)


@router.post(
    "/{task_id}/attachments",
    response={201: AttachmentOut},
    summary="Attach a photo or document (PDF, images, Office, text; checked by content and size)",
)
def task_attachment_create(request: HttpRequest, task_id: int = TaskIdPath, file: UploadedFile = UploadField):
    actor = api_actor(request)
    require(actor, "task.update")
    attachment = task_attachment_add(actor=actor, task=_load(request, task_id), file=file, name=file.name)
    return Status(201, attachment)
