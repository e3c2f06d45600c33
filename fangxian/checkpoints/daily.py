"""The gates' part of the community's daily report, and the gates' panel on the home page.

Both read `gate_day_figures`: what a community reports up every evening (people in and out, turned
back, fevers, visitors, deliveries) is what its commander sees during the day, counted the same way.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangxian.checkpoints import capabilities  # noqa: F401  (checkpoint.view)
from fangxian.checkpoints.selectors_live import gate_day_figures
from fangxian.command.daily import DailySection, register_daily_section
from fangxian.core.panels import HomePanel, register_home_panel
from fangxian.core.scoping import Actor

LABELS = {
    "entries": _("People let in"),
    "exits": _("People let out"),
    "denied": _("Turned back at the gate"),
    "fevers": _("Fevers at the gate"),
    "visitors": _("Visitors registered"),
    "deliveries": _("Deliveries left at the gate"),
}


def gate_figures(actor: Actor, area_code: str, date: dt.date) -> dict[str, int]:
    return gate_day_figures(actor=actor, area_code=area_code, day=date)


GATES = register_daily_section(
    DailySection(key="gates", title=_("Checkpoints"), labels=LABELS, figures=gate_figures, order=40)
)


def gates_today_panel(actor: Actor) -> dict[str, Any] | None:
    """Today at the gates of my areas; nothing for somebody who reaches no area (a resident)."""
    areas = list(actor.area_prefixes)
    if not areas:
        return None
    today = timezone.localdate()
    totals = dict.fromkeys(LABELS, 0)
    for area_code in areas:
        for name, value in gate_day_figures(actor=actor, area_code=area_code, day=today).items():
            totals[name] += value
    return {"figures": [{"key": key, "label": LABELS[key], "value": totals[key]} for key in LABELS]}


register_home_panel(
    HomePanel("checkpoints.today", "checkpoints/_home_gates.html", gates_today_panel, "checkpoint.view", 40)
)
