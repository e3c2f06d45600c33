"""Writes of the party part: registration of party members, their status, tasks for them."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangxian.accounts.models import User
from fangxian.core.areacode import LEVEL_LENGTHS
from fangxian.core.errors import DomainError, NotFound, PermissionDenied
from fangxian.core.scoping import Actor
from fangxian.registry import capabilities_care  # noqa: F401  (until apps.ready imports it)
from fangxian.registry.models import Resident
from fangxian.registry.models.party import PartyMember, PartyMemberStatus


def _require(actor: Actor, capability: str, message: str) -> None:
    if not actor.is_system and not actor.can(capability):
        raise PermissionDenied(message)


def _member(actor: Actor, member: PartyMember | int) -> PartyMember:
    pk = member.pk if isinstance(member, PartyMember) else member
    found = PartyMember.objects.visible_to(actor).filter(pk=pk).first() if isinstance(pk, int) else None
    if found is None:
        raise NotFound(_("Not found."))
    return found


def party_member_register(
    *,
    actor: Actor,
    name: str,
    branch: str,
    area_code: str = "",
    resident: Resident | int | None = None,
    user: User | int | None = None,
    employer: str = "",
    availability: str = "",
    skills: str = "",
    registered_on: dt.date | None = None,
) -> PartyMember:
    """Register a party member with the community they live in (双报到)."""
    _require(actor, "party.manage", _("Your role may not register party members."))
    if resident is not None and not isinstance(resident, Resident):
        found = Resident.objects.visible_to(actor).filter(pk=resident).first() if isinstance(resident, int) else None
        if found is None:
            raise DomainError(_("Choose a resident of your community."), code="resident_invalid", field="resident")
        resident = found
    if resident is not None:
        area_code = resident.area_code
        name = name or resident.name
    if not isinstance(area_code, str) or len(area_code) not in LEVEL_LENGTHS[-2:] or not actor.reaches(area_code):
        raise DomainError(
            _("Choose a community or grid in your jurisdiction."), code="area_out_of_reach", field="area_code"
        )
    if user is not None and not isinstance(user, User):
        user = User.objects.filter(pk=user, is_active=True).first() if isinstance(user, int) else None
        if user is None:
            raise DomainError(_("No such user account."), code="user_invalid", field="user")
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the member's name."), code="name_required", field="name")
    branch = (branch or "").strip()
    if not branch:
        raise DomainError(_("Give the party branch of their employer."), code="branch_required", field="branch")
    with transaction.atomic():
        if user is not None and PartyMember.objects.filter(user=user).exists():
            raise DomainError(_("This user is already registered."), code="already_registered", field="user")
        member = PartyMember(
            area_code=area_code,
            name=name,
            resident=resident,
            user=user,
            branch=branch,
            employer=(employer or "").strip(),
            skills=(skills or "").strip(),
            registered_on=registered_on or timezone.localdate(),
        )
        if availability:
            member.availability = availability
        member.full_clean()
        member.save()
    return member


def party_member_join(
    *,
    actor: Actor,
    branch: str,
    employer: str = "",
    availability: str = "",
    skills: str = "",
) -> PartyMember:
    """A party member living here reports home themselves, from their resident account.

    They are filed under the grid of their household and wait, "registered", for the community to
    confirm them (status "active").
    """
    _require(actor, "party.join", _("Only residents can report home themselves."))
    grants = [g for g in actor.grants if g.household_id and g.area_code]
    if actor.user is None or not grants:
        raise PermissionDenied(_("Only residents can report home themselves."))
    user = actor.user
    name = (user.display_name or user.get_full_name() or user.username)[:50]
    with transaction.atomic():
        existing = PartyMember.objects.filter(user=user).first()
        if existing is not None:
            raise DomainError(_("You have already reported home."), code="already_registered")
        member = PartyMember(
            area_code=grants[0].area_code,
            name=name,
            user=user,
            branch=(branch or "").strip(),
            employer=(employer or "").strip(),
            skills=(skills or "").strip(),
            registered_on=timezone.localdate(),
        )
        if availability:
            member.availability = availability
        if not member.branch:
            raise DomainError(_("Give the party branch of your employer."), code="branch_required", field="branch")
        member.full_clean()
        member.save()
    return member


def party_member_update(
    *,
    actor: Actor,
    member: PartyMember | int,
    status: str | None = None,
    availability: str | None = None,
    skills: str | None = None,
) -> PartyMember:
    _require(actor, "party.manage", _("Your role may not change party members."))
    member = _member(actor, member)
    if status is not None:
        if status not in PartyMemberStatus.values:
            raise DomainError(_("Unknown status."), code="status_invalid", field="status")
        member.status = status
    if availability is not None:
        member.availability = availability
    if skills is not None:
        member.skills = skills.strip()
    member.full_clean()
    member.save()
    return member


def party_member_assign_task(
    *,
    actor: Actor,
    member: PartyMember | int,
    title: str,
    due_at: dt.datetime | None = None,
    description: str = "",
):
    """Give a party member a task through the command app's inbox."""
    from fangxian.command.models import TaskSource
    from fangxian.command.services.tasks import task_create

    _require(actor, "party.manage", _("Your role may not give party members tasks."))
    member = _member(actor, member)
    if member.user_id is None:
        raise DomainError(_("This member has no user account: link one before giving them tasks."), code="no_account")
    if member.status in (PartyMemberStatus.LEFT, PartyMemberStatus.UNAVAILABLE):
        raise DomainError(_("This member is not available."), code="member_unavailable")
    from fangxian.command.services.tasks import task_eligible_assignees

    if not task_eligible_assignees(actor=actor, area_code=member.area_code).filter(pk=member.user_id).exists():
        # A resident account alone has no task inbox: the member needs a working role here.
        raise DomainError(
            _("This member's account holds no role in the community (a volunteer role, for one): grant one first."),
            code="member_without_role",
        )
    return task_create(
        actor=actor,
        title=title,
        area_code=member.area_code,
        assignees=[member.user_id],
        due_at=due_at,
        source=TaskSource.OTHER,
        # A task with the same reference still open would be returned instead of a new one: each
        # task of a member gets its own suffix, so a member can hold several at once.
        source_ref=f"{member.source_ref}#{uuid.uuid4().hex[:12]}",
        description=description,
    )
