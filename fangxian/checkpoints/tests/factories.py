"""Leak factories of the checkpoints app: one row per model in (or above) a test grid, carrying the marker."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.utils import timezone

from fangxian.areas.tests.factories import household
from fangxian.checkpoints.models import (
    Checkpoint,
    Delivery,
    GateCount,
    GatePolicy,
    GateScan,
    GuardShift,
    Pass,
    VehiclePlate,
    Visitor,
)
from fangxian.core.testing import leak_factory
from fangxian.registry.tests.factories_residents import resident


@leak_factory(Checkpoint)
def checkpoint(grid: str, marker: str, world):
    return Checkpoint.objects.create(area_code=grid, name=marker, location="东门")


@leak_factory(GuardShift)
def guard_shift(grid: str, marker: str, world):
    gate = checkpoint(grid, marker + "C", world)
    now = timezone.now()
    guard = world.users["guard_a"] if grid.startswith("370202001001") else world.users["guard_b"]
    return GuardShift.objects.create(
        area_code=gate.area_code, checkpoint=gate, guard=guard, starts_at=now, ends_at=now + dt.timedelta(hours=8)
    )


@leak_factory(GatePolicy)
def gate_policy(grid: str, marker: str, world):
    # One per community and level: the level is picked free so that two grids of one community fit.
    community = grid[:12]
    used = set(GatePolicy.objects.filter(area_code=community).values_list("level", flat=True))
    level = next(n for n in (1, 2, 3, 4) if n not in used)
    return GatePolicy.objects.create(area_code=community, level=level, residents_only=True, notice=marker)


@leak_factory(Pass)
def gate_pass(grid: str, marker: str, world):
    person = resident(grid, marker, world)
    now = timezone.now()
    return Pass.objects.create(
        area_code=grid,
        household=person.household,
        resident=person,
        issued_at=now,
        expires_at=now + dt.timedelta(days=30),
    )


@leak_factory(VehiclePlate)
def vehicle_plate(grid: str, marker: str, world):
    return VehiclePlate.objects.create(
        area_code=grid, household=household(grid, marker + "H", world), plate="鲁B12345", note=marker
    )


@leak_factory(Visitor)
def visitor(grid: str, marker: str, world):
    gate = checkpoint(grid, marker + "C", world)
    return Visitor.objects.create(
        area_code=grid,
        checkpoint=gate,
        name="访客" + marker[-3:],
        phone="13800001234",
        purpose=marker,
        host_household=household(grid, marker + "H", world),
    )


@leak_factory(GateScan)
def gate_scan(grid: str, marker: str, world):
    gate = checkpoint(grid, marker + "C", world)
    return GateScan.objects.create(
        area_code=gate.area_code,
        checkpoint=gate,
        direction="in",
        at=timezone.now(),
        resident=resident(grid, marker, world),
        temperature=Decimal("36.5"),
        verdict="allow",
        reason="ok",
        idempotency_key=uuid.uuid4(),
    )


@leak_factory(Delivery)
def delivery(grid: str, marker: str, world):
    gate = checkpoint(grid, marker + "C", world)
    return Delivery.objects.create(area_code=gate.area_code, checkpoint=gate, kind="express", note=marker)


@leak_factory(GateCount)
def gate_count(grid: str, marker: str, world):
    gate = checkpoint(grid, marker + "C", world)
    return GateCount.objects.create(
        area_code=gate.area_code, checkpoint=gate, day=dt.date(2026, 1, 1), hour=8, entries=3
    )
