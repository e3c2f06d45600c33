"""Reads of the command group: members per community, who holds a duty, the roster."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import QuerySet

from fangxian.accounts.models import RoleAssignment, User
from fangxian.command.models import CommandGroupMember, Duty
from fangxian.core.roles import Role
from fangxian.core.scoping import Actor


def duty_key(duty: str, duty_label: str = "") -> str:
    """Members and plan actions meet on this key: the duty, or for another duty its name too."""
    if duty == Duty.CUSTOM:
        return f"{Duty.CUSTOM}:{(duty_label or '').strip().casefold()}"
    return str(duty)


def group_member_list(
    *, actor: Actor, area_code: str = "", duty: str = "", include_inactive: bool = False
) -> QuerySet[CommandGroupMember]:
    members = CommandGroupMember.objects.visible_to(actor)
    if area_code:
        members = members.within(area_code)
    if duty:
        members = members.filter(duty=duty)
    if not include_inactive:
        members = members.filter(active=True)
    return members.select_related("user").order_by("area_code", "order", "duty", "id")


def group_member_get(*, actor: Actor, member_id: int) -> CommandGroupMember:
    return CommandGroupMember.objects.get_visible(actor, pk=member_id)


def group_member_user_choices(*, actor: Actor, limit: int = 500) -> QuerySet[User]:
    """Users the actor may put in its command group: active users of its jurisdiction."""
    return User.objects.visible_to(actor).filter(is_active=True).order_by("display_name", "username")[:limit]


def duty_holders(area_code: str, duty: str, duty_label: str = "") -> list[User]:
    """The users holding a duty in a community's command group (active members who are users).

    Called by services that have already checked the actor (plan activation); not a page's read.
    """
    ids = duty_holder_ids(area_code, [(duty, duty_label)]).get(duty_key(duty, duty_label), [])
    users = User.objects.in_bulk(ids)
    return [users[pk] for pk in ids if pk in users]


def duty_holder_ids(area_code: str, duties: Iterable[tuple[str, str]]) -> dict[str, list[int]]:
    """User ids per duty key for the given (duty, duty name) pairs, in one query on (area_code, duty)."""
    wanted = {duty_key(duty, label) for duty, label in duties}
    plain = sorted({key.split(":", 1)[0] for key in wanted})
    if not plain:
        return {}
    rows = (
        CommandGroupMember.objects.filter(
            area_code=area_code, duty__in=plain, active=True, user__isnull=False, user__is_active=True
        )
        .order_by("order", "id")
        .values_list("duty", "duty_label", "user_id")
    )
    result: dict[str, list[int]] = defaultdict(list)
    for duty, label, user_id in rows:
        key = duty_key(duty, label)
        if key in wanted and user_id not in result[key]:
            result[key].append(user_id)
    return dict(result)


def community_commander_ids(area_code: str) -> list[int]:
    """Active users holding the commander role of a community: who receives what no duty holds."""
    return list(
        RoleAssignment.objects.filter(area_code=area_code, role=Role.COMMANDER, active=True, user__is_active=True)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )
