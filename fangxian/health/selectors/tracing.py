"""Contact tracing (密接排查) from the gate log and the registry.

`contacts_trace(actor=, resident_id=, start=, end=, minutes=)` answers: who was close to this person
between `start` and `end`?

* **At the gates.** The person's own scans (their `resident_id`), and their household's scans made
  with a household pass and no resident named (less certain: somebody of the household passed);
  then every other scan at the same checkpoint within ±`minutes` of one of them. The second read is
  ONE query for all of the person's scans: the windows are merged per checkpoint and OR-ed, so
  PostgreSQL answers it with one bitmap scan of the (checkpoint_id, at) index.
* **At home.** The members of the person's household and of their building, from the registry.
* **Visitors.** Visitors who passed the same gates, and visitors registered for the person's
  household in the window.

Each contact gets a grade: **A** same household (or a visitor of it), **B** same building or the
same gate within CLOSE_MINUTES, **C** the same gate within `minutes`; and the reasons with their
times. Every read goes through `visible_to(actor)`: the person must be visible (404 otherwise), the
gate log is read only at the actor's gates, and contacts outside the actor's personal-data reach are
left out (only their number is given, `outside`, so that the actor knows to ask the street). A
fixed number of queries, whatever the number of scans or contacts (at most seven).
"""

from __future__ import annotations

import bisect
import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Expression, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangxian.areas.models import Household
from fangxian.checkpoints.models import GateScan, Visitor
from fangxian.core.errors import DomainError, PermissionDenied
from fangxian.core.scoping import Actor
from fangxian.health import capabilities  # noqa: F401  (tracing.run)
from fangxian.registry.models import Resident
from fangxian.registry.models.residents import ResidentStatus

MINUTES_DEFAULT = 15
MINUTES_MIN, MINUTES_MAX = 1, 120
CLOSE_MINUTES = 5
WINDOW_MAX_DAYS = 28
WINDOW_DEFAULT_DAYS = 14
YEAR_MIN, YEAR_MAX = 2000, 2100  # also keeps ±minutes from overflowing a datetime
# Caps that keep one trace bounded on a city's gate log; `truncated` says when one was reached.
PERSON_SCANS_MAX = 1000
GATE_ROWS_MAX = 50_000
BUILDING_MEMBERS_MAX = 2000
REASONS_PER_CONTACT = 20
GRAPH_NODES_MAX = 150

GRADE_A, GRADE_B, GRADE_C = "A", "B", "C"
GRADES = (GRADE_A, GRADE_B, GRADE_C)
GRADE_LABELS = {
    GRADE_A: gettext_lazy("A: same household"),
    GRADE_B: gettext_lazy("B: same building, or same gate within 5 minutes"),
    GRADE_C: gettext_lazy("C: same gate within the window"),
}
KIND_RESIDENT, KIND_VISITOR = "resident", "visitor"
REASON_HOUSEHOLD, REASON_BUILDING, REASON_GATE, REASON_VISIT = "household", "building", "gate", "visit"


class TracingError(DomainError):
    code = "tracing_invalid"


@dataclass(slots=True)
class Reason:
    """Why somebody is a contact: one meeting at a gate, or a place shared with the person."""

    code: str
    checkpoint: str = ""
    at: dt.datetime | None = None  # the contact's scan (or the visit's registration)
    person_at: dt.datetime | None = None  # the person's nearest scan at that gate
    gap_seconds: int | None = None
    uncertain: bool = False  # a household pass on either side: somebody of the household passed

    @property
    def gap_minutes(self) -> float | None:
        return None if self.gap_seconds is None else round(self.gap_seconds / 60, 1)

    def label(self) -> str:
        if self.code == REASON_HOUSEHOLD:
            return _("Same household")
        if self.code == REASON_BUILDING:
            return _("Same building")
        if self.code == REASON_VISIT:
            return _("Visited the household")
        minutes = self.gap_minutes or 0
        text = _("Same gate (%(gate)s), %(minutes)s min apart") % {"gate": self.checkpoint, "minutes": minutes}
        return text + (" · " + _("by household pass") if self.uncertain else "")


