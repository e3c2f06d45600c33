"""The command dashboard and the home page's task panel."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fangxian.command.models import Emergency, Task
from fangxian.core.audit import acting_as
from fangxian.core.scoping import Actor
from fangxian.core.testing import COMMUNITY_A, COMMUNITY_B, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def emergency(world):
    with acting_as(Actor.system("test")):
        return Emergency.objects.create(area_code=COMMUNITY_A, kind="epidemic", level=2, title="甲社区疫情应对")


def test_dashboard_shows_the_active_emergency_of_the_community(world, emergency, client):
    with acting_as(Actor.system("test")):
        task = Task.objects.create(
            area_code=COMMUNITY_A,
            title="封控点值守排班",
            emergency=emergency,
            duty="security",
            due_at=timezone.now() - dt.timedelta(hours=1),
        )
        task.assignees.add(world.users["commander_a"])
    login(client, world.users["commander_a"])
    body = client.get("/command/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "甲社区疫情应对" in body and "Level II" in body and "封控点值守排班" in body


def test_sibling_community_sees_no_emergency(world, emergency, client):
    login(client, world.users["commander_b"])
    body = client.get("/command/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "甲社区疫情应对" not in body and "No emergency is active" in body
    assert COMMUNITY_B  # the sibling's own dashboard is empty, not an error


def test_dashboard_costs_the_same_queries_with_more_tasks(world, emergency, client, django_assert_max_num_queries):
    login(client, world.users["commander_a"])

    def add_tasks(n: int) -> None:
        with acting_as(Actor.system("test")):
            for i in range(n):
                t = Task.objects.create(
                    area_code=COMMUNITY_A,
                    title=f"t{i}",
                    emergency=emergency,
                    duty="logistics",
                    due_at=timezone.now() - dt.timedelta(minutes=5),
                )
                t.assignees.add(world.users["commander_a"])

    add_tasks(2)
    client.get("/command/")  # warm-up: the first request of a session loads things once
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/command/")
    add_tasks(20)
    with CaptureQueriesContext(connection) as many:
        client.get("/command/")
    assert len(many) == len(few)


def test_home_panel_lists_my_overdue_tasks(world, client):
    with acting_as(Actor.system("test")):
        task = Task.objects.create(
            area_code=COMMUNITY_A, title="上门看望独居老人", due_at=timezone.now() - dt.timedelta(hours=2)
        )
        task.assignees.add(world.users["grid_a1"])
    login(client, world.users["grid_a1"])
    body = client.get("/home/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "上门看望独居老人" in body and "1 task is overdue." in body
