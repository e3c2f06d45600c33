"""Importing residents: the whole run, dry or real, row by row, in batches of one transaction each.

Every row ends in exactly one outcome: created, existing (already registered: matched by the ID
number's hash, or by name + phone hash + household), updated (existing, and given the file's
values because the import was asked to), skipped (a totals row) or error (with its messages).
Valid rows are kept when others fail. A batch is written in one transaction, so a
process that dies leaves whole batches only; running the same file again matches the rows
already written and creates the rest: that is how an interrupted import resumes.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fangxian.areas.models import Area, AreaLevel, Building, Household, Unit
from fangxian.core.audit import audit_record
from fangxian.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangxian.core.models import AuditAction
from fangxian.core.scoping import Actor
from fangxian.registry import capabilities_imports  # noqa: F401 - registers registry.import
from fangxian.registry.importing import cells, reader
from fangxian.registry.importing.headers import FIELDS, REQUIRED, find_header
from fangxian.registry.importing.prepare import ERROR as PREPARED_ERROR
from fangxian.registry.importing.prepare import SKIP, Prepared, prepared_ranges
from fangxian.registry.importing.rows import ResidentRow, RowError
from fangxian.registry.importing.writer import COMPUTED, ResidentWriter
from fangxian.registry.models import ImportJob, ImportStatus, Resident, Vulnerability

BATCH_SIZE = 2000
CREATED, EXISTING, UPDATED, SKIPPED, ERROR = "created", "existing", "updated", "skipped", "error"


@dataclass
class ImportResult:
    dry_run: bool
    total: int = 0
    counts: dict[str, int] = field(default_factory=lambda: {CREATED: 0, EXISTING: 0, UPDATED: 0, SKIPPED: 0, ERROR: 0})
    errors: list[RowError] = field(default_factory=list)
    outcomes: dict[int, str] = field(default_factory=dict)  # spreadsheet line -> outcome
    error_rows: dict[int, list[Any]] = field(default_factory=dict)  # line -> the row's cells, for the report
    header: list[Any] = field(default_factory=list)

    def mark(self, line: int, outcome: str) -> None:
        self.outcomes[line] = outcome
        self.counts[outcome] += 1


@dataclass
class ImportSource:
    """A checked upload, read: its rows, the header row and the guessed mapping (column -> field)."""

    rows: list[list[Any]]
    header_index: int
    mapping: dict[int, str]

    @property
    def header(self) -> list[Any]:
        return self.rows[self.header_index] if self.rows else []


def import_source_read(data: bytes, name: str) -> ImportSource:
    kind = reader.check_upload(data, name)
    rows = reader.read_rows(data, kind)
    header_index, mapping = find_header(rows)
    return ImportSource(rows=rows, header_index=header_index, mapping=mapping)


def import_grids(actor: Actor) -> list[Area]:
    """The grids residents may be imported into by this actor: within its reach for personal data."""
    if not actor.can("registry.import"):
        return []
    prefixes = actor.personal_prefixes
    grids = Area.objects.filter(level=AreaLevel.GRID).order_by("code")
    return [g for g in grids if any(g.code.startswith(p) for p in prefixes)]


def mapping_check(mapping: dict[int, str]) -> list[str]:
    """What is wrong with a mapping: a field chosen twice, a required field missing."""
    problems = []
    chosen = [key for key in mapping.values() if key]
    for key in sorted({k for k in chosen if chosen.count(k) > 1}):
        problems.append(_("“%(field)s” is chosen for more than one column.") % {"field": FIELDS[key][0]})
    for key in REQUIRED:
        if key not in chosen:
            problems.append(_("Choose the column that holds “%(field)s”.") % {"field": FIELDS[key][0]})
    if "room" not in chosen and "address" not in chosen:
        problems.append(_("Choose the columns of the building and room, or the address."))
    return problems


class _Places:
    """Buildings, units and households found or created in the import's grids, cached.

    Buildings and units are few and created one by one (audited); the households of a batch are
    looked up in one query and the missing ones created in one statement that returns their ids
    (`_households_insert`). Households are known by id: model instances would cost more to build
    than the rows cost to write.
    """

    def __init__(self, dry_run: bool) -> None:
        self.dry_run = dry_run
        self.buildings: dict[tuple[str, str, str], Building | str | None] = {}
        self.units: dict[tuple[int, str], Unit | None] = {}
        self.households: dict[tuple[Any, ...], int | str | None] = {}
        self.created_households = 0

    def building(self, grid: str, estate: str, name: str) -> Building | str | None:
        """The building, None if it does not exist yet (dry run), or the text of a problem."""
        key = (grid, estate, name)
        if key not in self.buildings:
            found = Building.objects.filter(area_code=grid, name=name)
            if estate:
                found = found.filter(estate=estate)
            candidates = list(found[:2])
            if len(candidates) > 1:
                self.buildings[key] = _(
                    "There are several buildings “%(name)s” in this grid: add an estate column."
                ) % {"name": name}
            elif candidates:
                self.buildings[key] = candidates[0]
            elif self.dry_run:
                self.buildings[key] = None
            else:
                self.buildings[key] = Building.objects.create(area_code=grid, estate=estate, name=name)
        return self.buildings[key]

    def unit(self, building: Building, name: str) -> Unit | None:
        key = (building.pk, name)
        if key not in self.units:
            unit = Unit.objects.filter(building=building, name=name).first()
            if unit is None and not self.dry_run:
                unit = Unit.objects.create(area_code=building.area_code, building=building, name=name)
            self.units[key] = unit
        return self.units[key]

    @staticmethod
    def key(grid: str, row: ResidentRow) -> tuple[Any, ...]:
        return (grid, row.estate, row.building, row.unit, row.room)

    def prepare(self, rows: list[tuple[ResidentRow, str]]) -> None:
        """Find or create the households of these rows: one query, one insert."""
        wanted: dict[tuple[Any, ...], tuple[int, int | None, str, str]] = {}
        for row, grid in rows:
            key = self.key(grid, row)
            if key in self.households or key in wanted:
                continue
            building = self.building(grid, row.estate, row.building)
            if building is None or isinstance(building, str):
                self.households[key] = building
                continue
            unit = self.unit(building, row.unit) if row.unit else None
            if row.unit and unit is None:
                self.households[key] = None
                continue
            wanted[key] = (building.pk, unit.pk if unit else None, row.room, grid)
        if not wanted:
            return
        building_ids = sorted({b for b, _u, _r, _g in wanted.values()})
        rooms = sorted({r for _b, _u, r, _g in wanted.values()})
        existing = {
            (building, unit, room): pk
            for pk, building, unit, room in Household.objects.filter(
                building_id__in=building_ids, room__in=rooms
            ).values_list("id", "building_id", "unit_id", "room")
        }
        missing = [place for place in wanted.values() if place[:3] not in existing]
        if missing and not self.dry_run:
            existing.update(_households_insert(missing))
            self.created_households += len(missing)
        for key, place in wanted.items():
            self.households[key] = existing.get(place[:3])

    def household(self, grid: str, row: ResidentRow) -> int | str | None:
        return self.households.get(self.key(grid, row))


def _households_insert(places: list[tuple[int, int | None, str, str]]) -> dict[tuple[int, int | None, str], int]:
    """Insert households (building id, unit id, room, grid) in one statement; their ids by place.

    Like `Household.objects.bulk_create`, without building a model instance per dwelling; the
    import's own audit record counts them.
    """
    quote = connection.ops.quote_name
    table = quote(Household._meta.db_table)
    columns = ", ".join(quote(c) for c in ("area_code", "building_id", "unit_id", "room", "notes"))
    returning = ", ".join(quote(c) for c in ("id", "building_id", "unit_id", "room"))
    if connection.vendor == "postgresql":
        statement = (
            f"INSERT INTO {table} ({columns}) "  # noqa: S608 - names from the model, values as parameters
            "SELECT g, b, u, r, '' FROM unnest(%s::varchar[], %s::bigint[], %s::bigint[], %s::varchar[]) "
            f"AS t(g, b, u, r) RETURNING {returning}"
        )
        parameters = [[p[3] for p in places], [p[0] for p in places], [p[1] for p in places], [p[2] for p in places]]
    else:
        statement = (
            f"INSERT INTO {table} ({columns}) "  # noqa: S608
            "SELECT json_extract(value, '$[3]'), json_extract(value, '$[0]'), json_extract(value, '$[1]'), "
            "json_extract(value, '$[2]'), '' FROM json_each(%s) WHERE true "
            f"RETURNING {returning}"
        )
        parameters = [json.dumps(places)]
    with connection.cursor() as cursor:
        cursor.execute(statement, parameters)
        return {(building, unit, room): pk for pk, building, unit, room in cursor.fetchall()}


def _registered_areas(hashes: list[str]) -> dict[str, str]:
    """The area of every resident already registered with one of these ID or document hashes.

    Deliberately across all areas: a person registered by another community must be reported as
    such, never registered twice; only the area code comes back, never a person. One statement
    with the hashes as a single parameter (an array on PostgreSQL, a JSON list on SQLite): an IN
    list of thousands of parameters costs more to build than the index lookups themselves.
    """
    if not hashes:
        return {}
    quote = connection.ops.quote_name
    table = quote(Resident._meta.db_table)
    columns = ["id_number_hash", "document_number_hash"]
    if connection.vendor == "postgresql":
        wanted, parameter = "= ANY(%s)", list(hashes)
    else:
        wanted, parameter = "IN (SELECT value FROM json_each(%s))", json.dumps(hashes)
    statement = " UNION ALL ".join(
        f"SELECT {quote(column)}, {quote('area_code')} FROM {table} WHERE {quote(column)} {wanted}"  # noqa: S608
        for column in columns
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [parameter] * len(columns))
        return dict(cursor.fetchall())


@dataclass
class _Run:
    """The state of one import across its batches, and the matching and writing of one batch."""

    actor: Actor
    source: ImportSource
    result: ImportResult
    places: _Places
    dry_run: bool
    update_existing: bool = False
    seen_ids: dict[str, int] = field(default_factory=dict)
    seen_people: dict[tuple[Any, ...], int] = field(default_factory=dict)
    writer: ResidentWriter | None = None
    needs_added: int = 0

    def __post_init__(self) -> None:
        self.writer = None if self.dry_run else ResidentWriter()

    def error(self, line: int, errors: list[RowError]) -> None:
        self.result.errors.extend(errors)
        self.result.error_rows[line] = list(self.source.rows[line - 1])
        self.result.mark(line, ERROR)

    def column_error(self, line: int, key: str, message: str) -> None:
        self.error(line, [RowError(line, str(FIELDS[key][0]), message)])

    def batch(self, checked: list[Prepared]) -> None:
        """Match and write one batch in one transaction; its outcomes count only once it is committed.

        Another import (or a worker at a desk) may register one of these people between our
        matching and our writing: the unique ID constraint then fails the whole transaction, and
        the batch is matched again from scratch, which finds them.
        """
        for attempt in range(3):
            seen_people = dict(self.seen_people)
            households_before, needs_before = self.places.created_households, self.needs_added
            outcomes: list[tuple[int, str, str, str]] = []  # line, outcome, error column key, message
            try:
                with transaction.atomic():
                    self._match_and_write(checked, seen_people, outcomes)
            except IntegrityError:
                if attempt == 2:
                    raise
                # Buildings, units and households of the rolled-back transaction are gone too.
                self.places = _Places(self.dry_run)
                self.places.created_households, self.needs_added = households_before, needs_before
                continue
            self.seen_people = seen_people
            for line, outcome, key, message in outcomes:
                if outcome == ERROR:
                    self.column_error(line, key, message)
                else:
                    self.result.mark(line, outcome)
            return

    def _update_found(self, found: list[Prepared]) -> set[int]:
        """Give people found registered the file's name, phone, relation, residence type, employer, notes.

        Needs (vulnerable groups) of the file that a person lacks are added, never removed. Only
        cells the file fills in change anything (an empty cell never clears a value); the
        dwelling and the status are left alone (a move or a return is recorded on the person's
        page). Each changed person is saved on their own, so the audit trail has every change.
        Returns the lines of the rows that changed someone (in a dry run: would have).
        """
        by_hash = {item.identity_hash: item for item in found}
        hashes = sorted(by_hash)
        people = Resident.objects.visible_to(self.actor).filter(
            Q(id_number_hash__in=hashes) | Q(document_number_hash__in=hashes)
        )
        people = list(people)
        known_needs = set(
            Vulnerability.objects.visible_to(self.actor)
            .filter(resident_id__in=[p.pk for p in people])
            .values_list("resident_id", "kind")
        )
        changed_lines: set[int] = set()
        for person in people:
            item = by_hash.get(person.id_number_hash) or by_hash.get(person.document_number_hash)
            if item is None:
                continue
            row, changed = item.row, []
            if row.name and row.name != person.name:
                person.name = row.name
                changed.append("name")
            if row.phone and item.phone_hash != person.phone_hash:
                person.phone = row.phone
                changed.append("phone")
            for key in ("relation", "residence_type"):
                if key in row.given and getattr(row, key) != getattr(person, key):
                    setattr(person, key, getattr(row, key))
                    changed.append(key)
            for key in ("employer", "notes"):
                if getattr(row, key) and getattr(row, key) != getattr(person, key):
                    setattr(person, key, getattr(row, key))
                    changed.append(key)
            if changed:
                changed_lines.add(row.line)
                if not self.dry_run:
                    person.save(update_fields=changed)
            missing = [kind for kind in row.needs if (person.pk, kind) not in known_needs]
            if missing:
                changed_lines.add(row.line)
                if not self.dry_run:
                    for kind in missing:  # one by one: each is audited like a need added on the page
                        Vulnerability.objects.create(area_code=person.area_code, resident=person, kind=kind)
                    self.needs_added += len(missing)
        return changed_lines

    def _match_and_write(
        self, checked: list[Prepared], seen_people: dict[tuple[Any, ...], int], outcomes: list[tuple]
    ) -> None:
        places = self.places
        known = _registered_areas([item.identity_hash for item in checked if item.identity_hash])
        pending: list[Prepared] = []
        found: list[Prepared] = []
        for item in checked:
            area = known.get(item.identity_hash) if item.identity_hash else None
            if area is None:
                pending.append(item)
            elif any(area.startswith(p) for p in self.actor.personal_prefixes):
                found.append(item)
            else:
                message = _("This person is registered in another community; ask it to record the move first.")
                outcomes.append((item.row.line, ERROR, "id_number", message))
        updated = self._update_found(found) if self.update_existing and found else set()
        outcomes.extend((item.row.line, UPDATED if item.row.line in updated else EXISTING, "", "") for item in found)
        places.prepare([(item.row, item.row.grid_code) for item in pending])
        # Matching people without an ID number: name + phone hash + household, one query per batch.
        household_ids = {
            h
            for item in pending
            if not item.identity and isinstance(h := places.household(item.row.grid_code, item.row), int)
        }
        people = set()
        if household_ids:
            people = set(
                Resident.objects.filter(household_id__in=sorted(household_ids)).values_list(
                    "household_id", "name", "phone_hash"
                )
            )
        to_write: list[dict[str, Any]] = []
        with_needs: list[tuple[Prepared, int]] = []
        for item in pending:
            row, grid = item.row, item.row.grid_code
            household = places.household(grid, row)
            if isinstance(household, str):
                outcomes.append((row.line, ERROR, "building", household))
                continue
            if not item.identity:
                person_key = (*places.key(grid, row), row.name, row.phone)
                if person_key in seen_people:
                    message = _("The same person (name, phone and dwelling) is in row %(line)s.") % {
                        "line": seen_people[person_key]
                    }
                    outcomes.append((row.line, ERROR, "name", message))
                    continue
                seen_people[person_key] = row.line
                if household is not None and (household, row.name, item.phone_hash) in people:
                    outcomes.append((row.line, EXISTING, "", ""))
                    continue
            outcomes.append((row.line, CREATED, "", ""))
            if self.writer is not None:
                to_write.append(
                    {
                        "area_code": grid,
                        "household_id": household,
                        "name": row.name,
                        "sex": row.sex,
                        "birth_date": row.birth_date,
                        "id_number": row.id_number,
                        "document_type": row.document_type,
                        "document_number": row.document_number,
                        "phone": row.phone,
                        "relation": row.relation,
                        "residence_type": row.residence_type,
                        "status": "active",
                        "employer": row.employer,
                        "notes": row.notes,
                        COMPUTED: item.columns,
                    }
                )
                if row.needs:
                    with_needs.append((item, household))
        if self.writer is not None:
            self.writer.write(to_write)
            if with_needs:
                self.needs_added += _needs_of_created(with_needs)


def _needs_of_created(rows: list[tuple[Prepared, int]]) -> int:
    """Record the needs of residents this batch has just written; returns how many.

    The residents were written in bulk, so they are found again in their households (by ID or
    document hash, or by name + phone hash) and their needs are inserted in bulk too, in the
    batch's transaction; the import's audit record counts them.
    """
    people = Resident.objects.filter(household_id__in=sorted({household for _item, household in rows})).values_list(
        "id", "household_id", "name", "phone_hash", "id_number_hash", "document_number_hash", "area_code"
    )
    by_identity: dict[str, tuple[int, str]] = {}
    by_person: dict[tuple[int, str, str], tuple[int, str]] = {}
    for pk, household, name, phone_hash, id_hash, document_hash, area in people:
        for digest in (id_hash, document_hash):
            if digest:
                by_identity[digest] = (pk, area)
        by_person[(household, name, phone_hash)] = (pk, area)
    needs = []
    for item, household in rows:
        found = (
            by_identity.get(item.identity_hash)
            if item.identity_hash
            else by_person.get((household, item.row.name, item.phone_hash))
        )
        if found:
            needs += [Vulnerability(area_code=found[1], resident_id=found[0], kind=kind) for kind in item.row.needs]
    Vulnerability.objects.bulk_create(needs, ignore_conflicts=True)
    return len(needs)


def resident_import(
    actor: Actor,
    source: ImportSource,
    *,
    grid_code: str,
    mapping: dict[int, str] | None = None,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
    batch_size: int = BATCH_SIZE,
    update_existing: bool = False,
) -> ImportResult:
    """Validate every row and (unless `dry_run`) write the valid ones; see the module's docstring.

    `update_existing`: people found registered (by their ID or document number) take the file's
    name, phone, relation, residence type, employer and notes where the file gives them.
    """
    if not actor.can("registry.import"):
        raise PermissionDenied(_("You may not import residents."))
    allowed = {g.code for g in import_grids(actor)}
    if grid_code not in allowed:
        raise PermissionDenied(_("Choose a grid within your jurisdiction."), field="grid")
    mapping = {int(k): v for k, v in (mapping if mapping is not None else source.mapping).items() if v}
    result = ImportResult(dry_run=dry_run, header=list(source.header))
    first_line = 1  # the spreadsheet line of source.rows[0]
    data_start = source.header_index + 1
    run = _Run(
        actor=actor,
        source=source,
        result=result,
        places=_Places(dry_run),
        dry_run=dry_run,
        update_existing=update_existing,
    )
    batches = prepared_ranges(source.rows, mapping, first_line, data_start, batch_size)
    for number, prepared in enumerate(batches):
        checked: list[Prepared] = []
        for entry in prepared:
            line = entry[1]
            result.total += 1
            if entry[0] == SKIP:
                result.mark(line, SKIPPED)
                continue
            if entry[0] == PREPARED_ERROR:
                run.error(line, entry[2])
                continue
            item: Prepared = entry[2]
            grid = item.row.grid_code or grid_code
            if grid not in allowed:
                run.column_error(line, "grid_code", _("This grid is not within your jurisdiction."))
                continue
            item.row.grid_code = grid
            if item.identity:
                if item.identity in run.seen_ids:
                    message = _("The same ID card number is in row %(line)s.") % {"line": run.seen_ids[item.identity]}
                    run.column_error(line, "id_number", message)
                    continue
                run.seen_ids[item.identity] = line
            checked.append(item)
        run.batch(checked)
        if progress is not None:
            done = min(data_start + (number + 1) * batch_size, len(source.rows)) - data_start
            progress(done, len(source.rows) - data_start)
    places = run.places
    if not dry_run:
        audit_record(
            AuditAction.IMPORT,
            actor=actor,
            object_type="registry.resident",
            object_label="resident import",
            area_code=grid_code,
            changes={**result.counts, "households_created": places.created_households, "needs_added": run.needs_added},
        )
    result.errors.sort(key=lambda e: e.line)
    return result


def error_report_xlsx(result: ImportResult, output: Any) -> None:
    """The rows that failed, as uploaded, with what is wrong with each: an Excel file written to `output`."""
    from fangxian.core.exports import csv_safe_cell, safe_workbook

    workbook = safe_workbook(output, in_memory=True)
    sheet = workbook.add_worksheet(str(_("Errors"))[:31])
    bold = workbook.add_format({"bold": True})
    header = [str(_("Row")), str(_("Column")), str(_("Problem")), *[cells.text(c) for c in result.header]]
    for column, title in enumerate(header):
        sheet.write_string(0, column, csv_safe_cell(title), bold)
    by_line: dict[int, list[RowError]] = {}
    for problem in result.errors:
        by_line.setdefault(problem.line, []).append(problem)
    for index, (line, problems) in enumerate(sorted(by_line.items()), start=1):
        sheet.write_number(index, 0, line)
        sheet.write_string(index, 1, csv_safe_cell("; ".join(dict.fromkeys(p.column for p in problems))))
        sheet.write_string(index, 2, csv_safe_cell(" ".join(p.message for p in problems)))
        for column, value in enumerate(result.error_rows.get(line, []), start=3):
            sheet.write_string(index, column, csv_safe_cell(cells.text(value)))
    sheet.set_column(1, 1, 16)
    sheet.set_column(2, 2, 60)
    workbook.close()


def template_xlsx(output: Any) -> None:
    """The import template: one sheet with the recognised headers and an example row, ID columns as text."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = workbook.add_worksheet("居民")
    text_format = workbook.add_format({"num_format": "@"})
    bold = workbook.add_format({"bold": True, "num_format": "@"})
    # (field, example): the ID number is left empty in the example, a real-looking one would be someone's.
    columns = [
        ("name", "张三"),
        ("sex", "男"),
        ("document_type", "身份证"),
        ("id_number", ""),
        ("phone", "13800000000"),
        ("birth_date", "1950-01-31"),
        ("estate", "阳光小区"),
        ("building", "3号楼"),
        ("unit", "2单元"),
        ("room", "301"),
        ("relation", "户主"),
        ("residence_type", "户籍"),
        ("employer", ""),
        ("notes", ""),
        ("needs", "独居老人、慢性病"),
    ]
    keys = [key for key, _example in columns]
    example = [value for _key, value in columns]
    for column, key in enumerate(keys):
        sheet.write_string(0, column, FIELDS[key][1][0], bold)
        sheet.write_string(1, column, example[column], text_format)
        sheet.set_column(column, column, 20 if key == "id_number" else 12, text_format)
    workbook.close()


