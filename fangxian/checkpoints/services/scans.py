"""Gate scans: decide the verdict, record it once, alert on fever; single scans and offline batches.

Every scan carries an idempotency key (a UUID made by the device). The key is unique in the
table, and rows are written with `INSERT ... ON CONFLICT DO NOTHING` (Django's
`bulk_create(ignore_conflicts=True)`, on SQLite and PostgreSQL alike): a scan sent twice, or a batch
re-sent after a cut, adds no second row and no second task, and the answer for a known key is the
stored row's verdict, not a new decision.

What a guard is shown is the minimum (`summary`): a masked name ("张**"), the room, the kind of
subject; never an ID or phone number. Guards hold no personal-data reach; these rules are the
checkpoint module's own way to people, limited to the checkpoint's community.
"""

from __future__ import annotations

import datetime as dt
import uuid
from contextlib import nullcontext
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.base import ModelState
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangxian.areas.models import Household
from fangxian.checkpoints.gatestate import GateState, gate_state
from fangxian.checkpoints.models import (
    Checkpoint,
    Direction,
    GatePolicy,
    GateScan,
    Pass,
    ScanReason,
    VehiclePlate,
    Verdict,
    Visitor,
    VisitorStatus,
)
from fangxian.checkpoints.plates import plate_normalize
from fangxian.checkpoints.selectors import gate_policy_in_force
from fangxian.checkpoints.services.passes import pass_verify, passes_by_public_id
from fangxian.command.models import Emergency, TaskPriority, TaskSource
from fangxian.command.services.tasks import task_create
from fangxian.core.audit import audit_record
from fangxian.core.errors import DomainError, NotFound, PermissionDenied
from fangxian.core.measures import body_temperature
from fangxian.core.models import AuditAction
from fangxian.core.personal import name_masked
from fangxian.core.scoping import Actor, scope_admits
from fangxian.registry.models import Resident
from fangxian.registry.models.residents import ResidentStatus

BATCH_MAX = 500
# How far a device's clock may run ahead, and how old an offline scan may be when it arrives.
FUTURE_GRACE = dt.timedelta(minutes=5)
OFFLINE_MAX_AGE = dt.timedelta(days=7)
FEVER_TASK_HOURS = 1
# Lazy: translated only when a scan names somebody who is not there, not for every scan of a batch.
NO_RESIDENT = gettext_lazy("There is no such resident in this community.")
NO_HOUSEHOLD = gettext_lazy("There is no such household in this community.")
NO_VISITOR = gettext_lazy("There is no such visitor at this community.")
# Read once: Django's `Choices.values` builds a new list on every access, and a batch asks 500 times.
_DIRECTIONS = frozenset(Direction.values)
_REASON_LABELS = dict(ScanReason.choices)


@dataclass
class ScanInput:
    """One scan as a device sends it: a pass token, or what the guard picked by hand."""

    checkpoint_id: int
    direction: str
    idempotency_key: uuid.UUID | str
    at: dt.datetime | None = None
    token: str = ""
    resident_id: int | None = None
    household_id: int | None = None
    visitor_id: int | None = None
    plate: str = ""
    temperature: Decimal | float | str | None = None


@dataclass
class ScanResult:
    """The answer to one scan: the stored row's verdict, or the error that kept it from being recorded."""

    idempotency_key: uuid.UUID | str
    scan: GateScan | None = None
    created: bool = False
    verdict: str = ""
    reason: str = ""
    summary: dict[str, str] = field(default_factory=dict)
    error: DomainError | None = None

    @property
    def reason_label(self) -> str:
        label = _REASON_LABELS.get(self.reason)
        return str(label) if label is not None else ""


@dataclass
class _Decision:
    verdict: str
    reason: str
    gate_pass_id: int | None = None
    resident: Resident | None = None
    household: Household | None = None
    visitor: Visitor | None = None
    plate: str = ""


