"""Reads of the area tree: children, ancestors and the counts that dashboards show per subtree.

Every count is one query over the scoped queryset narrowed by prefix (`visible_to(actor).within(code)`),
never a walk down the tree: a city has some 29,000 grids and 10 million residents.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from fangxian.accounts.models import User
from fangxian.areas.models import Area, AreaLevel, Household
from fangxian.core.areacode import AREA_CODE_RE, LEVEL_LENGTHS, ancestor_codes
from fangxian.core.scoping import Actor
from fangxian.registry.models import Resident, ResidentStatus


def _checked(code: str) -> str:
    if not isinstance(code, str) or not AREA_CODE_RE.match(code):
        raise ValueError(f"not an area code: {code!r}")
    return code


def area_children(*, actor: Actor, code: str) -> QuerySet[Area]:
    """The areas one level below `code` that the actor may see ("" gives the provinces)."""
    _checked(code)
    areas = Area.objects.visible_to(actor)
    areas = areas.filter(parent_id=code) if code else areas.filter(parent__isnull=True)
    return areas.order_by("code")


def area_ancestors(code: str) -> list[Area]:
    """The areas above `code`, top first, in one query by the prefixes of the code.

    Not scoped: the names of a province, city or street are public statistics that every page's
    breadcrumb shows. Callers link only to the ancestors the actor reaches.
    """
    return list(Area.objects.filter(code__in=ancestor_codes(_checked(code))).order_by("level"))


def area_subtree_counts(*, actor: Actor, code: str) -> dict[str, Any]:
    """How much lies below `code` for this actor: areas per level, households, residents, users.

    `levels` lists the levels below the area itself, each with a label in the active language.
    Residents count only those living here now. Every figure is one query through the actor's
    scope, so an actor asking about a subtree outside their jurisdiction gets zeros, not an error.
    """
    _checked(code)
    per_level = dict(
        Area.objects.visible_to(actor)
        .within(code)
        .filter(level__gt=len(code))
        .values("level")
        .annotate(n=Count("code"))
        .order_by("level")
        .values_list("level", "n")
    )
    labels = dict(AreaLevel.choices)
    return {
        "levels": [
            {"level": level, "label": str(labels[level]), "count": per_level[level]}
            for level in LEVEL_LENGTHS
            if per_level.get(level)
        ],
        "households": Household.objects.visible_to(actor).within(code).count(),
        "residents": Resident.objects.visible_to(actor).within(code).filter(status=ResidentStatus.ACTIVE).count(),
        "users": User.objects.visible_to(actor)
        .filter(is_active=True, role_assignments__area_code__within=code, role_assignments__active=True)
        .values("pk")
        .distinct()
        .count(),
    }


def area_children_counts(*, actor: Actor, codes: Iterable[str]) -> dict[str, dict[str, int]]:
    """Households and active residents below each of `codes` (siblings, usually), for tables of children.

    One grouped query per model and code length, instead of two counts per row of the table.
    """
    codes = [_checked(code) for code in codes if code]
    result: dict[str, dict[str, int]] = {code: {"households": 0, "residents": 0} for code in codes}
    by_length: dict[int, list[str]] = {}
    for code in codes:
        by_length.setdefault(len(code), []).append(code)
    for length, group in by_length.items():
        within = Q()
        for code in group:
            within |= Q(area_code__within=code)
        sources: list[tuple[str, QuerySet]] = [
            ("households", Household.objects.visible_to(actor)),
            ("residents", Resident.objects.visible_to(actor).filter(status=ResidentStatus.ACTIVE)),
        ]
        for key, queryset in sources:
            rows = (
                queryset.filter(within)
                .annotate(prefix=Substr("area_code", 1, length))
                .values("prefix")
                .annotate(n=Count("pk"))
                .order_by()
                .values_list("prefix", "n")
            )
            for prefix, count in rows:
                if prefix in result:
                    result[prefix][key] = count
    return result
