"""Plans: versions that are never rewritten, checklists validated action by action, review reminders."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from fangxian.command.models import Duty, EmergencyKind, Plan, PlanAction, PlanVersion, Task, TaskSource
from fangxian.command.selectors.plans import plan_actions_grouped, plans_due_for_review
from fangxian.command.services.plans import (
    plan_create,
    plan_mark_reviewed,
    plan_review_reminders_create,
    plan_revise,
)
from fangxian.command.tests.factories_plans import make_plan
from fangxian.core.errors import DomainError, NotFound, PermissionDenied
from fangxian.core.scoping import Actor
from fangxian.core.testing import COMMUNITY_A, COMMUNITY_B

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The messages these tests read are the English ones, whatever language another test left active."""
    from django.utils import translation

    with translation.override("en"):
        yield


ACTIONS = [
    {"duty": Duty.LOGISTICS, "level": 4, "title": "清点物资", "deadline_minutes": 120},
    {"duty": Duty.MEDICAL, "level": 2, "title": "设置隔离点", "deadline_minutes": 60, "priority": "urgent"},
]


def create(world, persona="commander_a", **kwargs):
    values = {
        "area_code": COMMUNITY_A,
        "hazard": EmergencyKind.EPIDEMIC,
        "title": "疫情防控预案",
        "body": "第一章",
        "actions": ACTIONS,
        **kwargs,
    }
    return plan_create(actor=world.actor(persona), **values)


def test_create_writes_version_one_with_its_actions(world):
    plan = create(world)
    version = plan.current_version
    assert version.number == 1 and version.body == "第一章" and version.created_by == world.users["commander_a"]
    assert [(a.duty, a.level, a.deadline_minutes) for a in version.actions.order_by("order")] == [
        ("logistics", 4, 120),
        ("medical", 2, 60),
    ]
    assert plan.last_reviewed_at == timezone.localdate()
    assert plan.review_due_on == timezone.localdate() + dt.timedelta(days=365)


def test_community_worker_may_write_but_not_elsewhere(world):
    assert create(world, "worker_a").pk
    with pytest.raises(NotFound):
        create(world, area_code=COMMUNITY_B)
    with pytest.raises(PermissionDenied):
        create(world, "grid_a1")
    with pytest.raises(PermissionDenied):
        create(world, "street1")


@pytest.mark.parametrize(
    "action,code,words",
    [
        ({"duty": "catering", "title": "x"}, "unknown_duty", "Unknown duty “catering”"),
        ({"duty": Duty.MEDICAL, "title": "x", "deadline_minutes": -30}, "negative_deadline", "before the activation"),
        ({"duty": Duty.MEDICAL, "title": "x", "deadline_minutes": "soon"}, "invalid_deadline", "number of minutes"),
        ({"duty": Duty.MEDICAL, "title": "x", "deadline_minutes": 10**7}, "invalid_deadline", "30 days"),
        ({"duty": Duty.MEDICAL, "title": "x", "level": 5}, "invalid_level", "I, II, III or IV"),
        ({"duty": Duty.MEDICAL, "title": "  "}, "title_required", "what is to be done"),
        ({"duty": Duty.MEDICAL, "title": "x", "priority": "asap"}, "unknown_priority", "priority"),
        ({"duty": Duty.CUSTOM, "title": "x"}, "duty_label_required", "Name the other duty"),
    ],
)
def test_bad_actions_are_refused_naming_the_action(world, action, code, words):
    with pytest.raises(DomainError) as error:
        create(world, actions=[ACTIONS[0], action])
    assert error.value.code == code and error.value.field == "actions" and error.value.params["index"] == 2
    assert str(error.value.message).startswith("Action 2:") and words in str(error.value.message)
    assert not Plan.objects.exists()


def test_bad_plan_fields(world):
    with pytest.raises(DomainError) as error:
        create(world, hazard="meteor")
    assert error.value.code == "unknown_hazard"
    with pytest.raises(DomainError) as error:
        create(world, review_interval_days=0)
    assert error.value.code == "invalid_interval"
    with pytest.raises(DomainError) as error:
        create(world, title=" ")
    assert error.value.code == "title_required"


