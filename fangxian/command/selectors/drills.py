"""Reads of drills: lists, one drill with its timeline and findings, the people who may take part."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from fangxian.accounts.models import RoleAssignment, User
from fangxian.command.models import Drill, DrillFinding, DrillTimelineEntry, Plan
from fangxian.command.models.drills import DrillStatus
from fangxian.core.capabilities import CAPABILITY_ROLES
from fangxian.core.roles import AREA_REACH_ROLES, Role
from fangxian.core.scoping import Actor


# Who can be named as a participant: anybody with an account in the community except residents
# (volunteers and guards take part in drills; residents are named in the free-text field).
def participant_roles() -> frozenset[str]:
    """Who may be named in a drill: those who may then open it (the drill.view capability)."""
    from fangxian.core.capabilities import CAPABILITY_ROLES

    return CAPABILITY_ROLES["drill.view"] - {Role.RESIDENT}


def capability_reaches(actor: Actor, capability: str, area_code: str) -> bool:
    """Whether the actor holds `capability` through a grant whose area covers `area_code`.

    `actor.can()` says the actor holds the capability somewhere; a commander of community A who is
    also a grid worker in community B must not manage B's drills through the grid role.
    """
    if actor.is_system:
        return True
    if not actor.can(capability):
        return False
    roles = CAPABILITY_ROLES[capability]
    return any(
        grant.role in roles and grant.role in AREA_REACH_ROLES and area_code.startswith(grant.area_code)
        for grant in actor.grants
    )


def drill_list(*, actor: Actor, status: str = "", area_code: str = "") -> QuerySet[Drill]:
    """Drills the actor sees: running first, then upcoming, then past, with counts for the list."""
    drills = Drill.objects.visible_to(actor)
    if area_code:
        drills = drills.within(area_code)
    if status in DrillStatus.values:
        drills = drills.filter(status=status)
    return drills.select_related("plan").annotate(
        open_findings=Count("findings", filter=Q(findings__outcome="open"), distinct=True),
    )


def drill_get(*, actor: Actor, drill_id: int) -> Drill:
    """One drill with its timeline, findings and participants, or 404 alike for missing and elsewhere."""
    return (
        Drill.objects.visible_to(actor)
        .select_related("plan", "created_by")
        .prefetch_related(
            Prefetch("timeline", queryset=DrillTimelineEntry.objects.select_related("by").order_by("at", "id")),
            Prefetch("findings", queryset=DrillFinding.objects.select_related("task", "plan_version").order_by("id")),
            "participants",
        )
        .get_visible(actor, pk=drill_id)
    )


def drill_plan_choices(*, actor: Actor) -> QuerySet[Plan]:
    """The plans the actor may schedule a drill of: visible, in an area where they hold drill.manage."""
    plans = Plan.objects.visible_to(actor).order_by("area_code", "title")
    if actor.is_system:
        return plans
    prefixes = [g.area_code for g in actor.grants if g.role in CAPABILITY_ROLES["drill.manage"]]
    if not prefixes:
        return plans.none()
    within = Q()
    for prefix in prefixes:
        within |= Q(area_code__within=prefix)
    return plans.filter(within)


def drill_participant_choices(*, actor: Actor, area_code: str) -> QuerySet[User]:
    """Users with an account in the community of `area_code` whom the actor sees, by name."""
    community = area_code[:12]
    assigned = RoleAssignment.objects.filter(
        active=True, role__in=sorted(participant_roles()), area_code__within=community
    ).values("user_id")
    return User.objects.visible_to(actor).filter(is_active=True, pk__in=assigned).order_by("display_name", "username")


def drill_timeline(*, actor: Actor, drill: Drill) -> QuerySet[DrillTimelineEntry]:
    return DrillTimelineEntry.objects.visible_to(actor).filter(drill=drill).select_related("by").order_by("at", "id")


def drill_findings(*, actor: Actor, drill: Drill) -> QuerySet[DrillFinding]:
    return (
        DrillFinding.objects.visible_to(actor)
        .filter(drill=drill)
        .select_related("task", "plan_version", "acted_by")
        .order_by("id")
    )


def drill_finding_get(*, actor: Actor, finding_id: int) -> DrillFinding:
    return DrillFinding.objects.get_visible(actor, pk=finding_id)