def scan_summary(
    *, resident: Resident | None, household: Household | None, visitor: Visitor | None, plate: str
) -> dict[str, str]:
    """The guard's verdict screen: masked name, room, kind; nothing else about the person."""
    if visitor is not None:
        host = visitor.host_household
        return {
            "kind": "visitor",
            "name": name_masked(visitor.name),
            "room": host.address if host else "",
            "visitor_status": visitor.status,
        }
    if resident is not None:
        return {"kind": "resident", "name": name_masked(resident.name), "room": household.address if household else ""}
    if household is not None:
        return {"kind": "household", "name": "", "room": household.address}
    if plate:
        return {"kind": "vehicle", "name": "", "room": "", "plate": plate}
    return {"kind": "unknown", "name": "", "room": ""}


# --- input checks --------------------------------------------------------------------------------


def _key(value: uuid.UUID | str) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value)[:40])
    except ValueError:
        raise DomainError(
            _("The idempotency key must be a UUID."), code="idempotency_key", field="idempotency_key"
        ) from None


def _at(value: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    if value is None:
        return now
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > now + FUTURE_GRACE or value < now - OFFLINE_MAX_AGE:
        raise DomainError(
            _("The time of the scan must lie within the last %(days)s days.") % {"days": OFFLINE_MAX_AGE.days},
            code="scan_time",
            field="at",
        )
    return value


def _within_hours(start: dt.time, end: dt.time, moment: dt.time) -> bool:
    if start <= end:
        return start <= moment < end
    return moment >= start or moment < end  # overnight


# --- the decision ----------------------------------------------------------------------------------


@dataclass
class _Context:
    """What a batch looks up once: checkpoints, policies, and the exits it has allowed so far."""

    actor: Actor
    # The process's checkpoints and policies (gatestate), shared by every request of this process.
    state: GateState = field(default_factory=gate_state)
    exits: dict[int, list[dt.datetime]] = field(default_factory=dict)
    admitted: set[int] = field(default_factory=set)  # checkpoints this actor was found to reach
    zone: dt.tzinfo = field(default_factory=timezone.get_current_timezone)  # read once, not per scan
    # A batch reads the passes of all its tokens at once; None: look each one up.
    passes: dict[str, Pass] | None = None

    def checkpoint(self, checkpoint_id: Any) -> Checkpoint:
        if not isinstance(checkpoint_id, int) or isinstance(checkpoint_id, bool):
            raise NotFound(_("There is no such checkpoint in your jurisdiction."), field="checkpoint_id")
        found = self.state.checkpoints.get(checkpoint_id)
        if found is not None and checkpoint_id in self.admitted:
            return found
        admitted = scope_admits(found, self.actor) if found is not None else None
        if admitted is None:
            try:
                found = Checkpoint.objects.get_visible(self.actor, pk=checkpoint_id)
            except Http404:
                raise NotFound(_("There is no such checkpoint in your jurisdiction."), field="checkpoint_id") from None
            self.state.checkpoints[checkpoint_id] = found
        elif not admitted:
            # Read earlier for somebody else: the same answer as the scoped query gives.
            raise NotFound(_("There is no such checkpoint in your jurisdiction."), field="checkpoint_id")
        self.admitted.add(checkpoint_id)
        return found

    def policy(self, checkpoint: Checkpoint) -> tuple[GatePolicy, Emergency | None]:
        community = checkpoint.community_code
        policies = self.state.policies
        if community not in policies:
            policies[community] = gate_policy_in_force(community)
        return policies[community]


def _subject_in(model: type, pk: Any, community: str, field_name: str, message: str):
    if pk is None:
        return None
    if not isinstance(pk, int) or isinstance(pk, bool):
        raise NotFound(str(message), field=field_name)
    related = {
        "Resident": ("household__building", "household__unit"),
        "Visitor": ("host_household__building", "host_household__unit"),
        "Household": ("building", "unit"),
    }[model.__name__]
    found = model.objects.select_related(*related).filter(pk=pk, area_code__within=community).first()
    if found is None:
        raise NotFound(str(message), field=field_name)
    return found


def _decide(
    context: _Context, checkpoint: Checkpoint, item: ScanInput, at: dt.datetime, temperature: Decimal | None, plate: str
) -> _Decision:
    policy, _emergency = context.policy(checkpoint)
    community = checkpoint.community_code
    entering = item.direction == Direction.IN
    local = at.astimezone(context.zone).time()

    # Who is at the gate.
    resident = _subject_in(Resident, item.resident_id, community, "resident_id", NO_RESIDENT)
    household = _subject_in(Household, item.household_id, community, "household_id", NO_HOUSEHOLD)
    visitor = _subject_in(Visitor, item.visitor_id, community, "visitor_id", NO_VISITOR)
    decision = _Decision(Verdict.ALLOW, ScanReason.OK, plate=plate)

    def deny(reason: str) -> _Decision:
        decision.verdict, decision.reason = Verdict.DENY, reason
        return decision

    pass_refused = ""
    if item.token:
        check = pass_verify(item.token, at=at, known=context.passes)
        if check.gate_pass is not None and check.gate_pass.area_code.startswith(community):
            # Kept even when the pass is refused (revoked, expired): the log says whose it was.
            decision.gate_pass_id = check.gate_pass.pk
            resident = resident or check.gate_pass.resident
            household = household or check.gate_pass.household
        elif check.gate_pass is not None:
            # Another community's pass, valid or not: its state is none of this gate's business.
            check = type(check)(False, ScanReason.OTHER_COMMUNITY)
        if not check.ok:
            pass_refused = check.reason
    if resident is not None and household is None:
        household = resident.household
    decision.resident, decision.household, decision.visitor = resident, household, visitor
    if not (item.token or resident or household or visitor or plate):
        raise DomainError(
            _("Scan a pass, or pick a resident, household, visitor or plate."), code="scan_subject_required"
        )

    # Health first: a fever at the entrance is denied and alerted whoever is at the gate, pass or no pass.
    if entering and temperature is not None and temperature >= policy.fever_celsius:
        return deny(ScanReason.FEVER)
    if pass_refused:
        return deny(pass_refused)
    if not checkpoint.active or (
        not checkpoint.always_open and not _within_hours(checkpoint.opens_at, checkpoint.closes_at, local)
    ):
        return deny(ScanReason.CHECKPOINT_CLOSED)
    if resident is not None and resident.status != ResidentStatus.ACTIVE:
        return deny(ScanReason.RESIDENT_INACTIVE)
    in_hours = not policy.has_hours or _within_hours(policy.hours_from, policy.hours_to, local)

    if entering and plate and (policy.vehicles_by_plate_list or (policy.residents_only and not household)):
        if not VehiclePlate.objects.filter(plate=plate, area_code__within=community).exists():
            return deny(ScanReason.PLATE_NOT_LISTED)
    if visitor is not None and resident is None and household is None:
        if not entering:
            return decision  # a visitor may always leave
        if policy.residents_only:
            return deny(ScanReason.RESIDENTS_ONLY)
        if visitor.status == VisitorStatus.DENIED:
            return deny(ScanReason.VISITOR_DENIED)
        if policy.visitors_need_host_approval and visitor.status != VisitorStatus.APPROVED:
            return deny(ScanReason.VISITOR_PENDING)
        return decision if in_hours else deny(ScanReason.HOURS)
    if household is None:
        return decision  # a listed vehicle with nobody identified
    if entering:
        return decision  # residents may always come home
    if not in_hours:
        return deny(ScanReason.HOURS)
    if policy.has_quota:
        since = at - dt.timedelta(days=policy.quota_days)
        used = GateScan.objects.filter(
            household_id=household.pk, direction=Direction.OUT, verdict=Verdict.ALLOW, at__gt=since, at__lte=at
        ).count()
        used += sum(1 for moment in context.exits.get(household.pk, []) if since < moment <= at)
        if used >= policy.quota_persons:
            return deny(ScanReason.QUOTA)
    context.exits.setdefault(household.pk, []).append(at)
    return decision


def _prepare(context: _Context, item: ScanInput, key: uuid.UUID, now: dt.datetime, batch_time: dt.datetime):
    if item.direction not in _DIRECTIONS:
        raise DomainError(_("The direction is “in” or “out”."), code="direction", field="direction")
    checkpoint = context.checkpoint(item.checkpoint_id)
    at = _at(item.at, now)
    temperature = body_temperature(item.temperature)
    plate = ""
    if item.plate:
        try:
            plate = plate_normalize(item.plate)
        except ValidationError as error:
            raise DomainError(error.messages[0], code="plate_invalid", field="plate") from None
    if len(item.token or "") > 200:
        item.token = item.token[:200]
    decision = _decide(context, checkpoint, item, at, temperature, plate)
    _policy, emergency = context.policy(checkpoint)
    return _new_row(
        {
            "area_code": checkpoint.area_code,
            "emergency_id": emergency.pk if emergency else None,
            "checkpoint_id": checkpoint.pk,
            "direction": item.direction,
            "at": at,
            "guard_id": getattr(context.actor.user, "pk", None),
            "gate_pass_id": decision.gate_pass_id,
            "resident_id": decision.resident.pk if decision.resident else None,
            "household_id": decision.household.pk if decision.household else None,
            "visitor_id": decision.visitor.pk if decision.visitor else None,
            "plate": decision.plate,
            "temperature": temperature,
            "verdict": decision.verdict,
            "reason": decision.reason,
            "idempotency_key": key,
            "created_at": batch_time,
        },
        {
            "emergency": emergency,
            "checkpoint": checkpoint,
            "resident": decision.resident,
            "household": decision.household,
            "visitor": decision.visitor,
        },
    )


def _new_row(values: dict[str, Any], related: dict[str, Any]) -> GateScan:
    """A GateScan built without Model.__init__: the scan path makes one per scan, 500 per batch.

    Every concrete column gets its value (the defaults first), and the related objects the
    decision already holds go into the instance's relation cache, so that `row.resident` and the
    like cost no query. Equivalent to `GateScan(**values)` for everything the scan path uses.
    """
    row = GateScan.__new__(GateScan)
    row.__dict__.update(_ROW_DEFAULTS)
    row.__dict__.update(values)
    state = ModelState()
    state.fields_cache = {name: value for name, value in related.items()}
    row._state = state
    return row


_ROW_DEFAULTS = {
    field.attname: (None if field.primary_key else field.get_default()) for field in GateScan._meta.concrete_fields
}


def _stored(actor: Actor, keys: list[uuid.UUID]) -> dict[uuid.UUID, GateScan]:
    rows = GateScan.objects.filter(idempotency_key__in=keys).select_related(
        "resident",
        "household__building",
        "household__unit",
        "visitor__host_household__building",
        "visitor__host_household__unit",
    )
    return {row.idempotency_key: row for row in rows}


def _result(actor: Actor, key: uuid.UUID, row: GateScan, created: bool) -> ScanResult:
    if not actor.is_system and not actor.reaches(row.area_code):
        # Somebody else's key: say nothing about their scan.
        return ScanResult(
            key,
            error=DomainError(
                _("This idempotency key was used for another scan."),
                code="idempotency_key_used",
                field="idempotency_key",
            ),
        )
    summary = scan_summary(resident=row.resident, household=row.household, visitor=row.visitor, plate=row.plate)
    return ScanResult(key, scan=row, created=created, verdict=row.verdict, reason=row.reason, summary=summary)


def _fever_task(row: GateScan) -> None:
    checkpoint = row.checkpoint
    summary = scan_summary(resident=row.resident, household=row.household, visitor=row.visitor, plate=row.plate)
    who = " ".join(part for part in (summary.get("name", ""), summary.get("room", "")) if part) or _("unknown")
    task_create(
        actor=Actor.system("checkpoint-fever"),
        title=_("Fever at %(checkpoint)s: %(temperature)s °C")
        % {"checkpoint": checkpoint.name, "temperature": row.temperature},
        area_code=checkpoint.area_code,
        source=TaskSource.CHECKPOINT,
        source_ref=f"checkpoints.gatescan:{row.pk}",
        emergency=row.emergency_id,
        priority=TaskPriority.URGENT,
        due_at=timezone.now() + dt.timedelta(hours=FEVER_TASK_HOURS),
        description=_("Entry denied at %(time)s. Person: %(who)s. Follow up: re-check, advise, report.")
        % {"time": timezone.localtime(row.at).strftime("%Y-%m-%d %H:%M"), "who": who},
    )


def _require_scan(actor: Actor) -> None:
    if not actor.can("checkpoint.scan"):
        raise PermissionDenied(_("Your role may not record gate scans."))


# --- the two entry points ------------------------------------------------------------------------------


def scan_record(
    *,
    actor: Actor,
    checkpoint: Checkpoint | int,
    direction: str,
    idempotency_key: uuid.UUID | str,
    token: str = "",
    resident_id: int | None = None,
    household_id: int | None = None,
    visitor_id: int | None = None,
    plate: str = "",
    temperature: Decimal | float | str | None = None,
    at: dt.datetime | None = None,
) -> ScanResult:
    """Decide and record one scan; the same idempotency key again returns the stored result unchanged.

    Raises DomainError (bad input, 400), NotFound (a checkpoint or person outside reach, 404) or
    PermissionDenied (403). A fever at entry denies and creates one follow-up task for the duty staff.

    The hot path of the morning rush: the checkpoint and policy come from the process's gate state,
    the pass from one prepared join, and the row goes in with one `INSERT ... ON CONFLICT DO
    NOTHING RETURNING`, which also tells a new scan from a repeated one (a repeat is decided again,
    then answered with the stored row: repeats are rare, a read before every insert is not).
    Only a fever opens a transaction, so that the scan and its task are kept together.
    """
    _require_scan(actor)
    key = _key(idempotency_key)
    item = ScanInput(
        checkpoint_id=checkpoint.pk if isinstance(checkpoint, Checkpoint) else checkpoint,
        direction=direction,
        idempotency_key=key,
        at=at,
        token=token or "",
        resident_id=resident_id,
        household_id=household_id,
        visitor_id=visitor_id,
        plate=plate or "",
        temperature=temperature,
    )
    now = timezone.now()
    try:
        row = _prepare(_Context(actor), item, key, now, now)
    except DomainError:
        # A repeat of a stored scan answers with it even if it could not be decided today.
        existing = _stored(actor, [key]).get(key)
        if existing is None:
            raise
        return _answer(_result(actor, key, existing, created=False))
    with transaction.atomic() if row.reason == ScanReason.FEVER else nullcontext():
        inserted = _insert_new([row])
        if key not in inserted:
            # Stored before, by this device or through another request meanwhile: answer with what was stored.
            return _answer(_result(actor, key, _stored(actor, [key])[key], created=False))
        row.pk = inserted[key]
        if row.reason == ScanReason.FEVER:
            _fever_task(row)
    return _result(actor, key, row, created=True)


def _answer(result: ScanResult) -> ScanResult:
    if result.error:
        raise result.error
    return result


@cache
def _db_value_converters(vendor: str) -> list[Any]:
    """Per column of GateScan, what turns a model value into what the database driver takes.

    psycopg adapts UUIDs, datetimes and decimals itself; on SQLite they go through Django's own
    adapters, as `bulk_create` would do, decided once per column and process instead of once per value.
    """
    from django.db import connection, models

    converters: list[Any] = []
    for column in _columns():
        if vendor == "postgresql" or not isinstance(
            column, models.UUIDField | models.DateTimeField | models.DecimalField
        ):
            converters.append(None)
        else:
            converters.append(lambda value, column=column: column.get_db_prep_save(value, connection))
    return converters


@cache
def _columns() -> list[Any]:
    return [f for f in GateScan._meta.concrete_fields if not f.primary_key]


def _insert_new(rows: list[GateScan]) -> dict[uuid.UUID, int]:
    """Insert the rows, skipping keys already stored; the id of each row inserted, by its key.

    One `INSERT ... ON CONFLICT (idempotency_key) DO NOTHING RETURNING` per batch, on SQLite and
    PostgreSQL alike: what `bulk_create(ignore_conflicts=True)` does, without building the SQL value
    by value and without reading the rows back to learn which were new. On PostgreSQL each column
    is one array parameter (`unnest`), so the statement stays short whatever the batch size.
    """
    from django.db import connection

    if not rows:
        return {}
    columns = _columns()
    converters = _db_value_converters(connection.vendor)
    quote = connection.ops.quote_name
    names = ", ".join(quote(c.column) for c in columns)
    table, key, pk = quote(GateScan._meta.db_table), quote("idempotency_key"), quote("id")
    tail = f"ON CONFLICT ({key}) DO NOTHING RETURNING {pk}, {key}"
    inserted: dict[uuid.UUID, int] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH_MAX):
            chunk = rows[start : start + BATCH_MAX]
            values = [[getattr(row, column.attname) for column in columns] for row in chunk]
            if connection.vendor == "postgresql" and len(chunk) > 1:
                arrays = ", ".join(f"%s::{c.db_type(connection)}[]" for c in columns)
                cursor.execute(
                    f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays}) {tail}",  # noqa: S608
                    [list(column) for column in zip(*values, strict=True)],
                )
            else:
                # SQLite, or one row (a live scan): plain VALUES, cheaper to send than arrays.
                parameters = [
                    value if convert is None or value is None else convert(value)
                    for row in values
                    for value, convert in zip(row, converters, strict=True)
                ]
                one = "(" + ", ".join(["%s"] * len(columns)) + ")"
                cursor.execute(
                    f"INSERT INTO {table} ({names}) VALUES {', '.join([one] * len(chunk))} {tail}",  # noqa: S608
                    parameters,
                )
            for row_pk, row_key in cursor.fetchall():
                inserted[row_key if isinstance(row_key, uuid.UUID) else uuid.UUID(str(row_key))] = row_pk
    return inserted


