"""Validating one row of an import into a `ResidentRow`, or the list of what is wrong with it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from fangxian.registry.importing import cells
from fangxian.registry.importing.headers import FIELDS


@dataclass
class ResidentRow:
    line: int
    name: str = ""
    sex: str = ""
    birth_date: dt.date | None = None
    id_number: str = ""
    document_type: str = "id_card"
    document_number: str = ""
    phone: str = ""
    estate: str = ""
    building: str = ""
    unit: str = ""
    room: str = ""
    relation: str = "head"
    residence_type: str = "registered"
    employer: str = ""
    notes: str = ""
    grid_code: str = ""
    # Which of relation and residence type the file gave (empty cells fall back to defaults,
    # which must not overwrite a registered person's values when the import updates them).
    given: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()  # VulnerabilityKind values


@dataclass
class RowError:
    line: int
    column: str
    message: str


@dataclass
class RowCheck:
    row: ResidentRow | None
    errors: list[RowError] = field(default_factory=list)


def _message(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


def check_row(values: list[Any], mapping: dict[int, str], line: int) -> RowCheck:
    """Validate the cells of one data row (`line` is the row number people see in the spreadsheet)."""
    raw = {key: values[column] if column < len(values) else None for column, key in mapping.items()}
    row = ResidentRow(line=line)
    errors: list[RowError] = []

    def fail(key: str, message: str) -> None:
        errors.append(RowError(line, str(FIELDS[key][0]), message))

    def convert(key: str, function: Any) -> Any:
        if cells.text(raw.get(key)) == "":
            return None
        try:
            return function(raw[key])
        except ValidationError as error:
            fail(key, _message(error))
            return None

    row.name = cells.text(raw.get("name"))
    if not row.name.isascii():
        row.name = row.name.replace(" ", "")  # "李 四": spaces typed to align Chinese names
    if not row.name:
        fail("name", _("The name is missing."))
    elif len(row.name) > 50:
        fail("name", _("The name is longer than 50 characters."))
    row.document_type = convert("document_type", cells.document_type) or "id_card"
    info = None
    if row.document_type == "id_card":
        info = convert("id_number", cells.id_card)
        row.id_number = info.number if info else ""
    else:
        # A passport or permit number sits in the same column ("证件号码") as ID numbers do.
        row.document_number = convert("id_number", cells.document_number) or ""
    row.phone = convert("phone", cells.phone) or ""
    sex = convert("sex", cells.sex)
    birth = convert("birth_date", cells.date)
    if info:
        if sex and sex != info.sex:
            fail("sex", _("The sex does not match the ID card number."))
        if birth and birth != info.birth_date:
            fail("birth_date", _("The birth date does not match the ID card number."))
        row.sex, row.birth_date = info.sex, info.birth_date
    else:
        row.sex, row.birth_date = sex or "", birth
        if (
            not row.sex
            and "sex" not in [e.column for e in errors]
            and not any(e.column == str(FIELDS["id_number"][0]) for e in errors)
        ):
            fail("sex", _("The sex is missing: give it or an ID card number."))
    row.relation = cells.relation(raw.get("relation"))
    row.residence_type = convert("residence_type", cells.residence_type) or "registered"
    row.given = tuple(key for key in ("relation", "residence_type") if cells.text(raw.get(key)))
    row.needs = convert("needs", cells.needs) or ()
    row.employer = cells.text(raw.get("employer"))[:100]
    row.notes = cells.text(raw.get("notes"))[:2000]
    row.estate = cells.text(raw.get("estate"))[:100]
    row.grid_code = cells.text(raw.get("grid_code")).replace(" ", "")
    row.building = cells.place_part(raw.get("building"), "号楼")
    row.unit = cells.place_part(raw.get("unit"), "单元")
    row.room = cells.text(raw.get("room")).replace(" ", "")
    if not (row.building and row.room) and cells.text(raw.get("address")):
        parts = cells.split_address(raw.get("address"))
        if parts:
            row.building, row.unit, row.room = parts
    if not (row.building and row.room):
        fail(
            "room",
            _("The dwelling is missing: give the building and room (and unit), or an address like 3号楼2单元301."),
        )
    if len(row.building) > 50 or len(row.unit) > 20 or len(row.room) > 20:
        fail("room", _("The building, unit or room is too long."))
    return RowCheck(row=None if errors else row, errors=errors)
