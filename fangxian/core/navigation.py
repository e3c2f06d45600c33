"""The navigation bar: each app registers its entries with the capability that shows them.

Entries with a `group` are shown together under one drop-down (a phone has room for few words).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fangxian.core.scoping import Actor


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    capability: str | None = None
    order: int = 100
    group: str | Promise | None = None


NAV_ITEMS: list[NavItem] = []


def register_nav(*items: NavItem) -> None:
    NAV_ITEMS.extend(items)
    NAV_ITEMS.sort(key=lambda item: item.order)


def nav_for(actor: Actor) -> list[dict[str, Any]]:
    """Entries and drop-downs the actor may use, in order; a drop-down sits where its first entry does."""
    if actor is None or not actor.is_authenticated:
        return []
    result: list[dict[str, Any]] = []
    groups: dict[str, dict[str, Any]] = {}
    for item in NAV_ITEMS:
        if item.capability is not None and not actor.can(item.capability):
            continue
        entry = {"label": str(item.label), "url": reverse(item.url_name), "name": item.url_name}
        if item.group is None:
            result.append(entry)
            continue
        key = str(item.group)
        if key not in groups:
            groups[key] = {"label": key, "children": [], "names": []}
            result.append(groups[key])
        groups[key]["children"].append(entry)
        groups[key]["names"].append(item.url_name)
    return result


register_nav(
    NavItem(_("Home"), "core:home", None, 0),
    NavItem(_("Areas"), "areas:browse", "area.view", 10),
    NavItem(_("Import areas"), "areas:import", "area.manage", 70),
    NavItem(_("Audit trail"), "core:audit", "audit.view", 80),
    NavItem(_("Users"), "accounts:users", "user.view", 85),
)
