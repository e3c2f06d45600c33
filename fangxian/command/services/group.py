"""Writes of the command group: add, edit and deactivate members; the printed roster (an export).

Members are kept, never deleted: a task or a drill may name them long after they left the group.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fangxian.accounts.models import User
from fangxian.areas.models import Area
from fangxian.command.models import CommandGroupMember, Duty, OrganisationKind
from fangxian.command.selectors.group import group_member_list
from fangxian.core.audit import audit_record
from fangxian.core.errors import DomainError, NotFound, PermissionDenied
from fangxian.core.models import AuditAction
from fangxian.core.personal import PersonalValue
from fangxian.core.scoping import Actor

COMMUNITY_LENGTH = 12
EDITABLE = ("user", "name", "organisation", "organisation_kind", "duty", "duty_label", "phone", "order")


def _require_manage(actor: Actor) -> None:
    if not actor.can("group.manage"):
        raise PermissionDenied(_("Your role may not change the command group."))


def checked_duty(duty: object, duty_label: str = "") -> tuple[str, str]:
    """A known duty (and, for another duty, its name), or a clear error naming the known ones."""
    if duty not in Duty.values:
        choices = ", ".join(str(label) for label in Duty.labels)
        raise DomainError(
            _("Unknown duty “%(duty)s”. Choose one of: %(choices)s.") % {"duty": str(duty)[:50], "choices": choices},
            code="unknown_duty",
            field="duty",
        )
    label = (duty_label or "").strip()
    if duty == Duty.CUSTOM and not label:
        raise DomainError(_("Name the other duty."), code="duty_label_required", field="duty_label")
    return str(duty), label if duty == Duty.CUSTOM else ""


def _community(actor: Actor, area_code: str) -> Area:
    area = Area.objects.visible_to(actor).filter(code=area_code).first() if isinstance(area_code, str) else None
    if area is None or not actor.reaches(area_code):
        raise NotFound(_("Not found."), field="area_code")
    if len(area_code) != COMMUNITY_LENGTH:
        raise DomainError(_("A command group belongs to a community."), code="wrong_area_level", field="area_code")
    return area


def _user(actor: Actor, user: User | int | None) -> User | None:
    if user is None or user == "":
        return None
    pk = user.pk if isinstance(user, User) else user
    found = User.objects.visible_to(actor).filter(pk=pk, is_active=True).first()
    if found is None:
        raise DomainError(_("This user is not in your jurisdiction."), code="unknown_user", field="user")
    return found


def _apply(member: CommandGroupMember, actor: Actor, values: dict[str, Any]) -> None:
    if "user" in values:
        member.user = _user(actor, values["user"])
    if "duty" in values or "duty_label" in values:
        member.duty, member.duty_label = checked_duty(
            values.get("duty", member.duty), values.get("duty_label", member.duty_label)
        )
    for name in ("name", "organisation"):
        if name in values:
            setattr(member, name, (values[name] or "").strip())
    if "organisation_kind" in values:
        if values["organisation_kind"] not in OrganisationKind.values:
            raise DomainError(
                _("Unknown kind of organisation."), code="unknown_organisation_kind", field="organisation_kind"
            )
        member.organisation_kind = values["organisation_kind"]
    if "order" in values:
        member.order = values["order"] or 0
    if values.get("phone"):  # blank keeps the stored number
        member.phone = str(values["phone"]).strip()
    if not member.name and member.user is not None:
        member.name = str(member.user)[:50]
    if not member.name:
        raise DomainError(_("Give the member's name, or choose a user."), code="name_required", field="name")


def _clean(member: CommandGroupMember) -> None:
    member.full_clean(exclude=["user"])


@transaction.atomic
def group_member_add(*, actor: Actor, area_code: str, duty: str, **values: Any) -> CommandGroupMember:
    """Add a user or an outside contact to a community's command group, with a duty."""
    _require_manage(actor)
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    _community(actor, area_code)
    member = CommandGroupMember(area_code=area_code)
    _apply(member, actor, {**values, "duty": duty})
    _clean(member)
    member.save()
    return member


@transaction.atomic
def group_member_update(*, actor: Actor, member: CommandGroupMember | int, **values: Any) -> CommandGroupMember:
    """Change a member's duty, organisation, contact or order (blank phone keeps the stored one)."""
    _require_manage(actor)
    unknown = set(values) - set(EDITABLE) - {"active"}
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    pk = member.pk if isinstance(member, CommandGroupMember) else member
    member = CommandGroupMember.objects.select_for_update().get_visible(actor, pk=pk)
    if not actor.reaches(member.area_code):
        raise NotFound(_("Not found."))
    _apply(member, actor, values)
    if "active" in values:
        member.active = bool(values["active"])
    _clean(member)
    member.save()
    return member


@transaction.atomic
def group_member_deactivate(*, actor: Actor, member: CommandGroupMember | int) -> CommandGroupMember:
    """Take a member out of the group: kept for history, no longer given tasks."""
    return group_member_update(actor=actor, member=member, active=False)


@dataclass
class RosterPage:
    """One community's roster: what fits on one printed A4 page."""

    area: Area
    rows: list[dict[str, Any]] = field(default_factory=list)


@transaction.atomic
def group_roster_export(*, actor: Actor, area_code: str = "") -> list[RosterPage]:
    """The contact roster of each community the actor sees, with phones in full for those who may see them.

    Printing full phone numbers is an export: one audit event per call records who printed how many
    members' contacts of which areas. Actors without `personal.reveal` get masked numbers.
    """
    if not actor.can("group.view"):
        raise PermissionDenied(_("Your role may not see the command group."))
    members = list(group_member_list(actor=actor, area_code=area_code))
    full = actor.can("personal.reveal")
    codes = sorted({m.area_code for m in members})
    areas = Area.objects.in_bulk(codes)
    pages: dict[str, RosterPage] = {}
    for member in members:
        page = pages.setdefault(member.area_code, RosterPage(area=areas.get(member.area_code)))
        phone = member.phone
        page.rows.append(
            {
                "member": member,
                "phone": phone.reveal() if full and isinstance(phone, PersonalValue) else member.phone_masked,
            }
        )
    audit_record(
        AuditAction.EXPORT,
        actor=actor,
        object_type="command.commandgroupmember",
        object_label="command group roster",
        area_code=area_code or actor.primary_area_code,
        changes={"members": len(members), "areas": codes[:50], "phones": "full" if full else "masked"},
    )
    return [pages[code] for code in codes if pages[code].area is not None]


def validation_message(error: ValidationError) -> str:
    """A ValidationError's messages as one line, for a form or an API message."""
    return " ".join(str(m) for m in error.messages)
