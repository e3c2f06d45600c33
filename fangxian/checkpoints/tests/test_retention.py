"""Retention: gate logs and visitors of emergencies over for FANGXIAN_RETENTION_DAYS go, counts stay."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from fangxian.checkpoints.jobs import gate_logs_retention
from fangxian.checkpoints.models import Delivery, GateCount, GateScan, Visitor
from fangxian.checkpoints.services.passes import pass_token
from fangxian.checkpoints.services.retention import gate_logs_purge
from fangxian.checkpoints.services.scans import scan_record
from fangxian.checkpoints.services.visitors import delivery_record, visitor_register
from fangxian.checkpoints.tests.conftest import key
from fangxian.command.models import Emergency
from fangxian.core.errors import PermissionDenied
from fangxian.core.models import AuditEvent
from fangxian.core.testing import COMMUNITY_A

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged(world, guard, gate, person_pass, epidemic):
    """An epidemic with three entries (one with fever), one exit, a visitor and a delivery."""
    token = pass_token(person_pass)
    now = timezone.now()
    for minutes, direction, temperature in (
        (50, "in", "36.5"),
        (40, "out", None),
        (30, "in", "38.5"),
        (20, "in", "36.6"),
    ):
        scan_record(
            actor=guard,
            checkpoint=gate,
            direction=direction,
            idempotency_key=key(),
            token=token,
            temperature=temperature,
            at=now - dt.timedelta(minutes=minutes),
        )
    visitor = visitor_register(
        actor=guard,
        checkpoint_id=gate.pk,
        name="赵访客",
        phone="13900001111",
        purpose="探亲",
        host_household_id=world.households["A1"].pk,
    )
    scan_record(actor=guard, checkpoint=gate, direction="in", idempotency_key=key(), visitor_id=visitor.pk)
    delivery_record(
        actor=guard, checkpoint_id=gate.pk, kind="express", household_id=world.households["A1"].pk, note="3号柜"
    )
    return epidemic


def _end(emergency: Emergency, days_ago: int) -> None:
    Emergency.objects.filter(pk=emergency.pk).update(ended_at=timezone.now() - dt.timedelta(days=days_ago))


def test_logs_of_an_emergency_over_for_long_enough_are_counted_then_purged(logged, system_actor):
    _end(logged, 31)
    totals = gate_logs_purge(actor=system_actor)
    assert totals["scans_deleted"] == 5 and totals["visitors_deleted"] == 1 and totals["deliveries_cleared"] == 1
    assert not GateScan.objects.exists() and not Visitor.objects.exists()
    assert Delivery.objects.get().household is None
    counts = GateCount.objects.filter(emergency=logged)
    assert sum(c.entries for c in counts) == 3  # two residents' entries and the visitor
    assert sum(c.exits for c in counts) == 1 and sum(c.denied for c in counts) == 1
    assert sum(c.fevers for c in counts) == 1
    assert all(c.area_code == COMMUNITY_A for c in counts)
    assert AuditEvent.objects.filter(action="delete", reason="retention").count() == 1
    # Again: nothing left to do, and the counts stay as they were.
    again = gate_logs_purge(actor=system_actor)
    assert again["emergencies"] == 0 and sum(c.entries for c in GateCount.objects.all()) == 3


def test_recently_ended_and_active_emergencies_keep_their_logs(logged, system_actor):
    assert gate_logs_purge(actor=system_actor)["scans_deleted"] == 0
    _end(logged, 29)
    assert gate_logs_purge(actor=system_actor)["scans_deleted"] == 0
    assert GateScan.objects.count() == 5 and Visitor.objects.get().name == "赵访客"


def test_the_retention_period_is_a_setting(logged, system_actor, settings):
    _end(logged, 8)
    settings.FANGXIAN_RETENTION_DAYS = 7
    assert gate_logs_purge(actor=system_actor)["scans_deleted"] == 5


def test_only_the_system_purges(world, logged):
    with pytest.raises(PermissionDenied):
        gate_logs_purge(actor=world.actor("commander_a"))


def test_the_job_and_the_command_run_the_purge(logged):
    _end(logged, 40)
    gate_logs_retention.call_local()
    assert not GateScan.objects.exists()
    out = StringIO()
    call_command("gate_logs_purge", "--days", "0", stdout=out)
    assert "emergencies=0" in out.getvalue()


def test_scans_outside_any_emergency_are_kept_as_long_from_their_own_time(
    world, guard, gate, person_pass, system_actor
):
    scan_record(actor=guard, checkpoint=gate, direction="in", idempotency_key=key(), token=pass_token(person_pass))
    GateScan.objects.update(at=timezone.now() - dt.timedelta(days=31))
    totals = gate_logs_purge(actor=system_actor)
    assert totals["scans_deleted"] == 1 and GateCount.objects.get(emergency=None).entries == 1
