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

COMPUTED = "_computed"


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


PERSONAL_FIELDS = personal.personal_fields(Resident)


def _personal_columns(value: str, field: personal.PersonalField) -> dict[str, Any]:
    if not value:
        return {field.attname: "", f"{field.name}_hash": "", f"{field.name}_last4": "", f"{field.name}_masked": ""}
    return {
        field.attname: personal.encrypt(value),
        f"{field.name}_hash": personal.lookup_hash(field.kind, value),
        f"{field.name}_last4": value[-4:],
        f"{field.name}_masked": personal.mask(field.kind, value),
    }


def computed_columns(values: dict[str, Any]) -> dict[str, Any]:
    """The stored columns of the personal fields (ciphertext, hash, last four, masked) and the initials.

    `values` holds the normalised personal values and the name. This is the costly part of writing
    a resident, so the importer runs it in its worker processes and hands the result to the writer.
    """
    columns: dict[str, Any] = {}
    for field in PERSONAL_FIELDS:
        columns.update(_personal_columns(values.get(field.name) or "", field))
    columns["name_initials"] = name_initials(values.get("name", ""))
    return columns


class ResidentWriter:
    """Writes resident rows given as {field name: value}, with personal values already normalised.

    A row may carry `COMPUTED`: its `computed_columns`, worked out beforehand (by the importer's
    workers); otherwise they are computed here.
    """

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        self.fields = [f for f in Resident._meta.concrete_fields if not f.primary_key]
        self.plan: (
            tuple[dict[str, Any], list[str], list[tuple[int, models.Field]], list[tuple[int, models.Field]]] | None
        ) = None
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in self.fields)
        table = quote(Resident._meta.db_table)
        if self.postgres:
            self.statement = f"COPY {table} ({columns}) FROM STDIN"
        else:
            self.statement = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(self.fields))})"  # noqa: S608

    def _plan(self, row: dict[str, Any], computed: dict[str, Any]) -> tuple[dict[str, Any], list[str], list, list]:
        """How each column is filled, decided once from the first row.

        Returns the defaults (columns neither the row nor the computation give), the key of each
        column in the merged row, the columns whose values need the field's conversion for the
        database (dates: sqlite3's own date adapter is deprecated), and the auto_now columns,
        which get the time of the batch.
        """
        defaults: dict[str, Any] = {}
        keys: list[str] = []
        convert: list[tuple[int, models.Field]] = []
        stamped: list[tuple[int, models.Field]] = []
        for index, field in enumerate(self.fields):
            key = field.attname
            keys.append(key)
            if key in computed:
                continue
            if field.name in row and field.name != key:
                keys[index] = field.name
            if keys[index] in row:
                if not isinstance(field, models.CharField | models.TextField | models.ForeignKey):
                    convert.append((index, field))
            elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                stamped.append((index, field))
                defaults[key] = None
            else:
                defaults[key] = field.get_db_prep_save(field.get_default(), connection)
        return defaults, keys, convert, stamped

    def rows(self, rows: Iterable[dict[str, Any]]) -> list[tuple]:
        out: list[tuple] = []
        now = timezone.now()
        for row in rows:
            computed = row.get(COMPUTED) or computed_columns(row)
            if self.plan is None:
                self.plan = self._plan(row, computed)
            defaults, keys, convert, stamped = self.plan
            merged = {**defaults, **row, **computed}
            values = [merged[key] for key in keys]
            for index, field in convert:
                values[index] = field.get_db_prep_save(values[index], connection)
            for index, field in stamped:
                values[index] = field.get_db_prep_save(now, connection)
            out.append(tuple(values))
        return out

    def write(self, rows: Iterable[dict[str, Any]]) -> int:
        """Insert the rows in the current transaction; the caller opens it (one per batch)."""
        values = self.rows(rows)
        if not values:
            return 0
        with connection.cursor() as cursor:
            if self.postgres:
                # COPY goes to psycopg's own cursor: its errors are turned into Django's here, so
                # that callers catch IntegrityError whatever the database.
                with connection.wrap_database_errors, cursor.copy(self.statement) as copy:
                    for row in values:
                        copy.write_row(row)
            else:
                cursor.executemany(self.statement, values)
        return len(values)


def resident_rows_write(rows: Iterable[dict[str, Any]]) -> int:
    """The one function that writes imported residents (see `ResidentWriter`)."""
    return ResidentWriter().write(rows)
