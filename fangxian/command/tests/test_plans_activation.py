"""Activating a plan: its actions for the emergency's level become tasks for the duty holders.

50 actions cost the same number of queries as 5 (bulk inserts), in one transaction.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from fangxian.command.models import Duty, EmergencyKind, PlanActivation, Task, TaskSource
from fangxian.command.services.plans import plan_activate
from fangxian.command.tests.factories_emergencies import make_emergency
from fangxian.command.tests.factories_group import make_member
from fangxian.command.tests.factories_plans import make_plan
from fangxian.core.errors import Conflict, DomainError, PermissionDenied
from fangxian.core.models import AuditEvent
from fangxian.core.testing import COMMUNITY_A, COMMUNITY_B, STREET_1

pytestmark = pytest.mark.django_db

ACTIONS = [
    {"duty": Duty.LOGISTICS, "level": 4, "title": "清点防疫物资", "deadline_minutes": 120, "priority": "normal"},
    {
        "duty": Duty.MEDICAL,
        "level": 2,
        "title": "设置临时隔离点",
        "deadline_minutes": 60,
        "priority": "urgent",
        "description": "选址远离居民楼",
    },
    {"duty": Duty.PUBLICITY, "level": 1, "title": "发布封控通告", "deadline_minutes": 30},
    {"duty": Duty.SECURITY, "level": 3, "title": "加强门岗值守", "deadline_minutes": 240, "priority": "high"},
]


@pytest.fixture
def setup(world):
    make_member(COMMUNITY_A, Duty.LOGISTICS, user=world.users["worker_a"])
    make_member(COMMUNITY_A, Duty.MEDICAL, user=world.users["grid_a1"])
    make_member(COMMUNITY_A, Duty.MEDICAL, user=world.users["grid_a2"])
    make_member(COMMUNITY_A, Duty.PUBLICITY, user=world.users["volunteer_a"])
    make_member(COMMUNITY_A, Duty.SECURITY, name="物业保安队长")  # an outside contact: not a user
    emergency = make_emergency(COMMUNITY_A, level=2, declared_by=world.users["commander_a"])
    plan = make_plan(COMMUNITY_A, actions=ACTIONS)
    return world, emergency, plan


def test_activation_creates_one_task_per_action_of_the_level(setup):
    world, emergency, plan = setup
    activation = plan_activate(actor=world.actor("commander_a"), plan=plan, emergency=emergency)
    assert activation.task_count == 3 and activation.level == 2 and activation.version == plan.current_version
    tasks = {t.title: t for t in Task.objects.filter(emergency=emergency).prefetch_related("assignees")}
    assert set(tasks) == {"清点防疫物资", "设置临时隔离点", "加强门岗值守"}  # not the level I action
    medical = tasks["设置临时隔离点"]
    action = plan.current_version.actions.get(title="设置临时隔离点")
    assert medical.source == TaskSource.PLAN and medical.source_ref == f"command.planaction:{action.pk}"
    assert medical.duty == Duty.MEDICAL and medical.priority == "urgent" and medical.area_code == COMMUNITY_A
    assert medical.assigner == world.users["commander_a"] and medical.description == "选址远离居民楼"
    assert medical.due_at == activation.activated_at + dt.timedelta(minutes=60)
    assert {u.username for u in medical.assignees.all()} == {"grid_a1", "grid_a2"}
    assert [u.username for u in tasks["清点防疫物资"].assignees.all()] == ["worker_a"]


def test_a_duty_nobody_holds_goes_to_the_commander_and_says_so(setup):
    world, emergency, plan = setup
    plan_activate(actor=world.actor("commander_a"), plan=plan, emergency=emergency)
    security = Task.objects.get(title="加强门岗值守")
    assert [u.username for u in security.assignees.all()] == ["commander_a"]
    assert "Nobody in the command group holds the duty" in security.description


def test_one_summary_audit_event_for_the_bulk_insert(setup):
    world, emergency, plan = setup
    activation = plan_activate(actor=world.actor("commander_a"), plan=plan, emergency=emergency)
    event = AuditEvent.objects.get(action="bulk_create", object_type="command.planactivation")
    assert event.object_id == str(activation.pk) and event.changes["tasks"] == 3 and event.changes["assignees"] == 4
    assert event.area_code == COMMUNITY_A


def test_activating_again_adds_only_the_actions_of_a_graver_level(setup):
    world, emergency, plan = setup
    actor = world.actor("commander_a")
    plan_activate(actor=actor, plan=plan, emergency=emergency)
    with pytest.raises(Conflict) as error:
        plan_activate(actor=actor, plan=plan, emergency=emergency)
    assert error.value.code == "already_activated"
    emergency.level = 1
    emergency.save()
    second = plan_activate(actor=actor, plan=plan, emergency=emergency)
    assert second.task_count == 1 and Task.objects.filter(emergency=emergency).count() == 4


def test_activation_for_the_streets_emergency_covering_the_community(setup):
    world, _emergency, plan = setup
    street = make_emergency(STREET_1, kind=EmergencyKind.EPIDEMIC, level=3)
    activation = plan_activate(actor=world.actor("commander_a"), plan=plan, emergency=street)
    assert activation.task_count == 2 and activation.area_code == COMMUNITY_A


def test_refusals(setup):
    world, emergency, plan = setup
    actor = world.actor("commander_a")
    with pytest.raises(PermissionDenied):
        plan_activate(actor=world.actor("worker_a"), plan=plan, emergency=emergency)
    with pytest.raises(Http404):
        plan_activate(actor=world.actor("commander_b"), plan=plan, emergency=emergency)
    other = make_emergency(COMMUNITY_B, level=1)
    with pytest.raises(Http404):  # commander A does not see community B's emergency at all
        plan_activate(actor=actor, plan=plan, emergency=other)
    flood = make_emergency(COMMUNITY_A, kind=EmergencyKind.FLOOD, level=1)
    with pytest.raises(DomainError) as error:
        plan_activate(actor=actor, plan=plan, emergency=flood)
    assert error.value.code == "hazard_mismatch"
    ended = make_emergency(COMMUNITY_A, kind=EmergencyKind.EPIDEMIC, ended=True)
    with pytest.raises(Conflict) as error:
        plan_activate(actor=actor, plan=plan, emergency=ended)
    assert error.value.code == "emergency_ended"
    only_level_one = make_plan(COMMUNITY_A, title="只有一级", actions=[ACTIONS[2]])
    with pytest.raises(DomainError) as error:
        plan_activate(actor=actor, plan=only_level_one, emergency=emergency)
    assert error.value.code == "no_actions"
    assert not Task.objects.exists() and not PlanActivation.objects.exists()


def test_nothing_is_left_half_written_when_a_step_fails(setup, monkeypatch):
    world, emergency, plan = setup

    def broken(*args, **kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr("fangxian.command.services.plans.audit_record", broken)
    with pytest.raises(RuntimeError):
        plan_activate(actor=world.actor("commander_a"), plan=plan, emergency=emergency)
    assert not Task.objects.exists() and not PlanActivation.objects.exists()
    assert not Task.assignees.through.objects.exists()


def _activation_queries(world, count: int, title: str) -> tuple[int, int]:
    actions = [
        {
            "duty": (Duty.LOGISTICS, Duty.MEDICAL, Duty.SECURITY)[i % 3],
            "level": 4,
            "title": f"{title} {i}",
            "deadline_minutes": 10 * i,
        }
        for i in range(count)
    ]
    plan = make_plan(COMMUNITY_A, title=title, actions=actions)
    emergency = make_emergency(COMMUNITY_A, kind=EmergencyKind.OTHER if count == 5 else EmergencyKind.FIRE, title=title)
    plan.hazard = EmergencyKind.OTHER
    plan.save()
    actor = world.actor("commander_a")
    with CaptureQueriesContext(connection) as queries:
        activation = plan_activate(actor=actor, plan=plan, emergency=emergency)
    assert Task.objects.filter(emergency=emergency).count() == count == activation.task_count
    return len(queries), Task.assignees.through.objects.filter(task__emergency=emergency).count()


def test_fifty_actions_cost_the_same_queries_as_five(setup):
    world, _emergency, _plan = setup
    five, five_links = _activation_queries(world, 5, "五项")
    fifty, fifty_links = _activation_queries(world, 50, "五十项")
    assert five == fifty, f"5 actions: {five} queries, 50 actions: {fifty}"
    assert fifty <= 20
    # logistics: one holder; medical: two; security: nobody, so the commander
    assert five_links == 2 * 1 + 2 * 2 + 1 and fifty_links == 17 * 1 + 17 * 2 + 16 * 1


def test_fifty_actions_with_django_assert_num_queries(setup, django_assert_num_queries):
    world, _emergency, _plan = setup
    five, _ = _activation_queries(world, 5, "基线")
    plan = make_plan(
        COMMUNITY_A,
        title="五十",
        hazard=EmergencyKind.EARTHQUAKE,
        actions=[{"duty": Duty.MEDICAL, "level": 4, "title": f"行动 {i}"} for i in range(50)],
    )
    emergency = make_emergency(COMMUNITY_A, kind=EmergencyKind.EARTHQUAKE)
    with django_assert_num_queries(five):
        plan_activate(actor=world.actor("commander_a"), plan=plan, emergency=emergency)
    assert Task.objects.filter(emergency=emergency).count() == 50
