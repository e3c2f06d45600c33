"""Writes of the stock ledger (台账): receive, issue, transfer, count, dispose.

Every change of stock on hand is one transaction that locks the lot rows it touches with
`select_for_update()` (always in primary-key order, so two writers never wait on each other in a
circle), changes `Lot.quantity` and appends a `Movement` carrying the balance right after it. A
movement that would take a lot below zero is refused with a `DomainError` before anything is
written; the database CHECK on the lot is the last line behind it.

Movements a device may send twice carry an idempotency key: a repeated key returns what the first
request recorded and writes nothing. A movement that touches several lots (an issue spanning
lots) stores the key on its first line and keys derived from it (`uuid5`) on the others.

The ledger row is the audit record of a stock change (it is saved through the audited model); the
lot's balance follows it in a plain UPDATE, so one change is not recorded twice.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from fangxian.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangxian.core.scoping import Actor
from fangxian.supplies import capabilities  # noqa: F401 - registers the supplies capabilities
from fangxian.supplies.models import (
    Item,
    Lot,
    LotSource,
    Movement,
    MovementKind,
    RecipientKind,
    Store,
    Transfer,
    TransferLine,
    TransferStatus,
)

MAX_QUANTITY = 10**9  # one movement; far above any real delivery, far below the column's limit
MAX_LINES = 100
T = TypeVar("T")


# --- checks ---------------------------------------------------------------------------------------------


def _require(actor: Actor, capability: str) -> None:
    if not actor.can(capability):
        raise PermissionDenied(_("Your role may not do this with supplies."))


def _quantity(value: Any, *, field: str = "quantity", allow_zero: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not (0 if allow_zero else 1) <= value <= MAX_QUANTITY:
        raise DomainError(
            _("Enter a whole number from %(low)s to %(high)s.") % {"low": 0 if allow_zero else 1, "high": MAX_QUANTITY},
            code="quantity",
            field=field,
        )
    return value


def _text(value: Any, limit: int, *, field: str, required: bool = False) -> str:
    text = str(value or "").strip()
    if "\x00" in text or len(text) > limit:
        raise DomainError(_("This text is too long or not valid."), code="text", field=field)
    if required and not text:
        raise DomainError(_("This field is required."), code="required", field=field)
    return text


def store_visible(actor: Actor, store_id: int, *, lock: bool = False) -> Store:
    stores = Store.objects.all()
    if lock:
        stores = stores.select_for_update()
    try:
        return stores.get_visible(actor, pk=store_id, active=True)
    except Http404:
        raise NotFound(_("There is no such store in your jurisdiction."), field="store_id") from None


def _item(item_id: int) -> Item:
    try:
        return Item.objects.get(pk=item_id, active=True)
    except (Item.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("There is no such item in the catalogue."), field="item_id") from None


def _lot_visible(actor: Actor, lot_id: int) -> Lot:
    try:
        return Lot.objects.select_related("store").get_visible(actor, pk=lot_id, store__active=True)
    except Http404:
        raise NotFound(_("There is no such lot in your jurisdiction."), field="lot_id") from None


def _locked_lots(lot_filter: Q) -> list[Lot]:
    """Lock the lots in primary-key order: writers touching the same lots queue instead of deadlocking."""
    return list(Lot.objects.select_for_update().filter(lot_filter).order_by("pk"))


def fefo_order(lot: Lot) -> tuple:
    """First expiry first out: the earliest expiry, lots without expiry last, then the oldest."""
    return (lot.expires_on is None, lot.expires_on or dt.date.max, lot.received_at, lot.pk)


# --- idempotency ----------------------------------------------------------------------------------------


def line_key(key: uuid.UUID | None, index: int) -> uuid.UUID | None:
    """The key of the n-th line of a movement sent with `key` (the first line keeps the key itself)."""
    if key is None:
        return None
    return key if index == 0 else uuid.uuid5(key, str(index))


def _parse_key(key: Any) -> uuid.UUID | None:
    if key in (None, ""):
        return None
    if isinstance(key, uuid.UUID):
        return key
    try:
        return uuid.UUID(str(key))
    except ValueError:
        raise DomainError(_("The idempotency key must be a UUID."), code="idempotency_key") from None


def _recorded(actor: Actor, key: uuid.UUID | None) -> list[Movement] | None:
    """The movements already recorded under `key`, or None. A key used elsewhere is a conflict."""
    if key is None:
        return None
    first = Movement.objects.filter(idempotency_key=key).first()
    if first is None:
        return None
    if not Movement.objects.visible_to(actor).filter(pk=first.pk).exists():
        raise Conflict(_("This idempotency key was already used for another movement."), code="idempotency_key")
    keys, rows = [key], []
    while True:
        found = {m.idempotency_key: m for m in Movement.objects.filter(idempotency_key__in=keys)}
        rows.extend(found[k] for k in keys if k in found)
        if len(found) < len(keys):
            for row in rows:
                row.replayed = True  # the API answers 200 instead of 201 for a repeat
            return rows
        keys = [line_key(key, len(rows) + n) for n in range(20)]


def _once(actor: Actor, key: uuid.UUID | None, write: Callable[[], T], recorded: Callable[[list[Movement]], T]) -> T:
    """Run `write` unless `key` was recorded already; a concurrent duplicate gets the winner's lines."""
    existing = _recorded(actor, key)
    if existing is not None:
        return recorded(existing)
    if key is None:
        return write()
    try:
        with transaction.atomic():
            return write()
    except (IntegrityError, DomainError):
        # A concurrent request with the same key may have won: it held the lots, so this one found
        # them already taken (a refusal) or hit the unique key. Either way, answer with its lines.
        existing = _recorded(actor, key)
        if existing is None:
            raise
        return recorded(existing)


