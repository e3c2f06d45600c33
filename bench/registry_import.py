"""Resident import of a 100,000-row workbook: `bench/registry_import.py [--rows N] [--db sqlite|postgres|both]`.

For each database (both by default) it builds a fresh schema from the current models (like
`pytest --nomigrations`, in a scratch database: `test_fangxian_import_bench` on the PostgreSQL
server of FANGXIAN_BENCH_PG, or a temporary SQLite file), writes a workbook of N valid rows
(unique ID numbers, phones, 3 people per dwelling) with xlsxwriter, and measures in the same run:

* the parse time of python-calamine alone on that file (`to_python()` of the first sheet);
* the whole import (`import_source_read` + `resident_import`: checks, parsing, validation,
  matching, households, encryption and hashing, writing), as rows/s and as a ratio to the parse;
* the peak memory of the import: the proportional set size (PSS, /proc/<pid>/smaps_rollup) of
  this process plus its worker processes (FANGXIAN_IMPORT_WORKERS; `workers` in the report),
  sampled every 20 ms, and the growth of this process's peak RSS;
* the database's share: the same rows, as stored, written again by the importer's statement
  with the same indexes (in a transaction rolled back), as a ratio to the parse.

Targets (issue 4): ratio <= 2 on PostgreSQL, <= 3 on SQLite; peak under 500 MB. Each database
runs in its own process so that peak RSS is its own. Results go to stdout and bench/results/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
PG_SERVER = os.environ.get("FANGXIAN_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
TARGET_RATIO = {"postgresql": 2.0, "sqlite": 3.0}
TARGET_PEAK_MB = 500


def _peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _pss_kb(pid: int) -> int:
    """Proportional set size: shared pages split among the processes sharing them, so sums are true."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children() -> list[int]:
    pids: list[int] = []
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/children") as children:
                pids += [int(pid) for pid in children.read().split()]
        except OSError:
            continue
    return pids


class MemorySampler:
    """Samples the PSS of this process plus its worker processes every 20 ms; keeps the peak."""

    def __init__(self) -> None:
        import threading

        self.peak_kb = 0
        self.baseline_kb = _pss_kb(os.getpid())
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            total = _pss_kb(os.getpid()) + sum(_pss_kb(pid) for pid in _children())
            self.peak_kb = max(self.peak_kb, total)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _write_floor(connection: Any) -> float:
    """Seconds the database alone takes to take the imported rows again, with the same indexes.

    The rows are read back as stored (encrypted, hashed), deleted, and written again by the
    importer's own statement (COPY or INSERT ... executemany), inside a transaction rolled back
    afterwards: the cost of the writing without any of the import's Python work.
    """
    from django.db import transaction

    from fangxian.registry.importing.writer import ResidentWriter

    writer = ResidentWriter()
    columns = ", ".join(connection.ops.quote_name(f.column) for f in writer.fields)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM registry_resident")  # noqa: S608 - model column names
        stored = cursor.fetchall()
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM registry_resident")
                started = time.perf_counter()
                if writer.postgres:
                    with cursor.copy(writer.statement) as copy:
                        for row in stored:
                            copy.write_row(row)
                else:
                    cursor.executemany(writer.statement, stored)
                seconds = time.perf_counter() - started
            raise _RollBack(seconds)
    except _RollBack as done:
        return done.seconds


class _RollBack(Exception):
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds


def _workbook(path: Path, rows: int) -> None:
    import xlsxwriter

    from fangxian.registry.tests.factories_imports import id_number

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet()
    for column, title in enumerate(["姓名", "身份证号", "联系电话", "楼号", "单元", "房号", "与户主关系"]):
        sheet.write_string(0, column, title)
    relations = ["户主", "配偶", "子女"]
    for i in range(rows):
        dwelling = i // 3
        birth = (dt.date(1940, 1, 1) + dt.timedelta(days=(i * 37) % 25000)).strftime("%Y%m%d")
        values = [
            f"居民{i}",
            id_number(birth, i % 1000, region=f"3702{(i // 1000) % 90 + 10:02d}"),
            f"138{i:08d}",
            f"{dwelling // 400 + 1}号楼",
            f"{dwelling // 100 % 4 + 1}单元",
            f"{dwelling % 100 + 101}",
            relations[i % 3],
        ]
        for column, value in enumerate(values):
            sheet.write_string(i + 1, column, value)
    workbook.close()


