"""`fangxian areas-export 370202 -o shinan.csv`: the area tree under a code as CSV."""

from __future__ import annotations

import csv
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fangxian.areas.services import area_tree_export
from fangxian.core.audit import acting_as
from fangxian.core.errors import DomainError
from fangxian.core.scoping import Actor


class Command(BaseCommand):
    help = "Export the area tree under a code as CSV (code, name, level, parent_code, geometry)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("prefix", help="Area code whose subtree is exported; '' for the whole tree.")
        parser.add_argument("-o", "--output", help="File to write (UTF-8 with BOM, for Excel); stdout by default.")

    def handle(self, *args: Any, prefix: str, output: str | None, **options: Any) -> None:
        with acting_as(Actor.system("command")) as actor:
            try:
                rows = area_tree_export(actor=actor, prefix=prefix)
            except DomainError as error:
                raise CommandError(str(error.message)) from None
            if output:
                with open(output, "w", encoding="utf-8-sig", newline="") as handle:
                    csv.writer(handle).writerows(rows)
            else:
                csv.writer(self.stdout, lineterminator="\n").writerows(rows)
