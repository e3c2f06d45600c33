"""`fangxian gate-logs-purge [--days N]`: run the gate-log retention by hand (the nightly job does it too)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from fangxian.checkpoints.services.retention import gate_logs_purge
from fangxian.core.audit import acting_as
from fangxian.core.scoping import Actor


class Command(BaseCommand):
    help = "Count, then purge gate logs and visitor records of emergencies ended more than N days ago."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--days", type=int, default=None, help="days after the end (default FANGXIAN_RETENTION_DAYS)"
        )

    def handle(self, *args, days: int | None = None, **options) -> None:
        if days is not None and days < 0:
            self.stderr.write("--days must not be negative")
            raise SystemExit(2)
        with acting_as(Actor.system("gate-logs-purge")) as actor:
            totals = gate_logs_purge(actor=actor, days=days)
        self.stdout.write(" ".join(f"{name}={value}" for name, value in totals.items()))
