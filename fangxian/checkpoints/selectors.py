"""Reads of the checkpoints app: every one starts from visible_to(actor), except the policy in force.

`gate_policy_in_force(community)` is a rule, not a read for a person: like `active_emergency`, it
answers "what applies at this gate now?" and is called by the scan service for any actor.
"""

from __future__ import annotations

from django.db.models import QuerySet

from fangxian.checkpoints.models import Checkpoint, GatePolicy, Pass, Visitor
from fangxian.checkpoints.models.gates import COMMUNITY_LENGTH, default_fever_celsius
from fangxian.command.models import Emergency
from fangxian.command.selectors.emergencies import active_emergency
from fangxian.core.scoping import Actor


def checkpoint_list(*, actor: Actor, area_code: str = "", active_only: bool = False) -> QuerySet[Checkpoint]:
    checkpoints = Checkpoint.objects.visible_to(actor)
    if area_code:
        checkpoints = checkpoints.within(area_code)
    if active_only:
        checkpoints = checkpoints.filter(active=True)
    return checkpoints


def checkpoint_get(*, actor: Actor, checkpoint_id: int) -> Checkpoint:
    return Checkpoint.objects.get_visible(actor, pk=checkpoint_id)


def pass_get(*, actor: Actor, pass_id: int) -> Pass:
    return Pass.objects.select_related("household__building", "household__unit", "resident").get_visible(
        actor, pk=pass_id
    )


def visitor_list(*, actor: Actor, status: str = "", area_code: str = "") -> QuerySet[Visitor]:
    visitors = Visitor.objects.visible_to(actor)
    if area_code:
        visitors = visitors.within(area_code)
    if status:
        visitors = visitors.filter(status=status)
    return visitors


def visitor_get(*, actor: Actor, visitor_id: int) -> Visitor:
    return Visitor.objects.get_visible(actor, pk=visitor_id)


def open_policy(community_code: str) -> GatePolicy:
    """The policy with no emergency (or no row for its level): open gates; only the fever rule applies."""
    return GatePolicy(area_code=community_code, level=0, fever_celsius=default_fever_celsius())


def gate_policy_in_force(area_code: str) -> tuple[GatePolicy, Emergency | None]:
    """The policy of the community of `area_code` now, and the emergency that selects it (or None).

    The active emergency over the community (its own or an ancestor's, the gravest first) gives the
    level; the community's GatePolicy row of that level applies. No emergency, or no row for the
    level: the open policy (an unsaved row, `level` 0).
    """
    community = area_code[:COMMUNITY_LENGTH]
    emergency = active_emergency(community)
    if emergency is None:
        return open_policy(community), None
    policy = GatePolicy.objects.filter(area_code=community, level=emergency.level).first()
    return (policy or open_policy(community)), emergency
