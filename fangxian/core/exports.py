"""Helpers every export shares: cells that a spreadsheet will not execute.

A CSV opened in Excel or WPS runs a cell that starts with "=", "+", "-" or "@" as a formula
(CSV injection: `=HYPERLINK(...)` in a name field exfiltrates a sheet when a worker clicks it).
Every exported cell goes through `csv_safe_cell`, which prefixes such a cell with an apostrophe,
the spreadsheet convention for "this is text". Tab and carriage return are included as OWASP
advises, because some spreadsheet programs strip them and then see the formula behind them.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
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
