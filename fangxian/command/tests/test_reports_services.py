"""Daily report: the day's figures, submit-replaces-never-duplicates, roll-ups of submitted reports, Excel."""

from __future__ import annotations

import datetime as dt
import io
import re
import threading
import zipfile

import pytest
from django.db import connection
from django.http import Http404
from django.utils import timezone

from fangxian.command.models import DailyReport, Directive, DirectiveRecipient, Task
from fangxian.command.models.drills import DrillStatus
from fangxian.command.models.tasks import TaskStatus
from fangxian.command.selectors.reports import daily_report_draft, daily_report_rollup, report_sections
from fangxian.command.services.reports import (
    daily_report_export_xlsx,
    daily_report_rollup_export_xlsx,
    daily_report_submit,
)
from fangxian.command.tests.factories_drills import make_drill
from fangxian.core.errors import DomainError, NotFound, PermissionDenied
from fangxian.core.models import AuditEvent
from fangxian.core.testing import COMMUNITY_A, COMMUNITY_B, COMMUNITY_C, DISTRICT, GRID_A1, STREET_1, STREET_2

TODAY = timezone.localdate


def _day_figures(system_actor):
    """Community A's day: 2 open tasks (1 overdue), 1 done today; a directive received and acknowledged."""
    now = timezone.now()
    Task.objects.create(area_code=COMMUNITY_A, title="筛查核对", due_at=now + dt.timedelta(hours=3))
    Task.objects.create(area_code=GRID_A1, title="走访独居老人", due_at=now - dt.timedelta(hours=1))
    Task.objects.create(area_code=COMMUNITY_A, title="消杀", status=TaskStatus.DONE, closed_at=now)
    Task.objects.create(area_code=COMMUNITY_B, title="乙社区任务")
    directive = Directive.objects.create(
        area_code=STREET_1, title="落实封控", body="...", deadline=now + dt.timedelta(hours=6)
    )
    DirectiveRecipient.objects.create(area_code=COMMUNITY_A, directive=directive, acknowledged_at=now)
    DirectiveRecipient.objects.create(area_code=COMMUNITY_B, directive=directive)
    drill = make_drill(COMMUNITY_A, "消防演练", status=DrillStatus.RUNNING)
    drill.started_at = now
    drill.save()


@pytest.mark.django_db
def test_draft_counts_the_communitys_day_through_the_actors_scope(world, system_actor):
    _day_figures(system_actor)
    draft = daily_report_draft(actor=world.actor("commander_a"), area_code=COMMUNITY_A, date=TODAY())
    figures = draft.figures
    assert figures["tasks"] == {"open": 2, "overdue": 1, "created": 3, "done": 1}
    assert figures["directives"] == {"received": 1, "acknowledged": 1, "reported": 0, "overdue": 0}
    assert figures["drills"]["held"] == 1
    assert draft.report is None
    street = daily_report_draft(actor=world.actor("street1"), area_code=STREET_1, date=TODAY())
    assert street.figures["tasks"]["open"] == 3 and street.figures["directives"]["received"] == 2


@pytest.mark.django_db
def test_draft_of_a_sibling_area_is_not_found(world):
    with pytest.raises(Http404):
        daily_report_draft(actor=world.actor("commander_a"), area_code=COMMUNITY_B, date=TODAY())
    with pytest.raises(PermissionDenied):
        daily_report_draft(actor=world.actor("grid_a1"), area_code=GRID_A1, date=TODAY())


