"""Cases: open by policy, one active per person, reports and alerts, missed reports (time travel), release."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from fangxian.command.models import Task, TaskSource
from fangxian.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangxian.health.models import CaseStatus, HealthCase, HealthReport, ServiceRequest
from fangxian.health.services.cases import (
    case_change_end,
    case_close,
    case_open,
    case_release,
    health_report_add,
    missed_reports_alert,
)

pytestmark = pytest.mark.django_db


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def test_a_case_lasts_what_the_communitys_policy_says(world, person, check_in_policy):
    case = case_open(actor=world.actor("grid_a1"), resident_id=person.pk, kind="home_quarantine")
    assert (case.ends_on - case.starts_on).days == 10  # the policy of level II says 10
    assert case.household_id == person.household_id and case.area_code == person.area_code
    assert ServiceRequest.objects.filter(case=case).count() == 3
    with pytest.raises(Conflict):
        case_open(actor=world.actor("grid_a1"), resident_id=person.pk, kind="monitoring")
    monitoring = case_close(actor=world.actor("grid_a1"), case_id=case.pk, status="cancelled", note="登记错误")
    assert monitoring.status == CaseStatus.CANCELLED
    again = case_open(actor=world.actor("grid_a1"), resident_id=person.pk, kind="monitoring", days=5)
    assert (again.ends_on - again.starts_on).days == 5


@pytest.mark.parametrize("days", [0, -1, 61, "14"])
def test_a_case_of_impossible_length_is_refused(world, person, days):
    with pytest.raises(DomainError):
        case_open(actor=world.actor("grid_a1"), resident_id=person.pk, kind="home_quarantine", days=days)
    assert not HealthCase.objects.exists()


def test_who_may_open_and_see_cases(world, person, person_b):
    with pytest.raises(NotFound):
        case_open(actor=world.actor("grid_a1"), resident_id=person_b.pk, kind="monitoring")
    with pytest.raises(PermissionDenied):
        case_open(actor=world.actor("guard_a"), resident_id=person.pk, kind="monitoring")
    with pytest.raises(PermissionDenied):
        case_open(actor=world.actor("resident_a1"), resident_id=person.pk, kind="monitoring")
    case = case_open(actor=world.actor("commander_a"), resident_id=person.pk, kind="monitoring")
    assert HealthCase.objects.visible_to(world.actor("resident_a1")).filter(pk=case.pk).exists()
    assert not HealthCase.objects.visible_to(world.actor("guard_a")).exists()
    assert not HealthCase.objects.visible_to(world.actor("commander_b")).exists()


def test_the_end_date_changes_only_with_a_reason(world, person):
    case = case_open(actor=world.actor("grid_a1"), resident_id=person.pk, kind="home_quarantine", days=14)
    with pytest.raises(DomainError):
        case_change_end(actor=world.actor("grid_a1"), case_id=case.pk, ends_on=case.ends_on, reason="")
    with pytest.raises(DomainError):
        case_change_end(actor=world.actor("grid_a1"), case_id=case.pk, ends_on=case.starts_on, reason="核酸阳性")
    changed = case_change_end(
        actor=world.actor("grid_a1"), case_id=case.pk, ends_on=case.ends_on + dt.timedelta(days=7), reason="同住人阳性"
    )
    assert (changed.ends_on - changed.starts_on).days == 21 and changed.end_reason == "同住人阳性"


def test_a_fever_or_a_symptom_puts_an_urgent_task_in_the_grids_inbox(world, person):
    case = case_open(actor=world.actor("grid_a1"), resident_id=person.pk, kind="home_quarantine")
    health_report_add(actor=world.actor("resident_a1"), case_id=case.pk, temperature="36.6")
    assert not Task.objects.filter(source=TaskSource.HEALTH).exists()
    report = health_report_add(
        actor=world.actor("resident_a1"), case_id=case.pk, temperature="36.8", symptoms=["cough"]
    )
    assert report.by_resident
    health_report_add(actor=world.actor("grid_a1"), case_id=case.pk, temperature="38.2")
    tasks = Task.objects.filter(source=TaskSource.HEALTH, priority="urgent")
    assert tasks.count() == 2 and all("王小明" not in t.title for t in tasks)
    case.refresh_from_db()
    assert case.last_report_at is not None


@pytest.mark.parametrize(
    "bad",
    [
        {"temperature": "hot"},
        {"temperature": "29.9"},
        {"temperature": "45.1"},
        {"temperature": "36.5", "symptoms": ["zombie"]},
        {"temperature": "36.5", "symptoms": "cough"},
        {"temperature": "36.5", "at": timezone.now() + dt.timedelta(hours=1)},
        {"temperature": "36.5", "at": timezone.now() - dt.timedelta(days=3)},
    ],
)
def test_bad_reports_are_refused(world, person, bad):
    case = case_open(actor=world.actor("grid_a1"), resident_id=person.pk, kind="home_quarantine")
    with pytest.raises(DomainError):
        health_report_add(actor=world.actor("grid_a1"), case_id=case.pk, **bad)
    assert not HealthReport.objects.exists()


def test_another_household_cannot_report_for_the_case(world, person):
    case = case_open(actor=world.actor("grid_a1"), resident_id=person.pk, kind="home_quarantine")
    with pytest.raises(NotFound):
        health_report_add(actor=world.actor("resident_b1"), case_id=case.pk, temperature="36.5")


def test_a_missed_report_alerts_the_grid_once_after_the_grace_period(world, person):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    case = case_open(actor=world.actor("grid_a1"), resident_id=person.pk, kind="home_quarantine", starts_on=yesterday)
    today = timezone.localdate()
    # 09:00: the morning slot is not due yet; 11:00: due since 10:00 but within the 2 h grace.
    assert missed_reports_alert(now=local(today, 9)) == 0
    assert missed_reports_alert(now=local(today, 11)) == 0
    # 12:30: late. One alert, and not a second one on the next run.
    assert missed_reports_alert(now=local(today, 12, 30)) == 1
    assert missed_reports_alert(now=local(today, 13)) == 0
    task = Task.objects.get(source=TaskSource.HEALTH)
    assert "王**" in task.title and task.area_code == person.area_code
    # A report in the afternoon slot: nothing at 20:30; none at all: the afternoon alert comes.
    with mock.patch("django.utils.timezone.now", return_value=local(today, 15)):
        health_report_add(actor=world.actor("grid_a1"), case_id=case.pk, temperature="36.5")
    assert missed_reports_alert(now=local(today, 20, 30)) == 0
    HealthCase.objects.filter(pk=case.pk).update(last_report_at=local(today, 8))
    assert missed_reports_alert(now=local(today, 20, 30)) == 1
    # A case opened today owes nothing yet; a closed one never.
    assert Task.objects.filter(source=TaskSource.HEALTH).count() == 2


def test_release_needs_the_end_date_and_a_good_final_check_today(world, person):
    start = timezone.localdate() - dt.timedelta(days=14)
    case = case_open(
        actor=world.actor("grid_a1"), resident_id=person.pk, kind="home_quarantine", starts_on=start, days=15
    )
    with pytest.raises(DomainError) as error:
        case_release(actor=world.actor("grid_a1"), case_id=case.pk)
    assert error.value.code == "release_too_early"
    case_change_end(actor=world.actor("grid_a1"), case_id=case.pk, ends_on=timezone.localdate(), reason="检测阴性")
    with pytest.raises(DomainError) as error:
        case_release(actor=world.actor("grid_a1"), case_id=case.pk)
    assert error.value.code == "final_check_missing"
    health_report_add(actor=world.actor("grid_a1"), case_id=case.pk, temperature="37.6")
    with pytest.raises(DomainError) as error:
        case_release(actor=world.actor("grid_a1"), case_id=case.pk)
    assert error.value.code == "final_check_failed"
    health_report_add(actor=world.actor("grid_a1"), case_id=case.pk, temperature="36.4")
    released = case_release(actor=world.actor("grid_a1"), case_id=case.pk, note="解除隔离")
    assert released.status == CaseStatus.RELEASED and released.closed_at is not None
    assert not ServiceRequest.objects.filter(case=case, status="offered").exists()
    with pytest.raises(Conflict):
        health_report_add(actor=world.actor("grid_a1"), case_id=case.pk, temperature="36.4")


def test_a_verified_screening_answer_with_a_measure_opens_the_case(world, person):
    from fangxian.health.services.screening import screening_entry_answer, screening_list_from_residents

    screening = screening_list_from_residents(
        actor=world.actor("street1"),
        title="密接协查",
        deadline=timezone.now() + dt.timedelta(days=1),
        resident_ids=[person.pk],
        reason="密接",
    )
    entry = screening.entries.get()
    screening_entry_answer(
        actor=world.actor("grid_a1"), entry_id=entry.pk, outcome="verified", measure="home_quarantine", note=""
    )
    case = HealthCase.objects.get()
    assert case.kind == "home_quarantine" and case.screening_entry_id == entry.pk
    # Answered again (a correction): no second case.
    screening_entry_answer(actor=world.actor("grid_a1"), entry_id=entry.pk, outcome="verified", measure="monitoring")
    assert HealthCase.objects.count() == 1
