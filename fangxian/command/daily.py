"""The daily report's sections: every app contributes the figures of its day.

An app registers a `DailySection` (usually in its own `daily.py`, imported by its AppConfig.ready):
a key, a title, labels of its figures, and a function computing them for an actor, an area and a
date through the app's selectors (so scoping applies). The report freezes the figures at
submission; roll-ups sum them across communities.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.functional import Promise

from fangxian.core.scoping import Actor

FigureFunction = Callable[[Actor, str, dt.date], dict[str, int]]


@dataclass(frozen=True)
class DailySection:
    key: str
    title: str | Promise
    labels: dict[str, str | Promise]
    figures: FigureFunction
    order: int = 100
    extra: dict = field(default_factory=dict, compare=False, hash=False)


DAILY_SECTIONS: dict[str, DailySection] = {}


def register_daily_section(section: DailySection) -> DailySection:
    DAILY_SECTIONS[section.key] = section
    return section


def daily_sections() -> list[DailySection]:
    return sorted(DAILY_SECTIONS.values(), key=lambda s: (s.order, s.key))
