"""Gate scans under load: `bench/checkpoint_scan.py [--seconds S] [--clients C] [--part all|batch|http]`.

Measured in the same run, on PostgreSQL (FANGXIAN_BENCH_PG, database `fangxian_bench_scan`, a fresh
schema from the current models):

* **batch ingestion**: `scan_batch` (the service behind `POST /api/v1/checkpoints/scans/batch`)
  recording 20,000 queued scans of valid passes in batches of 500, in this process: scans/s
  (target: >= 20,000/s);
* **the scan endpoint over HTTP**: `POST /api/v1/checkpoints/scans` (a guard's bearer token, a
  pass token, a fresh idempotency key per request) served by gunicorn with 2 workers, loaded by
  `wrk` with C connections for S seconds; against, at the same concurrency,
  - a **bare Django view** in the same gunicorn setup that does one INSERT of a row of the same
    shape (bench/bare_scan.py), and
  - **raw single-row INSERTs** through psycopg from C threads, one connection each.
  Targets: throughput >= 70 % of the bare view and >= 35 % of raw INSERTs, p99 < 50 ms at 100
  connections.

The report sizes a city: 50 million scans a day, 6,000/s at a tenfold peak, in app servers of
this machine's measured throughput. Results go to stdout and bench/results/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
PG_SERVER = os.environ.get("FANGXIAN_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = "fangxian_bench_scan"
PORT_APP, PORT_BARE = 8731, 8732
CITY_PEAK = 6000
TARGETS = {"batch_scans_per_s": 20000, "vs_bare": 0.70, "vs_raw": 0.35, "p99_ms": 50}


def _environment(var_dir: str) -> dict[str, str]:
    import base64
    import secrets

    return {
        **os.environ,
        "DATABASE_URL": f"{PG_SERVER}/{DB_NAME}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FANGXIAN_DATA_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "FANGXIAN_HASH_KEY": secrets.token_urlsafe(32),
        "FANGXIAN_PASS_KEY": secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "FANGXIAN_VAR_DIR": var_dir,
        "LOG_LEVEL": "WARNING",
        "FANGXIAN_SECURE_COOKIES": "false",
        "FANGXIAN_SSL_REDIRECT": "false",  # loopback HTTP, as behind a TLS-terminating proxy
        "PYTHONPATH": str(ROOT),
    }


def _recreate_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DB_NAME}"')


def setup(env: dict[str, str]) -> dict[str, Any]:
    """Schema (migrate), the test area tree and personas, a checkpoint, 50 household passes, a guard token."""
    subprocess.run(
        [sys.executable, "-m", "fangxian.cli", "migrate", "--no-input", "-v", "0"], env=env, cwd=ROOT, check=True
    )
    script = r"""
import json, django
django.setup()
from fangxian.core.audit import acting_as
from fangxian.core.scoping import Actor
from fangxian.core.testing import GRID_A1, build_world
from fangxian.areas.models import Building, Household, Unit
from fangxian.checkpoints.models import Checkpoint
from fangxian.checkpoints.services.passes import pass_issue, pass_token
from fangxian.accounts.services import api_token_create
world = build_world()
with acting_as(Actor.system("bench")) as system:
    gate = Checkpoint.objects.create(area_code=GRID_A1, name="东门", location="东门")
    block = Building.objects.create(area_code=GRID_A1, estate="压测小区", name="1号楼")
    unit = Unit.objects.create(area_code=GRID_A1, building=block, name="1单元")
    homes = [
        Household.objects.create(area_code=GRID_A1, building=block, unit=unit, room=str(100 + i)) for i in range(50)
    ]
commander = world.actor("commander_a")
with acting_as(commander):
    tokens = [pass_token(pass_issue(actor=commander, household_id=h.pk, days=30)) for h in homes]
guard = world.users["guard_a"]
guard_actor = world.actor("guard_a")
_token, bearer = api_token_create(actor=guard_actor, assignment=guard.active_assignments()[0], name="bench")
print(json.dumps({"checkpoint": gate.pk, "tokens": tokens, "bearer": bearer, "guard": guard.pk}))
"""
    output = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def batch_ingestion(env: dict[str, str], data: dict[str, Any], total: int = 20000, size: int = 500) -> dict[str, Any]:
    """`scan_batch` in a child process with production settings: scans/s over `total` scans."""
    script = r"""
