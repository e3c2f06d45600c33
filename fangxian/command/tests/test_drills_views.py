"""Drill pages: schedule, run with the quick timeline (htmx), evaluate, act on findings; siblings get 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from fangxian.command.models import Drill, DrillFinding, PlanVersion, Task
from fangxian.command.models.drills import DrillStatus, FindingOutcome
from fangxian.command.tests.factories_drills import drill_plan, make_drill
from fangxian.core.testing import COMMUNITY_A, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(world, system_actor):
    plan = drill_plan(COMMUNITY_A, "甲社区防汛预案")
    plan.current_version = PlanVersion.objects.create(area_code=COMMUNITY_A, plan=plan, number=1, body="预案正文")
    plan.save()
    return plan


def _as(client, world, persona):
    login(client, world.users[persona])
    return client


def _schedule(client, plan, **extra):
    when = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "plan": plan.pk,
        "title": "汛期转移演练",
        "scenario": "暴雨红色预警，低洼楼栋转移",
        "scheduled_at": when,
        "other_participants": "物业公司",
        **extra,
    }
    return client.post(reverse("command:drill-schedule"), data)


def test_commander_schedules_runs_and_evaluates_a_drill(client, world, plan):
    _as(client, world, "commander_a")
    form = client.get(reverse("command:drill-schedule") + f"?plan={plan.pk}")
    assert form.status_code == 200 and "甲社区防汛预案" in form.content.decode()
    response = _schedule(client, plan, participants=[world.users["grid_a1"].pk])
    drill = Drill.objects.get()
    assert response.status_code == 302 and response.url == reverse("command:drill", args=[drill.pk])
    page = client.get(response.url).content.decode()
    assert "汛期转移演练" in page and "grid_a1" in page and "物业公司" in page

    client.post(reverse("command:drill-start", args=[drill.pk]))
    partial = client.post(
        reverse("command:drill-timeline", args=[drill.pk]), {"text": "1号楼居民开始转移"}, HTTP_HX_REQUEST="true"
    )
    assert partial.status_code == 200 and "1号楼居民开始转移" in partial.content.decode()
    assert "<html" not in partial.content.decode()  # the partial only, for htmx to swap
    error = client.post(reverse("command:drill-timeline", args=[drill.pk]), {"text": ""}, HTTP_HX_REQUEST="true")
    assert error.status_code == 200 and 'data-testid="timeline-error"' in error.content.decode()
    plain = client.post(reverse("command:drill-timeline", args=[drill.pk]), {"text": "2号楼完成"})
    assert plain.status_code == 302

    client.post(reverse("command:drill-end", args=[drill.pk]))
    client.post(
        reverse("command:drill-evaluate", args=[drill.pk]),
        {"went_well": "转移及时", "gaps": "广播听不清", "findings": "广播音量不足\n联系人名单过期"},
    )
    drill.refresh_from_db()
    assert drill.status == DrillStatus.DONE and drill.gaps == "广播听不清"
    page = client.get(reverse("command:drill", args=[drill.pk])).content.decode()
    assert "广播音量不足" in page and "联系人名单过期" in page and 'data-testid="finding-task-form"' in page

    first, second = DrillFinding.objects.order_by("pk")
    response = client.post(
        reverse("command:drill-finding-task", args=[first.pk]),
        {f"finding{first.pk}-assignees": [world.users["worker_a"].pk], f"finding{first.pk}-priority": "high"},
    )
    assert response.status_code == 302
    task = Task.objects.get()
    assert task.title == "广播音量不足" and task.priority == "high"
    client.post(reverse("command:drill-finding-revise", args=[second.pk]))
    second.refresh_from_db()
    assert second.outcome == FindingOutcome.PLAN_REVISION
    plan.refresh_from_db()
    assert plan.current_version.number == 2


def test_a_scheduling_error_is_shown_on_the_form(client, world, plan):
    _as(client, world, "commander_a")
    response = _schedule(client, plan, participants=[world.users["grid_b1"].pk])
    assert response.status_code == 400 and 'data-testid="form-error"' in response.content.decode()
    past = (timezone.localtime() - dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = _schedule(client, plan, scheduled_at=past)
    assert response.status_code == 400
    assert not Drill.objects.exists()


def test_sibling_commander_gets_not_found_everywhere(client, world, system_actor):
    drill = make_drill(COMMUNITY_A, "甲社区演练", status=DrillStatus.RUNNING)
    _as(client, world, "commander_b")
    assert client.get(reverse("command:drill", args=[drill.pk])).status_code == 404
    for name in ("drill-start", "drill-end", "drill-cancel", "drill-evaluate", "drill-finding-add"):
        assert client.post(reverse(f"command:{name}", args=[drill.pk]), {"text": "x"}).status_code == 404, name
    assert client.post(reverse("command:drill-timeline", args=[drill.pk]), {"text": "x"}).status_code == 404
    assert "甲社区演练" not in client.get(reverse("command:drills")).content.decode()


def test_roles_without_drill_manage_cannot_open_the_schedule_form(client, world):
    _as(client, world, "grid_a1")
    assert client.get(reverse("command:drill-schedule")).status_code == 403
    assert client.get(reverse("command:drills")).status_code == 200
    client.logout()
    _as(client, world, "resident_a1")
    assert client.get(reverse("command:drills")).status_code == 403


def test_actions_are_post_only(client, world, system_actor):
    drill = make_drill(COMMUNITY_A, "演练")
    _as(client, world, "commander_a")
    assert client.get(reverse("command:drill-start", args=[drill.pk])).status_code == 405
    assert Drill.objects.get(pk=drill.pk).status == DrillStatus.SCHEDULED


def test_a_participant_grid_worker_records_from_the_phone(client, world, system_actor):
    drill = make_drill(COMMUNITY_A, "消防演练", status=DrillStatus.RUNNING)
    drill.participants.add(world.users["grid_a1"])
    _as(client, world, "grid_a1")
    page = client.get(reverse("command:drill", args=[drill.pk])).content.decode()
    assert 'data-testid="timeline-form"' in page and 'data-testid="drill-start"' not in page
    client.post(reverse("command:drill-timeline", args=[drill.pk]), {"text": "东门已封闭"}, HTTP_HX_REQUEST="true")
    assert drill.timeline.get().text == "东门已封闭"
