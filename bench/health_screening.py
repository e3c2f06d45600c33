"""Screening list matching on 1,000,000 residents: `.venv/bin/python bench/health_screening.py [--entries N]`.

Creates its own PostgreSQL database (`fangxian_bench_screening` on FANGXIAN_BENCH_PG), migrates it,
and fills one district (10 streets x 10 communities x 10 grids) with 1,000,000 residents in SQL:
ID card numbers and phones unique, their lookup hashes computed by pgcrypto's HMAC with the run's
own FANGXIAN_HASH_KEY (exactly what `lookup_hash` computes), ciphertext columns a placeholder
(matching never decrypts a resident).

Then a district official sends a list of N entries (50,000 by default): 60 % found by ID card
number, 20 % by phone only, 10 % whose ID and phone are unknown, 10 % ID unknown but phone known.
Timed, in the same run, three times each (medians):

* baseline: the raw SQL hash lookups alone (`id_number_hash = ANY(...)` within the district, then
  `phone_hash = ANY(...)` for the rest, batches of 2,000), fetching (hash, id, area_code);
* `screening_rows_match` (the ORM lookups of the service), as a ratio to the baseline;
* `screening_list_create`: the whole sending (matching, encrypting and hashing the entries'
  numbers, one task per grid through `task_create`, `bulk_create` of the entries, audit) in one
  transaction. Target: under 10 s.

The table goes to stdout as JSON and to bench/results/health_screening-<time>.json.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
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
DB_NAME = "fangxian_bench_screening"
DISTRICT = "370202"
STREETS, COMMUNITIES, GRIDS = 10, 10, 10
TARGET_SECONDS = 10.0
REPEATS = 3


def _environment(var_dir: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"{PG_SERVER}/{DB_NAME}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "FANGXIAN_TESTING": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FANGXIAN_DATA_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "FANGXIAN_HASH_KEY": secrets.token_urlsafe(32),
        "FANGXIAN_PASS_KEY": secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "FANGXIAN_VAR_DIR": var_dir,
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }


def _recreate_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DB_NAME}"')


def _defaults(model: Any, given: dict[str, str]) -> dict[str, str]:
    """SQL values for every NOT NULL column of `model` that `given` does not set."""
    from django.db import models

    values = dict(given)
    for field in model._meta.local_concrete_fields:
        if field.column in values or field.primary_key or field.null:
            continue
        if isinstance(field, models.BooleanField):
            values[field.column] = "true" if field.default is True else "false"
        elif isinstance(field, models.DateTimeField):
            values[field.column] = "now()"
        elif isinstance(field, models.DateField):
            values[field.column] = "current_date"
        elif isinstance(field, models.JSONField):
            values[field.column] = "'[]'::jsonb"
        elif isinstance(field, models.IntegerField | models.DecimalField | models.FloatField):
            values[field.column] = "0"
        else:
            values[field.column] = "''"
    return values


def _insert(cursor: Any, model: Any, given: dict[str, str], source: str) -> None:
    values = _defaults(model, given)
    columns = ", ".join(f'"{c}"' for c in values)
    cursor.execute(f'INSERT INTO "{model._meta.db_table}" ({columns}) SELECT {", ".join(values.values())} {source}')


def grid_code(index: int) -> str:
    street, rest = divmod(index, COMMUNITIES * GRIDS)
    community, grid = divmod(rest, GRIDS)
    return f"{DISTRICT}{street + 1:03d}{community + 1:03d}{grid + 1:03d}"


def _grid_sql(index: str) -> str:
    street = f"(1 + ({index}) / {COMMUNITIES * GRIDS})"
    community = f"(1 + (({index}) % {COMMUNITIES * GRIDS}) / {GRIDS})"
    grid = f"(1 + ({index}) % {GRIDS})"
    return (
        f"'{DISTRICT}' || lpad({street}::text, 3, '0') || lpad({community}::text, 3, '0') || lpad({grid}::text, 3, '0')"
    )


def resident_id_number(r: int) -> str:
    """The synthetic 18-character ID number of resident r (the SQL below builds the same)."""
    born = dt.date(1940, 1, 1) + dt.timedelta(days=r // 1000)
    return f"{DISTRICT}{born:%Y%m%d}{r % 1000:03d}0"


def resident_phone(r: int) -> str:
    return f"139{r:08d}"


def generate(residents: int) -> dict[str, Any]:
    """Areas, buildings, households and residents in SQL, hashes by pgcrypto; returns sizes and timings."""
    from django.conf import settings
    from django.db import connection

    from fangxian.areas.models import Area, Building, Household
    from fangxian.registry.models import Resident

    grids = STREETS * COMMUNITIES * GRIDS
    households = residents // 2
    timings: dict[str, float] = {}

    def step(name: str, function: Any) -> None:
        started = time.perf_counter()
        function()
        timings[name] = round(time.perf_counter() - started, 1)
        print(f"  {name}: {timings[name]} s", file=sys.stderr)

    codes = [("37", 2, None), ("3702", 4, "37"), (DISTRICT, 6, "3702")]
    for s in range(STREETS):
        street = f"{DISTRICT}{s + 1:03d}"
        codes.append((street, 9, DISTRICT))
        for c in range(COMMUNITIES):
            community = f"{street}{c + 1:03d}"
            codes.append((community, 12, street))
            codes.extend((f"{community}{g + 1:03d}", 15, community) for g in range(GRIDS))
    Area.objects.bulk_create(
        [Area(code=code, level=level, name=code, parent_id=parent) for code, level, parent in codes]
    )
    key = settings.FANGXIAN_HASH_KEY
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pgcrypto")
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET maintenance_work_mem = '512MB'")
        step(
            "buildings",
            lambda: _insert(
                cursor,
                Building,
                {"id": "g + 1", "area_code": _grid_sql("g"), "name": "'1号楼'", "estate": "'压测小区'"},
                f"FROM generate_series(0, {grids - 1}) AS g",
            ),
        )
        household_grid = f"(h % {grids})"
        step(
            "households",
            lambda: _insert(
                cursor,
                Household,
                {
                    "id": "h + 1",
                    "area_code": _grid_sql(household_grid),
                    "building_id": f"{household_grid} + 1",
                    "room": "(h / 1000)::text",
                },
                f"FROM generate_series(0, {households - 1}) AS h",
            ),
        )
        # Resident r lives in household r / 2 (so in its grid); ID and phone as the Python functions above.
        id_sql = (
            f"('{DISTRICT}' || to_char(date '1940-01-01' + (r / 1000), 'YYYYMMDD') "
            "|| lpad((r % 1000)::text, 3, '0') || '0')"
        )
        phone_sql = "('139' || lpad(r::text, 8, '0'))"
        placeholder = "'gAAAAAbench'"
        step(
            "residents",
            lambda: _insert_residents(cursor, Resident, key, id_sql, phone_sql, placeholder, grids, residents),
        )
        for table in ("areas_building", "areas_household", "registry_resident"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        step("analyze", lambda: cursor.execute("VACUUM (ANALYZE) registry_resident"))
        cursor.execute("ANALYZE")
    return {"residents": residents, "households": households, "grids": grids, "seconds": timings}


def _insert_residents(
    cursor: Any, model: Any, key: str, id_sql: str, phone_sql: str, placeholder: str, grids: int, residents: int
) -> None:
    given = {
        "id": "r + 1",
        "area_code": _grid_sql(f"((r / 2) % {grids})"),
        "household_id": "r / 2 + 1",
        "name": "'居民' || r",
        "sex": "CASE WHEN r % 2 = 0 THEN 'F' ELSE 'M' END",
        "status": "'active'",
        "relation": "'head'",
        "residence_type": "'registered'",
        "document_type": "'id_card'",
        "id_number": placeholder,
        "id_number_hash": f"encode(hmac('id_card:' || {id_sql}, KEY_PARAM, 'sha256'), 'hex')",
        "id_number_last4": f"right({id_sql}, 4)",
        "phone": placeholder,
        "phone_hash": f"encode(hmac('phone:' || {phone_sql}, KEY_PARAM, 'sha256'), 'hex')",
        "phone_last4": f"right({phone_sql}, 4)",
        "phone_masked": f"'139****' || right({phone_sql}, 4)",
    }
    values = _defaults(model, given)
    columns = ", ".join(f'"{c}"' for c in values)
    sql = (
        f'INSERT INTO "{model._meta.db_table}" ({columns}) SELECT {", ".join(values.values())} '
        "FROM generate_series(LOW_PARAM, HIGH_PARAM) AS r"
    )
    # The modulo signs are literal; the three parameters are psycopg's.
    sql = sql.replace("%", "%%").replace("KEY_PARAM", "%(key)s").replace("LOW_PARAM", "%(low)s")
    sql = sql.replace("HIGH_PARAM", "%(high)s")
    chunk = 250_000
    for low in range(0, residents, chunk):
        cursor.execute(sql, {"key": key, "low": low, "high": min(residents, low + chunk) - 1})
        print(f"    {min(residents, low + chunk):,} residents", file=sys.stderr)


def list_rows(entries: int, residents: int, seed: int) -> list[Any]:
    import random

    from fangxian.health.importing import ScreeningRow

    rng = random.Random(seed)
    people = rng.sample(range(residents), entries)
    rows = []
    for number, r in enumerate(people, start=2):
        kind = number % 10
        if kind < 6:  # found by ID
            rows.append(ScreeningRow(number, f"居民{r}", resident_id_number(r), resident_phone(r), "密接"))
        elif kind < 8:  # phone only
            rows.append(ScreeningRow(number, f"居民{r}", "", resident_phone(r), "密接"))
        elif kind < 9:  # nobody
            rows.append(
                ScreeningRow(
                    number, "外地人", f"110101{19900101 + number % 28}{number % 1000:03d}0", f"137{number:08d}"
                )
            )
        else:  # ID unknown, phone known
            rows.append(
                ScreeningRow(
                    number, f"居民{r}", f"110101{19900101 + number % 28}{number % 1000:03d}1", resident_phone(r)
                )
            )
    return rows


def _raw_lookups(rows: list[Any]) -> int:
    """The baseline: the hash lookups in raw SQL, same batches, same prefix filter, same columns."""
    from django.db import connection

    found = 0
    with connection.cursor() as cursor:
        id_hashes = sorted({row.id_hash for row in rows if row.id_number})
        matched = set()
        for start in range(0, len(id_hashes), 2000):
            cursor.execute(
                "SELECT id_number_hash, id, area_code FROM registry_resident "
                "WHERE id_number_hash = ANY(%s) AND area_code LIKE %s",
                [id_hashes[start : start + 2000], DISTRICT + "%"],
            )
            for digest, _pk, _area in cursor.fetchall():
                matched.add(digest)
                found += 1
        phones = sorted({row.phone_hash for row in rows if row.phone and row.id_hash not in matched})
        for start in range(0, len(phones), 2000):
            cursor.execute(
                "SELECT phone_hash, id, area_code FROM registry_resident "
                "WHERE phone_hash = ANY(%s) AND area_code LIKE %s",
                [phones[start : start + 2000], DISTRICT + "%"],
            )
            found += len(cursor.fetchall())
    return found


def measure(entries: int, residents: int, seed: int) -> dict[str, Any]:
    from django.db import connection
    from django.db.models import Count

    from fangxian.accounts.models import RoleAssignment, User
    from fangxian.core.roles import Role
    from fangxian.core.scoping import Actor
    from fangxian.health.models import ScreeningEntry
    from fangxian.health.services.screening import screening_list_create, screening_rows_match

    user = User.objects.create_user(username="district", password=secrets.token_urlsafe(16), display_name="区干部")
    RoleAssignment.objects.create(user=user, role=Role.DISTRICT_OFFICIAL, area_code=DISTRICT)
    actor = Actor.for_user(user)
    rows = list_rows(entries, residents, seed)
    started = time.perf_counter()
    for row in rows:
        row.id_hash, row.phone_hash  # noqa: B018 - the hashes are computed once per row and cached
    hashing = time.perf_counter() - started

    def timed(function: Any) -> float:
        started = time.perf_counter()
        function()
        return time.perf_counter() - started

    _raw_lookups(rows)  # warm the cache as every run after it will find it
    baseline = [timed(lambda: _raw_lookups(rows)) for _ in range(REPEATS)]
    matching = [timed(lambda: screening_rows_match(actor=actor, area_code=DISTRICT, rows=rows)) for _ in range(REPEATS)]
    sending, created = [], []
    deadline = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    for run in range(REPEATS):
        started = time.perf_counter()
        sent = screening_list_create(actor=actor, title=f"压测名单 {run}", deadline=deadline, rows=rows)
        sending.append(time.perf_counter() - started)
        created.append(sent)
    last = created[-1]
    matches = dict(ScreeningEntry.objects.filter(screening_list=last).values_list("match").annotate(n=Count("pk")))
    from fangxian.command.models import Task

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        server = cursor.fetchone()[0].split(",")[0]
    median_send = statistics.median(sending)
    return {
        "entries": entries,
        "residents": residents,
        "row_hashing_seconds": round(hashing, 3),
        "baseline_raw_sql_lookups_seconds": [round(t, 3) for t in baseline],
        "matching_orm_seconds": [round(t, 3) for t in matching],
        "matching_ratio_to_baseline": round(statistics.median(matching) / statistics.median(baseline), 2),
        "send_seconds": [round(t, 3) for t in sending],
        "send_median_seconds": round(median_send, 3),
        "send_ratio_to_baseline": round(median_send / statistics.median(baseline), 2),
        "entries_per_second": round(entries / median_send),
        "matched": last.matched_count,
        "by_match": matches,
        "tasks_per_list": Task.objects.filter(source_ref=f"health.screeninglist:{last.pk}").count(),
        "target_seconds": TARGET_SECONDS,
        "met": median_send < TARGET_SECONDS,
        "server": server,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=50_000, help="people on the list (50,000)")
    parser.add_argument("--residents", type=int, default=1_000_000, help="residents in the district (1,000,000)")
    parser.add_argument("--seed", type=int, default=20261129)
    args = parser.parse_args()
    if args.entries > args.residents or args.residents < 1000:
        parser.error("--entries must not exceed --residents, and --residents must be at least 1000")
    var_dir = tempfile.mkdtemp(prefix="fangxian-screening-bench-")
    env = _environment(var_dir)
    print(f"creating {DB_NAME} and migrating ...", file=sys.stderr)
    _recreate_database()
    subprocess.run(
        [sys.executable, "-m", "fangxian.cli", "migrate", "--no-input", "-v", "0"], env=env, cwd=ROOT, check=True
    )
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    print(f"generating {args.residents:,} residents ...", file=sys.stderr)
    started = time.perf_counter()
    data = generate(args.residents)
    data["generation_seconds"] = round(time.perf_counter() - started, 1)
    print(f"sending a list of {args.entries:,} ...", file=sys.stderr)
    report = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "data": data,
        "screening": measure(args.entries, args.residents, args.seed),
    }
    print(json.dumps(report, indent=2, ensure_ascii=False))
    RESULTS.mkdir(exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"health_screening-{stamp}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
