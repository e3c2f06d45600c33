"""The gates in the daily report and on the home page: the same counts, live or already purged, never a sibling's."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fangxian.checkpoints.models import Checkpoint, Delivery, GateCount, GateScan, Visitor
from fangxian.checkpoints.selectors_live import gate_day_figures
from fangxian.command.selectors.reports import daily_report_draft
from fangxian.core.testing import COMMUNITY_A, COMMUNITY_B, GRID_A1, STREET_1, login

pytestmark = pytest.mark.django_db


def _scan(gate, direction, verdict, reason="ok", at=None):
    return GateScan.objects.create(
        area_code=gate.area_code,
        checkpoint=gate,
        direction=direction,
        at=at or timezone.now(),
        verdict=verdict,
        reason=reason,
        idempotency_key=uuid.uuid4(),
    )


@pytest.fixture
def gate_day(world):
    today = timezone.localdate()
    east = Checkpoint.objects.create(area_code=COMMUNITY_A, name="东门")
    north = Checkpoint.objects.create(area_code=COMMUNITY_B, name="乙北门")
    for _ in range(3):
        _scan(east, "in", "allow")
    _scan(east, "out", "allow")
    _scan(east, "in", "deny", "fever")
    _scan(east, "in", "deny", "residents_only")
    _scan(east, "in", "allow", at=timezone.now() - dt.timedelta(days=2))  # another day
    _scan(north, "in", "allow")  # another community
    # Hours already purged from the log, kept as counts.
    GateCount.objects.create(area_code=COMMUNITY_A, checkpoint=east, day=today, hour=6, entries=10, exits=4, fevers=1)
    GateCount.objects.create(area_code=COMMUNITY_B, checkpoint=north, day=today, hour=6, entries=99)
    Visitor.objects.create(area_code=GRID_A1, checkpoint=east, name="访客甲", purpose="探亲")
    Delivery.objects.create(area_code=COMMUNITY_A, checkpoint=east, kind="express")
    Delivery.objects.create(area_code=COMMUNITY_B, checkpoint=north, kind="food")
    return today


def test_a_communitys_day_at_its_gates(world, gate_day):
    figures = gate_day_figures(actor=world.actor("commander_a"), area_code=COMMUNITY_A, day=gate_day)
    assert figures == {"entries": 13, "exits": 5, "denied": 2, "fevers": 2, "visitors": 1, "deliveries": 1}
    street = gate_day_figures(actor=world.actor("street1"), area_code=STREET_1, day=gate_day)
    assert street["entries"] == 13 + 1 + 99 and street["deliveries"] == 2


def test_a_sibling_counts_nothing_of_ours(world, gate_day):
    figures = gate_day_figures(actor=world.actor("commander_b"), area_code=COMMUNITY_A, day=gate_day)
    assert set(figures.values()) == {0}
    assert gate_day_figures(actor=world.actor("resident_a1"), area_code=COMMUNITY_A, day=gate_day)["entries"] == 0


def test_the_daily_report_carries_the_gates(world, gate_day):
    draft = daily_report_draft(actor=world.actor("commander_a"), area_code=COMMUNITY_A, date=gate_day)
    assert draft.figures["gates"]["entries"] == 13 and draft.figures["gates"]["fevers"] == 2


def test_the_home_page_shows_today_at_the_gates_in_constant_queries(client, world, gate_day):
    login(client, world.users["commander_a"])
    response = client.get("/home/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="home-gates-entries">13<' in html and 'data-testid="home-gates-fevers">2<' in html
    with CaptureQueriesContext(connection) as first:
        client.get("/home/")
    for index in range(20):
        _scan(Checkpoint.objects.get(name="东门"), "in", "allow")
        Visitor.objects.create(
            area_code=GRID_A1, checkpoint_id=Checkpoint.objects.get(name="东门").pk, name=f"访{index}", purpose="送货"
        )
    with CaptureQueriesContext(connection) as second:
        client.get("/home/")
    assert len(second) == len(first)
    login(client, world.users["resident_a1"])
    assert 'data-testid="home-gates"' not in client.get("/home/").content.decode()
