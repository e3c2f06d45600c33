"""fangxian benchmarks: `.venv/bin/python bench/run.py [--quick] [--no-postgres]`.

(a) Demo generation on SQLite: residents per second of the demo in a fresh temporary var
    directory, from planning the grids to the final WAL checkpoint (inventing, encrypting,
    hashing and writing people, households, buildings and care needs), against a baseline
    measured in the same run on the same disk: a raw `executemany` of as many plain rows of the
    same shape (19 columns, similar sizes, no indexes, no encryption) into a scratch SQLite
    table. The ratio shows what encryption, hashing, indexes and the rest cost over the bare
    minimum. Target: >= 20,000 residents/s. The whole command's rate (with loading the divisions,
    creating the users and hashing their password once) is reported beside it.
(b) Scoping overhead on PostgreSQL: `Resident.objects.visible_to(street official).count()` against
    the same count in raw SQL (`... WHERE area_code LIKE '<street>%'`) on 1,000,000 residents,
    median of several runs each. Target: ratio <= 1.5. The database (fangxian_bench, created if
    missing) keeps its residents between runs, so regeneration is skipped.

`--quick` uses 20,000 residents for (a) and 100,000 for (b) (in fangxian_bench_quick). Each
measurement runs in its own process with production settings (DEBUG off, keys from the
environment); the table goes to stdout and the figures to bench/results/ as JSON.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import platform
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
PG_SERVER = os.environ.get("FANGXIAN_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
TARGET_RATE = 20_000
TARGET_RATIO = 1.5


# --- measurements, each in a child process --------------------------------------------------------


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _run_demo(residents: int, *, force: bool = False) -> dict[str, Any]:
    from fangxian.core.audit import acting_as
    from fangxian.core.scoping import Actor
    from fangxian.demo import demo_generate

    with acting_as(Actor.system("bench")) as actor:
        started = time.perf_counter()
        result = demo_generate(actor=actor, residents=residents, force=force)
        wall = time.perf_counter() - started
    return {
        "residents": result.counts.get("residents", 0),
        "counts": result.counts,
        "seconds_total": round(wall, 3),
        "seconds_generation": round(result.generation_seconds, 3),
        "residents_per_second": round(result.counts.get("residents", 0) / wall) if wall else 0,
        "residents_per_second_generation": round(result.residents_per_second),
        "workers": os.cpu_count(),
    }


def _baseline_executemany(path: Path, rows: int) -> dict[str, Any]:
    """Plain rows shaped like a resident's (same column count and sizes), one executemany."""
    import sqlite3

    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    columns = [f"c{i}" for i in range(19)]
    connection.execute(f"CREATE TABLE scratch ({', '.join(columns)})")
    token = "gAAAAA" + "x" * 114  # a Fernet token of an 18-character value is 120 characters
    data = [
        (
            i,
            "370202001001001",
            i // 3,
            "张三丰",
            "M",
            "1980-01-01",
            token,
            "h" * 64,
            "1234",
            "370202********1234",
            token,
            "p" * 64,
            "5678",
            "138****5678",
            "head",
            "registered",
            "active",
            "青岛某某科技有限公司",
            "",
        )
        for i in range(rows)
    ]
    placeholders = ", ".join("?" * len(columns))
    started = time.perf_counter()
    connection.execute("BEGIN")
    connection.executemany(f"INSERT INTO scratch VALUES ({placeholders})", data)
    connection.execute("COMMIT")
    seconds = time.perf_counter() - started
    connection.close()
    return {"rows": rows, "seconds": round(seconds, 3), "rows_per_second": round(rows / seconds)}


def scenario_sqlite_demo(residents: int) -> dict[str, Any]:
    _django()
    demo = _run_demo(residents)
    baseline = _baseline_executemany(Path(os.environ["FANGXIAN_VAR_DIR"]) / "baseline.sqlite3", residents)
    return {
        "demo": demo,
        "baseline": baseline,
        "ratio_demo_to_baseline": round(demo["residents_per_second_generation"] / baseline["rows_per_second"], 4),
        "ratio_whole_command_to_baseline": round(demo["residents_per_second"] / baseline["rows_per_second"], 4),
    }


