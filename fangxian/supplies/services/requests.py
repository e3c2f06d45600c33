"""Requests for supplies up the tree (物资申领): a community asks its street, the street decides and sends.

A request names the store to deliver to, lines of item and quantity, and a justification. The
street (whoever holds `supplies.decide` and reaches `to_area_code`) approves every line in full,
some lines in part, or rejects the request; it fulfils the approved quantities by a transfer
(`transfer_send` with `request_id`), possibly in several. A request drafted automatically for
the items below their reorder level (`request_draft_replenishment`) waits, `draft=True`, until
the community submits it.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from fangxian.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangxian.core.scoping import Actor
from fangxian.supplies.models import Item, RequestLine, RequestStatus, Store, SupplyRequest, Transfer
from fangxian.supplies.services.stock import MAX_LINES, _quantity, _require, _text, store_visible, transfer_send

OPEN_FOR_FULFILMENT = (RequestStatus.APPROVED, RequestStatus.PARTLY_APPROVED)


def request_asked_of(store: Store) -> str:
    """The area a store's requests go to: a community's street, a street's district ..."""
    from fangxian.core.areacode import LEVEL_LENGTHS

    lengths = [n for n in LEVEL_LENGTHS if n < len(store.area_code)]
    # Grids ask through their community's street: a grid is not an office that holds stock above.
    street = [n for n in lengths if n <= 9]
    return store.area_code[: (street or lengths or [len(store.area_code)])[-1]]


def _request_visible(actor: Actor, request_id: int, *, lock: bool = False) -> SupplyRequest:
    requests = SupplyRequest.objects.select_related("store")
    if lock:
        requests = requests.select_for_update(of=("self",))
    try:
        return requests.get_visible(actor, pk=request_id)
    except Http404:
        raise NotFound(_("There is no such request in your jurisdiction.")) from None


def _lines(lines: Any) -> list[tuple[Item, int]]:
    if not isinstance(lines, list | tuple) or not lines or len(lines) > MAX_LINES:
        raise DomainError(_("List 1 to %(max)s items.") % {"max": MAX_LINES}, code="lines", field="lines")
    merged: dict[int, int] = {}
    for line in lines:
        try:
            item_id, quantity = line
        except (TypeError, ValueError):
            raise DomainError(_("Each line is an item and a quantity."), code="lines", field="lines") from None
        if isinstance(item_id, bool) or not isinstance(item_id, int):
            raise NotFound(_("There is no such item in the catalogue."), field="item_id")
        merged[item_id] = merged.get(item_id, 0) + _quantity(quantity)
    items = Item.objects.in_bulk(list(merged))
    if len(items) != len(merged) or not all(item.active for item in items.values()):
        raise NotFound(_("There is no such item in the catalogue."), field="item_id")
    return [(items[item_id], quantity) for item_id, quantity in sorted(merged.items())]


@transaction.atomic
def request_create(
    *,
    actor: Actor,
    store_id: int,
    lines: list[tuple[int, int]],
    justification: str,
    draft: bool = False,
) -> SupplyRequest:
    """A community asks the area above it for items, to be delivered to one of its stores."""
    _require(actor, "supplies.request")
    store = store_visible(actor, store_id)
    justification = _text(justification, 500, field="justification", required=True)
    checked = _lines(lines)
    asked_of = request_asked_of(store)
    if asked_of == store.area_code:
        raise DomainError(_("This store has no area above it to ask."), code="no_parent", field="store_id")
    request = SupplyRequest.objects.create(
        area_code=store.area_code,
        to_area_code=asked_of,
        store=store,
        justification=justification,
        created_by=actor.user,
        draft=draft,
    )
    RequestLine.objects.bulk_create([RequestLine(request=request, item=item, quantity=q) for item, q in checked])
    return request


@transaction.atomic
def request_submit(*, actor: Actor, request_id: int) -> SupplyRequest:
    """Send a draft up: the street sees it in its queue from now on."""
    _require(actor, "supplies.request")
    request = _request_visible(actor, request_id, lock=True)
    if not actor.reaches(request.area_code):
        raise PermissionDenied(_("Only the requesting community can submit its request."))
    if not request.draft:
        raise Conflict(_("This request was already submitted."), code="request_status")
    request.draft = False
    request.created_at = timezone.now()
    request.save(update_fields=["draft", "created_at"])
    return request


@transaction.atomic
def request_cancel(*, actor: Actor, request_id: int) -> SupplyRequest:
    """The community withdraws a request nobody has decided yet."""
    _require(actor, "supplies.request")
    request = _request_visible(actor, request_id, lock=True)
    if not actor.reaches(request.area_code):
        raise PermissionDenied(_("Only the requesting community can cancel its request."))
    if request.status != RequestStatus.SUBMITTED:
        raise Conflict(_("A decided request can no longer be cancelled."), code="request_status")
    request.status = RequestStatus.CANCELLED
    request.save(update_fields=["status"])
    return request


