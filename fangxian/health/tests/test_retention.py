"""Health retention: an ended emergency's health data goes after the retention period; active cases stay."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from fangxian.core.errors import PermissionDenied
from fangxian.core.models import AuditEvent
from fangxian.core.scoping import Actor
from fangxian.health.models import Arrival, CheckIn, HealthCase, HealthReport, ScreeningList, ServiceRequest
from fangxian.health.services.arrivals import arrival_confirm, arrival_register
from fangxian.health.services.cases import case_close, health_report_add
from fangxian.health.services.checkins import checkin_submit
from fangxian.health.services.retention import health_data_purge
from fangxian.health.tests.test_arrivals import details
from fangxian.registry.models import Resident

pytestmark = pytest.mark.django_db


def test_an_ended_emergencys_health_data_is_purged_after_the_period(world, person, wuhan, check_in_policy, epidemic):
    grid = world.actor("grid_a1")
    arrival = arrival_register(
        actor=grid, household_id=person.household_id, resident_id=person.pk, name="", **details()
    )
    arrival_confirm(actor=grid, arrival_id=arrival.pk, measure="home_quarantine")
    case = HealthCase.objects.get()
    health_report_add(actor=grid, case_id=case.pk, temperature="36.5")
    case_close(actor=grid, case_id=case.pk, status="transferred", note="转集中隔离")
    other = Resident.objects.create(area_code=person.area_code, household=person.household, name="王二", sex="F")
    checkin_submit(actor=grid, resident_id=other.pk, temperature="36.4")
    still = arrival_register(actor=grid, household_id=person.household_id, resident_id=other.pk, name="", **details())
    arrival_confirm(actor=grid, arrival_id=still.pk, measure="monitoring")  # stays active
    system = Actor.system("test")
    assert health_data_purge(actor=system)["emergencies"] == 0  # the emergency is not over
    epidemic.ended_at = timezone.now() - dt.timedelta(days=31)
    epidemic.save()
    totals = health_data_purge(actor=system)
    assert totals["emergencies"] == 1 and totals["cases_deleted"] == 1 and totals["reports_deleted"] == 1
    assert list(HealthCase.objects.values_list("resident_id", flat=True)) == [other.pk]
    assert HealthCase.objects.get().arrival is None  # its arrival went, the reference was cleared
    assert not Arrival.objects.exists() and not CheckIn.objects.exists() and not ServiceRequest.objects.exists()
    assert HealthReport.objects.count() == 0
    assert AuditEvent.objects.filter(reason="retention", object_type="health.healthcase").count() == 1
    assert health_data_purge(actor=system)["emergencies"] == 0  # nothing left to purge
    call_command("health_data_purge", "--days", "0")


def test_only_the_system_purges(world):
    with pytest.raises(PermissionDenied):
        health_data_purge(actor=world.actor("commander_a"))
    assert not ScreeningList.objects.exists()
