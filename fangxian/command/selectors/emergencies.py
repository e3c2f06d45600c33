"""Reads of emergencies: the one `active_emergency(area_code)` other apps call, lists, history."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.db.models.functions import Length

from fangxian.areas.models import Area
from fangxian.command.models import Emergency, EmergencyLevelChange, PlanActivation
from fangxian.core.areacode import AREA_CODE_RE, LEVEL_LENGTHS, ancestor_codes
from fangxian.core.roles import Role
from fangxian.core.scoping import Actor

# The area levels at which each role may declare an emergency (digits of the code).
DECLARE_LENGTHS: dict[str, tuple[int, ...]] = {
    Role.COMMANDER: (12,),
    Role.STREET_OFFICIAL: (9,),
    Role.DISTRICT_OFFICIAL: (6, 9),
    Role.CITY_OFFICIAL: (4, 6, 9),
}


def _gravest_first(queryset: QuerySet[Emergency]) -> QuerySet[Emergency]:
    # Gravest level first (I = 1), then the most specific area (longest code), then the newest.
    return queryset.order_by("level", Length("area_code").desc(), "-started_at", "-pk")


def active_emergency(area_code: str) -> Emergency | None:
    """The active emergency that covers `area_code`: its own or one declared over an ancestor.

    When several cover it (a street's epidemic and the community's flood), the gravest level wins,
    then the most specific area. One query on the partial index of active emergencies
    (`area_code IN (the code and its ancestors) AND ended_at IS NULL`).

    Not scoped by an actor on purpose: it answers a policy question about a place ("what level
    applies at this gate?") for other apps and jobs, and the existence and level of an emergency
    over an area is shown on every page of that area. Callers that show more than the level to a
    person read the emergency again through `emergency_get(actor=...)`.
    """
    if not isinstance(area_code, str) or not AREA_CODE_RE.match(area_code) or not area_code:
        raise ValueError(f"not an area code: {area_code!r}")
    codes = [*ancestor_codes(area_code), area_code]
    return _gravest_first(Emergency.objects.filter(area_code__in=codes, ended_at__isnull=True)).first()


def emergency_list(*, actor: Actor, state: str = "", area_code: str = "") -> QuerySet[Emergency]:
    """Emergencies the actor sees, active ones first, newest first within each group."""
    emergencies = Emergency.objects.visible_to(actor)
    if area_code:
        emergencies = emergencies.within(area_code)
    if state == "active":
        emergencies = emergencies.filter(ended_at__isnull=True)
    elif state == "ended":
        emergencies = emergencies.filter(ended_at__isnull=False)
    active_first = Case(When(ended_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField())
    return emergencies.annotate(active_rank=active_first).order_by("active_rank", "-started_at", "-pk")


def emergency_get(*, actor: Actor, emergency_id: int) -> Emergency:
    """One emergency, or Http404 alike for missing and outside the jurisdiction."""
    return Emergency.objects.get_visible(actor, pk=emergency_id)


def emergency_level_history(*, actor: Actor, emergency: Emergency) -> QuerySet[EmergencyLevelChange]:
    return (
        EmergencyLevelChange.objects.visible_to(actor)
        .filter(emergency=emergency)
        .select_related("changed_by")
        .order_by("changed_at", "id")
    )


def emergency_plan_activations(*, actor: Actor, emergency: Emergency) -> QuerySet[PlanActivation]:
    """The plans activated for this emergency in the actor's jurisdiction (a street sees all its communities)."""
    return (
        PlanActivation.objects.visible_to(actor)
        .filter(emergency=emergency)
        .select_related("plan", "version", "activated_by")
        .order_by("-activated_at", "-pk")
    )


def emergency_covering_list(*, actor: Actor, area_code: str) -> list[Emergency]:
    """Active emergencies covering `area_code` that the actor sees, gravest first (for choosing one)."""
    codes = [*ancestor_codes(area_code), area_code]
    return list(_gravest_first(Emergency.objects.visible_to(actor).filter(area_code__in=codes, ended_at__isnull=True)))


def can_declare_over(actor: Actor, area_code: str) -> bool:
    """Whether one of the actor's grants lets it declare an emergency over `area_code`."""
    if actor.is_system:
        return len(area_code) in LEVEL_LENGTHS
    return any(
        area_code.startswith(grant.area_code) and len(area_code) in DECLARE_LENGTHS.get(grant.role, ())
        for grant in actor.grants
    )


def declarable_areas(*, actor: Actor, limit: int = 500) -> list[Area]:
    """The areas the actor may declare an emergency over: its communities, or its streets and above."""
    lengths = {
        length
        for grant in actor.grants
        for length in DECLARE_LENGTHS.get(grant.role, ())
        if length >= len(grant.area_code)
    }
    if not lengths:
        return []
    areas = Area.objects.visible_to(actor).filter(level__in=sorted(lengths)).order_by("code")
    return [area for area in areas[:limit] if can_declare_over(actor, area.code)]


def emergency_banner(actor: Actor) -> dict[str, Any] | None:
    """The banner on every page: the gravest active emergency over the actor's own areas.

    Officials also see how many are active below them. One query, at most 50 rows.
    """
    if not actor.grants:
        return None
    rows = list(_gravest_first(Emergency.objects.visible_to(actor).filter(ended_at__isnull=True))[:50])
    if not rows:
        return None
    own = {grant.area_code for grant in actor.grants if grant.area_code}
    covering = [e for e in rows if any(code.startswith(e.area_code) for code in own)]
    below = [e for e in rows if e not in covering]
    if not covering and not below:
        return None
    return {
        "template": "command/emergencies/_banner.html",
        "context": {
            "emergency": covering[0] if covering else None,
            "others": len(covering) - 1 if covering else 0,
            "below": below[:5],
            "below_count": len(below),
            "can_view": actor.can("emergency.view"),
        },
    }