@dataclass
class Contact:
    """One person who was close to the traced person, with the grade and every reason found."""

    kind: str
    pk: int
    name: str
    area_code: str
    address: str = ""
    id_masked: str = ""
    phone_masked: str = ""
    household_id: int | None = None
    reasons: list[Reason] = field(default_factory=list)
    meetings: int = 0  # gate meetings, also those beyond REASONS_PER_CONTACT

    @property
    def key(self) -> str:
        return f"{'r' if self.kind == KIND_RESIDENT else 'v'}{self.pk}"

    # Set by settle() once every reason is in; read many times (sorting, the table, the export).
    grade: str = GRADE_C
    closest_gap_seconds: int | None = None

    @property
    def uncertain(self) -> bool:
        """Only met at gates, and every meeting involved a household pass."""
        return bool(self.reasons) and all(r.code == REASON_GATE and r.uncertain for r in self.reasons)

    def settle(self) -> None:
        """Keep the strongest reasons, and grade the contact from all of them."""
        codes = {r.code for r in self.reasons}
        gaps = [r.gap_seconds for r in self.reasons if r.gap_seconds is not None]
        self.closest_gap_seconds = gap = min(gaps) if gaps else None
        if codes & {REASON_HOUSEHOLD, REASON_VISIT}:
            self.grade = GRADE_A
        elif REASON_BUILDING in codes or (gap is not None and gap <= CLOSE_MINUTES * 60):
            self.grade = GRADE_B
        else:
            self.grade = GRADE_C
        if len(self.reasons) > 1:
            self.reasons.sort(key=lambda r: (r.code != REASON_HOUSEHOLD, r.code != REASON_VISIT, r.gap_seconds or 0))
            del self.reasons[REASONS_PER_CONTACT:]

    @property
    def grade_label(self) -> str:
        return str(GRADE_LABELS[self.grade])

    @property
    def first_at(self) -> dt.datetime | None:
        times = [r.at for r in self.reasons if r.at is not None]
        return min(times) if times else None

    def reason_text(self) -> str:
        return "; ".join(r.label() for r in self.reasons)

    def sort_key(self) -> tuple:
        gap = self.closest_gap_seconds
        return (self.grade, gap if gap is not None else 10**9, self.name, self.kind, self.pk)


@dataclass
class PersonScan:
    checkpoint_id: int
    checkpoint: str
    at: dt.datetime
    direction: str
    uncertain: bool  # a household pass with no resident named


@dataclass
class Trace:
    person: Resident
    start: dt.datetime
    end: dt.datetime
    minutes: int
    scans: list[PersonScan]
    contacts: list[Contact]
    outside: int  # people met at the gates whom the actor's personal-data reach does not cover
    truncated: bool

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(GRADES, 0)
        for contact in self.contacts:
            counts[contact.grade] += 1
        return counts

    def resident_ids(self) -> list[int]:
        return [c.pk for c in self.contacts if c.kind == KIND_RESIDENT]

    def chart_data(self) -> dict[str, Any]:
        """Nodes and links for an ECharts force graph: the person in the middle, contacts by grade."""
        shown = self.contacts[:GRAPH_NODES_MAX]
        nodes = [{"id": "p", "name": self.person.name, "category": 0, "symbolSize": 34, "fixed": True}]
        links = []
        for contact in shown:
            category = GRADES.index(contact.grade) + 1
            nodes.append(
                {
                    "id": contact.key,
                    "name": contact.name,
                    "category": category,
                    "symbolSize": {1: 22, 2: 16, 3: 11}[category],
                    "grade": contact.grade,
                    "visitor": contact.kind == KIND_VISITOR,
                    "uncertain": contact.uncertain,
                }
            )
            links.append({"source": "p", "target": contact.key, "value": contact.reason_text()})
        return {
            "nodes": nodes,
            "links": links,
            "hidden": max(len(self.contacts) - len(shown), 0),
            "categories": [str(_("Traced person"))] + [str(GRADE_LABELS[g]) for g in GRADES],
        }


