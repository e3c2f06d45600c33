"""Turning raw rows into rows ready to write: validation, hashing, encryption; in worker processes for big files.

This is where an import spends its processor time (checking each cell, encrypting the ID and phone
numbers, keyed hashes, pinyin initials), and none of it needs the database. So a big file is cut
into ranges that forked workers prepare while the parent matches and writes the ranges already
done. The workers inherit the parsed rows, the settings and the keys by `fork`; they receive only
the bounds of their range and never touch the parent's database connection. Results come back in
file order, so the outcome of every row is the same as when one process does all the work.

Each prepared row is one of `(SKIP, line)`, `(ERROR, line, errors)` or `(OK, line, Prepared)`; blank
rows produce nothing.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections import deque
from collections.abc import Iterator
from dataclasses import fields
from itertools import islice
from typing import Any

from django.conf import settings

from fangxian.registry.importing import cells
from fangxian.registry.importing.rows import ResidentRow, check_row
from fangxian.registry.importing.writer import computed_columns

SKIP, ERROR, OK = 0, 1, 2


ROW_FIELDS = [f.name for f in fields(ResidentRow)]


class Prepared:
    """A valid row with what matching and writing need, computed once.

    Workers send it to the parent as a plain tuple (`state`): pickling dataclasses costs as much
    as validating the row did.
    """

    __slots__ = ("row", "identity", "identity_hash", "phone_hash", "columns")

    def __init__(self, row: ResidentRow, identity: str, identity_hash: str, phone_hash: str, columns: dict) -> None:
        self.row = row
        self.identity = identity  # what makes two rows of one file the same person
        self.identity_hash = identity_hash  # the stored lookup hash of the ID or document number ("" without)
        self.phone_hash = phone_hash
        self.columns = columns  # the encrypted, hashed and masked columns and the initials, as stored

    def state(self) -> tuple:
        return (
            tuple(getattr(self.row, name) for name in ROW_FIELDS),
            self.identity,
            self.identity_hash,
            self.phone_hash,
            tuple(self.columns.items()),
        )

    @classmethod
    def from_state(cls, state: tuple) -> Prepared:
        row, identity, identity_hash, phone_hash, columns = state
        return cls(ResidentRow(*row), identity, identity_hash, phone_hash, dict(columns))


def prepare_range(rows: list[list[Any]], mapping: dict[int, str], first_line: int, start: int, end: int) -> list[tuple]:
    """Prepare rows[start:end]; `first_line` is the spreadsheet line of rows[0]."""
    out: list[tuple] = []
    for index in range(start, end):
        values = rows[index]
        line = first_line + index
        if cells.is_blank(values):
            continue
        if cells.is_total(values):
            out.append((SKIP, line))
            continue
        check = check_row(values, mapping, line)
        row = check.row
        if row is None:
            out.append((ERROR, line, check.errors))
            continue
        columns = computed_columns(
            {"id_number": row.id_number, "document_number": row.document_number, "phone": row.phone, "name": row.name}
        )
        if row.id_number:
            identity, identity_hash = row.id_number, columns["id_number_hash"]
        elif row.document_number:
            identity, identity_hash = f"{row.document_type}:{row.document_number}", columns["document_number_hash"]
        else:
            identity, identity_hash = "", ""
        out.append((OK, line, Prepared(row, identity, identity_hash, columns.get("phone_hash", ""), columns)))
    return out


# What the forked workers inherit: (mapping, first_line). Set only while a pool runs.
_job: tuple[dict[int, str], int] | None = None


def _prepare_in_worker(start: int, rows: list[list[Any]]) -> list[tuple]:
    """Prepare a range sent to the worker; `start` is the index of its first row in the file."""
    assert _job is not None  # noqa: S101 - set by the parent before it forks
    mapping, first_line = _job
    return [
        (OK, entry[1], entry[2].state()) if entry[0] == OK else entry
        for entry in prepare_range(rows, mapping, first_line + start, 0, len(rows))
    ]


def workers_for(row_count: int) -> int:
    """How many worker processes an import of this many rows uses (0: prepare in this process)."""
    if row_count < getattr(settings, "FANGXIAN_IMPORT_PARALLEL_ROWS", 4000):
        return 0
    if "fork" not in multiprocessing.get_all_start_methods():
        return 0
    configured = getattr(settings, "FANGXIAN_IMPORT_WORKERS", None)
    if configured is not None:
        return max(configured, 0)
    # One worker by default: the parent, matching and writing, is the bottleneck beyond it, and
    # each worker costs about 1 MB per 1,000 rows of the file (bench/registry_import.py).
    return 1 if (os.cpu_count() or 1) >= 2 else 0


def prepared_ranges(
    rows: list[list[Any]], mapping: dict[int, str], first_line: int, start: int, batch_size: int
) -> Iterator[list[tuple]]:
    """The prepared rows of rows[start:], one list per batch, in order.

    With workers, at most two ranges per worker are in flight, so prepared rows never pile up in
    memory when writing is slower than preparing.
    """
    global _job
    bounds = [(s, min(s + batch_size, len(rows))) for s in range(start, len(rows), batch_size)]
    workers = workers_for(len(rows) - start)
    if not workers or len(bounds) < 2:
        for low, high in bounds:
            yield prepare_range(rows, mapping, first_line, low, high)
        return
    _job = (mapping, first_line)
    # The workers share the parent's memory page by page until they write to it. Reading an object
    # writes to its page (the reference count), and the garbage collector of a child would visit
    # every object: so the rows go to the workers through the pipe, range by range, and the
    # parent's objects are frozen out of the collector. A worker then costs its range, not a copy
    # of the parent's file.
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            waiting = iter(bounds)
            in_flight: deque = deque(_submit(pool, rows, b) for b in islice(waiting, 2 * workers))
            while in_flight:
                done = [
                    (OK, entry[1], Prepared.from_state(entry[2])) if entry[0] == OK else entry
                    for entry in in_flight.popleft().get()
                ]
                following = next(waiting, None)
                if following is not None:
                    in_flight.append(_submit(pool, rows, following))
                yield done
    finally:
        gc.unfreeze()
        _job = None


def _submit(pool: Any, rows: list[list[Any]], bounds: tuple[int, int]) -> Any:
    low, high = bounds
    return pool.apply_async(_prepare_in_worker, (low, rows[low:high]))
