"""Leak factories of tasks: one row per model in (or above) a grid, its marker in what pages show."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from fangxian.command.models import Task, TaskAttachment, TaskComment, TaskStatus, TaskStatusChange
from fangxian.core.testing import PERSONAS, leak_factory

# The grid worker of each test grid, who is given the grid's task (so the inbox shows it).
_GRID_WORKER = {area: name for name, (role, area, _h) in PERSONAS.items() if role == "grid_worker"}


def make_task(grid: str, title: str, world, **fields) -> Task:
    task = Task.objects.create(area_code=grid, title=title, **fields)
    worker = _GRID_WORKER.get(grid)
    if worker:
        task.assignees.add(world.users[worker])
    return task


@leak_factory(Task)
def task(grid: str, marker: str, world):
    return make_task(grid, marker, world, description=marker)


@leak_factory(TaskComment)
def task_comment(grid: str, marker: str, world):
    return TaskComment.objects.create(area_code=grid, task=make_task(grid, "留言任务", world), text=marker)


@leak_factory(TaskStatusChange)
def task_status_change(grid: str, marker: str, world):
    parent = make_task(grid, "状态任务", world)
    return TaskStatusChange.objects.create(
        area_code=grid, task=parent, from_status=TaskStatus.OPEN, to_status=TaskStatus.ACCEPTED, reason=marker
    )


@leak_factory(TaskAttachment)
def task_attachment(grid: str, marker: str, world):
    """A real file (the download page reads it) whose content and name carry the marker."""
    parent = make_task(grid, "附件任务", world)
    name = f"leak/tasks/{marker}.txt"
    if default_storage.exists(name):
        default_storage.delete(name)
    stored = default_storage.save(name, ContentFile(f"{marker}\n".encode()))
    content = f"{marker}\n".encode()
    return TaskAttachment.objects.create(
        area_code=grid,
        task=parent,
        file=stored,
        original_name=f"{marker}.txt",
        content_type="text/plain; charset=utf-8",
        size=len(content),
        sha256="0" * 64,
    )