# --- the one place a balance changes --------------------------------------------------------------------


def _move(actor: Actor, lot: Lot, kind: str, quantity: int, **fields: Any) -> Movement:
    """Change a locked lot by `quantity` and append its ledger line, in the caller's transaction."""
    balance = lot.quantity + quantity
    if balance < 0:
        raise DomainError(
            _("Only %(on_hand)s left in this lot.") % {"on_hand": lot.quantity}, code="insufficient_stock"
        )
    Lot.objects.filter(pk=lot.pk).update(quantity=balance)
    lot.quantity = balance
    return Movement.objects.create(
        area_code=lot.area_code,
        lot=lot,
        store_id=lot.store_id,
        item_id=lot.item_id,
        kind=kind,
        quantity=quantity,
        balance_after=balance,
        by=actor.user,
        **fields,
    )


def _take_fefo(
    actor: Actor,
    lots: Iterable[Lot],
    quantity: int,
    kind: str,
    key: uuid.UUID | None,
    first_index: int = 0,
    **fields: Any,
) -> list[Movement]:
    """Take `quantity` from locked lots, first expiry first, one ledger line per lot touched."""
    movements: list[Movement] = []
    left = quantity
    for lot in sorted(lots, key=fefo_order):
        if left == 0:
            break
        if lot.quantity <= 0:
            continue
        take = min(left, lot.quantity)
        movements.append(
            _move(actor, lot, kind, -take, idempotency_key=line_key(key, first_index + len(movements)), **fields)
        )
        left -= take
    return movements


def _on_hand_refusal(on_hand: int, item: Item) -> DomainError:
    return DomainError(
        _("Only %(on_hand)s %(unit)s of %(item)s on hand.")
        % {"on_hand": on_hand, "unit": item.get_unit_display(), "item": item.name},
        code="insufficient_stock",
        field="quantity",
    )


# --- receive --------------------------------------------------------------------------------------------


@transaction.atomic
def stock_receive(
    *,
    actor: Actor,
    store_id: int,
    item_id: int,
    quantity: int,
    source: str = LotSource.PURCHASE,
    lot_code: str = "",
    expires_on: dt.date | None = None,
    donor: str = "",
    reason: str = "",
    idempotency_key: uuid.UUID | str | None = None,
) -> Movement:
    """A delivery arrives: a new lot in the store and its first ledger line."""
    _require(actor, "supplies.move")
    key = _parse_key(idempotency_key)
    store = store_visible(actor, store_id)
    item = _item(item_id)
    quantity = _quantity(quantity)
    if source not in (LotSource.PURCHASE, LotSource.ALLOCATION, LotSource.DONATION):
        raise DomainError(_("Choose purchase, allocation or donation."), code="source", field="source")
    donor = _text(donor, 100, field="donor", required=source == LotSource.DONATION)
    lot_code = _text(lot_code, 50, field="lot_code")
    reason = _text(reason, 200, field="reason")
    if expires_on is not None and not isinstance(expires_on, dt.date):
        raise DomainError(_("Enter a valid date."), code="expires_on", field="expires_on")

    def write() -> Movement:
        lot = Lot.objects.create(
            area_code=store.area_code,
            store=store,
            item=item,
            lot_code=lot_code,
            expires_on=expires_on,
            source=source,
            donor=donor if source == LotSource.DONATION else "",
            quantity=0,
        )
        return _move(actor, lot, MovementKind.RECEIVE, quantity, reason=reason, idempotency_key=key)

    return _once(actor, key, write, lambda rows: rows[0])