@pytest.mark.django_db
def test_submitting_twice_replaces_and_never_double_counts(world, system_actor):
    actor = world.actor("worker_a")
    first = daily_report_submit(actor=actor, area_code=COMMUNITY_A, date=TODAY(), notes="今日平稳。")
    assert first.status == "submitted" and first.submission_count == 1 and first.submitted_by == world.users["worker_a"]
    assert first.figures["tasks"]["open"] == 0
    _day_figures(system_actor)
    second = daily_report_submit(
        actor=world.actor("commander_a"), area_code=COMMUNITY_A, date=TODAY(), notes="新增两项任务。"
    )
    assert DailyReport.objects.filter(area_code=COMMUNITY_A, date=TODAY()).count() == 1
    assert second.pk == first.pk and second.submission_count == 2
    assert second.notes == "新增两项任务。" and second.figures["tasks"]["open"] == 2
    rollup = daily_report_rollup(actor=world.actor("street1"), area_code=STREET_1, date=TODAY())
    assert next(r for r in rollup.rows if r.key == "open" and r.section_key == "tasks").total == 2
    # The audit trail says the notes changed, never what they say.
    update = AuditEvent.objects.filter(object_type="command.dailyreport", action="update").latest("pk")
    assert update.changes["notes"] == {"old": "******", "new": "******"}


@pytest.mark.django_db
def test_a_future_date_is_refused(world):
    with pytest.raises(DomainError) as error:
        daily_report_submit(
            actor=world.actor("commander_a"), area_code=COMMUNITY_A, date=TODAY() + dt.timedelta(days=1)
        )
    assert error.value.code == "report_date_future"
    assert not DailyReport.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("code", [STREET_1, GRID_A1, "37020200100", "abc"])
def test_only_a_community_submits(world, code):
    with pytest.raises(DomainError) as error:
        daily_report_submit(actor=world.actor("commander_a"), area_code=code, date=TODAY())
    assert error.value.code == "report_not_community"


@pytest.mark.django_db
def test_officials_and_grid_workers_do_not_submit_and_siblings_are_not_found(world):
    for persona in ("street1", "grid_a1", "guard_a"):
        with pytest.raises(PermissionDenied):
            daily_report_submit(actor=world.actor(persona), area_code=COMMUNITY_A, date=TODAY())
    with pytest.raises(NotFound):
        daily_report_submit(actor=world.actor("commander_b"), area_code=COMMUNITY_A, date=TODAY())
    assert not DailyReport.objects.exists()


@pytest.mark.django_db
def test_a_past_day_can_be_submitted_late(world):
    report = daily_report_submit(
        actor=world.actor("commander_a"), area_code=COMMUNITY_A, date=TODAY() - dt.timedelta(days=1), notes="补报"
    )
    assert report.date == TODAY() - dt.timedelta(days=1)


def _submitted(area_code: str, date: dt.date, open_tasks: int, notes: str = "", **extra) -> DailyReport:
    return DailyReport.objects.create(
        area_code=area_code,
        date=date,
        status="submitted",
        notes=notes,
        figures={"tasks": {"open": open_tasks, "done": 1}, **extra},
        submitted_at=timezone.now(),
        submission_count=1,
    )


@pytest.mark.django_db
def test_rollup_sums_only_submitted_reports(world, system_actor):
    today = TODAY()
    _submitted(COMMUNITY_A, today, 5, "甲社区平稳")
    DailyReport.objects.create(area_code=COMMUNITY_B, date=today, status="draft", figures={"tasks": {"open": 100}})
    _submitted(COMMUNITY_C, today, 7)
    _submitted(COMMUNITY_B, today - dt.timedelta(days=1), 50)  # another day
    rollup = daily_report_rollup(actor=world.actor("street1"), area_code=STREET_1, date=today)
    assert [c.area.code for c in rollup.columns] == [COMMUNITY_A, COMMUNITY_B]
    a, b = rollup.columns
    assert a.report is not None and a.report.notes == "甲社区平稳" and b.report is None
    open_row = next(r for r in rollup.rows if r.section_key == "tasks" and r.key == "open")
    assert open_row.values == [5, None] and open_row.total == 5
    assert rollup.submitted == 1 and rollup.communities == 2


@pytest.mark.django_db
def test_district_rollup_has_a_column_per_street(world, system_actor):
    today = TODAY()
    _submitted(COMMUNITY_A, today, 5)
    _submitted(COMMUNITY_B, today, 2)
    _submitted(COMMUNITY_C, today, 7)
    rollup = daily_report_rollup(actor=world.actor("district"), area_code=DISTRICT, date=today)
    assert [(c.area.code, c.submitted, c.communities) for c in rollup.columns] == [(STREET_1, 2, 2), (STREET_2, 1, 1)]
    open_row = next(r for r in rollup.rows if r.section_key == "tasks" and r.key == "open")
    assert open_row.values == [7, 7] and open_row.total == 14


