"""Background jobs: one task API over SQLite storage (embedded) and Redis storage (at scale)."""

from __future__ import annotations

import datetime as dt
import socket
import uuid

import pytest
from django.utils import timezone
from huey import RedisHuey, SqliteHuey

from fangxian.accounts.jobs import login_failures_prune, prune_login_failures
from fangxian.accounts.models import LoginFailure


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.django_db
def test_periodic_prune_removes_only_expired_failures():
    old = LoginFailure.objects.create(username="a", at=timezone.now() - dt.timedelta(days=1))
    fresh = LoginFailure.objects.create(username="a")
    assert login_failures_prune() == 1
    assert not LoginFailure.objects.filter(pk=old.pk).exists() and LoginFailure.objects.filter(pk=fresh.pk).exists()


@pytest.mark.django_db
def test_jobs_run_immediately_in_tests():
    LoginFailure.objects.create(username="a", at=timezone.now() - dt.timedelta(days=1))
    result = prune_login_failures.call_local()
    assert result == 1


def _round_trip(huey) -> int:
    @huey.task()
    def add(a: int, b: int) -> int:
        return a + b

    handle = add(2, 3)
    task = huey.dequeue()
    huey.execute(task)
    return handle.get()


def test_the_same_task_api_runs_on_sqlite_storage(tmp_path):
    huey = SqliteHuey(name="t", filename=str(tmp_path / "jobs.sqlite3"))
    assert _round_trip(huey) == 5


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_the_same_task_api_runs_on_redis_storage():
    huey = RedisHuey(name=f"fangxian-test-{uuid.uuid4().hex[:8]}", url="redis://127.0.0.1:6379/15")
    try:
        assert _round_trip(huey) == 5
    finally:
        huey.storage.flush_all()


@pytest.mark.parametrize(
    "redis_url,expected", [("", "huey.SqliteHuey"), ("redis://127.0.0.1:6379/0", "huey.PriorityRedisHuey")]
)
def test_storage_is_chosen_by_settings(redis_url, expected, tmp_path):
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "FANGXIAN_TESTING": "false",
        "DEBUG": "true",
        "FANGXIAN_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    code = "import django; django.setup(); from django.conf import settings; print(settings.HUEY['huey_class'])"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == expected