def test_revision_writes_a_new_version_and_keeps_the_old_one_as_it_was(world):
    plan = create(world)
    first = plan.current_version
    actor = world.actor("worker_a")
    second = plan_revise(
        actor=actor,
        plan=plan,
        change_note="增加宣传",
        actions=[ACTIONS[0] | {"deadline_minutes": 90}, {"duty": Duty.PUBLICITY, "level": 3, "title": "张贴告示"}],
    )
    plan.refresh_from_db()
    assert plan.current_version == second and second.number == 2 and second.created_by == world.users["worker_a"]
    assert second.body == "第一章"  # None keeps the text
    assert second.summary == {
        "body_changed": False,
        "added": ["张贴告示"],
        "removed": ["设置隔离点"],
        "changed": ["清点物资"],
    }
    first.refresh_from_db()
    assert first.actions.count() == 2 and first.actions.get(title="清点物资").deadline_minutes == 120
    assert list(plan.versions.order_by("number").values_list("number", flat=True)) == [1, 2]


def test_versions_and_actions_cannot_be_rewritten(world):
    plan = create(world)
    version = plan.current_version
    version.body = "改写历史"
    with pytest.raises(RuntimeError):
        version.save()
    action = version.actions.first()
    action.title = "x"
    with pytest.raises(RuntimeError):
        action.save()


def test_revision_needs_a_note_and_a_change(world):
    plan = create(world)
    actor = world.actor("commander_a")
    with pytest.raises(DomainError) as error:
        plan_revise(actor=actor, plan=plan, change_note="")
    assert error.value.code == "change_note_required"
    with pytest.raises(DomainError) as error:
        plan_revise(actor=actor, plan=plan, change_note="nothing", body="第一章", actions=ACTIONS)
    assert error.value.code == "no_change"
    assert plan_revise(actor=actor, plan=plan, change_note="标题", title="新标题").number == 2
    assert Plan.objects.get(pk=plan.pk).title == "新标题"


def test_a_sibling_cannot_revise_or_review(world):
    plan = create(world)
    with pytest.raises(Http404):
        plan_revise(actor=world.actor("commander_b"), plan=plan, change_note="x", body="y")
    with pytest.raises(Http404):
        plan_mark_reviewed(actor=world.actor("worker_b"), plan=plan)


def test_review_dates_and_the_due_list(world):
    today = timezone.localdate()
    old = make_plan(
        COMMUNITY_A, title="旧预案", review_interval_days=30, last_reviewed_at=today - dt.timedelta(days=40)
    )
    due_today = make_plan(
        COMMUNITY_A, title="今天", review_interval_days=10, last_reviewed_at=today - dt.timedelta(days=10)
    )
    make_plan(COMMUNITY_A, title="新预案", review_interval_days=30, last_reviewed_at=today)
    elsewhere = make_plan(
        COMMUNITY_B, title="乙", review_interval_days=1, last_reviewed_at=today - dt.timedelta(days=9)
    )
    assert list(plans_due_for_review(actor=world.actor("commander_a"))) == [old, due_today]
    assert elsewhere in plans_due_for_review(actor=world.actor("street1"))
    assert old.review_overdue
    plan_mark_reviewed(actor=world.actor("commander_a"), plan=old)
    old.refresh_from_db()
    assert old.last_reviewed_at == today and not old.review_overdue
    with pytest.raises(DomainError) as error:
        plan_mark_reviewed(actor=world.actor("commander_a"), plan=old, reviewed_on=today + dt.timedelta(days=1))
    assert error.value.code == "date_in_future"


def test_review_reminders_go_to_the_commanders_once_per_due_date(world):
    today = timezone.localdate()
    make_plan(COMMUNITY_A, title="旧预案", review_interval_days=30, last_reviewed_at=today - dt.timedelta(days=40))
    make_plan(COMMUNITY_A, title="新预案", review_interval_days=30, last_reviewed_at=today)
    system = Actor.system("test")
    assert plan_review_reminders_create(actor=system) == 1
    task = Task.objects.get()
    assert task.source == TaskSource.PLAN and "旧预案" in task.title and task.area_code == COMMUNITY_A
    assert list(task.assignees.all()) == [world.users["commander_a"]]
    assert plan_review_reminders_create(actor=system) == 0  # idempotent
    with pytest.raises(PermissionDenied):
        plan_review_reminders_create(actor=world.actor("grid_a1"))


def test_actions_group_by_level_then_duty(world):
    plan = create(world, actions=[*ACTIONS, {"duty": Duty.LOGISTICS, "level": 2, "title": "调拨口罩"}])
    groups = plan_actions_grouped(list(PlanAction.objects.filter(version=plan.current_version)))
    assert [g["level"] for g in groups] == [4, 2]
    assert [[d["duty"] for d in g["duties"]] for g in groups] == [["Logistics"], ["Logistics", "Medical"]]
    assert PlanVersion.objects.count() == 1
