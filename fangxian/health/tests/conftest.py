"""Fixtures of the health tests: a resident of grid A1 with an ID card, a risk area, an epidemic."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fangxian.command.models import Emergency
from fangxian.core.testing import COMMUNITY_A, GRID_A1, GRID_B1, STREET_1
from fangxian.health.models import HealthPolicy, RiskArea
from fangxian.registry.models import Resident

ID_A = "11010519491231002X"
ID_B = "110105195001011234"


@pytest.fixture
def person(world):
    return Resident.objects.create(
        area_code=GRID_A1,
        household=world.households["A1"],
        name="王小明",
        sex="M",
        id_number=ID_A,
        phone="13800138000",
    )


@pytest.fixture
def person_b(world):
    return Resident.objects.create(
        area_code=GRID_B1, household=world.households["B1"], name="李四", sex="F", id_number=ID_B
    )


@pytest.fixture
def wuhan(world):
    """Wuchang district of Wuhan (420106), high risk, listed by street 1 for all its communities."""
    return RiskArea.objects.create(
        area_code=STREET_1,
        division_code="420106",
        name="武汉市武昌区",
        level="high",
        measure="home_quarantine",
        days=14,
        since=timezone.localdate() - dt.timedelta(days=10),
    )


@pytest.fixture
def epidemic(world):
    return Emergency.objects.create(area_code=COMMUNITY_A, kind="epidemic", level=2, title="甲社区疫情应对")


@pytest.fixture
def check_in_policy(epidemic):
    return HealthPolicy.objects.create(area_code=COMMUNITY_A, level=2, check_in_required=True, home_quarantine_days=10)
