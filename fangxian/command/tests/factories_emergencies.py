"""Test data of emergencies, and their leak factories.

An emergency is seen by everyone below its area (a street's epidemic on a community's pages), so
leak factories place theirs AT the grid they are given, never above it: a row for grid A2 placed
at community A would rightly show on grid A1's pages and read as a leak. Other parts that need an
emergency in a leak factory should call `leak_emergency(grid, marker)`.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fangxian.command.models import Emergency, EmergencyKind, EmergencyLevel, EmergencyLevelChange
from fangxian.core.testing import leak_factory


def make_emergency(
    area_code: str,
    *,
    title: str = "测试疫情",
    kind: str = EmergencyKind.EPIDEMIC,
    level: int = EmergencyLevel.II,
    started_at: dt.datetime | None = None,
    ended: bool = False,
    declared_by=None,
) -> Emergency:
    started_at = started_at or timezone.now() - dt.timedelta(hours=1)
    emergency = Emergency.objects.create(
        area_code=area_code,
        kind=kind,
        level=level,
        title=title,
        started_at=started_at,
        declared_by=declared_by,
        ended_at=timezone.now() if ended else None,
    )
    EmergencyLevelChange.objects.create(
        area_code=area_code, emergency=emergency, to_level=level, changed_at=started_at, changed_by=declared_by
    )
    return emergency


def leak_emergency(grid: str, marker: str, *, kind: str = EmergencyKind.OTHER, ended: bool = True) -> Emergency:
    """An emergency at the grid itself for other parts' leak factories (ended: no clash with active ones)."""
    return make_emergency(grid, title=f"{marker} emergency", kind=kind, ended=ended)


@leak_factory(Emergency)
def emergency(grid: str, marker: str, world) -> Emergency:
    return make_emergency(grid, title=f"{marker} 疫情", kind=EmergencyKind.EPIDEMIC)


@leak_factory(EmergencyLevelChange)
def emergency_level_change(grid: str, marker: str, world) -> EmergencyLevelChange:
    target = make_emergency(grid, title=f"{marker} 火灾", kind=EmergencyKind.FIRE, ended=True)
    return EmergencyLevelChange.objects.create(
        area_code=grid, emergency=target, from_level=2, to_level=1, reason=f"{marker} escalated"
    )
