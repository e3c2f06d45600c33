"""Test data of plans, and their leak factories (plans sit at the community of the grid)."""

from __future__ import annotations

from django.utils import timezone

from fangxian.command.models import Duty, EmergencyKind, Plan, PlanAction, PlanActivation, PlanVersion
from fangxian.command.tests.factories_emergencies import make_emergency
from fangxian.core.testing import leak_factory


def make_plan(
    area_code: str,
    *,
    title: str = "疫情防控预案",
    hazard: str = EmergencyKind.EPIDEMIC,
    body: str = "",
    actions: list[dict] | tuple = (),
    change_note: str = "First version",
    review_interval_days: int = 365,
    last_reviewed_at=None,
) -> Plan:
    """A plan with version 1 and its actions, written directly (services are tested on their own)."""
    plan = Plan.objects.create(
        area_code=area_code,
        hazard=hazard,
        title=title,
        review_interval_days=review_interval_days,
        last_reviewed_at=last_reviewed_at or timezone.localdate(),
    )
    version = PlanVersion.objects.create(area_code=area_code, plan=plan, number=1, body=body, change_note=change_note)
    PlanAction.objects.bulk_create(
        [
            PlanAction(area_code=area_code, version=version, order=index, **{"duty": Duty.LOGISTICS, **action})
            for index, action in enumerate(actions)
        ]
    )
    plan.current_version = version
    plan.save(update_fields=["current_version"])
    return plan


@leak_factory(Plan)
def plan(grid: str, marker: str, world) -> Plan:
    return make_plan(
        grid[:12], title=f"{marker} 预案", body=f"{marker} body", actions=[{"title": f"{marker} action", "level": 4}]
    )


@leak_factory(PlanVersion)
def plan_version(grid: str, marker: str, world) -> PlanVersion:
    return make_plan(grid[:12], title="预案", change_note=f"{marker} first").current_version


@leak_factory(PlanAction)
def plan_action(grid: str, marker: str, world) -> PlanAction:
    version = make_plan(grid[:12], title="预案").current_version
    return PlanAction.objects.create(area_code=grid[:12], version=version, duty=Duty.MEDICAL, title=f"{marker} 行动")


@leak_factory(PlanActivation)
def plan_activation(grid: str, marker: str, world) -> PlanActivation:
    # The emergency sits at the grid (it covers only that grid); the plan at the grid too, so that the
    # emergency covers it. Ended, so that it never clashes with an active one of the same kind.
    target = make_emergency(grid, title=f"{marker} 地震", kind=EmergencyKind.EARTHQUAKE, ended=True)
    source = make_plan(grid, title=f"{marker} 地震预案", hazard=EmergencyKind.EARTHQUAKE)
    return PlanActivation.objects.create(
        area_code=grid, plan=source, version=source.current_version, emergency=target, level=target.level, task_count=0
    )