# --- issue ----------------------------------------------------------------------------------------------


def _recipient(
    actor: Actor, recipient_kind: str, recipient: str, household_id: int | None, checkpoint_id: int | None
) -> dict[str, Any]:
    from fangxian.areas.models import Household
    from fangxian.checkpoints.models import Checkpoint

    if recipient_kind not in RecipientKind.values:
        raise DomainError(_("Say to whom it was issued."), code="recipient_kind", field="recipient_kind")
    fields: dict[str, Any] = {"recipient_kind": recipient_kind, "recipient": _text(recipient, 100, field="recipient")}
    if recipient_kind == RecipientKind.HOUSEHOLD:
        if household_id is None:
            raise DomainError(_("Choose the household."), code="required", field="household_id")
        try:
            fields["household"] = Household.objects.get_visible(actor, pk=household_id)
        except Http404:
            raise NotFound(_("There is no such household in your jurisdiction."), field="household_id") from None
    elif recipient_kind == RecipientKind.CHECKPOINT:
        if checkpoint_id is None:
            raise DomainError(_("Choose the checkpoint."), code="required", field="checkpoint_id")
        try:
            fields["checkpoint"] = Checkpoint.objects.get_visible(actor, pk=checkpoint_id)
        except Http404:
            raise NotFound(_("There is no such checkpoint in your jurisdiction."), field="checkpoint_id") from None
    elif recipient_kind in (RecipientKind.WORKER, RecipientKind.TEAM) and not fields["recipient"]:
        raise DomainError(_("Name the worker or team."), code="required", field="recipient")
    return fields


@transaction.atomic
def stock_issue(
    *,
    actor: Actor,
    store_id: int,
    item_id: int,
    quantity: int,
    recipient_kind: str,
    recipient: str = "",
    household_id: int | None = None,
    checkpoint_id: int | None = None,
    lot_id: int | None = None,
    reason: str = "",
    idempotency_key: uuid.UUID | str | None = None,
) -> list[Movement]:
    """Hand out stock: from the named lot, or first expiry first across lots. One line per lot touched."""
    _require(actor, "supplies.move")
    key = _parse_key(idempotency_key)
    store = store_visible(actor, store_id)
    item = _item(item_id)
    quantity = _quantity(quantity)
    fields = _recipient(actor, recipient_kind, recipient, household_id, checkpoint_id)
    fields["reason"] = _text(reason, 200, field="reason")

    def write() -> list[Movement]:
        if lot_id is not None:
            lots = _locked_lots(Q(pk=lot_id, store=store, item=item))
            if not lots:
                raise NotFound(_("There is no such lot in this store."), field="lot_id")
        else:
            lots = _locked_lots(Q(store=store, item=item, quantity__gt=0))
        on_hand = sum(lot.quantity for lot in lots)
        if on_hand < quantity:
            raise _on_hand_refusal(on_hand, item)
        return _take_fefo(actor, lots, quantity, MovementKind.ISSUE, key, **fields)

    return _once(actor, key, write, lambda rows: rows)


# --- stocktake and disposal -----------------------------------------------------------------------------


@transaction.atomic
def stock_adjust(
    *,
    actor: Actor,
    lot_id: int,
    counted: int,
    reason: str,
    idempotency_key: uuid.UUID | str | None = None,
) -> Movement:
    """A stocktake (盘点): the counted figure and why it differs; the ledger line is the difference.

    A count equal to the balance is recorded too (a line of 0), as proof that the lot was counted.
    """
    _require(actor, "supplies.move")
    key = _parse_key(idempotency_key)
    counted = _quantity(counted, field="counted", allow_zero=True)
    reason = _text(reason, 200, field="reason", required=True)
    lot = _lot_visible(actor, lot_id)

    def write() -> Movement:
        (locked,) = _locked_lots(Q(pk=lot.pk))
        return _move(
            actor,
            locked,
            MovementKind.ADJUST,
            counted - locked.quantity,
            counted=counted,
            reason=reason,
            idempotency_key=key,
        )

    return _once(actor, key, write, lambda rows: rows[0])


