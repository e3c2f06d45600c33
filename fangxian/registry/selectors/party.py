"""Reads of the party part: party members who reported to the community."""

from __future__ import annotations

from django.db.models import QuerySet

from fangxian.core.scoping import Actor
from fangxian.registry.models.party import PartyMember


def party_member_list(*, actor: Actor, status: str = "", query: str = "") -> QuerySet[PartyMember]:
    members = PartyMember.objects.visible_to(actor).select_related("user")
    if status:
        members = members.filter(status=status)
    if query:
        members = members.filter(skills__icontains=query[:50]) | members.filter(name__icontains=query[:50])
    return members.order_by("area_code", "id")


def party_member_tasks(*, actor: Actor, member: PartyMember) -> QuerySet:
    from fangxian.command.models import Task

    return Task.objects.visible_to(actor).filter(source_ref__startswith=f"{member.source_ref}#").order_by("-pk")
