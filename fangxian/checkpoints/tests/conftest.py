"""Fixtures of the checkpoints tests: a gate of community A, a resident with a pass, an epidemic at level II."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from fangxian.checkpoints.models import Checkpoint, GatePolicy, Pass
from fangxian.command.models import Emergency
from fangxian.core.testing import COMMUNITY_A, COMMUNITY_B, GRID_A1, GRID_B1
from fangxian.registry.models import Resident


@pytest.fixture
def gate(world):
    return Checkpoint.objects.create(area_code=COMMUNITY_A, name="东门", location="香港中路12号")


@pytest.fixture
def gate_b(world):
    return Checkpoint.objects.create(area_code=COMMUNITY_B, name="乙社区北门")


@pytest.fixture
def person(world):
    return Resident.objects.create(
        area_code=GRID_A1,
        household=world.households["A1"],
        name="王小明",
        sex="M",
        id_number="11010519491231002X",
        phone="13800138000",
    )


@pytest.fixture
def person_b(world):
    return Resident.objects.create(area_code=GRID_B1, household=world.households["B1"], name="李四", sex="F")


def make_pass(resident: Resident, *, days: int = 30) -> Pass:
    now = timezone.now()
    return Pass.objects.create(
        area_code=resident.area_code,
        household=resident.household,
        resident=resident,
        issued_at=now - dt.timedelta(days=1),
        expires_at=now + dt.timedelta(days=days),
    )


@pytest.fixture
def person_pass(person):
    return make_pass(person)


@pytest.fixture
def epidemic(world):
    return Emergency.objects.create(area_code=COMMUNITY_A, kind="epidemic", level=2, title="甲社区疫情应对")


@pytest.fixture
def strict_policy(epidemic):
    return GatePolicy.objects.create(area_code=COMMUNITY_A, level=2)


@pytest.fixture
def guard(world):
    return world.actor("guard_a")


def key() -> uuid.UUID:
    return uuid.uuid4()