# --- runs of a stored upload, inline or as a background job, with their status on disk ---------------


def import_directory() -> Path:
    """Where uploads wait between the pages, with their error reports (private, never under media)."""
    directory = Path(getattr(settings, "VAR_DIR", settings.BASE_DIR / "var")) / "imports"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def import_job_create(actor: Actor, *, data: bytes, name: str, grid: str) -> ImportJob:
    """Check and read an upload, keep the file for the next steps, and guess the column mapping."""
    if not actor.can("registry.import"):
        raise PermissionDenied(_("You may not import residents."))
    if grid not in {g.code for g in import_grids(actor)}:
        raise PermissionDenied(_("Choose a grid within your jurisdiction."), field="grid")
    source = import_source_read(data, name)
    token = uuid.uuid4().hex
    stored = f"{token}{os.path.splitext(name)[1].lower()}"
    (import_directory() / stored).write_bytes(data)
    try:
        return ImportJob.objects.create(
            area_code=grid,
            token=token,
            created_by=actor.user,
            file_name=name[:200],
            stored_file=stored,
            rows=max(len(source.rows) - source.header_index - 1, 0),
            mapping={str(k): v for k, v in source.mapping.items()},
        )
    except BaseException:
        (import_directory() / stored).unlink(missing_ok=True)
        raise


