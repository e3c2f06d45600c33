"""Setting the gates up: checkpoints, guards' shifts, gate policies (capability checkpoint.manage)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from fangxian.accounts.models import RoleAssignment, User
from fangxian.areas.models import Area
from fangxian.checkpoints.models import Checkpoint, CheckpointKind, GatePolicy, GuardShift
from fangxian.checkpoints.models.gates import COMMUNITY_LENGTH
from fangxian.command.models import EmergencyLevel
from fangxian.core.errors import DomainError, NotFound, PermissionDenied
from fangxian.core.roles import Role
from fangxian.core.scoping import Actor


def _require(actor: Actor, capability: str) -> None:
    if not actor.can(capability):
        raise PermissionDenied(_("Your role does not allow this."))


def _area_in_reach(actor: Actor, area_code: str) -> Area:
    try:
        return Area.objects.get_visible(actor, code=area_code)
    except Http404:
        raise NotFound(_("There is no such area in your jurisdiction."), field="area_code") from None


@transaction.atomic
def checkpoint_create(
    *,
    actor: Actor,
    area_code: str,
    name: str,
    kind: str = CheckpointKind.BOTH,
    location: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    opens_at: dt.time | None = None,
    closes_at: dt.time | None = None,
) -> Checkpoint:
    _require(actor, "checkpoint.manage")
    area = _area_in_reach(actor, area_code)
    checkpoint = Checkpoint(
        area_code=area.code,
        name=(name or "").strip(),
        kind=kind,
        location=(location or "").strip(),
        latitude=latitude,
        longitude=longitude,
        opens_at=opens_at,
        closes_at=closes_at,
    )
    checkpoint.full_clean()
    checkpoint.save()
    return checkpoint


@transaction.atomic
def checkpoint_update(*, actor: Actor, checkpoint_id: int, **fields: Any) -> Checkpoint:
    _require(actor, "checkpoint.manage")
    checkpoint = Checkpoint.objects.get_visible(actor, pk=checkpoint_id)
    allowed = {"name", "kind", "location", "latitude", "longitude", "opens_at", "closes_at", "active"}
    for name, value in fields.items():
        if name not in allowed:
            raise DomainError(_("This field cannot be changed here."), code="field_not_editable", field=name)
        setattr(checkpoint, name, value)
    checkpoint.full_clean()
    checkpoint.save()
    return checkpoint


@transaction.atomic
def guard_shift_add(
    *, actor: Actor, checkpoint_id: int, guard: User | int, starts_at: dt.datetime, ends_at: dt.datetime
) -> GuardShift:
    """Put a guard on duty at a checkpoint; the guard must hold the guard role over the checkpoint's community."""
    _require(actor, "checkpoint.manage")
    checkpoint = Checkpoint.objects.get_visible(actor, pk=checkpoint_id)
    guard_id = guard.pk if isinstance(guard, User) else guard
    codes = [checkpoint.area_code[:n] for n in (2, 4, 6, 9, 12, 15) if n <= len(checkpoint.area_code)]
    if not RoleAssignment.objects.filter(user_id=guard_id, role=Role.GUARD, area_code__in=codes, active=True).exists():
        raise DomainError(_("This person is not a guard of this community."), code="not_a_guard", field="guard")
    shift = GuardShift(
        area_code=checkpoint.area_code, checkpoint=checkpoint, guard_id=guard_id, starts_at=starts_at, ends_at=ends_at
    )
    shift.full_clean()
    shift.save()
    return shift


POLICY_FIELDS = (
    "residents_only",
    "quota_persons",
    "quota_days",
    "hours_from",
    "hours_to",
    "visitors_need_host_approval",
    "vehicles_by_plate_list",
    "fever_celsius",
    "notice",
)


@transaction.atomic
def gate_policy_set(*, actor: Actor, community_code: str, level: int, **fields: Any) -> GatePolicy:
    """Create or change the policy of a community's gates for one emergency level."""
    _require(actor, "checkpoint.manage")
    if len(community_code or "") != COMMUNITY_LENGTH:
        raise DomainError(_("A gate policy is set per community."), code="area_level", field="community_code")
    area = _area_in_reach(actor, community_code)
    if level not in EmergencyLevel.values:
        raise DomainError(
            _("“%(value)s” is not an emergency level.") % {"value": str(level)[:5]}, code="unknown_level", field="level"
        )
    policy = GatePolicy.objects.filter(area_code=area.code, level=level).first() or GatePolicy(
        area_code=area.code, level=level
    )
    for name, value in fields.items():
        if name not in POLICY_FIELDS:
            raise DomainError(_("This field cannot be changed here."), code="field_not_editable", field=name)
        setattr(policy, name, value)
    policy.full_clean()
    policy.save()
    return policy


@transaction.atomic
def guard_shift_remove(*, actor: Actor, shift_id: int) -> None:
    """Take a guard off a shift (a shift planned by mistake, or a guard who cannot come)."""
    _require(actor, "checkpoint.manage")
    try:
        shift = GuardShift.objects.select_for_update().get_visible(actor, pk=shift_id)
    except Http404:
        raise NotFound(_("There is no such shift in your jurisdiction."), field="shift_id") from None
    shift.delete()
