"""Leak factories of drills: a drill of a plan in the grid, with a timeline entry and a finding."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fangxian.command.models import Drill, DrillFinding, DrillTimelineEntry, Plan
from fangxian.command.models.drills import DrillStatus
from fangxian.core.testing import leak_factory


def drill_plan(area_code: str, title: str = "社区疫情防控预案") -> Plan:
    return Plan.objects.create(area_code=area_code, hazard="epidemic", title=title)


def make_drill(
    area_code: str,
    title: str,
    *,
    status: str = DrillStatus.SCHEDULED,
    plan: Plan | None = None,
    scheduled_at: dt.datetime | None = None,
) -> Drill:
    return Drill.objects.create(
        area_code=area_code,
        plan=plan or drill_plan(area_code),
        title=title,
        scenario="小区发现一例确诊病例",
        scheduled_at=scheduled_at or timezone.now() + dt.timedelta(days=3),
        status=status,
    )


@leak_factory(Drill)
def drill(grid: str, marker: str, world):
    return make_drill(grid, marker)


@leak_factory(DrillTimelineEntry)
def drill_timeline_entry(grid: str, marker: str, world):
    parent = make_drill(grid, "演练", status=DrillStatus.RUNNING)
    return DrillTimelineEntry.objects.create(area_code=grid, drill=parent, text=marker)


@leak_factory(DrillFinding)
def drill_finding(grid: str, marker: str, world):
    parent = make_drill(grid, "演练", status=DrillStatus.DONE)
    return DrillFinding.objects.create(area_code=grid, drill=parent, text=marker)
