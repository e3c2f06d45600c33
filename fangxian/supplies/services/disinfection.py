"""Writes of disinfection (消杀) and mask recycling: points on a schedule, who disinfected with what, collections.

A log of a point may name the product used: a lot of a disinfection product in the community's stores
and a quantity. The product is then drawn from the ledger through `stock_issue` (recipient
"Disinfection"), in the same transaction as the log, and the log keeps the ledger line.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from fangxian.areas.models import Area
from fangxian.core.errors import DomainError, NotFound, PermissionDenied
from fangxian.core.scoping import Actor
from fangxian.supplies.models import (
    Category,
    DisinfectionLog,
    DisinfectionPoint,
    Lot,
    PointKind,
    RecipientKind,
    RecyclingCollection,
    RecyclingPoint,
)
from fangxian.supplies.selectors.disinfection import point_get, recycling_point_get

MAX_EVERY_HOURS = 24 * 14
MAX_BAGS = 500


def _require(actor: Actor, capability: str) -> None:
    if not actor.can(capability):
        raise PermissionDenied(_("Your role may not do this with disinfection."))


def _text(value: Any, limit: int, *, field: str, required: bool = False) -> str:
    text = str(value or "").strip()
    if "\x00" in text or len(text) > limit:
        raise DomainError(_("This text is too long or not valid."), code="text", field=field)
    if required and not text:
        raise DomainError(_("This field is required."), code="required", field=field)
    return text


def _whole(value: Any, low: int, high: int, *, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise DomainError(
            _("Enter a whole number from %(low)s to %(high)s.") % {"low": low, "high": high},
            code="quantity",
            field=field,
        )
    return value


def _place(actor: Actor, area_code: Any) -> str:
    """A community or grid the actor reaches (the same refusal for elsewhere and nowhere)."""
    code = str(area_code or "")
    if not code.isdigit() or len(code) not in (12, 15):
        raise DomainError(_("Choose a community or a grid."), code="area_code", field="area_code")
    if not Area.objects.visible_to(actor).filter(code=code).exists():
        raise NotFound(_("There is no such area in your jurisdiction."), field="area_code")
    return code


def _save(obj: Any) -> None:
    try:
        obj.full_clean()
    except ValidationError as error:
        field, errors = next(iter(error.message_dict.items()))
        raise DomainError(errors[0], code="invalid", field=None if field == "__all__" else field) from None
    obj.save()


@transaction.atomic
def disinfection_point_create(
    *, actor: Actor, area_code: str, name: str, kind: str, every_hours: int = 24
) -> DisinfectionPoint:
    """A public area to disinfect every `every_hours` hours (lift, stairwell, gate, rubbish point ...)."""
    _require(actor, "disinfection.manage")
    if kind not in PointKind.values:
        raise DomainError(_("Choose the kind of place."), code="kind", field="kind")
    point = DisinfectionPoint(
        area_code=_place(actor, area_code),
        name=_text(name, 100, field="name", required=True),
        kind=kind,
        every_hours=_whole(every_hours, 1, MAX_EVERY_HOURS, field="every_hours"),
    )
    _save(point)
    return point


@transaction.atomic
def disinfection_log_create(
    *,
    actor: Actor,
    point_id: int,
    lot_id: int | None = None,
    quantity: int | None = None,
    note: str = "",
    at: dt.datetime | None = None,
) -> DisinfectionLog:
    """Record that the actor disinfected a point now, with the product drawn from the ledger if named."""
    from fangxian.supplies.services.stock import stock_issue

    _require(actor, "disinfection.log")
    point = point_get(actor=actor, point_id=point_id)
    point = DisinfectionPoint.objects.select_for_update().get(pk=point.pk)
    note = _text(note, 200, field="note")
    now = timezone.now()
    at = at or now
    if at > now + dt.timedelta(minutes=5) or at < now - dt.timedelta(days=2):
        raise DomainError(_("Give a time within the last two days."), code="at", field="at")
    movement = None
    if lot_id is not None or quantity is not None:
        if lot_id is None or quantity is None:
            raise DomainError(_("Name the product's lot and the quantity used, or neither."), code="product")
        try:
            lot = Lot.objects.select_related("item").get_visible(actor, pk=lot_id, store__active=True)
        except Http404:
            raise NotFound(_("There is no such lot in your jurisdiction."), field="lot_id") from None
        if lot.item.category != Category.DISINFECTION or not point.area_code.startswith(lot.area_code[:12]):
            raise DomainError(
                _("Choose a disinfection product from the community's stores."), code="product", field="lot_id"
            )
        movements = stock_issue(
            actor=actor,
            store_id=lot.store_id,
            item_id=lot.item_id,
            quantity=_whole(quantity, 1, 10**6, field="quantity"),
            recipient_kind=RecipientKind.DISINFECTION,
            recipient=point.name[:100],
            lot_id=lot.pk,
            reason=_("Disinfection of %(point)s") % {"point": point.name},
        )
        movement = movements[0] if movements else None
    log = DisinfectionLog(area_code=point.area_code, point=point, at=at, by=actor.user, movement=movement, note=note)
    _save(log)
    if point.last_done_at is None or at > point.last_done_at:
        point.last_done_at = at
        point.save(update_fields=["last_done_at"])
    return log


@transaction.atomic
def recycling_point_create(*, actor: Actor, area_code: str, name: str, location: str = "") -> RecyclingPoint:
    """A bin for used masks in a community or grid."""
    _require(actor, "disinfection.manage")
    point = RecyclingPoint(
        area_code=_place(actor, area_code),
        name=_text(name, 100, field="name", required=True),
        location=_text(location, 200, field="location"),
    )
    _save(point)
    return point


@transaction.atomic
def recycling_collection_log(*, actor: Actor, point_id: int, bags: int = 1, note: str = "") -> RecyclingCollection:
    """Record that the bags of a mask recycling point were collected."""
    _require(actor, "disinfection.log")
    point = recycling_point_get(actor=actor, point_id=point_id)
    collection = RecyclingCollection(
        area_code=point.area_code,
        point=point,
        by=actor.user,
        bags=_whole(bags, 1, MAX_BAGS, field="bags"),
        note=_text(note, 200, field="note"),
    )
    _save(collection)
    return collection