def scenario_postgres_count(residents: int, runs: int) -> dict[str, Any]:
    _django()
    from django.db import connection

    from fangxian.accounts.models import User
    from fangxian.core.scoping import Actor
    from fangxian.registry.models import Resident

    present = Resident.objects.count()
    generated = None
    if present < residents:
        generated = _run_demo(residents - present, force=bool(present))
    actor = Actor.for_user(User.objects.get(username="street"))
    (street,) = actor.area_prefixes
    with connection.cursor() as cursor:
        # The steady state that autovacuum reaches: statistics and the visibility map up to date.
        cursor.execute("VACUUM (ANALYZE) registry_resident")

    def scoped() -> int:
        return Resident.objects.visible_to(actor).count()

    def raw() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM registry_resident WHERE area_code LIKE %s", [street + "%"])
            return cursor.fetchone()[0]

    assert scoped() == raw(), "the scoped and the raw count disagree"
    timings: dict[str, list[float]] = {"scoped": [], "raw": []}
    for _warm in range(3):
        scoped(), raw()
    for _run in range(runs):
        for name, function in (("scoped", scoped), ("raw", raw)):
            started = time.perf_counter()
            function()
            timings[name].append((time.perf_counter() - started) * 1000)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN SELECT count(*) FROM registry_resident WHERE area_code LIKE %s", [street + "%"])
        plan = [row[0] for row in cursor.fetchall()]
    scoped_ms, raw_ms = statistics.median(timings["scoped"]), statistics.median(timings["raw"])
    return {
        "residents_in_database": Resident.objects.count(),
        "generated": generated,
        "street": street,
        "count": raw(),
        "runs": runs,
        "scoped_median_ms": round(scoped_ms, 3),
        "raw_median_ms": round(raw_ms, 3),
        "ratio": round(scoped_ms / raw_ms, 4),
        "scoped_ms": [round(t, 3) for t in timings["scoped"]],
        "raw_ms": [round(t, 3) for t in timings["raw"]],
        "raw_plan": plan,
        "server": connection.cursor().connection.info.server_version,
    }


# --- orchestration ------------------------------------------------------------------------------------


def _keys() -> dict[str, str]:
    return {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FANGXIAN_DATA_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "FANGXIAN_HASH_KEY": secrets.token_urlsafe(32),
        "FANGXIAN_PASS_KEY": secrets.token_urlsafe(32),
    }


