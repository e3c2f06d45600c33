"""Panels of the home page: each app adds what a person should see first when they open fangxian.

A panel is a template and a function computing its context for the actor (through the app's own
selectors, so scoping applies). The home page renders the panels whose capability the actor
holds, in order; each panel costs a constant number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fangxian.core.scoping import Actor


@dataclass(frozen=True)
class HomePanel:
    key: str
    template: str
    context: Callable[[Actor], dict[str, Any] | None]
    capability: str | None = None
    order: int = 100


HOME_PANELS: dict[str, HomePanel] = {}


def register_home_panel(panel: HomePanel) -> HomePanel:
    HOME_PANELS[panel.key] = panel
    return panel


def home_panels(actor: Actor) -> list[dict[str, Any]]:
    """The panels to show, each as {"template", "context"}; a panel whose context is None is skipped."""
    shown = []
    for panel in sorted(HOME_PANELS.values(), key=lambda p: (p.order, p.key)):
        if panel.capability and not actor.can(panel.capability):
            continue
        context = panel.context(actor)
        if context is not None:
            shown.append({"key": panel.key, "template": panel.template, "context": context})
    return shown


# Banners shown on every page (the active emergency and its level, for one): functions of the
# actor returning {"template": ..., "context": ...} or None. Keep each to one indexed query.
PAGE_BANNERS: list[Callable[[Actor], dict[str, Any] | None]] = []


def register_page_banner(function: Callable[[Actor], dict[str, Any] | None]) -> Callable:
    PAGE_BANNERS.append(function)
    return function


def page_banners(actor: Actor) -> list[dict[str, Any]]:
    if actor is None or not actor.is_authenticated or actor.is_system:
        return []
    return [banner for function in PAGE_BANNERS if (banner := function(actor)) is not None]