# --- the window ------------------------------------------------------------------------------------


def tracing_window_check(*, start: dt.datetime, end: dt.datetime, minutes: int) -> None:
    """The rules of a trace's window, stated once for the page, the API and the selector."""
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise TracingError(_("Give the window's start and end with a time zone."), code="tracing_window_invalid")
    if not (YEAR_MIN <= start.year and end.year <= YEAR_MAX):
        raise TracingError(
            _("Give a window between the years %(low)d and %(high)d.") % {"low": YEAR_MIN, "high": YEAR_MAX},
            code="tracing_window_invalid",
            field="start",
        )
    if end <= start:
        raise TracingError(_("The window must end after it starts."), code="tracing_window_invalid", field="end")
    if end - start > dt.timedelta(days=WINDOW_MAX_DAYS):
        raise TracingError(
            _("The window may be at most %(days)d days long.") % {"days": WINDOW_MAX_DAYS},
            code="tracing_window_too_long",
            field="end",
        )
    if not MINUTES_MIN <= minutes <= MINUTES_MAX:
        raise TracingError(
            _("Minutes must be between %(low)d and %(high)d.") % {"low": MINUTES_MIN, "high": MINUTES_MAX},
            code="tracing_minutes_out_of_range",
            field="minutes",
        )


def tracing_default_window(now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    now = now or timezone.now()
    return now - dt.timedelta(days=WINDOW_DEFAULT_DAYS), now


def tracing_person(*, actor: Actor, resident_id: int) -> Resident:
    """The traced person, with their household's address: 404 alike for missing and elsewhere."""
    if not actor.can("tracing.run"):
        raise PermissionDenied(_("Your role does not allow this."))
    return Resident.objects.select_related("household__building", "household__unit").get_visible(actor, pk=resident_id)


# --- the trace ---------------------------------------------------------------------------------------


def _merged_windows(times: list[dt.datetime], delta: dt.timedelta) -> list[tuple[dt.datetime, dt.datetime]]:
    windows: list[tuple[dt.datetime, dt.datetime]] = []
    for at in sorted(times):
        low, high = at - delta, at + delta
        if windows and low <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(windows[-1][1], high))
        else:
            windows.append((low, high))
    return windows


def _address(building_estate: str | None, building_name: str | None, unit_name: str | None, room: str | None) -> str:
    building = f"{building_estate or ''} {building_name or ''}".strip()
    unit = f"{unit_name} " if unit_name else ""
    return f"{building} {unit}{room or ''}".strip()


def _ids_in(field: str, ids: list[int]) -> Q:
    """`field IN ids`; on PostgreSQL as `field = ANY(%s)` with the list as one array parameter.

    A trace may look up a few thousand residents; with one placeholder per id, psycopg parses the
    query and Django prepares every value on the client, which costs more than the index lookups.
    """
    if connection.vendor == "postgresql":
        return Q(_EqualsAny(field, [int(pk) for pk in ids]))
    return Q(**{f"{field}__in": ids})


class _EqualsAny(Expression):
    output_field = BooleanField()

    def __init__(self, field: str | Expression, ids: list[int]) -> None:
        super().__init__()
        self.lhs = F(field) if isinstance(field, str) else field
        self.ids = ids

    def get_source_expressions(self) -> list:
        return [self.lhs]

    def set_source_expressions(self, expressions: list) -> None:
        (self.lhs,) = expressions

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple]:
        sql, params = compiler.compile(self.lhs)
        return f"({sql} = ANY(%s))", (*params, self.ids)


def _addresses(actor: Actor, household_ids: list[int]) -> dict[int, str]:
    rows = (
        Household.objects.visible_to(actor)
        .filter(_ids_in("pk", household_ids))
        .values_list("pk", "building__estate", "building__name", "unit__name", "room")
    )
    return {pk: _address(estate, building, unit, room) for pk, estate, building, unit, room in rows}