def _child(scenario: str, env: dict[str, str], *args: str) -> dict[str, Any]:
    full_env = {**os.environ, "DEBUG": "0", "FANGXIAN_TESTING": "0", "LOG_LEVEL": "WARNING", **env}
    completed = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--scenario", scenario, *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout + completed.stderr)
        raise SystemExit(f"benchmark {scenario} failed")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _ensure_database(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def _machine() -> dict[str, Any]:
    import sqlite3

    return {
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "cpus": os.cpu_count(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "platform": platform.platform(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="20,000 residents on SQLite and 100,000 on PostgreSQL.")
    parser.add_argument("--no-postgres", action="store_true", help="Skip the PostgreSQL benchmark.")
    parser.add_argument("--runs", type=int, default=15, help="Timed runs per count query (15).")
    parser.add_argument("--scenario", help=argparse.SUPPRESS)
    parser.add_argument("--residents", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.scenario == "sqlite-demo":
        print(json.dumps(scenario_sqlite_demo(args.residents)))
        return
    if args.scenario == "postgres-count":
        print(json.dumps(scenario_postgres_count(args.residents, args.runs)))
        return

    sqlite_residents = 20_000 if args.quick else 100_000
    pg_residents = 100_000 if args.quick else 1_000_000
    results: dict[str, Any] = {
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "quick": args.quick,
        "machine": _machine(),
    }
    keys = _keys()
    with tempfile.TemporaryDirectory(prefix="fangxian-bench-") as var_dir:
        env = {**keys, "FANGXIAN_VAR_DIR": var_dir}
        env.pop("DATABASE_URL", None)
        os.environ.pop("DATABASE_URL", None)
        results["sqlite_demo"] = _child("sqlite-demo", env, "--residents", str(sqlite_residents))
    if not args.no_postgres:
        database = "fangxian_bench_quick" if args.quick else "fangxian_bench"
        _ensure_database(database)
        with tempfile.TemporaryDirectory(prefix="fangxian-bench-") as var_dir:
            # Residents stay in the database between runs, so its keys must stay too.
            key_file = RESULTS / f".{database}-keys.json"
            RESULTS.mkdir(exist_ok=True)
            if key_file.exists():
                pg_keys = json.loads(key_file.read_text())
            else:
                pg_keys = keys
                key_file.write_text(json.dumps(pg_keys))
                key_file.chmod(0o600)
            env = {**pg_keys, "FANGXIAN_VAR_DIR": var_dir, "DATABASE_URL": f"{PG_SERVER}/{database}"}
            results["postgres_count"] = _child(
                "postgres-count", env, "--residents", str(pg_residents), "--runs", str(args.runs)
            )
    results["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    _report(results)
    RESULTS.mkdir(exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    for name in (f"bench-{stamp}.json", "latest.json"):
        (RESULTS / name).write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(f"\nJSON: {RESULTS / f'bench-{stamp}.json'}")


def _report(results: dict[str, Any]) -> None:
    rows: list[tuple[str, str, str, str]] = []

    def add(label: str, result: str, target: str = "", met: bool | None = None) -> None:
        rows.append((label, result, target, "" if met is None else "yes" if met else "NO"))

    sqlite = results["sqlite_demo"]
    demo, baseline = sqlite["demo"], sqlite["baseline"]
    rate = demo["residents_per_second_generation"]
    add(
        f"demo, SQLite, {demo['residents']:,} residents: generation",
        f"{rate:,} residents/s",
        f">= {TARGET_RATE:,}",
        rate >= TARGET_RATE,
    )
    add("  whole command (with divisions, users, password hash)", f"{demo['residents_per_second']:,} residents/s")
    add(f"baseline: raw executemany of {baseline['rows']:,} plain rows", f"{baseline['rows_per_second']:,} rows/s")
    add("  demo generation / baseline", f"{sqlite['ratio_demo_to_baseline']:.3f}")
    if "postgres_count" in results:
        pg = results["postgres_count"]
        add(
            f"PostgreSQL, {pg['residents_in_database']:,} residents: visible_to(street).count()",
            f"{pg['scoped_median_ms']:.2f} ms",
        )
        add(f"  raw SQL count, LIKE '{pg['street']}%' ({pg['count']:,} rows)", f"{pg['raw_median_ms']:.2f} ms")
        add("  scoped / raw (medians)", f"{pg['ratio']:.3f}", f"<= {TARGET_RATIO}", pg["ratio"] <= TARGET_RATIO)
        if pg.get("generated"):
            generated = pg["generated"]
            add(
                f"  (demo on PostgreSQL, {generated['residents']:,} residents: generation)",
                f"{generated['residents_per_second_generation']:,} residents/s",
            )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    machine = results["machine"]
    print(
        f"fangxian benchmarks  {results['started']}  python {machine['python']}  sqlite {machine['sqlite']}  "
        f"{machine['cpus']} cpus  load {machine['load_average_at_start']}"
    )
    header = ("benchmark", "result", "target", "met")
    print("  ".join(h.ljust(widths[i]) for i, h in enumerate(header)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)))


if __name__ == "__main__":
    main()
