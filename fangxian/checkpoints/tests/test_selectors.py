"""Counts for the live view: per hour, scoped by area reach, the same before and after retention."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fangxian.checkpoints.models import Checkpoint
from fangxian.checkpoints.selectors import gate_traffic_by_hour
from fangxian.checkpoints.services.passes import pass_token
from fangxian.checkpoints.services.retention import gate_logs_purge
from fangxian.checkpoints.services.scans import scan_record
from fangxian.checkpoints.tests.conftest import key
from fangxian.command.models import Emergency

pytestmark = pytest.mark.django_db


def _totals(rows):
    return {name: sum(r[name] for r in rows) for name in ("entries", "exits", "denied", "fevers")}


def test_hourly_counts_for_the_guard_and_not_for_the_sibling(world, guard, gate, person_pass, epidemic, system_actor):
    at = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    if at > timezone.localtime() - dt.timedelta(minutes=5):
        at -= dt.timedelta(hours=1)
    token = pass_token(person_pass)
    for direction, temperature in (("in", "36.5"), ("out", None), ("in", "38.0")):
        scan_record(
            actor=guard,
            checkpoint=gate,
            direction=direction,
            idempotency_key=key(),
            token=token,
            temperature=temperature,
            at=at + dt.timedelta(minutes=1),
        )
    day = at.date()
    rows = gate_traffic_by_hour(actor=guard, day=day)
    assert len(rows) == 24 and rows[at.hour] == {"hour": at.hour, "entries": 1, "exits": 1, "denied": 1, "fevers": 1}
    assert _totals(gate_traffic_by_hour(actor=world.actor("guard_b"), day=day))["entries"] == 0
    assert _totals(gate_traffic_by_hour(actor=world.actor("street1"), day=day, checkpoint_id=gate.pk))["exits"] == 1
    other = Checkpoint.objects.create(area_code=gate.area_code, name="西门")
    assert _totals(gate_traffic_by_hour(actor=guard, day=day, checkpoint_id=other.pk))["entries"] == 0
    # After the purge, the same day reads the same from the kept counts.
    Emergency.objects.filter(pk=epidemic.pk).update(ended_at=timezone.now() - dt.timedelta(days=40))
    gate_logs_purge(actor=system_actor)
    assert gate_traffic_by_hour(actor=guard, day=day) == rows