def contacts_trace(
    *,
    actor: Actor,
    resident_id: int,
    start: dt.datetime,
    end: dt.datetime,
    minutes: int = MINUTES_DEFAULT,
) -> Trace:
    """Everybody who was close to resident `resident_id` between `start` and `end` (see the module)."""
    tracing_window_check(start=start, end=end, minutes=minutes)
    person = tracing_person(actor=actor, resident_id=resident_id)  # query 1
    household = person.household
    delta = dt.timedelta(minutes=minutes)
    truncated = False

    # Query 2: the person's scans, and the household's scans by household pass with nobody named.
    own = (
        GateScan.objects.visible_to(actor)
        .filter(Q(resident_id=person.pk) | Q(resident__isnull=True, visitor__isnull=True, household_id=household.pk))
        .filter(at__gte=start, at__lt=end)
        .order_by("at", "id")
        .values_list("checkpoint_id", "checkpoint__name", "at", "direction", "resident_id")[: PERSON_SCANS_MAX + 1]
    )
    rows = list(own)
    if len(rows) > PERSON_SCANS_MAX:
        rows, truncated = rows[:PERSON_SCANS_MAX], True
    scans = [PersonScan(cp, name, at, direction, resident is None) for cp, name, at, direction, resident in rows]

    # Query 3: every other scan at those gates within ±minutes, one query for all of the person's scans.
    times_at: dict[int, list[tuple[dt.datetime, bool]]] = defaultdict(list)
    names: dict[int, str] = {}
    for scan in scans:
        times_at[scan.checkpoint_id].append((scan.at, scan.uncertain))
        names[scan.checkpoint_id] = scan.checkpoint
    for entries in times_at.values():
        entries.sort(key=lambda entry: entry[0])
    gate_rows: list[tuple] = []
    if scans:
        q = Q()
        for checkpoint_id, entries in sorted(times_at.items()):
            for low, high in _merged_windows([at for at, _u in entries], delta):
                q |= Q(checkpoint_id=checkpoint_id, at__gte=low, at__lte=high)
        gate_rows = list(
            GateScan.objects.visible_to(actor)
            .filter(q)
            .values_list("checkpoint_id", "at", "resident_id", "household_id", "visitor_id")[: GATE_ROWS_MAX + 1]
        )
        if len(gate_rows) > GATE_ROWS_MAX:
            gate_rows, truncated = gate_rows[:GATE_ROWS_MAX], True

    # Meetings at the gates, keyed by who: ("r", resident), ("v", visitor), ("h", household pass).
    # The nearest of the person's scans at that gate by bisection over its sorted times.
    keys_at = {checkpoint_id: [at for at, _u in entries] for checkpoint_id, entries in times_at.items()}
    limit = minutes * 60
    meetings: dict[tuple[str, int], list[Reason]] = defaultdict(list)
    for checkpoint_id, at, other_resident, other_household, other_visitor in gate_rows:
        if other_resident == person.pk:
            continue
        if other_resident is None and other_visitor is None and other_household == household.pk:
            continue  # the person's own household pass: already among the person's scans
        if other_resident is not None:
            who: tuple[str, int] = ("r", other_resident)
        elif other_visitor is not None:
            who = ("v", other_visitor)
        elif other_household is not None:
            who = ("h", other_household)
        else:
            continue  # a vehicle or an unnamed scan: nobody to follow up
        entries, keys = times_at[checkpoint_id], keys_at[checkpoint_id]
        index = bisect.bisect_left(keys, at)
        if index == len(keys) or (index > 0 and at - keys[index - 1] <= keys[index] - at):
            index -= 1
        nearest_at, nearest_uncertain = entries[index]
        gap = int(abs((nearest_at - at).total_seconds()))
        if gap > limit:
            continue
        uncertain = True if who[0] == "h" else nearest_uncertain
        meetings[who].append(Reason(REASON_GATE, names[checkpoint_id], at, nearest_at, gap, uncertain))

    # Query 4: the households of the person's building (a short index scan on building_id).
    building_households = list(
        Household.objects.visible_to(actor)
        .filter(building_id=household.building_id)
        .values_list("pk", flat=True)[: BUILDING_MEMBERS_MAX + 1]
    )
    if len(building_households) > BUILDING_MEMBERS_MAX:
        building_households, truncated = building_households[:BUILDING_MEMBERS_MAX], True
    pass_households = sorted(key for kind, key in meetings if kind == "h")
    gate_residents = sorted(key for kind, key in meetings if kind == "r")

    # Query 5: the residents: met at a gate, living in the building, or of a household whose pass was used.
    building_set = set(building_households)
    pass_set = set(pass_households)
    residents = list(
        Resident.objects.visible_to(actor)
        .filter(_ids_in("pk", gate_residents) | _ids_in("household_id", sorted(building_set | set(pass_households))))
        .exclude(pk=person.pk)
        .values_list(
            "pk",
            "name",
            "area_code",
            "status",
            "household_id",
            "id_number_masked",
            "document_number_masked",
            "phone_masked",
        )
        .order_by("pk")[: BUILDING_MEMBERS_MAX + len(gate_residents) + 10 * len(pass_households) + 1]
    )
    # Query 6: their addresses, by household (a join of every resident to three tables would make
    # PostgreSQL hash whole tables; a few thousand households by primary key do not).
    addresses = _addresses(actor, sorted({row[4] for row in residents}))
    contacts: dict[str, Contact] = {}
    seen_residents: set[int] = set()
    pass_members: dict[int, list[int]] = defaultdict(list)
    for pk, name, area_code, status, household_id, id_masked, document_masked, phone_masked in residents:
        seen_residents.add(pk)
        contact = Contact(
            kind=KIND_RESIDENT,
            pk=pk,
            name=name,
            area_code=area_code,
            address=addresses.get(household_id, ""),
            id_masked=id_masked or document_masked,
            phone_masked=phone_masked,
            household_id=household_id,
        )
        active = status == ResidentStatus.ACTIVE
        if active and household_id == household.pk:
            contact.reasons.append(Reason(REASON_HOUSEHOLD))
        elif active and household_id in building_set:
            contact.reasons.append(Reason(REASON_BUILDING))
        gate = meetings.get(("r", pk), [])
        contact.meetings += len(gate)
        contact.reasons.extend(gate)
        if household_id in pass_set:
            if active:
                pass_members[household_id].append(pk)
            contacts[contact.key] = contact
        elif contact.reasons:
            contacts[contact.key] = contact
    # A household pass with nobody named: each active member of that household may have passed.
    for household_id in pass_households:
        for member in pass_members.get(household_id, []):
            contact = contacts[f"r{member}"]
            uncertain = [
                Reason(r.code, r.checkpoint, r.at, r.person_at, r.gap_seconds, True)
                for r in meetings[("h", household_id)]
            ]
            contact.meetings += len(uncertain)
            contact.reasons.extend(uncertain)
    contacts = {key: c for key, c in contacts.items() if c.reasons}

    # Query 7: visitors met at the gates, and visitors registered for the person's household.
    gate_visitors = sorted(key for kind, key in meetings if kind == "v")
    visitor_q = _ids_in("pk", gate_visitors) | Q(
        host_household_id=household.pk, created_at__gte=start, created_at__lt=end
    )
    visitors = (
        Visitor.objects.visible_to(actor)
        .filter(visitor_q)
        .values(
            "pk",
            "name",
            "area_code",
            "created_at",
            "host_household_id",
            "id_number_masked",
            "phone_masked",
            "host_household__room",
            "host_household__building__estate",
            "host_household__building__name",
            "host_household__unit__name",
        )
        .order_by("pk")[: len(gate_visitors) + 1000]
    )
    seen_visitors: set[int] = set()
    for row in visitors:
        seen_visitors.add(row["pk"])
        contact = Contact(
            kind=KIND_VISITOR,
            pk=row["pk"],
            name=row["name"],
            area_code=row["area_code"],
            address=_address(
                row["host_household__building__estate"],
                row["host_household__building__name"],
                row["host_household__unit__name"],
                row["host_household__room"],
            ),
            id_masked=row["id_number_masked"],
            phone_masked=row["phone_masked"],
            household_id=row["host_household_id"],
        )
        if row["host_household_id"] == household.pk and start <= row["created_at"] < end:
            contact.reasons.append(Reason(REASON_VISIT, at=row["created_at"]))
        gate = meetings.get(("v", row["pk"]), [])
        contact.meetings += len(gate)
        contact.reasons.extend(gate)
        contacts[contact.key] = contact

    for contact in contacts.values():
        contact.settle()
    outside = sum(1 for kind, key in meetings if kind == "r" and key not in seen_residents)
    outside += sum(1 for kind, key in meetings if kind == "v" and key not in seen_visitors)
    outside += sum(1 for kind, key in meetings if kind == "h" and not pass_members.get(key))
    return Trace(
        person=person,
        start=start,
        end=end,
        minutes=minutes,
        scans=scans,
        contacts=sorted(contacts.values(), key=Contact.sort_key),
        outside=outside,
        truncated=truncated,
    )


