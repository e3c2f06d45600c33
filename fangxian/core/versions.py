"""Version stamps for process-local caches: bump on write, compare on read.

A process keeps what it read together with the stamp at that time; when the number in
the database differs, it reads again. Bumping happens in the writer's transaction, so a reader on
another connection sees the new number no earlier than the data it stands for. Signals do the
bumping for model saves and deletes (`bump_on_change`); code that writes with `update()` or raw
SQL calls `version_bump` itself.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection, models
from django.db.models.signals import post_delete, post_save

from fangxian.core.models import CacheVersion

_TABLE = CacheVersion._meta.db_table


# Within a request all stamps are read at once, on first use, and kept until the request ends
# (`versions_per_request`, entered by ActorMiddleware): an API call that checks its token's cache
# and the gates' cache reads the stamps with one statement. Outside requests, every read goes to
# the database.
_request_stamps: ContextVar[dict[str, int] | None] = ContextVar("fangxian_version_stamps", default=None)
_LOADED = "\x00loaded"


@contextmanager
def versions_per_request() -> Iterator[None]:
    token = _request_stamps.set({})
    try:
        yield
    finally:
        _request_stamps.reset(token)


def version_read(name: str) -> int:
    """The stamp now (0 when it was never bumped): one primary-key read, or none within a request that read it."""
    stamps = _request_stamps.get()
    if stamps is not None:
        if _LOADED not in stamps:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT name, number FROM {_TABLE}")  # noqa: S608
                stamps.update(cursor.fetchall())
            stamps[_LOADED] = 1
        return stamps.get(name, 0)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT number FROM {_TABLE} WHERE name = %s", [name])  # noqa: S608
        row = cursor.fetchone()
    return row[0] if row else 0


def version_bump(name: str) -> None:
    """Give the counter a new random stamp (creating it), inside the caller's transaction.

    Random, not number + 1: a bump that is rolled back restores the old number, and a process that
    read the rolled-back number on the writer's own connection must not find it again later,
    paired with rows that were never committed.
    """
    stamp = secrets.randbits(62) + 1
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {_TABLE} SET number = %s WHERE name = %s", [stamp, name])  # noqa: S608
        if cursor.rowcount == 0:
            cursor.execute(
                f"INSERT INTO {_TABLE} (name, number) VALUES (%s, %s) "  # noqa: S608
                "ON CONFLICT (name) DO UPDATE SET number = excluded.number",
                [name, stamp],
            )
    stamps = _request_stamps.get()
    if stamps is not None and _LOADED in stamps:
        stamps[name] = stamp  # the request that made the change sees it too


def bump_on_change(name: str, models_: Iterable[type[models.Model]]) -> None:
    """Bump `name` whenever a row of one of these models is saved or deleted."""

    def bump(sender: type[models.Model], **kwargs: object) -> None:
        if not kwargs.get("raw"):  # loaddata: no cache is warm yet
            version_bump(name)

    for model in models_:
        post_save.connect(bump, sender=model, weak=False, dispatch_uid=f"version-{name}-{model._meta.label}")
        post_delete.connect(bump, sender=model, weak=False, dispatch_uid=f"version-del-{name}-{model._meta.label}")
