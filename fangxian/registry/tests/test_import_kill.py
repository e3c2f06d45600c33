"""An import process killed with SIGKILL in the middle of a batch leaves whole batches only, and a re-run
completes the import without duplicates.

The import runs in a child process on its own SQLite database file (schema from the models, as
`--nomigrations` builds it): the child writes two batches, starts the third, writes half of it and
waits; the test kills it (SIGKILL: no cleanup, no rollback by Python). A second child opens the same
file, counts the residents and imports the same workbook again.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
ROWS, BATCH = 30, 5


def _child_environment(directory: Path) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("DATABASE", "FANGXIAN"))}
    environment.update(
        {
            "FANGXIAN_TESTING": "1",
            "FANGXIAN_VAR_DIR": str(directory),
            "LOG_LEVEL": "WARNING",
            "DATABASE_URL": f"sqlite:///{directory}/unused.sqlite3",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "PYTHONPATH": str(ROOT),
        }
    )
    return environment


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_mid_batch_leaves_whole_batches_and_rerun_completes(tmp_path):
    environment = _child_environment(tmp_path)
    first = subprocess.Popen(  # noqa: S603 - our own interpreter and file
        [sys.executable, __file__, "first", str(tmp_path)],
        env=environment,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = first.stdout.readline()
        if not line:
            break
        lines.append(line.strip())
        if line.strip() == "half":
            os.kill(first.pid, signal.SIGKILL)
            break
    first.wait(timeout=30)
    assert first.returncode == -signal.SIGKILL, (lines, first.stderr.read())
    assert lines.count("batch") == 2

    second = subprocess.run(  # noqa: S603
        [sys.executable, __file__, "second", str(tmp_path)],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert second.returncode == 0, second.stderr
    outcome = json.loads(second.stdout.strip().splitlines()[-1])
    assert outcome["after_kill"] == 2 * BATCH  # two whole batches, nothing of the third
    rerun = {"created": ROWS - 2 * BATCH, "existing": 2 * BATCH, "updated": 0, "skipped": 0, "error": 0}
    assert outcome["rerun"] == rerun
    assert outcome["final"] == ROWS and outcome["distinct_ids"] == ROWS


def _child(phase: str, directory: Path) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    settings.DATABASES["default"]["TEST"] = {"NAME": str(directory / "import.sqlite3"), "MIGRATE": False}
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=phase == "second")

    from fangxian.core.audit import acting_as
    from fangxian.core.testing import GRID_A1, build_world
    from fangxian.registry.importing import writer
    from fangxian.registry.models import Resident
    from fangxian.registry.services.imports import import_source_read, resident_import
    from fangxian.registry.tests.factories_imports import id_number, xlsx_bytes

    rows = [["姓名", "身份证号", "楼号", "房号"]]
    rows += [[f"居民{i}", id_number("19700101", i * 3), "9号楼", f"{i}"] for i in range(1, ROWS + 1)]
    data = xlsx_bytes(rows)
    if phase == "first":
        world = build_world()
        original = writer.ResidentWriter.write
        calls = {"n": 0}

        def write(self, batch):
            calls["n"] += 1
            if calls["n"] == 3:
                original(self, list(batch)[: BATCH // 2])
                print("half", flush=True)
                time.sleep(120)
            return original(self, batch)

        def progress(done: int, total: int) -> None:
            print("batch", flush=True)

        writer.ResidentWriter.write = write
        actor = world.actor("worker_a")
        with acting_as(actor):
            resident_import(
                actor, import_source_read(data, "a.xlsx"), grid_code=GRID_A1, batch_size=BATCH, progress=progress
            )
        return
    from fangxian.accounts.models import User
    from fangxian.core.scoping import Actor

    after_kill = Resident.objects.count()
    actor = Actor.for_user(User.objects.get(username="worker_a"))
    with acting_as(actor):
        result = resident_import(actor, import_source_read(data, "a.xlsx"), grid_code=GRID_A1, batch_size=BATCH)
    print(
        json.dumps(
            {
                "after_kill": after_kill,
                "rerun": result.counts,
                "final": Resident.objects.count(),
                "distinct_ids": Resident.objects.values("id_number_hash").distinct().count(),
            }
        )
    )


if __name__ == "__main__":
    _child(sys.argv[1], Path(sys.argv[2]))
