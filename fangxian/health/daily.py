"""The health part of the community's daily report, and the health panel on the home page.

Both read `health_numbers`: what the commander sees during the day is what goes up in the evening.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangxian.command.daily import DailySection, register_daily_section
from fangxian.core.panels import HomePanel, register_home_panel
from fangxian.core.scoping import Actor
from fangxian.health import capabilities  # noqa: F401  (health.counts)
from fangxian.health.selectors.cases import health_numbers

LABELS = {
    "under_measure": _("Under quarantine or monitoring"),
    "due_for_release": _("Due for release"),
    "released": _("Released today"),
    "missed_reports": _("Missed health reports"),
    "fevers": _("Fevers reported"),
    "arrivals": _("Arrivals registered"),
    "screening_open": _("Screening entries still to check"),
    "screening_answered": _("Screening entries answered today"),
}


def health_figures(actor: Actor, area_code: str, date: dt.date) -> dict[str, int]:
    return health_numbers(actor=actor, area_code=area_code, day=date)


HEALTH = register_daily_section(
    DailySection(key="health", title=_("Health"), labels=LABELS, figures=health_figures, order=30)
)


def health_panel(actor: Actor) -> dict[str, Any] | None:
    """Today's health figures of my areas (people-reach roles only; others see zeros, so nothing)."""
    areas = list(actor.personal_prefixes)
    if not areas:
        return None
    totals = dict.fromkeys(LABELS, 0)
    for area_code in areas:
        for name, value in health_numbers(actor=actor, area_code=area_code, day=timezone.localdate()).items():
            totals[name] += value
    return {"figures": [{"key": key, "label": LABELS[key], "value": totals[key]} for key in LABELS]}


register_home_panel(HomePanel("health.today", "health/_home_health.html", health_panel, "health.counts", 20))