def measure(vendor: str, rows: int) -> dict[str, Any]:
    var_dir = tempfile.mkdtemp(prefix="fangxian-import-bench-")
    os.environ.update({"FANGXIAN_TESTING": "1", "FANGXIAN_VAR_DIR": var_dir, "LOG_LEVEL": "WARNING"})
    if vendor == "postgresql":
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/postgres"
        os.environ["FANGXIAN_TEST_DB_NAME"] = "test_fangxian_import_bench"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{var_dir}/bench.sqlite3"
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    settings.DATABASES["default"].setdefault("TEST", {})["MIGRATE"] = False
    if vendor == "sqlite":
        settings.DATABASES["default"]["TEST"]["NAME"] = f"{var_dir}/test.sqlite3"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        from python_calamine import CalamineWorkbook

        from fangxian.core.audit import acting_as
        from fangxian.core.testing import GRID_A1, build_world
        from fangxian.registry.importing.prepare import workers_for
        from fangxian.registry.models import Resident
        from fangxian.registry.services.imports import import_source_read, resident_import

        path = Path(var_dir) / "residents.xlsx"
        _workbook(path, rows)
        world = build_world()
        actor = world.actor("worker_a")
        data = path.read_bytes()

        started = time.perf_counter()
        parsed = CalamineWorkbook.from_filelike(__import__("io").BytesIO(data)).get_sheet_by_index(0).to_python()
        parse_seconds = time.perf_counter() - started
        del parsed

        settings.FANGXIAN_MAX_UPLOAD_BYTES = max(settings.FANGXIAN_MAX_UPLOAD_BYTES, len(data) + 1)
        before_peak = _peak_mb()
        with MemorySampler() as memory:
            started = time.perf_counter()
            with acting_as(actor):
                result = resident_import(actor, import_source_read(data, "residents.xlsx"), grid_code=GRID_A1)
            import_seconds = time.perf_counter() - started
        peak_growth = _peak_mb() - before_peak
        assert result.counts["created"] == rows, result.counts
        assert Resident.objects.filter(area_code=GRID_A1).count() >= rows
        write_seconds = _write_floor(connection)
        ratio = import_seconds / parse_seconds
        peak_total = memory.peak_kb / 1024
        return {
            "database": vendor,
            "rows": rows,
            "file_mb": round(len(data) / 1e6, 1),
            "parse_seconds": round(parse_seconds, 2),
            "import_seconds": round(import_seconds, 2),
            "rows_per_second": round(rows / import_seconds),
            "ratio_to_parse": round(ratio, 2),
            "ratio_target": TARGET_RATIO[vendor],
            "ratio_met": ratio <= TARGET_RATIO[vendor],
            # The database alone taking the same rows (no parsing, no validation, no encryption).
            "db_write_seconds": round(write_seconds, 2),
            "db_write_ratio_to_parse": round(write_seconds / parse_seconds, 2),
            "workers": workers_for(rows),
            "peak_rss_growth_mb": round(peak_growth, 1),
            "peak_pss_with_workers_mb": round(peak_total, 1),
            "peak_pss_growth_mb": round(peak_total - memory.baseline_kb / 1024, 1),
            "peak_met": peak_total < TARGET_PEAK_MB,
        }
    finally:
        connection.creation.destroy_test_db(settings.DATABASES["default"]["NAME"], verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--child", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.rows)))
        return
    vendors = {"sqlite": ["sqlite"], "postgres": ["postgresql"], "both": ["sqlite", "postgresql"]}[args.db]
    results = []
    for vendor in vendors:
        output = subprocess.run(
            [sys.executable, __file__, "--rows", str(args.rows), "--child", vendor],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        results.append(json.loads(output.stdout.strip().splitlines()[-1]))
        print(json.dumps(results[-1], ensure_ascii=False))
    RESULTS.mkdir(exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"registry_import-{stamp}.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