# --- the export ---------------------------------------------------------------------------------------


def contacts_trace_columns() -> list[tuple[str, Any]]:
    return [
        (_("Grade"), lambda c: c.grade),
        (_("Kind"), lambda c: _("Visitor") if c.kind == KIND_VISITOR else _("Resident")),
        (_("Full name"), lambda c: c.name),
        (_("ID number"), lambda c: c.id_masked),
        (_("Phone"), lambda c: c.phone_masked),
        (_("Address"), lambda c: c.address),
        (_("Grid code"), lambda c: c.area_code),
        (_("Closest (minutes)"), lambda c: c.closest_gap_seconds / 60 if c.closest_gap_seconds is not None else None),
        (_("First met"), lambda c: c.first_at),
        (_("Gate meetings"), lambda c: c.meetings),
        (_("Less certain (household pass)"), lambda c: _("yes") if c.uncertain else ""),
        (_("Reasons"), lambda c: c.reason_text()),
    ]


def contacts_trace_export(*, actor: Actor, trace: Trace) -> bytes:
    """The contacts as an Excel sheet for follow-up: masked numbers, every cell formula-safe, audited.

    The only write is the audit event (an `export` of the traced person's record, with the window
    and the number of rows), recorded before the file is handed out.
    """
    from fangxian.core.audit import audit_record
    from fangxian.core.exports import csv_safe_cell, safe_workbook
    from fangxian.core.models import AuditAction

    if not actor.can("tracing.run"):
        raise PermissionDenied(_("Your role does not allow this."))
    audit_record(
        AuditAction.EXPORT,
        actor=actor,
        obj=trace.person,
        object_label=f"contacts of resident #{trace.person.pk}",
        changes={
            "rows": len(trace.contacts),
            "unmasked": False,
            "start": trace.start.isoformat(),
            "end": trace.end.isoformat(),
            "minutes": trace.minutes,
        },
    )
    output = io.BytesIO()
    workbook = safe_workbook(output, in_memory=True)
    sheet = workbook.add_worksheet(str(_("Contacts"))[:31])
    bold = workbook.add_format({"bold": True})
    time_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    columns = contacts_trace_columns()
    for column, (label, _value) in enumerate(columns):
        sheet.write_string(0, column, str(label), bold)
        sheet.set_column(column, column, 16)
    for row_number, contact in enumerate(trace.contacts, start=1):
        for column, (_label, value_of) in enumerate(columns):
            value = value_of(contact)
            if value is None or value == "":
                continue
            if isinstance(value, int | float) and not isinstance(value, bool):
                sheet.write_number(row_number, column, value)
            elif isinstance(value, dt.datetime):
                sheet.write_datetime(row_number, column, timezone.localtime(value).replace(tzinfo=None), time_format)
            else:
                sheet.write_string(row_number, column, csv_safe_cell(value))
    workbook.close()
    return output.getvalue()
