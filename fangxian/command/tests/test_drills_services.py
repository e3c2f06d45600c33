"""Drills: schedule from a plan, run with a timeline, evaluate, turn findings into tasks or plan revisions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from fangxian.command.models import Drill, DrillFinding, PlanAction, PlanVersion, Task
from fangxian.command.models.drills import DrillStatus, FindingOutcome
from fangxian.command.models.tasks import TaskSource
from fangxian.command.selectors.drills import drill_get, drill_list, drill_participant_choices, drill_plan_choices
from fangxian.command.services.drills import (
    drill_cancel,
    drill_end,
    drill_evaluate,
    drill_finding_add,
    drill_finding_to_plan_revision,
    drill_finding_to_task,
    drill_schedule,
    drill_start,
    drill_timeline_add,
)
from fangxian.command.tests.factories_drills import drill_plan, make_drill
from fangxian.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangxian.core.models import AuditEvent
from fangxian.core.testing import COMMUNITY_A, COMMUNITY_B

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan_a(world, system_actor):
    plan = drill_plan(COMMUNITY_A, "甲社区疫情防控预案")
    version = PlanVersion.objects.create(area_code=COMMUNITY_A, plan=plan, number=1, body="一、组织体系")
    PlanAction.objects.create(area_code=COMMUNITY_A, version=version, duty="leader", title="启动应急响应")
    PlanAction.objects.create(area_code=COMMUNITY_A, version=version, duty="logistics", title="清点物资", order=1)
    plan.current_version = version
    plan.save()
    return plan


def _later(hours: int = 24) -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=hours)


def _scheduled(world, plan, **extra) -> Drill:
    return drill_schedule(
        actor=world.actor("commander_a"), plan_id=plan.pk, scheduled_at=_later(), scenario="3号楼一户居民发热", **extra
    )


def _done(world, plan) -> Drill:
    actor = world.actor("commander_a")
    drill = _scheduled(world, plan)
    drill_start(actor=actor, drill_id=drill.pk)
    return drill_end(actor=actor, drill_id=drill.pk)


def test_commander_schedules_a_drill_of_a_plan_with_participants(world, plan_a):
    grid_worker, worker = world.users["grid_a1"], world.users["worker_a"]
    drill = _scheduled(world, plan_a, participant_ids=[grid_worker.pk, worker.pk], other_participants="物业公司 3 人")
    assert drill.area_code == COMMUNITY_A and drill.status == DrillStatus.SCHEDULED
    assert drill.title == "Drill: 甲社区疫情防控预案" or "甲社区疫情防控预案" in drill.title
    assert set(drill.participants.all()) == {grid_worker, worker}
    assert drill.other_participants == "物业公司 3 人"
    assert drill.created_by == world.users["commander_a"]
    event = AuditEvent.objects.filter(object_type="command.drill", changes__has_key="participants").get()
    assert sorted(event.changes["participants"]) == sorted([grid_worker.pk, worker.pk])


def test_participants_from_another_community_are_refused(world, plan_a):
    with pytest.raises(DomainError) as error:
        _scheduled(world, plan_a, participant_ids=[world.users["grid_b1"].pk])
    assert error.value.code == "drill_participant_outside"
    assert not Drill.objects.exists()


def test_residents_are_not_offered_as_participants(world, plan_a):
    choices = set(drill_participant_choices(actor=world.actor("commander_a"), area_code=COMMUNITY_A))
    assert world.users["grid_a1"] in choices and world.users["volunteer_a"] in choices
    assert world.users["resident_a1"] not in choices and world.users["grid_b1"] not in choices


def test_a_drill_cannot_be_scheduled_in_the_past(world, plan_a):
    with pytest.raises(DomainError) as error:
        drill_schedule(
            actor=world.actor("commander_a"),
            plan_id=plan_a.pk,
            scheduled_at=timezone.now() - dt.timedelta(days=1),
            scenario="x",
        )
    assert error.value.code == "drill_in_past"


def test_a_sibling_commander_cannot_schedule_a_drill_of_anothers_plan(world, plan_a):
    with pytest.raises(NotFound):
        drill_schedule(actor=world.actor("commander_b"), plan_id=plan_a.pk, scheduled_at=_later(), scenario="x")


@pytest.mark.parametrize("persona", ["grid_a1", "street1", "guard_a"])
def test_roles_without_drill_manage_cannot_schedule(world, plan_a, persona):
    with pytest.raises(PermissionDenied):
        drill_schedule(actor=world.actor(persona), plan_id=plan_a.pk, scheduled_at=_later(), scenario="x")


def test_plan_choices_are_the_plans_of_the_actors_community(world, plan_a, system_actor):
    drill_plan(COMMUNITY_B, "乙社区预案")
    assert list(drill_plan_choices(actor=world.actor("commander_a"))) == [plan_a]
    assert list(drill_plan_choices(actor=world.actor("street1"))) == []


def test_start_record_end_flow(world, plan_a):
    actor = world.actor("commander_a")
    drill = _scheduled(world, plan_a, participant_ids=[world.users["grid_a1"].pk])
    with pytest.raises(Conflict):
        drill_timeline_add(actor=actor, drill_id=drill.pk, text="too early")
    drill_start(actor=actor, drill_id=drill.pk)
    # A participant without drill.manage records from the gate.
    entry = drill_timeline_add(actor=world.actor("grid_a1"), drill_id=drill.pk, text="2号门已封闭")
    assert entry.by == world.users["grid_a1"] and entry.area_code == COMMUNITY_A
    with pytest.raises(PermissionDenied):  # sees the drill, neither organises nor takes part
        drill_timeline_add(actor=world.actor("guard_a"), drill_id=drill.pk, text="not a participant")
    with pytest.raises(NotFound):  # does not even see it
        drill_timeline_add(actor=world.actor("grid_a2"), drill_id=drill.pk, text="not a participant")
    with pytest.raises(Conflict):
        drill_start(actor=actor, drill_id=drill.pk)
    drill = drill_end(actor=actor, drill_id=drill.pk)
    assert drill.status == DrillStatus.DONE and drill.ended_at >= drill.started_at
    texts = [e.text for e in drill_get(actor=actor, drill_id=drill.pk).timeline.all()]
    assert texts[1] == "2号门已封闭" and len(texts) == 3  # started, the entry, ended
    with pytest.raises(Conflict):
        drill_timeline_add(actor=actor, drill_id=drill.pk, text="after the end")


def test_timeline_of_a_sibling_drill_is_not_found(world, plan_a):
    drill = _scheduled(world, plan_a)
    drill_start(actor=world.actor("commander_a"), drill_id=drill.pk)
    with pytest.raises(NotFound):
        drill_timeline_add(actor=world.actor("commander_b"), drill_id=drill.pk, text="x")
    with pytest.raises(Http404):
        drill_get(actor=world.actor("commander_b"), drill_id=drill.pk)


def test_cancel_only_a_scheduled_drill(world, plan_a):
    actor = world.actor("commander_a")
    drill = _scheduled(world, plan_a)
    assert drill_cancel(actor=actor, drill_id=drill.pk).status == DrillStatus.CANCELLED
    with pytest.raises(Conflict):
        drill_start(actor=actor, drill_id=drill.pk)


def test_evaluation_needs_an_ended_drill_and_creates_findings(world, plan_a):
    actor = world.actor("commander_a")
    drill = _scheduled(world, plan_a)
    with pytest.raises(Conflict):
        drill_evaluate(actor=actor, drill_id=drill.pk, went_well="x", gaps="y")
    drill_start(actor=actor, drill_id=drill.pk)
    drill_end(actor=actor, drill_id=drill.pk)
    drill = drill_evaluate(
        actor=actor,
        drill_id=drill.pk,
        went_well="响应迅速",
        gaps="物资清点慢",
        findings=["物资台账未更新", "  ", "3号楼联系人电话过期"],
    )
    assert drill.went_well == "响应迅速" and drill.evaluated_at is not None
    assert list(drill.findings.values_list("text", flat=True)) == ["物资台账未更新", "3号楼联系人电话过期"]
    drill_finding_add(actor=actor, drill_id=drill.pk, text="广播音量不足")
    assert drill.findings.count() == 3


def test_worker_of_another_community_cannot_evaluate(world, plan_a):
    drill = _done(world, plan_a)
    with pytest.raises(NotFound):
        drill_evaluate(actor=world.actor("worker_b"), drill_id=drill.pk, went_well="", gaps="")


def test_finding_becomes_a_task_once(world, plan_a):
    actor = world.actor("commander_a")
    drill = _done(world, plan_a)
    finding = drill_finding_add(actor=actor, drill_id=drill.pk, text="物资台账未更新")
    due = _later(48)
    task = drill_finding_to_task(
        actor=actor, finding_id=finding.pk, assignee_ids=[world.users["worker_a"].pk], due_at=due
    )
    assert task.source == TaskSource.DRILL and task.area_code == COMMUNITY_A
    assert task.title == "物资台账未更新" and task.due_at == due
    assert list(task.assignees.all()) == [world.users["worker_a"]]
    assert task.source_ref == f"command.drillfinding:{finding.pk}"
    finding.refresh_from_db()
    assert finding.outcome == FindingOutcome.TASK and finding.task == task and finding.acted_by is not None
    with pytest.raises(Conflict) as error:
        drill_finding_to_task(actor=actor, finding_id=finding.pk, assignee_ids=[world.users["worker_a"].pk])
    assert error.value.code == "finding_already_acted"
    assert Task.objects.count() == 1


def test_finding_task_needs_an_assignee_of_the_community(world, plan_a):
    actor = world.actor("commander_a")
    finding = drill_finding_add(actor=actor, drill_id=_done(world, plan_a).pk, text="x")
    with pytest.raises(DomainError) as error:
        drill_finding_to_task(actor=actor, finding_id=finding.pk, assignee_ids=[])
    assert error.value.code == "task_no_assignee"
    with pytest.raises(DomainError):
        drill_finding_to_task(actor=actor, finding_id=finding.pk, assignee_ids=[world.users["worker_b"].pk])
    assert DrillFinding.objects.get(pk=finding.pk).is_open


def test_finding_becomes_a_new_plan_version_with_body_and_actions(world, plan_a):
    actor = world.actor("commander_a")
    finding = drill_finding_add(actor=actor, drill_id=_done(world, plan_a).pk, text="增加夜间值守")
    version = drill_finding_to_plan_revision(actor=actor, finding_id=finding.pk)
    plan_a.refresh_from_db()
    assert plan_a.current_version == version and version.number == 2
    assert version.body.startswith("一、组织体系\n\n") and version.body.endswith("增加夜间值守")
    assert "增加夜间值守" in version.change_note
    assert list(version.actions.order_by("order").values_list("title", flat=True)) == ["启动应急响应", "清点物资"]
    assert PlanVersion.objects.get(plan=plan_a, number=1).actions.count() == 2  # the old version is untouched
    finding.refresh_from_db()
    assert finding.outcome == FindingOutcome.PLAN_REVISION and finding.plan_version == version
    with pytest.raises(Conflict):
        drill_finding_to_plan_revision(actor=actor, finding_id=finding.pk)


def test_plan_revision_of_a_plan_without_versions_starts_at_one(world, system_actor):
    plan = drill_plan(COMMUNITY_A)
    actor = world.actor("commander_a")
    drill = drill_schedule(actor=actor, plan_id=plan.pk, scheduled_at=_later(), scenario="x")
    drill_start(actor=actor, drill_id=drill.pk)
    drill_end(actor=actor, drill_id=drill.pk)
    finding = drill_finding_add(actor=actor, drill_id=drill.pk, text="预案缺少联系人")
    assert drill_finding_to_plan_revision(actor=actor, finding_id=finding.pk).number == 1


def test_drill_list_is_scoped(world, system_actor):
    make_drill(COMMUNITY_A, "甲社区演练")
    make_drill(COMMUNITY_B, "乙社区演练")
    assert [d.title for d in drill_list(actor=world.actor("commander_a"))] == ["甲社区演练"]
    assert {d.title for d in drill_list(actor=world.actor("street1"))} == {"甲社区演练", "乙社区演练"}
    assert list(drill_list(actor=world.actor("street2"))) == []
