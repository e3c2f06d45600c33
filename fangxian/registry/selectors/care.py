"""Reads of the care part: plans, visits, overdue visits, counts of vulnerable people."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from fangxian.core.scoping import Actor
from fangxian.registry.models import Resident, ResidentStatus, Vulnerability
from fangxian.registry.models.care import CarePlan, CareVisit


def care_plan_list(*, actor: Actor, overdue: bool = False, today: dt.date | None = None) -> QuerySet[CarePlan]:
    plans = CarePlan.objects.visible_to(actor).filter(active=True).select_related("resident", "visitor")
    if overdue:
        plans = plans.filter(next_due_on__lt=today or timezone.localdate())
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
