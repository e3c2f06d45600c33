"""Visitors registered at the gate and decided by their host; deliveries dropped at the gate."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from fangxian.areas.models import Household
from fangxian.checkpoints.models import Checkpoint, Delivery, DeliveryKind, Visitor, VisitorStatus
from fangxian.checkpoints.selectors import gate_policy_in_force
from fangxian.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangxian.core.scoping import Actor


def _require(actor: Actor, capability: str, obj: object = None) -> None:
    if not actor.can(capability, obj):
        raise PermissionDenied(_("Your role does not allow this."))


def _checkpoint(actor: Actor, checkpoint_id: int) -> Checkpoint:
    try:
        return Checkpoint.objects.get_visible(actor, pk=checkpoint_id)
    except Http404:
        raise NotFound(_("There is no such checkpoint in your jurisdiction."), field="checkpoint_id") from None


def _household_of_community(household_id: int | None, community: str) -> Household | None:
    """The host (or recipient) household, which must live in the checkpoint's community."""
    if household_id is None:
        return None
    found = Household.objects.filter(pk=household_id, area_code__within=community).first()
    if found is None:
        raise NotFound(_("There is no such household in this community."), field="host_household_id")
    return found


def _clean(visitor: Visitor) -> None:
    try:
        visitor.full_clean()
    except ValidationError as error:
        # Personal fields name their rule; the API shows field and message, never the value.
        name, messages = next(iter(error.message_dict.items()))
        raise DomainError(messages[0], code="invalid", field=name) from None


@transaction.atomic
def visitor_register(
    *,
    actor: Actor,
    checkpoint_id: int,
    name: str,
    purpose: str,
    phone: str = "",
    id_number: str = "",
    host_household_id: int | None = None,
    origin: str = "",
    expected_at: dt.datetime | None = None,
) -> Visitor:
    """Register somebody from outside at a gate. Waits for the host when the policy says so."""
    _require(actor, "visitor.register")
    checkpoint = _checkpoint(actor, checkpoint_id)
    host = _household_of_community(host_household_id, checkpoint.community_code)
    policy, emergency = gate_policy_in_force(checkpoint.area_code)
    needs_approval = policy.visitors_need_host_approval
    if needs_approval and host is None:
        raise DomainError(
            _("Name the household the visitor is going to: it must approve the visit."),
            code="host_required",
            field="host_household_id",
        )
    visitor = Visitor(
        area_code=host.area_code if host else checkpoint.community_code,
        emergency=emergency,
        checkpoint=checkpoint,
        name=(name or "").strip(),
        phone=(phone or "").strip(),
        id_number=(id_number or "").strip(),
        purpose=(purpose or "").strip(),
        origin=(origin or "").strip(),
        host_household=host,
        expected_at=expected_at,
        status=VisitorStatus.PENDING if needs_approval else VisitorStatus.APPROVED,
        registered_by=actor.user,
    )
    _clean(visitor)
    visitor.save()
    return visitor


def _decide(actor: Actor, visitor_id: int, status: str) -> Visitor:
    try:
        visitor = Visitor.objects.select_for_update().get_visible(actor, pk=visitor_id)
    except Http404:
        raise NotFound(_("There is no such visitor.")) from None
    _require(actor, "visitor.approve", visitor)
    if visitor.status != VisitorStatus.PENDING:
        raise Conflict(_("This visit was decided already."), code="visitor_decided")
    visitor.status = status
    visitor.decided_by = actor.user
    visitor.decided_at = timezone.now()
    visitor.save(update_fields=["status", "decided_by", "decided_at"])
    return visitor


@transaction.atomic
def visitor_approve(*, actor: Actor, visitor_id: int) -> Visitor:
    """The host household (or community staff) lets the visitor in."""
    return _decide(actor, visitor_id, VisitorStatus.APPROVED)


@transaction.atomic
def visitor_deny(*, actor: Actor, visitor_id: int) -> Visitor:
    """The host household (or community staff) declines the visit."""
    return _decide(actor, visitor_id, VisitorStatus.DENIED)


@transaction.atomic
def delivery_record(
    *,
    actor: Actor,
    checkpoint_id: int,
    kind: str,
    household_id: int | None = None,
    note: str = "",
    at: dt.datetime | None = None,
) -> Delivery:
    """A parcel or meal left at the gate; nothing about the rider is recorded."""
    _require(actor, "delivery.record")
    checkpoint = _checkpoint(actor, checkpoint_id)
    if kind not in DeliveryKind.values:
        raise DomainError(_("A delivery is a parcel or a takeaway."), code="delivery_kind", field="kind")
    household = _household_of_community(household_id, checkpoint.community_code)
    _policy, emergency = gate_policy_in_force(checkpoint.area_code)
    delivery = Delivery(
        area_code=checkpoint.area_code,
        emergency=emergency,
        kind=kind,
        checkpoint=checkpoint,
        at=at or timezone.now(),
        household=household,
        note=(note or "").strip(),
        recorded_by=actor.user,
    )
    delivery.full_clean()
    delivery.save()
    return delivery
