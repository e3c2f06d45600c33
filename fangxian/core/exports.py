"""Helpers every export shares: cells that a spreadsheet will not execute.

A CSV opened in Excel or WPS runs a cell that starts with "=", "+", "-" or "@" as a formula
(CSV injection: `=HYPERLINK(...)` in a name field exfiltrates a sheet when a worker clicks it).
Every exported cell goes through `csv_safe_cell`, which prefixes such a cell with an apostrophe,
the spreadsheet convention for "this is text". Tab and carriage return are included as OWASP
advises, because some spreadsheet programs strip them and then see the formula behind them.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe_cell(value: Any) -> str:
    """The text of `value` for a CSV cell, neutralised against formula injection."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def csv_cell_restore(text: str) -> str:
    """Undo `csv_safe_cell` on import, so that an exported file imports back unchanged."""
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text


class _Echo:
    """A file-like object that hands back what csv.writer writes, for streaming."""

    def write(self, value: str) -> str:
        return value


def csv_stream_response(rows: Iterable[Iterable[Any]], *, filename: str) -> StreamingHttpResponse:
    """Stream rows as a CSV download that Excel opens in UTF-8 (with a BOM), every cell neutralised.

    Cells go through `csv_safe_cell` here as well as in the services that build the rows: it is
    idempotent, and an export written later that forgets it is still safe.
    """
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"
        for row in rows:
            yield writer.writerow([csv_safe_cell(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def safe_workbook(output: Any, **options: Any) -> Any:
    """An xlsxwriter workbook in constant memory that writes every string as a string.

    Never a formula, a link or a number: what a cell says is what was stored (formula injection
    is neutralised by `csv_safe_cell` on top). Every Excel file the platform writes starts here.
    """
    import xlsxwriter

    return xlsxwriter.Workbook(
        output,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            **options,
        },
    )


@dataclass(frozen=True)
class ExportColumn:
    """One column of a list export: its heading and how to read the cell from a row."""

    label: Any
    value: Callable[[Any], Any]


LIST_EXPORT_MAX_ROWS = 100_000


def list_export_xlsx(
    actor: Any, rows: Iterable[Any], columns: list[ExportColumn], output: Any, *, title: Any, object_type: str
) -> int:
    """Write `rows` (already scoped and filtered by the list) as one sheet; audited; returns the count.

    Values print as the page shows them: personal fields masked (their str()), choices by their
    label; every string stays a string (never a formula, link or number) and is neutralised like
    a CSV cell, dates get a date format. At most LIST_EXPORT_MAX_ROWS rows.
    """
    import datetime as dt

    from django.utils import timezone

    from fangxian.core.audit import audit_record
    from fangxian.core.models import AuditAction

    workbook = safe_workbook(output)
    sheet = workbook.add_worksheet(str(title)[:31])
    bold = workbook.add_format({"bold": True})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    time_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for column, heading in enumerate(columns):
        sheet.write_string(0, column, str(heading.label), bold)
        sheet.set_column(column, column, 16)
    count = 0
    for count, row in enumerate(rows, start=1):  # noqa: B007 - the count is the number written
        if count > LIST_EXPORT_MAX_ROWS:
            count -= 1
            break
        for column, heading in enumerate(columns):
            value = heading.value(row)
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                sheet.write_boolean(count, column, value)
            elif isinstance(value, int | float):
                sheet.write_number(count, column, value)
            elif isinstance(value, dt.datetime):
                sheet.write_datetime(count, column, timezone.localtime(value).replace(tzinfo=None), time_format)
            elif isinstance(value, dt.date):
                sheet.write_datetime(count, column, dt.datetime.combine(value, dt.time()), date_format)
            else:
                sheet.write_string(count, column, csv_safe_cell(value))
    workbook.close()
    audit_record(
        AuditAction.EXPORT,
        actor=actor,
        object_type=object_type,
        object_label=f"{object_type} list export",
        changes={"rows": count, "unmasked": False},
    )
    return count