@transaction.atomic
def stock_dispose(
    *,
    actor: Actor,
    lot_id: int,
    quantity: int | None,
    reason: str,
    idempotency_key: uuid.UUID | str | None = None,
) -> Movement:
    """Take expired or damaged stock out (清理); without a quantity, all that is left in the lot."""
    _require(actor, "supplies.move")
    key = _parse_key(idempotency_key)
    reason = _text(reason, 200, field="reason", required=True)
    if quantity is not None:
        quantity = _quantity(quantity)
    lot = _lot_visible(actor, lot_id)

    def write() -> Movement:
        (locked,) = _locked_lots(Q(pk=lot.pk))
        amount = locked.quantity if quantity is None else quantity
        if amount == 0:
            raise DomainError(_("This lot is empty."), code="insufficient_stock", field="quantity")
        if amount > locked.quantity:
            raise _on_hand_refusal(locked.quantity, lot.item)
        return _move(actor, locked, MovementKind.DISPOSE, -amount, reason=reason, idempotency_key=key)

    return _once(actor, key, write, lambda rows: rows[0])


# --- transfers ------------------------------------------------------------------------------------------


def _destination(actor: Actor, from_store: Store, to_store_id: int) -> Store:
    """A store the actor sees, or one up the tree from the sending store (returning stock upwards)."""
    candidate = Store.objects.filter(pk=to_store_id, active=True).first() if isinstance(to_store_id, int) else None
    if candidate is not None and (
        Store.objects.visible_to(actor).filter(pk=candidate.pk).exists()
        or from_store.area_code.startswith(candidate.area_code)
    ):
        return candidate
    raise NotFound(_("There is no such store to send to."), field="to_store_id")


def _transfer_lines(lines: Any) -> list[tuple[int, int]]:
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
    return sorted(merged.items())


@transaction.atomic
def transfer_send(
    *,
    actor: Actor,
    from_store_id: int,
    to_store_id: int,
    lines: list[tuple[int, int]],
    note: str = "",
    request_id: int | None = None,
) -> Transfer:
    """Send items to another store: out of this one at once (FEFO lots), in to the other on receipt.

    `lines` are `(item_id, quantity)`. All or nothing: if any item is short, nothing is sent. With
    `request_id` the quantities sent are counted against the request's approved lines.
    """
    _require(actor, "supplies.move")
    from_store = store_visible(actor, from_store_id)
    to_store = _destination(actor, from_store, to_store_id)
    if to_store.pk == from_store.pk:
        raise DomainError(_("Choose another store to send to."), code="same_store", field="to_store_id")
    wanted = _transfer_lines(lines)
    items = {item_id: _item(item_id) for item_id, _quantity_wanted in wanted}
    note = _text(note, 200, field="note")
    request = None
    if request_id is not None:
        from fangxian.supplies.services.requests import request_for_fulfilment

        request = request_for_fulfilment(actor, request_id, to_store=to_store, lines=wanted)
    transfer = Transfer.objects.create(
        area_code=from_store.area_code,
        from_store=from_store,
        to_store=to_store,
        to_area_code=to_store.area_code,
        request=request,
        note=note,
        sent_by=actor.user,
    )
    locked = _locked_lots(Q(store=from_store, item_id__in=list(items), quantity__gt=0))
    for item_id, quantity in wanted:
        lots = [lot for lot in locked if lot.item_id == item_id]
        on_hand = sum(lot.quantity for lot in lots)
        if on_hand < quantity:
            raise _on_hand_refusal(on_hand, items[item_id])
        for movement in _take_fefo(actor, lots, quantity, MovementKind.TRANSFER_OUT, None, transfer=transfer):
            TransferLine.objects.create(
                transfer=transfer, item_id=item_id, from_lot=movement.lot, quantity=-movement.quantity
            )
    if request is not None:
        from fangxian.supplies.services.requests import request_record_sent

        request_record_sent(request, wanted)
    return transfer


