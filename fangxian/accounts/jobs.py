"""Background jobs of the accounts app (Huey: SQLite storage embedded, Redis at scale)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from fangxian.accounts.models import LoginFailure


def login_failures_prune() -> int:
    """Failures older than the lock-out window count for nothing; keep the table small."""
    horizon = timezone.now() - dt.timedelta(seconds=settings.FANGXIAN_LOCKOUT_SECONDS * 2)
    deleted, _ = LoginFailure.objects.filter(at__lt=horizon).delete()
    return deleted


@db_periodic_task(crontab(minute="*/30"))
def prune_login_failures() -> int:
    return login_failures_prune()
