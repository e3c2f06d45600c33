"""Helpers of the import tests: valid ID numbers, messy workbooks and CSV files built in code, import records."""

from __future__ import annotations

import io
from typing import Any

from fangxian.core.idcard import check_char
from fangxian.core.testing import leak_factory
from fangxian.registry.models import ImportJob, ImportStatus


def id_number(birth: str = "19500101", serial: int = 1, region: str = "370202", *, want_x: bool = False) -> str:
    """A valid 18-character ID number; `want_x` searches for one whose check character is X."""
    for number in range(serial, serial + 1000):
        body = f"{region}{birth}{number % 1000:03d}"
        check = check_char(body)
        if not want_x or check == "X":
            return body + check
    raise AssertionError("no ID number found")


def xlsx_bytes(rows: list[list[Any]], *, title: str | None = None) -> bytes:
    """A workbook whose first sheet holds `rows` (numbers stay numbers), with a merged title row if given."""
    import xlsxwriter

    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True, "strings_to_numbers": False})
    sheet = workbook.add_worksheet()
    offset = 0
    if title:
        sheet.merge_range(0, 0, 0, max(len(rows[0]) - 1, 1), title)
        offset = 1
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, int | float):
                sheet.write_number(r + offset, c, value)
            else:
                sheet.write_string(r + offset, c, value)
    workbook.close()
    return output.getvalue()


def csv_bytes(rows: list[list[Any]], encoding: str = "utf-8") -> bytes:
    import csv

    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


@leak_factory(ImportJob)
def import_job(grid: str, marker: str, world, user=None):
    """A finished import in the grid; its file name is the marker the pages show."""
    import uuid

    return ImportJob.objects.create(
        area_code=grid,
        token=uuid.uuid4().hex,
        created_by=user or next(iter(world.users.values())),
        file_name=marker,
        rows=3,
        status=ImportStatus.DONE,
        counts={"created": 2, "existing": 0, "skipped": 0, "error": 1},
    )
