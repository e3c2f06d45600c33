"""Reads of plans: lists with their review state, versions, actions grouped for reading, activations."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from fangxian.command.models import (
    Emergency,
    EmergencyKind,
    EmergencyLevel,
    Plan,
    PlanAction,
    PlanActivation,
    PlanVersion,
)
from fangxian.command.selectors.emergencies import emergency_covering_list
from fangxian.core.scoping import Actor


def plan_list(*, actor: Actor, area_code: str = "", hazard: str = "", overdue: bool = False) -> QuerySet[Plan]:
    plans = Plan.objects.visible_to(actor)
    if area_code:
        plans = plans.within(area_code)
    if hazard:
        plans = plans.filter(hazard=hazard)
    if overdue:
        plans = plans.filter(review_due_on__lte=timezone.localdate())
    return plans.select_related("current_version").order_by("area_code", "hazard", "title", "pk")


def plan_get(*, actor: Actor, plan_id: int) -> Plan:
    return Plan.objects.get_visible(actor, pk=plan_id)


def plans_due_for_review(*, actor: Actor, today: dt.date | None = None) -> QuerySet[Plan]:
    """Plans whose last review is older than their review interval (due today counts), oldest first.

    One indexed comparison on `review_due_on`, which every save of a plan keeps up to date.
    """
    today = today or timezone.localdate()
    return Plan.objects.visible_to(actor).filter(review_due_on__lte=today).order_by("review_due_on", "pk")


def plan_versions(*, actor: Actor, plan: Plan) -> QuerySet[PlanVersion]:
    return PlanVersion.objects.visible_to(actor).filter(plan=plan).select_related("created_by").order_by("-number")


def plan_version_get(*, actor: Actor, version_id: int) -> PlanVersion:
    return PlanVersion.objects.get_visible(actor, pk=version_id)


def plan_version_actions(*, actor: Actor, version: PlanVersion | None) -> list[PlanAction]:
    if version is None:
        return []
    return list(PlanAction.objects.visible_to(actor).filter(version=version).order_by("level", "duty", "order", "id"))


def plan_actions_grouped(actions: list[PlanAction]) -> list[dict[str, Any]]:
    """Actions by level (gravest last, the order they add up in) and, within a level, by duty."""
    levels: OrderedDict[int, OrderedDict[str, dict[str, Any]]] = OrderedDict()
    for action in sorted(actions, key=lambda a: (-a.level, a.duty, a.duty_label, a.order, a.pk or 0)):
        duties = levels.setdefault(action.level, OrderedDict())
        group = duties.setdefault(f"{action.duty}:{action.duty_label}", {"duty": action.duty_display, "actions": []})
        group["actions"].append(action)
    return [
        {"level": level, "label": EmergencyLevel(level).label, "duties": list(duties.values())}
        for level, duties in levels.items()
    ]


def plan_activations(*, actor: Actor, plan: Plan) -> QuerySet[PlanActivation]:
    return (
        PlanActivation.objects.visible_to(actor)
        .filter(plan=plan)
        .select_related("emergency", "version", "activated_by")
        .order_by("-activated_at", "-pk")
    )


def plan_activatable_emergencies(*, actor: Actor, plan: Plan) -> list[Emergency]:
    """Active emergencies the plan may be activated for: covering its community, of its hazard."""
    emergencies = emergency_covering_list(actor=actor, area_code=plan.area_code)
    if plan.hazard == EmergencyKind.OTHER:
        return emergencies
    return [e for e in emergencies if e.kind == plan.hazard]
