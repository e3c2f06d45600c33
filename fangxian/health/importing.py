"""Reading a screening list (协查名单): an Excel or CSV upload, or the rows of a JSON request.

The file checks (size, type, zip and entity bombs, encodings) and the cell clean-up (full-width
digits, spaces, ID numbers that Excel turned into floats) are the registry import's own
(`fangxian.registry.importing`); this module only knows the four columns a list has and turns
each row into a `ScreeningRow` or a row error. A bad row is reported and skipped: the good rows
of the list are not lost because of it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangxian.core.errors import DomainError
from fangxian.core.exports import csv_cell_restore
from fangxian.core.personal import PersonalKind, lookup_hash
from fangxian.registry.importing import cells, reader
from fangxian.registry.importing.headers import header_key

MAX_ENTRIES = 50_000
MAX_NAME = 50
MAX_REASON = 200

# column key -> (label, header variants compared with `header_key`)
COLUMNS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "name": (gettext_lazy("Full name"), ("姓名", "名字", "人员姓名", "name", "fullname")),
    "id_number": (
        gettext_lazy("ID card number"),
        ("身份证号", "身份证号码", "证件号码", "公民身份号码", "身份证", "idnumber"),
    ),
    "phone": (gettext_lazy("Phone"), ("联系电话", "手机号", "手机号码", "电话", "联系方式", "phone")),
    "reason": (gettext_lazy("Reason"), ("协查原因", "原因", "类别", "人员类别", "备注", "reason")),
}
VARIANTS = {header_key(variant): key for key, (_label, variants) in COLUMNS.items() for variant in variants}


@dataclass(frozen=True)
class ScreeningRow:
    """One person of a list, cleaned: the ID and phone numbers normalised (or empty)."""

    row_number: int
    name: str
    id_number: str = ""
    phone: str = ""
    reason: str = ""

    @cached_property
    def id_hash(self) -> str:
        return lookup_hash(PersonalKind.ID_CARD, self.id_number) if self.id_number else ""

    @cached_property
    def phone_hash(self) -> str:
        return lookup_hash(PersonalKind.PHONE, self.phone) if self.phone else ""


@dataclass
class RowProblem:
    row_number: int
    message: str


@dataclass
class ParsedList:
    rows: list[ScreeningRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


class ScreeningListRejected(DomainError):
    code = "screening_list_rejected"


def clean_text(value: Any, limit: int) -> str:
    """Free text as stored: control characters and lone surrogates dropped (PostgreSQL refuses NUL)."""
    text = "".join(ch for ch in str(value or "") if unicodedata.category(ch) not in ("Cc", "Cs"))
    return " ".join(text.split())[:limit]


def _message(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


def screening_row_check(row_number: int, values: dict[str, Any]) -> ScreeningRow | RowProblem:
    """A row's cells (by column key) as a ScreeningRow, or the reason it cannot be used."""
    name = cells.text(csv_cell_restore(clean_text(cells.text(values.get("name")), 1000)))
    if not name:
        return RowProblem(row_number, _("The name is missing."))
    if len(name) > MAX_NAME:
        return RowProblem(row_number, _("The name is longer than %(n)d characters.") % {"n": MAX_NAME})
    id_number = phone = ""
    raw_id = values.get("id_number")
    if cells.text(raw_id):
        try:
            id_number = cells.id_number(raw_id)
        except ValidationError as error:
            return RowProblem(row_number, _("ID card number: %(problem)s") % {"problem": _message(error)})
    raw_phone = values.get("phone")
    if cells.text(raw_phone):
        try:
            phone = cells.phone(raw_phone)
        except ValidationError as error:
            return RowProblem(row_number, _("Phone: %(problem)s") % {"problem": _message(error)})
    if not id_number and not phone:
        return RowProblem(row_number, _("Give an ID card number or a phone number to find the person by."))
    reason = cells.text(csv_cell_restore(clean_text(cells.text(values.get("reason")), 1000)))[:MAX_REASON]
    return ScreeningRow(row_number=row_number, name=name, id_number=id_number, phone=phone, reason=reason)


def screening_rows_check(items: Iterable[tuple[int, dict[str, Any]]]) -> ParsedList:
    """Check every row; a second row with the same ID number (or, without one, the same phone) is refused."""
    parsed = ParsedList()
    seen: dict[str, int] = {}
    for row_number, values in items:
        checked = screening_row_check(row_number, values)
        if isinstance(checked, RowProblem):
            parsed.problems.append(checked)
            continue
        key = f"id:{checked.id_number}" if checked.id_number else f"phone:{checked.phone}"
        if key in seen:
            parsed.problems.append(RowProblem(row_number, _("The same person as on row %(row)d.") % {"row": seen[key]}))
            continue
        seen[key] = row_number
        parsed.rows.append(checked)
        if len(parsed.rows) > MAX_ENTRIES:
            raise too_many_entries(len(parsed.rows))
    return parsed


def too_many_entries(count: int) -> ScreeningListRejected:
    return ScreeningListRejected(
        _("A screening list holds at most %(limit)d people; this one has more. Split it into several lists.")
        % {"limit": MAX_ENTRIES},
        code="screening_list_too_long",
        field="file",
        count=count,
    )


def _find_header(rows: list[list[Any]], scan: int = 15) -> tuple[int, dict[int, str]]:
    best_index, best_mapping = 0, {}
    for index, row in enumerate(rows[:scan]):
        mapping: dict[int, str] = {}
        for column, cell in enumerate(row):
            key = VARIANTS.get(header_key(cell))
            if key and key not in mapping.values():
                mapping[column] = key
        if len(mapping) > len(best_mapping):
            best_index, best_mapping = index, mapping
    return best_index, best_mapping


def screening_file_read(data: bytes, name: str) -> ParsedList:
    """Check and read an uploaded list (.xlsx, .xls, .csv in UTF-8 or GBK); raise a DomainError if unusable."""
    kind = reader.check_upload(data, name)
    rows = reader.read_rows(data, kind)
    header_index, mapping = _find_header(rows)
    if "name" not in mapping.values() or not ({"id_number", "phone"} & set(mapping.values())):
        raise ScreeningListRejected(
            _(
                "No header row was found. The list needs a column “姓名” (name) and a column “身份证号” "
                "(ID card number) or “联系电话” (phone)."
            ),
            code="screening_header_missing",
            field="file",
        )

    def items() -> Iterable[tuple[int, dict[str, Any]]]:
        for index in range(header_index + 1, len(rows)):
            row = rows[index]
            if cells.is_blank(row) or cells.is_total(row):
                continue
            values = {key: row[column] if column < len(row) else None for column, key in mapping.items()}
            yield index + 1, values

    parsed = screening_rows_check(items())
    if not parsed.rows:
        raise ScreeningListRejected(
            _("The list has no row that can be used."),
            code="screening_list_empty",
            field="file",
            problems=[(p.row_number, p.message) for p in parsed.problems[:20]],
        )
    return parsed


def template_rows() -> list[str]:
    """The header of the list template, as communities write it."""
    return [variants[0] for _label, variants in COLUMNS.values()]
