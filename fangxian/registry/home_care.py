"""The care part's home-page panel: vulnerable people per area below mine, and my overdue visits."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from fangxian.areas.models import Area
from fangxian.core.areacode import LEVEL_LENGTHS
from fangxian.core.panels import HomePanel, register_home_panel
from fangxian.core.scoping import Actor
from fangxian.registry import capabilities_care  # noqa: F401  (the panel's capability)
from fangxian.registry.selectors.care import care_visits_overdue, care_vulnerable_counts

AREAS_SHOWN = 40


def care_panel(actor: Actor) -> dict[str, Any] | None:
    """Counts of vulnerable people for my areas and the level below (one grouped query per level)."""
    tops = list(actor.personal_prefixes)
    if not tops:
        return None
    child_lengths = {LEVEL_LENGTHS[LEVEL_LENGTHS.index(len(p)) + 1] for p in tops if len(p) in LEVEL_LENGTHS[:-1]}
    children = list(
        Area.objects.visible_to(actor)
        .filter(level__in=child_lengths)
        .order_by("code")
        .only("code", "name")[:AREAS_SHOWN]
    )
    children = [child for child in children if any(child.code.startswith(p) for p in tops)]
    counts = care_vulnerable_counts(actor=actor, codes=tops + [child.code for child in children])
    overdue = []
    if actor.can("care.visit"):
        overdue = list(care_visits_overdue(actor=actor).select_related("resident")[:5])
    return {
        "total": sum(counts.get(code, 0) for code in tops),
        "children": [{"area": child, "count": counts.get(child.code, 0)} for child in children],
        "overdue": overdue,
        "title": gettext_lazy("Vulnerable people"),
    }


register_home_panel(HomePanel("registry.care", "registry/care/_home_care.html", care_panel, "care.counts", 30))