@transaction.atomic
def request_decide(
    *,
    actor: Actor,
    request_id: int,
    approve: bool,
    approved: dict[int, int] | None = None,
    note: str = "",
) -> SupplyRequest:
    """Approve (each line in full, or the quantities in `approved` per item) or reject, with a note.

    Approving less than asked on any line, or nothing on some, makes the request partly approved.
    """
    _require(actor, "supplies.decide")
    request = _request_visible(actor, request_id, lock=True)
    if not actor.reaches(request.to_area_code):
        raise PermissionDenied(_("Only the area asked can decide this request."))
    if request.draft or request.status != RequestStatus.SUBMITTED:
        raise Conflict(_("This request is not waiting for a decision."), code="request_status")
    note = _text(note, 300, field="note", required=not approve)
    lines = list(request.lines.order_by("pk"))
    if approve:
        approved = approved or {}
        if not isinstance(approved, dict) or any(isinstance(k, bool) or not isinstance(k, int) for k in approved):
            raise DomainError(_("Each line is an item and a quantity."), code="lines", field="approved")
        unknown = set(approved) - {line.item_id for line in lines}
        if unknown:
            raise DomainError(_("Approve only the items asked for."), code="lines", field="approved")
        for line in lines:
            quantity = approved.get(line.item_id, line.quantity)
            quantity = _quantity(quantity, field="approved", allow_zero=True)
            if quantity > line.quantity:
                raise DomainError(_("Approve at most the quantity asked."), code="approved_too_much", field="approved")
            line.approved = quantity
        if not any(line.approved for line in lines):
            raise DomainError(_("Approve at least one item, or reject the request."), code="approved_none")
        RequestLine.objects.bulk_update(lines, ["approved"])
        full = all(line.approved == line.quantity for line in lines)
        request.status = RequestStatus.APPROVED if full else RequestStatus.PARTLY_APPROVED
    else:
        request.status = RequestStatus.REJECTED
    request.decided_by = actor.user
    request.decided_at = timezone.now()
    request.decision_note = note
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return request


def request_outstanding(request: SupplyRequest) -> list[tuple[int, int]]:
    """What is approved and not sent yet, as `(item_id, quantity)` lines."""
    return [
        (line.item_id, (line.approved or 0) - line.sent)
        for line in request.lines.order_by("item_id")
        if (line.approved or 0) > line.sent
    ]


@transaction.atomic
def request_fulfil(*, actor: Actor, request_id: int, from_store_id: int, note: str = "") -> Transfer:
    """Send what is approved and not yet sent, from one of the street's stores, by one transfer."""
    _require(actor, "supplies.decide")
    request = _request_visible(actor, request_id)
    if not actor.reaches(request.to_area_code):
        raise PermissionDenied(_("Only the area asked can fulfil this request."))
    outstanding = request_outstanding(request)
    if request.status not in OPEN_FOR_FULFILMENT or not outstanding:
        raise Conflict(_("Nothing approved is left to send for this request."), code="request_status")
    return transfer_send(
        actor=actor,
        from_store_id=from_store_id,
        to_store_id=request.store_id,
        lines=outstanding,
        note=note or _("For request #%(id)s") % {"id": request.pk},
        request_id=request.pk,
    )


def request_for_fulfilment(
    actor: Actor, request_id: int, *, to_store: Store, lines: list[tuple[int, int]]
) -> SupplyRequest:
    """Called by `transfer_send`: the request, locked, if these lines may be sent against it."""
    request = _request_visible(actor, request_id, lock=True)
    if not actor.reaches(request.to_area_code) or not actor.can("supplies.decide"):
        raise PermissionDenied(_("Only the area asked can fulfil this request."))
    if request.status not in OPEN_FOR_FULFILMENT:
        raise Conflict(_("Nothing approved is left to send for this request."), code="request_status")
    if request.store_id != to_store.pk:
        raise DomainError(_("Send to the store the request names."), code="wrong_store", field="to_store_id")
    open_lines = dict(request_outstanding(request))
    for item_id, quantity in lines:
        if quantity > open_lines.get(item_id, 0):
            raise DomainError(
                _("This is more than is approved and not yet sent."), code="more_than_approved", field="lines"
            )
    return request


def request_record_sent(request: SupplyRequest, lines: list[tuple[int, int]]) -> None:
    """Count a transfer's quantities against the request; fulfilled once everything approved is sent."""
    sent = dict(lines)
    rows = list(request.lines.order_by("pk"))
    for line in rows:
        line.sent += sent.get(line.item_id, 0)
    RequestLine.objects.bulk_update(rows, ["sent"])
    if all(line.sent >= (line.approved or 0) for line in rows):
        request.status = RequestStatus.FULFILLED
        request.save(update_fields=["status"])


@transaction.atomic
def request_draft_replenishment(*, actor: Actor, store_id: int, days: int = 14) -> SupplyRequest | None:
    """Draft a request for every item of the store's area below its reorder level (None if none is).

    The quantity covers `days` of the trailing burn rate, and at least brings stock back to the
    reorder level. The draft waits for the community to check and submit it.
    """
    from fangxian.supplies.selectors.stock import replenishment_lines

    _require(actor, "supplies.request")
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 90:
        raise DomainError(_("Enter 1 to 90 days."), code="days", field="days")
    store = store_visible(actor, store_id)
    lines = replenishment_lines(actor=actor, store=store, days=days)
    if not lines:
        return None
    return request_create(
        actor=actor,
        store_id=store.pk,
        lines=lines,
        justification=_("Below the reorder level: %(days)s days of supply at the recent rate of use.") % {"days": days},
        draft=True,
    )
