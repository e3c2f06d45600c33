"""Task selectors: the inbox and its tabs, overdue work, counts per area and per duty."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fangxian.command.models import Emergency, Task, TaskPriority
from fangxian.command.selectors.tasks import (
    task_counts,
    task_counts_for_day,
    task_inbox,
    tasks_assigned_by_overdue,
    tasks_by_duty,
    tasks_overdue,
)
from fangxian.command.services.tasks import task_accept, task_cannot_do, task_complete, task_create
from fangxian.core.scoping import Actor
from fangxian.core.testing import COMMUNITY_A, COMMUNITY_B, DISTRICT, GRID_A1, GRID_A2, GRID_B1, STREET_1

pytestmark = pytest.mark.django_db


def soon(hours: float = 2) -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=hours)


def make(world, title: str, *, area=GRID_A1, assignees=("grid_a1",), actor="commander_a", **extra) -> Task:
    return task_create(
        actor=world.actor(actor), title=title, area_code=area, assignees=[world.users[n] for n in assignees], **extra
    )


def overdue(task: Task, hours: float = 1) -> Task:
    """Time travel for one task: its due time moves into the past."""
    Task.objects.filter(pk=task.pk).update(due_at=timezone.now() - dt.timedelta(hours=hours))
    task.refresh_from_db()
    return task


def titles(queryset) -> list[str]:
    return [t.title for t in queryset]


def test_inbox_holds_my_tasks_soonest_first_gravest_first(world):
    one_hour = soon(1)
    make(world, "later", due_at=soon(5))
    make(world, "soon-normal", due_at=one_hour)
    make(world, "soon-urgent", due_at=one_hour, priority=TaskPriority.URGENT)
    make(world, "someone else's", area=GRID_A2, assignees=("grid_a2",))
    make(world, "no due time")
    assert titles(task_inbox(actor=world.actor("grid_a1"))) == ["soon-urgent", "soon-normal", "later", "no due time"]


def test_inbox_tabs(world):
    grid = world.actor("grid_a1")
    new = make(world, "new")
    accepted = make(world, "accepted")
    task_accept(actor=grid, task=accepted)
    done = make(world, "done")
    task_complete(actor=grid, task=done)
    refused = make(world, "refused")
    task_cannot_do(actor=grid, task=refused, reason="无人")
    late = overdue(make(world, "late", due_at=soon()))
    assert set(titles(task_inbox(actor=grid))) == {"new", "accepted", "late"}
    assert set(titles(task_inbox(actor=grid, status="open"))) == {"new", "late"}
    assert titles(task_inbox(actor=grid, status="accepted")) == ["accepted"]
    assert set(titles(task_inbox(actor=grid, status="done"))) == {"done", "refused"}
    assert titles(task_inbox(actor=grid, overdue=True)) == ["late"]
    assert new.pk and late.is_overdue


def test_unassigned_tasks_of_my_area_are_in_staff_inboxes(world):
    make(world, "community queue", area=COMMUNITY_A, assignees=())
    make(world, "grid queue", area=GRID_A1, assignees=())
    make(world, "other community", actor="commander_b", area=COMMUNITY_B, assignees=())
    assert set(titles(task_inbox(actor=world.actor("worker_a")))) == {"community queue", "grid queue"}
    assert titles(task_inbox(actor=world.actor("grid_a1"))) == ["grid queue"]
    assert titles(task_inbox(actor=world.actor("grid_a2"))) == []
    # a street official's inbox holds the street office's own queue, not every community's
    make(world, "street queue", actor="street1", area=STREET_1, assignees=())
    assert titles(task_inbox(actor=world.actor("street1"))) == ["street queue"]
    # a guard reaches the area but is not on task duty there
    assert titles(task_inbox(actor=world.actor("guard_a"))) == []


def test_a_volunteer_sees_only_tasks_given_to_them(world):
    make(world, "delivery", area=COMMUNITY_A, assignees=("volunteer_a",))
    make(world, "queue", area=COMMUNITY_A, assignees=())
    assert titles(task_inbox(actor=world.actor("volunteer_a"))) == ["delivery"]
    assert titles(task_inbox(actor=world.actor("volunteer_b"))) == []


def test_overdue_concerns_assignee_and_assigner(world):
    late = overdue(make(world, "late visit", due_at=soon()))
    make(world, "on time", due_at=soon(3))
    assert titles(tasks_overdue(actor=world.actor("grid_a1"))) == ["late visit"]
    assert titles(tasks_overdue(actor=world.actor("commander_a"))) == ["late visit"]
    assert titles(tasks_assigned_by_overdue(actor=world.actor("commander_a"))) == ["late visit"]
    assert titles(tasks_assigned_by_overdue(actor=world.actor("grid_a1"))) == []
    assert titles(tasks_overdue(actor=world.actor("commander_b"))) == []
    assert late.is_overdue


def test_counts_per_area(world):
    grid = world.actor("grid_a1")
    make(world, "open")
    overdue(make(world, "late", due_at=soon()))
    task_complete(actor=grid, task=make(world, "done"))
    make(world, "b", actor="commander_b", area=GRID_B1, assignees=("grid_b1",))
    street = world.actor("street1")
    assert task_counts(actor=street, area_code=COMMUNITY_A) == {"open": 2, "overdue": 1, "done_today": 1}
    assert task_counts(actor=street, area_code=STREET_1) == {"open": 3, "overdue": 1, "done_today": 1}
    assert task_counts(actor=world.actor("commander_b"), area_code=COMMUNITY_A) == {
        "open": 0,
        "overdue": 0,
        "done_today": 0,
    }
    day = task_counts_for_day(actor=street, area_code=STREET_1, date=timezone.localdate())
    assert day["created"] == 4 and day["done"] == 1 and day["open"] == 3
    assert task_counts(actor=world.actor("district"), area_code=DISTRICT)["open"] == 3


def test_tasks_by_duty_for_the_command_dashboard(world):
    system = Actor.system("test")
    emergency = Emergency.objects.create(area_code=COMMUNITY_A, kind="epidemic", level=2, title="疫情")
    for duty, n in (("medical", 2), ("logistics", 1), ("", 1)):
        for i in range(n):
            task_create(
                actor=system, title=f"{duty}{i}", area_code=COMMUNITY_A, duty=duty, emergency=emergency, due_at=soon()
            )
    overdue(Task.objects.get(title="medical0"))
    task_complete(actor=system, task=Task.objects.get(title="logistics0"))
    rows = tasks_by_duty(actor=world.actor("commander_a"), emergency=emergency)
    assert [(r["duty"], r["open"], r["overdue"], r["done"]) for r in rows] == [
        ("logistics", 0, 0, 1),
        ("medical", 2, 1, 0),
        ("", 1, 0, 0),
    ]
    assert rows[1]["label"] == "Medical" or rows[1]["label"]
    assert tasks_by_duty(actor=world.actor("commander_b"), emergency=emergency) == []
    assert len(tasks_by_duty(actor=world.actor("commander_a"), emergency=None, area_code=COMMUNITY_A)) == 3