import json, sys, time, uuid, django
django.setup()
from fangxian.accounts.models import User
from fangxian.core.audit import acting_as
from fangxian.core.scoping import Actor
from fangxian.checkpoints.services.scans import ScanInput, scan_batch
data = json.loads(sys.argv[1]); total, size = int(sys.argv[2]), int(sys.argv[3])
actor = Actor.for_user(User.objects.get(pk=data["guard"]))
tokens = data["tokens"]
batches = [
    [ScanInput(checkpoint_id=data["checkpoint"], direction="in", idempotency_key=uuid.uuid4(),
               token=tokens[(b * size + i) % len(tokens)], temperature="36.5") for i in range(size)]
    for b in range(total // size)
]
with acting_as(actor):
    scan_batch(actor=actor, scans=batches[0][:10])  # warm up: imports, caches, connection
    started = time.perf_counter()
    for batch in batches:
        results = scan_batch(actor=actor, scans=batch)
        assert all(r.error is None for r in results), [r.error for r in results if r.error][:1]
    seconds = time.perf_counter() - started
print(json.dumps({"scans": total, "seconds": seconds}))
"""
    output = subprocess.run(
        [sys.executable, "-c", script, json.dumps(data), str(total), str(size)],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    measured = json.loads(output.stdout.strip().splitlines()[-1])
    rate = measured["scans"] / measured["seconds"]
    return {
        "batch_scans": total,
        "batch_size": size,
        "batch_seconds": round(measured["seconds"], 2),
        "batch_scans_per_s": round(rate),
        "batch_target": TARGETS["batch_scans_per_s"],
        "batch_met": rate >= TARGETS["batch_scans_per_s"],
    }


WRK_SCRIPT = r"""
local counter = 0
local tokens = {}
local path = "%(path)s"
local checkpoint = %(checkpoint)d
local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer %(bearer)s"}
%(tokens)s
local function hex(n) local s = "" for i = 1, n do s = s .. string.format("%%x", math.random(0, 15)) end return s end
setup = function(thread) thread:set("seed", math.random(1, 1000000)) end
init = function(args) math.randomseed(seed or os.time()) end
request = function()
  counter = counter + 1
  local key = hex(8) .. "-" .. hex(4) .. "-4" .. hex(3) .. "-a" .. hex(3) .. "-" .. hex(12)
  local body = '{"checkpoint_id": ' .. checkpoint .. ', "direction": "in", "idempotency_key": "' .. key ..
    '", "token": "' .. tokens[(counter %% #tokens) + 1] .. '", "temperature": "36.5"}'
  return wrk.format("POST", path, headers, body)
end
"""


def _serve(env: dict[str, str], port: int, settings_module: str) -> subprocess.Popen:
    server_env = {**env, "DJANGO_SETTINGS_MODULE": settings_module, "FANGXIAN_DB_POOL_SIZE": "4"}
    process = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--backlog",
            "2048",
        ],
        env=server_env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    import socket

    for _attempt in range(150):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            time.sleep(2)  # the workers boot after the socket listens
            return process
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def _stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def _wrk(port: int, path: str, script: str, seconds: int, clients: int) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    output = subprocess.run(  # noqa: S603
        [
            "wrk",
            "-t",
            "2",
            "-c",
            str(clients),
            "-d",
            f"{seconds}s",
            "--latency",
            "-s",
            handle.name,
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(handle.name)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    factor = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "per_s": round(rate),
        "p99_ms": round(float(p99.group(1)) * factor, 1),
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def _raw_inserts(seconds: int, clients: int) -> dict[str, Any]:
    """C threads, each with its own connection, inserting single rows in autocommit for S seconds."""
    import psycopg

    counts = [0] * clients
    latencies: list[list[float]] = [[] for _ in range(clients)]
    stop = time.perf_counter() + seconds

    def work(index: int) -> None:
        with psycopg.connect(f"{PG_SERVER}/{DB_NAME}", autocommit=True) as connection:
            while time.perf_counter() < stop:
                started = time.perf_counter()
                connection.execute(
                    "INSERT INTO bench_bare_scan (checkpoint_id, direction, at, verdict, reason, idempotency_key) "
                    "VALUES (%s, %s, now(), %s, %s, %s)",
                    [1, "in", "allow", "ok", uuid.uuid4()],
                )
                latencies[index].append(time.perf_counter() - started)
                counts[index] += 1

    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    every = sorted(x for per in latencies for x in per)
    return {"per_s": round(sum(counts) / elapsed), "p99_ms": round(every[int(len(every) * 0.99)] * 1000, 1)}


def http(env: dict[str, str], data: dict[str, Any], seconds: int, clients: int) -> dict[str, Any]:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/{DB_NAME}", autocommit=True) as connection:
        connection.execute(
            "CREATE TABLE IF NOT EXISTS bench_bare_scan (id bigserial PRIMARY KEY, checkpoint_id bigint, "
            "direction varchar(3), at timestamptz, verdict varchar(8), reason varchar(32), "
            "idempotency_key uuid UNIQUE)"
        )
    tokens = "\n".join(f'tokens[{i + 1}] = "{t}"' for i, t in enumerate(data["tokens"]))
    script = WRK_SCRIPT % {
        "path": "/api/v1/checkpoints/scans",
        "checkpoint": data["checkpoint"],
        "bearer": data["bearer"],
        "tokens": tokens,
    }
    results: dict[str, Any] = {"clients": clients, "seconds": seconds}
    app = _serve(env, PORT_APP, "config.settings")
    try:
        _wrk(PORT_APP, "/api/v1/checkpoints/scans", script, 2, 10)  # warm up
        results["app"] = _wrk(PORT_APP, "/api/v1/checkpoints/scans", script, seconds, clients)
    finally:
        _stop(app)
    bare = _serve(env, PORT_BARE, "bench.bare_settings")
    try:
        bare_script = "wrk.method = 'POST'\nwrk.body = '{}'\nwrk.headers['Content-Type'] = 'application/json'\n"
        _wrk(PORT_BARE, "/bare/scan", bare_script, 2, 10)
        results["bare_view"] = _wrk(PORT_BARE, "/bare/scan", bare_script, seconds, clients)
    finally:
        _stop(bare)
    results["raw_inserts"] = _raw_inserts(seconds, clients)
    app_rate = results["app"]["per_s"]
    results["vs_bare"] = round(app_rate / max(results["bare_view"]["per_s"], 1), 2)
    results["vs_raw"] = round(app_rate / max(results["raw_inserts"]["per_s"], 1), 2)
    results["met"] = {
        "vs_bare": results["vs_bare"] >= TARGETS["vs_bare"],
        "vs_raw": results["vs_raw"] >= TARGETS["vs_raw"],
        "p99": results["app"]["p99_ms"] < TARGETS["p99_ms"],
    }
    # A city: 6,000 scans/s at the peak, each app server of this machine's measured throughput.
    results["city_app_servers"] = -(-CITY_PEAK // max(app_rate, 1))
    results["city"] = city(results)
    return results


def city(results: dict[str, Any]) -> dict[str, Any]:
    """What 50 million scans a day (6,000/s at a tenfold peak) need, from this run's own figures."""
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/{DB_NAME}", autocommit=True) as connection:
        size, rows = connection.execute(
            "SELECT pg_total_relation_size('checkpoints_gatescan'), count(*) FROM checkpoints_gatescan"
        ).fetchone()
    per_row = size / max(rows, 1)
    raw = max(results["raw_inserts"]["per_s"], 1)
    return {
        "peak_scans_per_s": CITY_PEAK,
        "app_servers_2_cpu": results["city_app_servers"],
        # The database's share of the peak: single-row inserts as this 2-processor PostgreSQL takes them.
        "db_peak_share_of_this_machine": round(CITY_PEAK / raw, 2),
        "bytes_per_scan_with_indexes": round(per_row),
        "gb_per_day": round(50_000_000 * per_row / 1e9, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--part", choices=["all", "batch", "http"], default="all")
    args = parser.parse_args()
    if shutil.which("wrk") is None and args.part != "batch":
        sys.exit("wrk is needed for the HTTP part: apt-get install wrk (or run with --part batch)")
    var_dir = tempfile.mkdtemp(prefix="fangxian-scan-bench-")
    env = _environment(var_dir)
    _recreate_database()
    data = setup(env)
    report: dict[str, Any] = {"when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    if args.part in ("all", "batch"):
        report["batch"] = batch_ingestion(env, data)
        print(json.dumps(report["batch"]))
    if args.part in ("all", "http"):
        report["http"] = http(env, data, args.seconds, args.clients)
        print(json.dumps(report["http"]))
    RESULTS.mkdir(exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"checkpoint_scan-{stamp}.json").write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
