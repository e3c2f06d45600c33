"""The navigation bar: each app registers its entries with the capability that shows them."""

from __future__ import annotations

from dataclasses import dataclass

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


NAV_ITEMS: list[NavItem] = []


def register_nav(*items: NavItem) -> None:
    NAV_ITEMS.extend(items)
    NAV_ITEMS.sort(key=lambda item: item.order)


def nav_for(actor: Actor) -> list[dict[str, str]]:
    if actor is None or not actor.is_authenticated:
        return []
    return [
        {"label": str(item.label), "url": reverse(item.url_name), "name": item.url_name}
        for item in NAV_ITEMS
        if item.capability is None or actor.can(item.capability)
    ]


register_nav(
    NavItem(_("Home"), "core:home", None, 0),
    NavItem(_("Areas"), "areas:browse", "area.view", 10),
    NavItem(_("Import areas"), "areas:import", "area.manage", 70),
    NavItem(_("Audit trail"), "core:audit", "audit.view", 80),
    NavItem(_("Users"), "accounts:users", "user.view", 85),
)
