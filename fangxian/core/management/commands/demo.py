"""`fangxian demo`: a real district of Qingdao with invented residents, and one user per role."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from fangxian.core.audit import acting_as
from fangxian.core.errors import DomainError
from fangxian.core.roles import Role
from fangxian.core.scoping import Actor
from fangxian.demo import DEFAULT_DISTRICT, DEMO_PASSWORD, DemoResult, demo_generate


class Command(BaseCommand):
    help = "Fill a district of Qingdao with invented residents and create one demo user per role."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--residents", type=int, default=20_000, help="How many residents to invent (20,000).")
        parser.add_argument("--district", default=DEFAULT_DISTRICT, help="District code (370202, Shinan).")
        parser.add_argument("--seed", type=int, default=1, help="Seed of the random choices (1).")
        parser.add_argument("--workers", type=int, default=None, help="Worker processes (one per core).")
        parser.add_argument(
            "--force", action="store_true", help="Add a population even though the database has residents already."
        )

    def handle(
        self, *args: Any, residents: int, district: str, seed: int, workers: int | None, force: bool, **options: Any
    ) -> None:
        verbosity = options.get("verbosity", 1)
        step = max(1, residents // 10)
        shown = [0]

        def progress(done: int, total: int) -> None:
            if verbosity >= 1 and (done - shown[0] >= step or done == total):
                shown[0] = done
                self.stdout.write(_("  %(done)s of %(total)s residents") % {"done": f"{done:,}", "total": f"{total:,}"})

        with acting_as(Actor.system("demo")) as actor:
            try:
                result = demo_generate(
                    actor=actor,
                    residents=residents,
                    district=district,
                    seed=seed,
                    force=force,
                    workers=workers,
                    progress=progress,
                )
            except DomainError as error:
                raise CommandError(str(error.message)) from None
        if not result.skipped:
            from fangxian.command.demo import command_demo
            from fangxian.health.demo import health_demo
            from fangxian.supplies.demo import supplies_demo

            with acting_as(Actor.system("demo")) as actor:
                command_demo(actor=actor)
                health_demo(actor=actor)
                supplies_demo(actor=actor)
        if result.skipped:
            self.stdout.write(
                _("The database has %(count)s residents already: nothing was generated (use --force to add more).")
                % {"count": f"{result.existing_residents:,}"}
            )
            return
        self._report(result)

    def _report(self, result: DemoResult) -> None:
        counts = result.counts
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Demo ready in %(seconds).1f s: %(residents)s residents in %(households)s households, "
                    "%(buildings)s buildings, %(grids)s new grids; %(vulnerabilities)s care needs "
                    "(%(rate)s residents/s)."
                )
                % {
                    **{k: f"{v:,}" for k, v in counts.items()},
                    "seconds": result.seconds,
                    "rate": f"{result.residents_per_second:,.0f}",
                }
            )
        )
        labels = dict(Role.choices)
        header = (_("role"), _("username"), _("password"), _("area"))
        rows = [
            (
                str(labels.get(u.role, u.role)),
                u.username,
                DEMO_PASSWORD if u.created else _("(unchanged)"),
                f"{u.area_name} {u.area_code}",
            )
            for u in result.users
        ]
        widths = [max(_width(str(row[i])) for row in [header, *rows]) for i in range(4)]
        self.stdout.write("")
        self.stdout.write("  ".join(_pad(str(cell), widths[i]) for i, cell in enumerate(header)))
        self.stdout.write("  ".join("-" * w for w in widths))
        for user, row in zip(result.users, rows, strict=True):
            line = "  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row))
            if user.totp_secret:
                line += "  " + _("TOTP secret %(secret)s (or: DEBUG=true fangxian totp-code %(user)s)") % {
                    "secret": user.totp_secret,
                    "user": user.username,
                }
            self.stdout.write(line)


def _width(text: str) -> int:
    """Columns a string takes in a terminal: CJK characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