def import_job_get(actor: Actor, pk: int, *, own: bool = False) -> ImportJob:
    """The import if the actor reaches it; `own`: only the uploader may go on with it."""
    if not actor.can("registry.import"):
        raise PermissionDenied(_("You may not import residents."))
    job = ImportJob.objects.visible_to(actor).filter(pk=pk).first()
    if job is None or (own and job.created_by_id != getattr(actor.user, "pk", None)):
        raise NotFound(_("This import is not yours or has expired."))
    return job


def import_job_source(job: ImportJob) -> ImportSource:
    """The waiting upload of an import, read again (the file is kept, not its parsed rows)."""
    if not job.stored_file:
        raise NotFound(_("This import is not yours or has expired."))
    try:
        data = (import_directory() / job.stored_file).read_bytes()
    except FileNotFoundError:
        raise NotFound(_("This import is not yours or has expired.")) from None
    return import_source_read(data, job.file_name)


def import_job_mapping_set(actor: Actor, job: ImportJob, mapping: dict[int, str]) -> ImportJob:
    job.mapping = {str(k): v for k, v in mapping.items()}
    job.save(update_fields=["mapping"])
    return job


def import_job_queue(actor: Actor, job: ImportJob, *, update_existing: bool = False) -> bool:
    """Mark the import as started; True if it is big enough to run as a background job."""
    if job.status != ImportStatus.UPLOADED:
        raise Conflict(_("This import has already been started."))
    job.status, job.update_existing = ImportStatus.QUEUED, update_existing
    job.save(update_fields=["status", "update_existing"])
    return job.rows > getattr(settings, "FANGXIAN_IMPORT_BACKGROUND_ROWS", 5000)


