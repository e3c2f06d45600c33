"""The health part of the demo: a risk area, arrivals waiting and confirmed, a case with its reports.

Seeded after the command demo (which declares the level-II epidemic), through the app's services.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fangxian.accounts.models import RoleAssignment
from fangxian.core.roles import Role
from fangxian.core.scoping import Actor
from fangxian.health.models import RiskArea
from fangxian.health.services.arrivals import arrival_confirm, arrival_register
from fangxian.health.services.cases import health_report_add
from fangxian.health.services.checkins import health_policy_set
from fangxian.health.services.risk import risk_area_create
from fangxian.registry.models import Resident
from fangxian.registry.models.residents import ResidentStatus


def health_demo(*, actor: Actor) -> int:
    """Seed the health app around the demo commander's community; returns the arrivals made (0: skipped)."""
    if RiskArea.objects.exists():
        return 0
    commander = (
        RoleAssignment.objects.filter(role=Role.COMMANDER, user__username="commander", active=True)
        .values_list("area_code", flat=True)
        .first()
    )
    if not commander:
        return 0
    today = timezone.localdate()
    risk_area_create(
        actor=actor,
        area_code=commander[:9],
        division_code="420106",
        name="湖北省武汉市武昌区",
        level="high",
        measure="home_quarantine",
        days=14,
        since=today - dt.timedelta(days=20),
    )
    risk_area_create(
        actor=actor,
        area_code=commander[:9],
        division_code="4403",
        name="广东省深圳市",
        level="medium",
        measure="monitoring",
        days=7,
        since=today - dt.timedelta(days=5),
    )
    health_policy_set(actor=actor, community_code=commander, level=2, check_in_required=True)
    people = list(
        Resident.objects.filter(area_code__startswith=commander, status=ResidentStatus.ACTIVE).order_by("pk")[:3]
    )
    journeys = [
        ("420106", "湖北省武汉市武昌区", "train", "G1012", 3, "home_quarantine"),
        ("440305", "广东省深圳市南山区", "plane", "ZH9851", 1, None),
        ("370102", "山东省济南市历下区", "car", "鲁A·12345", 0, None),
    ]
    made = 0
    for person, (code, name, transport, detail, days_ago, confirm) in zip(people, journeys, strict=False):
        arrival = arrival_register(
            actor=actor,
            household_id=person.household_id,
            resident_id=person.pk,
            name="",
            origin_code=code,
            origin_name=name,
            arrived_on=today - dt.timedelta(days=days_ago),
            transport=transport,
            transport_detail=detail,
            companions=0,
        )
        made += 1
        if confirm:
            arrival_confirm(actor=actor, arrival_id=arrival.pk, measure=confirm)
            from fangxian.health.models import HealthCase

            case = HealthCase.objects.get(arrival=arrival)
            for hours, temperature in ((40, "36.5"), (32, "36.7"), (16, "36.6"), (8, "36.8")):
                health_report_add(
                    actor=actor, case_id=case.pk, temperature=temperature, at=timezone.now() - dt.timedelta(hours=hours)
                )
    return made
