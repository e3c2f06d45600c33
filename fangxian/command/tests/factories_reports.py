"""Leak factories of daily reports: a submitted report of the grid's community, its notes the marker.

One report per (community, date): the second grid of a community reports the day before, so that
today's roll-up shows the first grid's report and the list shows both.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fangxian.command.models import DailyReport, DailyReportStatus
from fangxian.core.testing import leak_factory


@leak_factory(DailyReport)
def daily_report(grid: str, marker: str, world):
    days_back = int(grid[-3:]) - 1
    return DailyReport.objects.create(
        area_code=grid[:12],
        date=timezone.localdate() - dt.timedelta(days=days_back),
        status=DailyReportStatus.SUBMITTED,
        figures={"tasks": {"open": 3, "overdue": 1, "created": 2, "done": 4}},
        notes=marker,
        submitted_at=timezone.now(),
        submission_count=1,
    )
