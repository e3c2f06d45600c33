"""The command app's sections of the daily report: tasks, directives and drills.

Each figure is counted through `visible_to(actor)` narrowed to the report's area, for the day as
it stood at its end (or now, for today): a past day's report computed again gives the figures that
day had, as far as the rows tell (a task open at 18:00 and closed at 20:00 counts as open that
day).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangxian.command.daily import DailySection, register_daily_section
from fangxian.command.models import DirectiveRecipient, Drill, Task
from fangxian.command.models.drills import DrillStatus
from fangxian.command.models.tasks import TaskStatus
from fangxian.core.scoping import Actor


def day_bounds(date: dt.date) -> tuple[dt.datetime, dt.datetime, dt.datetime]:
    """Start and end of `date` in the local time zone, and the moment the day's figures stand at."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(date, dt.time.min, tzinfo=tz)
    end = start + dt.timedelta(days=1)
    return start, end, min(end, timezone.now())


def task_figures(actor: Actor, area_code: str, date: dt.date) -> dict[str, int]:
    start, _end, cutoff = day_bounds(date)
    tasks = Task.objects.visible_to(actor).within(area_code)
    # Open at the cutoff: created by then and not closed by then.
    open_then = Q(created_at__lt=cutoff) & (Q(closed_at__isnull=True) | Q(closed_at__gte=cutoff))
    return {
        "open": tasks.filter(open_then).count(),
        "overdue": tasks.filter(open_then, due_at__lt=cutoff).count(),
        "created": tasks.filter(created_at__gte=start, created_at__lt=cutoff).count(),
        "done": tasks.filter(status=TaskStatus.DONE, closed_at__gte=start, closed_at__lt=cutoff).count(),
    }


def directive_figures(actor: Actor, area_code: str, date: dt.date) -> dict[str, int]:
    start, _end, cutoff = day_bounds(date)
    recipients = DirectiveRecipient.objects.visible_to(actor).within(area_code)
    late = Q(directive__deadline__lt=cutoff, directive__sent_at__lt=cutoff) & (
        Q(directive__report_required=True) & (Q(reported_at__isnull=True) | Q(reported_at__gte=cutoff))
        | Q(directive__report_required=False) & (Q(acknowledged_at__isnull=True) | Q(acknowledged_at__gte=cutoff))
    )
    return {
        "received": recipients.filter(directive__sent_at__gte=start, directive__sent_at__lt=cutoff).count(),
        "acknowledged": recipients.filter(acknowledged_at__gte=start, acknowledged_at__lt=cutoff).count(),
        "reported": recipients.filter(reported_at__gte=start, reported_at__lt=cutoff).count(),
        "overdue": recipients.filter(late).count(),
    }


def drill_figures(actor: Actor, area_code: str, date: dt.date) -> dict[str, int]:
    start, end, _cutoff = day_bounds(date)
    drills = Drill.objects.visible_to(actor).within(area_code).exclude(status=DrillStatus.CANCELLED)
    return {
        "held": drills.filter(started_at__gte=start, started_at__lt=end).count(),
        # Still to come as the day ended: planned from that day on and not started by its end.
        "scheduled": drills.filter(scheduled_at__gte=start)
        .filter(Q(started_at__isnull=True) | Q(started_at__gte=end))
        .count(),
    }


TASKS = register_daily_section(
    DailySection(
        key="tasks",
        title=_("Tasks"),
        labels={
            "open": _("Open tasks"),
            "overdue": _("Overdue tasks"),
            "created": _("Tasks created today"),
            "done": _("Tasks done today"),
        },
        figures=task_figures,
        order=10,
    )
)

DIRECTIVES = register_daily_section(
    DailySection(
        key="directives",
        title=_("Directives from above"),
        labels={
            "received": _("Directives received today"),
            "acknowledged": _("Directives acknowledged today"),
            "reported": _("Completion reports sent today"),
            "overdue": _("Directives overdue"),
        },
        figures=directive_figures,
        order=20,
    )
)

DRILLS = register_daily_section(
    DailySection(
        key="drills",
        title=_("Drills"),
        labels={"held": _("Drills held today"), "scheduled": _("Drills scheduled")},
        figures=drill_figures,
        order=80,
    )
)
