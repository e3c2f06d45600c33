"""Reads of the care part: plans, visits, overdue visits, counts of vulnerable people."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from fangxian.accounts.models import RoleAssignment
from fangxian.core.areacode import LEVEL_LENGTHS
from fangxian.core.roles import Role
from fangxian.core.scoping import Actor
from fangxian.registry.models import Resident, ResidentStatus, Vulnerability
from fangxian.registry.models.care import CarePlan, CareVisit, VulnerabilityDetail

# Who may visit (as services.care.VISITOR_ROLES; repeated here so that reads do not import writes).
VISITOR_ROLES = (Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.COMMANDER)


def care_plans_with_visitor_state(plans: QuerySet[CarePlan]) -> QuerySet[CarePlan]:
    """Annotate `visitor_missing`: the plan has no visitor (the resident moved to a grid their visitor
    did not cover), or the visitor holds no active visitor role over the plan's grid any more (they
    left). The SQL twin of `services.care.care_plan_visitor_missing`, one correlated EXISTS for a
    whole page: with no visitor, `user_id = NULL` matches no assignment, so NOT EXISTS is true."""
    covers = Q()
    for length in LEVEL_LENGTHS:
        covers |= Q(area_code=Substr(OuterRef("area_code"), 1, length))
    roles = RoleAssignment.objects.filter(
        covers, user_id=OuterRef("visitor_id"), user__is_active=True, active=True, role__in=VISITOR_ROLES
    )
    return plans.annotate(visitor_missing=~Exists(roles))


def care_plan_list(
    *,
    actor: Actor,
    overdue: bool = False,
    needs_visitor: bool = False,
    ended: bool = False,
    today: dt.date | None = None,
) -> QuerySet[CarePlan]:
    """The active plans, next due first; with `ended`, the ended plans instead, last ended first
    (the other filters then do not apply: an ended plan is neither due nor visited)."""
    plans = CarePlan.objects.visible_to(actor).select_related("resident", "visitor")
    if ended:
        return care_plans_with_visitor_state(plans.filter(active=False)).order_by(
            F("ended_on").desc(nulls_last=True), "-id"
        )
    plans = plans.filter(active=True)
    if overdue:
        plans = plans.filter(next_due_on__lt=today or timezone.localdate())
    plans = care_plans_with_visitor_state(plans)
    if needs_visitor:
        plans = plans.filter(visitor_missing=True)
    return plans.order_by("next_due_on", "id")


def care_visits_overdue(*, actor: Actor, today: dt.date | None = None) -> QuerySet[CarePlan]:
    """The active plans the actor is the visitor of whose next visit is past due, oldest first."""
    if actor.user is None:
        return CarePlan.objects.none()
    return care_plan_list(actor=actor, overdue=True, today=today).filter(visitor=actor.user)


def care_residents_unplanned(*, actor: Actor) -> QuerySet[Resident]:
    """Vulnerable residents living here who have no active care plan yet: whom to plan care for."""
    tagged = Vulnerability.objects.visible_to(actor).values("resident_id")
    planned = CarePlan.objects.visible_to(actor).filter(active=True).values("resident_id")
    return (
        Resident.objects.visible_to(actor)
        .filter(pk__in=tagged, status=ResidentStatus.ACTIVE)
        .exclude(pk__in=planned)
        .order_by("area_code", "id")
    )


def vulnerability_details(*, actor: Actor, vulnerabilities: Iterable[Vulnerability]) -> dict[int, VulnerabilityDetail]:
    """The details (grade, disease, care level) of the given tags that the actor may see, by tag id."""
    return {
        detail.vulnerability_id: detail
        for detail in VulnerabilityDetail.objects.visible_to(actor).filter(vulnerability__in=list(vulnerabilities))
    }


def care_plan_visits(*, actor: Actor, plan: CarePlan) -> QuerySet[CareVisit]:
    return CareVisit.objects.visible_to(actor).filter(plan=plan).select_related("visitor")


def care_vulnerable_counts(*, actor: Actor, codes: Iterable[str]) -> dict[str, int]:
    """Vulnerable people (active residents with at least one tag) below each of `codes`.

    One grouped query per code length (like areas' `area_children_counts`): counts distinct
    residents, so a person with two tags counts once.
    """
    codes = [code for code in codes if code]
    result = dict.fromkeys(codes, 0)
    by_length: dict[int, list[str]] = {}
    for code in codes:
        by_length.setdefault(len(code), []).append(code)
    for length, group in by_length.items():
        within = Q()
        for code in group:
            within |= Q(area_code__within=code)
        rows = (
            Vulnerability.objects.visible_to(actor)
            .filter(within, resident__status=ResidentStatus.ACTIVE)
            .annotate(prefix=Substr("area_code", 1, length))
            .values("prefix")
            .annotate(n=Count("resident_id", distinct=True))
            .order_by()
            .values_list("prefix", "n")
        )
        for prefix, count in rows:
            if prefix in result:
                result[prefix] = count
    return result