def import_job_run(actor: Actor, job: ImportJob) -> ImportResult | None:
    """Run a queued import: progress on the row as batches commit, then counts and the error report.

    The upload is deleted when the run ends, whatever the outcome: running the same file again is
    a new upload (and creates no duplicates). Returns the row-by-row result (None if it failed);
    the job is updated in place.
    """
    directory = import_directory()
    result = None
    try:
        source = import_job_source(job)
        job.status = ImportStatus.RUNNING
        job.save(update_fields=["status"])

        def progress(done: int, total: int) -> None:
            # Not audited: a counter the page polls, not a change of the record.
            ImportJob.objects.filter(pk=job.pk).update(done_rows=done)

        mapping = {int(k): v for k, v in job.mapping.items()}
        result = resident_import(
            actor,
            source,
            grid_code=job.area_code,
            mapping=mapping,
            progress=progress,
            update_existing=job.update_existing,
        )
        if result.counts[ERROR]:
            job.report_file = f"{job.token}-errors.xlsx"
            with open(directory / job.report_file, "wb") as output:
                error_report_xlsx(result, output)
        job.status, job.counts, job.done_rows = ImportStatus.DONE, result.counts, job.rows
    except Exception as problem:
        job.status = ImportStatus.FAILED
        job.message = str(problem.message if isinstance(problem, DomainError) else _("The import failed."))[:500]
        if not isinstance(problem, DomainError):
            raise
    finally:
        if job.stored_file:
            (directory / job.stored_file).unlink(missing_ok=True)
        job.stored_file = ""
        job.finished_at = timezone.now()
        job.save(
            update_fields=["status", "counts", "done_rows", "report_file", "message", "stored_file", "finished_at"]
        )
    return result


