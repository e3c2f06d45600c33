"""Daily report pages: the community's day, submit (and again), the roll-up, print and Excel, scoping."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from fangxian.command.models import DailyReport
from fangxian.command.models.tasks import Task
from fangxian.core.models import AuditEvent
from fangxian.core.testing import COMMUNITY_A, COMMUNITY_B, STREET_1, login

pytestmark = pytest.mark.django_db


def _as(client, world, persona):
    client.logout()
    login(client, world.users[persona])
    return client


def _submit(client, notes: str, date: dt.date | None = None):
    date = date or timezone.localdate()
    return client.post(
        reverse("command:daily-report-submit"), {"area_code": COMMUNITY_A, "date": date.isoformat(), "notes": notes}
    )


def test_the_community_page_is_filled_from_the_day_and_submits(client, world, system_actor):
    Task.objects.create(area_code=COMMUNITY_A, title="核酸检测点布置")
    _as(client, world, "commander_a")
    page = client.get(reverse("command:daily-report")).content.decode()
    assert 'data-testid="figure-tasks-open">1<' in page and 'data-testid="report-submit"' in page
    response = _submit(client, "今日平稳，无新增。")
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "今日平稳，无新增。" in page and 'data-testid="report-status"' in page
    response = _submit(client, "补充：新增一处检测点。")
    assert DailyReport.objects.count() == 1
    assert DailyReport.objects.get().notes == "补充：新增一处检测点。"
    messages = [str(m) for m in response.wsgi_request._messages]
    assert len(messages) == 1


def test_a_future_day_is_refused_with_a_message(client, world):
    _as(client, world, "commander_a")
    response = _submit(client, "x", timezone.localdate() + dt.timedelta(days=1))
    assert response.status_code == 302 and not DailyReport.objects.exists()
    page = client.get(reverse("command:daily-report") + "?date=2999-01-01").content.decode()
    assert page.count('data-testid="report-figures"') == 1  # falls back to today with a message


def test_grid_workers_and_residents_have_no_daily_report(client, world):
    for persona in ("grid_a1", "resident_a1", "guard_a"):
        _as(client, world, persona)
        assert client.get(reverse("command:daily-report")).status_code == 403, persona


def test_street_sees_submitted_and_missing_communities_side_by_side(client, world):
    _as(client, world, "worker_a")
    _submit(client, "甲社区今日平稳")
    _as(client, world, "street1")
    page = client.get(reverse("command:daily-report")).content.decode()
    assert 'data-testid="rollup-link"' in page and 'data-testid="report-submit"' not in page
    rollup = client.get(reverse("command:daily-report-rollup")).content.decode()
    assert "测试甲社区" in rollup and "测试乙社区" in rollup and "甲社区今日平稳" in rollup
    assert f'data-testid="rollup-status-{COMMUNITY_B}"><span class="text-danger">' in rollup
    assert f'data-testid="rollup-status-{COMMUNITY_A}"><span class="text-success">' in rollup

    printable = client.get(reverse("command:daily-report-rollup-print")).content.decode()
    assert "size: A4 landscape" in printable and "@media print" in printable

    export = client.get(reverse("command:daily-report-rollup-export"))
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    with zipfile.ZipFile(io.BytesIO(export.content)) as archive:
        assert "xl/worksheets/sheet1.xml" in archive.namelist()
    assert AuditEvent.objects.filter(action="export", area_code=STREET_1).exists()


def test_district_rollup_links_down_to_each_street(client, world):
    _as(client, world, "district")
    page = client.get(reverse("command:daily-report-rollup")).content.decode()
    assert f"?area={STREET_1}&amp;date=" in page


def test_another_streets_rollup_and_reports_are_not_found(client, world, system_actor):
    report = DailyReport.objects.create(
        area_code=COMMUNITY_A,
        date=timezone.localdate(),
        status="submitted",
        notes="甲社区",
        submitted_at=timezone.now(),
    )
    _as(client, world, "street2")
    assert client.get(reverse("command:daily-report-rollup") + f"?area={STREET_1}").status_code == 404
    assert client.get(reverse("command:daily-report-rollup-export") + f"?area={STREET_1}").status_code == 404
    for name in ("daily-report-detail", "daily-report-print", "daily-report-export"):
        assert client.get(reverse(f"command:{name}", args=[report.pk])).status_code == 404, name
    _as(client, world, "commander_b")
    assert client.get(reverse("command:daily-report-export", args=[report.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action="export").exists()


def test_single_report_print_and_export(client, world, system_actor):
    report = DailyReport.objects.create(
        area_code=COMMUNITY_A,
        date=timezone.localdate(),
        status="submitted",
        notes="=1+1",
        figures={"tasks": {"open": 4}},
        submitted_at=timezone.now(),
    )
    _as(client, world, "commander_a")
    printable = client.get(reverse("command:daily-report-print", args=[report.pk])).content.decode()
    assert "size: A4 portrait" in printable and "=1+1" in printable
    export = client.get(reverse("command:daily-report-export", args=[report.pk]))
    assert export.status_code == 200 and "attachment" in export["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(export.content)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "'=1+1" in sheet and "<f>" not in sheet