@transaction.atomic
def transfer_receive(*, actor: Actor, transfer_id: int) -> Transfer:
    """The receiving store takes the goods in: one new lot per line, keeping expiry and origin."""
    _require(actor, "supplies.move")
    try:
        transfer = (
            Transfer.objects.select_for_update(of=("self",))
            .select_related("to_store")
            .get_visible(actor, pk=transfer_id)
        )
    except Http404:
        raise NotFound(_("There is no such transfer in your jurisdiction.")) from None
    if not Store.objects.visible_to(actor).filter(pk=transfer.to_store_id).exists():
        raise PermissionDenied(_("Only the receiving store can take this transfer in."))
    if transfer.status != TransferStatus.IN_TRANSIT:
        raise Conflict(_("This transfer was already received."), code="transfer_status")
    to_store = transfer.to_store
    for line in transfer.lines.select_related("from_lot").order_by("pk"):
        source = line.from_lot
        lot = Lot.objects.create(
            area_code=to_store.area_code,
            store=to_store,
            item_id=line.item_id,
            lot_code=source.lot_code,
            expires_on=source.expires_on,
            source=LotSource.TRANSFER,
            donor=source.donor,
            origin=source,
            quantity=0,
        )
        _move(actor, lot, MovementKind.TRANSFER_IN, line.quantity, transfer=transfer)
        line.to_lot = lot
        line.save(update_fields=["to_lot"])
    transfer.status = TransferStatus.RECEIVED
    transfer.received_at = timezone.now()
    transfer.received_by = actor.user
    transfer.save(update_fields=["status", "received_at", "received_by"])
    return transfer


# --- a device's queue of issues, in one transaction -----------------------------------------------------


@dataclass(frozen=True)
class IssueInput:
    """One issue a device recorded (possibly offline): what, how much, to whom, when, under which key."""

    item_id: int
    quantity: int
    recipient_kind: str
    recipient: str = ""
    household_id: int | None = None
    checkpoint_id: int | None = None
    lot_id: int | None = None
    reason: str = ""
    idempotency_key: uuid.UUID | str | None = None
    at: dt.datetime | None = None


@dataclass
class IssueResult:
    """The outcome of one issue of a batch: its ledger lines, or the refusal (code and message)."""

    idempotency_key: uuid.UUID | None
    movements: list[Movement]
    replayed: bool = False
    error_code: str | None = None
    error: str | None = None


MAX_BATCH = 1000


@transaction.atomic
def stock_issue_batch(*, actor: Actor, store_id: int, issues: list[IssueInput]) -> list[IssueResult]:
    """Record a device's queued issues from one store in one transaction, each on its own terms.

    Each issue is refused or recorded by itself, in order (one short of stock does not stop the
    others); one already recorded under its key is returned as it was. The lots of the store's
    items are locked once, in primary-key order; the ledger lines go in with one INSERT and each
    lot's balance with one UPDATE, and one audit event sums up the batch (the ledger lines carry
    who, what and when for each issue). Same rules as `stock_issue`, many times cheaper per line.
    """
    _require(actor, "supplies.move")
    if not isinstance(issues, list | tuple) or not 1 <= len(issues) <= MAX_BATCH:
        raise DomainError(_("Send 1 to %(max)s issues at a time.") % {"max": MAX_BATCH}, code="batch_size")
    store = store_visible(actor, store_id)
    keys = [_parse_key(issue.idempotency_key) for issue in issues]
    items = Item.objects.filter(active=True).in_bulk({i.item_id for i in issues if isinstance(i.item_id, int)})
    lots = _locked_lots(Q(store=store, item_id__in=list(items)))
    # Checked after the locks: a concurrent upload of the same keys touches the same lots, so it
    # has committed (and its keys are seen here) or waits for this one.
    recorded = {
        m.idempotency_key: m for m in Movement.objects.filter(idempotency_key__in=[k for k in keys if k is not None])
    }
    results: list[IssueResult] = []
    pending: list[Movement] = []
    touched: dict[int, Lot] = {}
    now = timezone.now()
    households, checkpoints = _batch_recipients(actor, issues)
    in_batch: dict[uuid.UUID, IssueResult] = {}
    for issue, key in zip(issues, keys, strict=True):
        if key is not None and key in in_batch:  # sent twice in one upload: recorded once
            first_result = in_batch[key]
            results.append(IssueResult(key, first_result.movements, True, first_result.error_code, first_result.error))
            continue
        if key is not None and key in recorded:
            if recorded[key].store_id != store.pk:
                used = Conflict(_("This idempotency key was already used for another movement."))
                results.append(_refusal(key, used))
                continue
            rows = _key_lines(key)
            results.append(IssueResult(key, rows, replayed=True))
            continue
        try:
            item = items.get(issue.item_id)
            if item is None:
                raise NotFound(_("There is no such item in the catalogue."), field="item_id")
            quantity = _quantity(issue.quantity)
            fields = _batch_recipient_fields(issue, households, checkpoints)
            fields["reason"] = _text(issue.reason, 200, field="reason")
            candidates = [lot for lot in lots if lot.item_id == item.pk and lot.quantity > 0]
            if issue.lot_id is not None:
                candidates = [lot for lot in candidates if lot.pk == issue.lot_id]
            on_hand = sum(lot.quantity for lot in candidates)
            if on_hand < quantity:
                raise _on_hand_refusal(on_hand, item)
        except DomainError as error:
            results.append(_refusal(key, error))
            if key is not None:
                in_batch[key] = results[-1]
            continue
        at = issue.at if isinstance(issue.at, dt.datetime) and issue.at <= now else now
        lines: list[Movement] = []
        left = quantity
        for lot in sorted(candidates, key=fefo_order):
            if left == 0:
                break
            take = min(left, lot.quantity)
            lot.quantity -= take
            left -= take
            touched[lot.pk] = lot
            lines.append(
                Movement(
                    area_code=lot.area_code,
                    lot=lot,
                    store_id=lot.store_id,
                    item_id=lot.item_id,
                    kind=MovementKind.ISSUE,
                    quantity=-take,
                    balance_after=lot.quantity,
                    at=at,
                    by=actor.user,
                    idempotency_key=line_key(key, len(lines)),
                    **fields,
                )
            )
        pending.extend(lines)
        results.append(IssueResult(key, lines))
        if key is not None:
            in_batch[key] = results[-1]
    if pending:
        Movement.objects.bulk_create(pending)
        for lot in touched.values():
            Lot.objects.filter(pk=lot.pk).update(quantity=lot.quantity)
        from fangxian.core.audit import audit_record

        audit_record(
            "bulk_create",
            actor=actor,
            object_type="supplies.movement",
            object_label=f"{len(pending)} issues from store #{store.pk}",
            area_code=store.area_code,
            changes={"store": store.pk, "movements": len(pending), "lots": sorted(touched)},
        )
    return results


