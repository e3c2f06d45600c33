"""`fangxian health-data-purge [--days N]`: run the health data retention by hand (the nightly job does it too)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from fangxian.core.audit import acting_as
from fangxian.core.scoping import Actor
from fangxian.health.services.retention import health_data_purge


class Command(BaseCommand):
    help = "Purge cases, reports, arrivals, check-ins and screening entries of emergencies ended N days ago."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--days", type=int, default=None, help="days after the end (default FANGXIAN_RETENTION_DAYS)"
        )

    def handle(self, *args, days: int | None = None, **options) -> None:
        if days is not None and days < 0:
            self.stderr.write("--days must not be negative")
            raise SystemExit(2)
        with acting_as(Actor.system("health-data-purge")) as actor:
            totals = health_data_purge(actor=actor, days=days)
        self.stdout.write(" ".join(f"{name}={value}" for name, value in totals.items()))