@pytest.mark.django_db
def test_rollup_keeps_figures_no_longer_registered(world, system_actor):
    _submitted(COMMUNITY_A, TODAY(), 1, legacy={"masks": 300})
    rollup = daily_report_rollup(actor=world.actor("street1"), area_code=STREET_1, date=TODAY())
    legacy = next(r for r in rollup.rows if r.section_key == "legacy")
    assert legacy.key == "masks" and legacy.total == 300
    assert [s.key for s in report_sections({"legacy": {"masks": 1}})][-1] == "legacy"


@pytest.mark.django_db
def test_rollup_of_another_street_is_not_found(world):
    with pytest.raises(Http404):
        daily_report_rollup(actor=world.actor("street2"), area_code=STREET_1, date=TODAY())
    with pytest.raises(PermissionDenied):
        daily_report_rollup(actor=world.actor("grid_a1"), area_code=GRID_A1, date=TODAY())


def _sheet_text(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        assert "xl/workbook.xml" in names and "xl/worksheets/sheet1.xml" in names
        text = archive.read("xl/worksheets/sheet1.xml").decode()
        if "xl/sharedStrings.xml" in names:
            text += archive.read("xl/sharedStrings.xml").decode()
        return text


@pytest.mark.django_db
def test_report_export_is_a_valid_workbook_without_formulas_and_audited(world, system_actor):
    report = _submitted(COMMUNITY_A, TODAY(), 5, '=HYPERLINK("http://evil.example","click")')
    filename, content = daily_report_export_xlsx(actor=world.actor("commander_a"), report_id=report.pk)
    assert filename == f"daily-report-{COMMUNITY_A}-{TODAY():%Y%m%d}.xlsx"
    text = _sheet_text(content)
    assert "<f>" not in text and "'=HYPERLINK" in text
    assert re.search(r"<v>5</v>", text)
    event = AuditEvent.objects.get(action="export", object_type="command.dailyreport")
    assert event.actor_label == "commander_a" and event.area_code == COMMUNITY_A
    with pytest.raises(Http404):
        daily_report_export_xlsx(actor=world.actor("commander_b"), report_id=report.pk)


@pytest.mark.django_db
def test_rollup_export_has_every_community_and_the_total(world, system_actor):
    _submitted(COMMUNITY_A, TODAY(), 5, "@SUM(1)")
    filename, content = daily_report_rollup_export_xlsx(actor=world.actor("street1"), area_code=STREET_1, date=TODAY())
    assert filename.startswith(f"daily-report-rollup-{STREET_1}-")
    text = _sheet_text(content)
    assert "测试甲社区" in text and "测试乙社区" in text and "'@SUM(1)" in text and "<f>" not in text
    assert AuditEvent.objects.filter(action="export", area_code=STREET_1).count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submissions_leave_one_row(world, monkeypatch):
    """Both read "no report yet", both insert: the loser waits on the unique index, then replaces."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL")
    from django.db import connections

    from fangxian.command.services import reports as service

    barrier = threading.Barrier(2, timeout=10)
    original = service._locked_report
    waited = threading.local()

    def locked_then_wait(area_code, date):
        found = original(area_code, date)
        if not getattr(waited, "done", False):
            waited.done = True
            barrier.wait()  # both transactions have looked, and found nothing, before either inserts
        return found

    monkeypatch.setattr(service, "_locked_report", locked_then_wait)
    errors: list[BaseException] = []

    def submit(persona: str, notes: str) -> None:
        try:
            daily_report_submit(actor=world.actor(persona), area_code=COMMUNITY_A, date=TODAY(), notes=notes)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(p, p)) for p in ("commander_a", "worker_a")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert not errors, errors
    reports = list(DailyReport.objects.filter(area_code=COMMUNITY_A, date=TODAY()))
    assert len(reports) == 1
    assert reports[0].submission_count == 2 and reports[0].notes in {"commander_a", "worker_a"}
