"""Appending residents fast: one INSERT ... executemany (SQLite) or COPY (PostgreSQL) per batch.

The personal-field columns are computed with the functions `PersonalField.pre_save` uses
(`encrypt`, `lookup_hash`, `mask`), as `fangxian.demo` does. Columns the Resident model gains
later get their default (or, for `name_initials`, the pinyin initials), so the importer keeps
working when another part of the registry adds a field.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection, models
from django.utils import timezone

from fangxian.core import personal
from fangxian.registry.models import Resident


def name_initials(name: str) -> str:
    """The pinyin initials the Resident model stores, by its own function when it has one."""
    from fangxian.registry.models import residents

    function = getattr(residents, "name_initials", None)
    if function is not None:
        return function(name)
    try:  # pragma: no cover - before the model computes initials itself
        from pypinyin import Style, lazy_pinyin
    except ImportError:  # pragma: no cover
        return ""
    return "".join(part[:1] for part in lazy_pinyin(name, style=Style.FIRST_LETTER)).lower()


def _personal_columns(row: dict[str, Any], field: personal.PersonalField) -> dict[str, Any]:
    normalized = row.get(field.name) or ""
    if not normalized:
        return {field.attname: "", f"{field.name}_hash": "", f"{field.name}_last4": "", f"{field.name}_masked": ""}
    return {
        field.attname: personal.encrypt(normalized),
        f"{field.name}_hash": personal.lookup_hash(field.kind, normalized),
        f"{field.name}_last4": normalized[-4:],
        f"{field.name}_masked": personal.mask(field.kind, normalized),
    }


class ResidentWriter:
    """Writes resident rows given as {field name: value}, with personal values already normalised."""

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        self.fields = [f for f in Resident._meta.concrete_fields if not f.primary_key]
        self.personal = personal.personal_fields(Resident)
        self.siblings = {
            name for f in self.personal for name in (f"{f.name}_hash", f"{f.name}_last4", f"{f.name}_masked")
        }
        self.personal_columns = {
            name for f in self.personal for name in (f.attname, f"{f.name}_hash", f"{f.name}_last4", f"{f.name}_masked")
        }
        self.plan: list[tuple[str, Any]] | None = None
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in self.fields)
        table = quote(Resident._meta.db_table)
        if self.postgres:
            self.statement = f"COPY {table} ({columns}) FROM STDIN"
        else:
            self.statement = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(self.fields))})"  # noqa: S608

    def _plan(self, row: dict[str, Any]) -> list[tuple[str, Any]]:
        """How each column is filled, decided once from the first row: from the row, computed or a default."""
        plan: list[tuple[str, Any]] = []
        for field in self.fields:
            prep = not isinstance(field, models.CharField | models.TextField)
            if field.attname in self.personal_columns:
                plan.append(("personal", field.attname))
            elif field.name in row or field.attname in row:
                plan.append(
                    ("row_prep" if prep else "row", (field.name if field.name in row else field.attname, field))
                )
            elif field.name == "name_initials":
                plan.append(("initials", None))
            elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                plan.append(("now", None))
            else:
                plan.append(("constant", field.get_db_prep_save(field.get_default(), connection)))
        return plan

    def values(self, row: dict[str, Any]) -> tuple:
        if self.plan is None:
            self.plan = self._plan(row)
        computed: dict[str, Any] = {}
        for field in self.personal:
            computed.update(_personal_columns(row, field))
        out = []
        for how, what in self.plan:
            if how == "row":
                out.append(row[what[0]])
            elif how == "personal":
                out.append(computed[what])
            elif how == "constant":
                out.append(what)
            elif how == "row_prep":
                out.append(what[1].get_db_prep_save(row[what[0]], connection))
            elif how == "initials":
                out.append(name_initials(row.get("name", "")))
            else:
                out.append(timezone.now())
        return tuple(out)

    def write(self, rows: Iterable[dict[str, Any]]) -> int:
        """Insert the rows in the current transaction; the caller opens it (one per batch)."""
        values = [self.values(row) for row in rows]
        if not values:
            return 0
        with connection.cursor() as cursor:
            if self.postgres:
                with cursor.copy(self.statement) as copy:
                    for row in values:
                        copy.write_row(row)
            else:
                cursor.executemany(self.statement, values)
        return len(values)


def resident_rows_write(rows: Iterable[dict[str, Any]]) -> int:
    """The one function that writes imported residents (see `ResidentWriter`)."""
    return ResidentWriter().write(rows)