def _key_lines(key: uuid.UUID) -> list[Movement]:
    """Every ledger line recorded under `key` (its first line) and the keys derived from it."""
    rows: list[Movement] = []
    while True:
        keys = [line_key(key, len(rows) + n) for n in range(20)]
        found = {m.idempotency_key: m for m in Movement.objects.filter(idempotency_key__in=keys)}
        rows.extend(found[k] for k in keys if k in found)
        if len(found) < len(keys):
            return rows


def _refusal(key: uuid.UUID | None, error: DomainError) -> IssueResult:
    return IssueResult(key, [], error_code=error.code, error=str(error.message))


def _batch_recipients(actor: Actor, issues: list[IssueInput]) -> tuple[dict, dict]:
    """The households and checkpoints the batch names, loaded at once through `visible_to`."""
    from fangxian.areas.models import Household
    from fangxian.checkpoints.models import Checkpoint

    household_ids = {i.household_id for i in issues if isinstance(i.household_id, int)}
    checkpoint_ids = {i.checkpoint_id for i in issues if isinstance(i.checkpoint_id, int)}
    households = Household.objects.visible_to(actor).in_bulk(household_ids) if household_ids else {}
    checkpoints = Checkpoint.objects.visible_to(actor).in_bulk(checkpoint_ids) if checkpoint_ids else {}
    return households, checkpoints


def _batch_recipient_fields(issue: IssueInput, households: dict, checkpoints: dict) -> dict[str, Any]:
    kind = issue.recipient_kind
    if kind not in RecipientKind.values:
        raise DomainError(_("Say to whom it was issued."), code="recipient_kind", field="recipient_kind")
    fields: dict[str, Any] = {"recipient_kind": kind, "recipient": _text(issue.recipient, 100, field="recipient")}
    if kind == RecipientKind.HOUSEHOLD:
        if issue.household_id not in households:
            raise NotFound(_("There is no such household in your jurisdiction."), field="household_id")
        fields["household"] = households[issue.household_id]
    elif kind == RecipientKind.CHECKPOINT:
        if issue.checkpoint_id not in checkpoints:
            raise NotFound(_("There is no such checkpoint in your jurisdiction."), field="checkpoint_id")
        fields["checkpoint"] = checkpoints[issue.checkpoint_id]
    elif kind in (RecipientKind.WORKER, RecipientKind.TEAM) and not fields["recipient"]:
        raise DomainError(_("Name the worker or team."), code="required", field="recipient")
    return fields