@transaction.atomic
def scan_batch(*, actor: Actor, scans: list[ScanInput]) -> list[ScanResult]:
    """Record scans a device queued offline, in one statement; one result per scan, in the order sent.

    Re-sending a batch, or its second half after a cut, records nothing twice: keys already stored
    answer with the stored rows, and a key sent twice within the batch is recorded once. A scan
    with bad input gets its error in its result and does not stop the others.
    """
    _require_scan(actor)
    if len(scans) > BATCH_MAX:
        raise DomainError(_("Send at most %(max)s scans at a time.") % {"max": BATCH_MAX}, code="batch_too_large")
    now = timezone.now()
    results: list[ScanResult | None] = [None] * len(scans)
    keys: list[uuid.UUID | None] = []
    for index, item in enumerate(scans):
        try:
            keys.append(_key(item.idempotency_key))
        except DomainError as error:
            keys.append(None)
            results[index] = ScanResult(item.idempotency_key, error=error)
    wanted = [k for k in keys if k is not None]
    # Most keys of a batch are new: find the known ones with a narrow query, then load only those.
    known = set(GateScan.objects.filter(idempotency_key__in=wanted).values_list("idempotency_key", flat=True))
    stored = _stored(actor, sorted(known, key=str)) if known else {}
    context = _Context(actor)
    context.passes = passes_by_public_id(
        [item.token for item, k in zip(scans, keys, strict=True) if k is not None and k not in stored and item.token]
    )
    new_rows: dict[uuid.UUID, GateScan] = {}
    # Decide in the order the scans happened, so that quotas count the earlier exits of the batch.
    order = sorted(
        (i for i, k in enumerate(keys) if k is not None and k not in stored), key=lambda i: (scans[i].at or now, i)
    )
    for index in order:
        key = keys[index]
        if key in new_rows:
            continue
        try:
            new_rows[key] = _prepare(context, scans[index], key, now, now)
        except DomainError as error:
            results[index] = ScanResult(key, error=error)
    inserted = _insert_new(list(new_rows.values()))
    created = set(inserted)
    for key in created:
        new_rows[key].pk = inserted[key]
        stored[key] = new_rows[key]
    # Keys another request stored meanwhile (the insert skipped them): answer with what was stored.
    stored.update(_stored(actor, [key for key in new_rows if key not in created]))
    for key in sorted(created, key=str):
        if stored[key].reason == ScanReason.FEVER:
            _fever_task(stored[key])
    per_checkpoint: dict[str, int] = {}
    for key in created:
        per_checkpoint[stored[key].area_code] = per_checkpoint.get(stored[key].area_code, 0) + 1
    for area_code, count in sorted(per_checkpoint.items()):
        audit_record(
            AuditAction.BULK_CREATE,
            actor=actor,
            object_type="checkpoints.gatescan",
            object_label=f"gate scans ({count})",
            area_code=area_code,
            changes={"count": count},
        )
    for index, key in enumerate(keys):
        if results[index] is None and key is not None and key in stored:
            results[index] = _result(actor, key, stored[key], created=key in created)
            created.discard(key)  # a key repeated within the batch: only its first result says "created"
    return [
        r
        if r is not None
        else ScanResult(
            scans[i].idempotency_key, error=DomainError(_("The scan could not be recorded."), code="scan_failed")
        )
        for i, r in enumerate(results)
    ]
