"""The supplies part of the community's daily report, and the supplies panel on the home page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangxian.command.daily import DailySection, register_daily_section
from fangxian.core.panels import HomePanel, register_home_panel
from fangxian.core.scoping import Actor
from fangxian.supplies import capabilities  # noqa: F401  (supplies.view)
from fangxian.supplies.selectors.numbers import stock_days, supplies_numbers

LABELS = {
    "items_short": _("Items with less than a week of supply"),
    "lots_expiring": _("Lots expiring within 30 days"),
    "requests_open": _("Supply requests open"),
    "disinfection_done": _("Disinfections done today"),
    "disinfection_overdue": _("Disinfection points overdue"),
}
PANEL_ITEMS = 6


def supplies_figures(actor: Actor, area_code: str, date: dt.date) -> dict[str, int]:
    numbers = supplies_numbers(actor=actor, area_code=area_code, day=date)
    return {key: numbers[key] for key in LABELS}


SUPPLIES = register_daily_section(
    DailySection(key="supplies", title=_("Supplies"), labels=LABELS, figures=supplies_figures, order=50)
)


def supplies_panel(actor: Actor) -> dict[str, Any] | None:
    """Stock and days of supply of my areas' main items, and the day's counts; nothing without stores."""
    areas = list(actor.area_prefixes)
    if not areas:
        return None
    today = timezone.localdate()
    totals = dict.fromkeys(LABELS, 0)
    stock: list[dict[str, object]] = []
    for area_code in areas:
        rows = stock_days(actor=actor, area_code=area_code, day=today)
        numbers = supplies_numbers(actor=actor, area_code=area_code, day=today, stock=rows)
        for name in LABELS:
            totals[name] += numbers[name]
        stock += rows
    if not stock and not any(totals.values()):
        return None
    stock.sort(key=lambda row: (row["days"] is None, row["days"] or 0))
    return {
        "stock": stock[:PANEL_ITEMS],
        "figures": [{"key": key, "label": LABELS[key], "value": totals[key]} for key in LABELS],
    }


register_home_panel(HomePanel("supplies.today", "supplies/_home_supplies.html", supplies_panel, "supplies.view", 45))