def import_report_path(job: ImportJob) -> Path:
    if job.status != ImportStatus.DONE or not job.report_file:
        raise NotFound(_("This import has no error report (any more)."))
    path = import_directory() / job.report_file
    if not path.exists():
        raise NotFound(_("This import has no error report (any more)."))
    return path


def import_jobs_clean(*, actor: Actor, now: dt.datetime | None = None) -> int:
    """Delete the files of imports older than FANGXIAN_IMPORT_KEEP_DAYS; the records stay.

    Also closes imports that never finished (a worker killed mid-way): after a day they are marked
    failed, since whole batches are kept and running the file again completes them. Returns how
    many imports were cleaned.
    """
    now = now or timezone.now()
    keep = dt.timedelta(days=getattr(settings, "FANGXIAN_IMPORT_KEEP_DAYS", 7))
    directory = import_directory()
    cleaned = 0
    old = ImportJob.objects.visible_to(actor).filter(created_at__lt=now - min(keep, dt.timedelta(days=1)))
    for job in old.iterator(chunk_size=500):
        fields = []
        if job.in_progress:
            job.status, job.message = ImportStatus.FAILED, str(_("The import was interrupted."))
            fields += ["status", "message"]
        if job.created_at < now - keep:
            if job.status == ImportStatus.UPLOADED:
                job.status = ImportStatus.EXPIRED
                fields.append("status")
            for attribute in ("stored_file", "report_file"):
                if getattr(job, attribute):
                    (directory / getattr(job, attribute)).unlink(missing_ok=True)
                    setattr(job, attribute, "")
                    fields.append(attribute)
        if fields:
            job.save(update_fields=fields)
            cleaned += 1
    return cleaned
