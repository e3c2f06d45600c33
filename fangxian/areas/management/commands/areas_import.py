"""`fangxian areas-import areas.csv`: create and rename areas from a CSV file, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from fangxian.areas.services import area_tree_import
from fangxian.core.audit import acting_as
from fangxian.core.errors import DomainError
from fangxian.core.scoping import Actor


class Command(BaseCommand):
    help = "Import areas from a CSV file with the columns code, name and optionally geometry (UTF-8 or GBK)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            stream = file.read_bytes()
        except OSError as error:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": file, "error": error}) from None
        with acting_as(Actor.system("command")) as actor:
            try:
                result = area_tree_import(actor=actor, stream=stream, filename=file.name)
            except DomainError as error:
                raise CommandError(str(error.message)) from None
        if result.errors:
            for row, message in result.errors:
                self.stderr.write(_("Row %(row)d: %(message)s") % {"row": row, "message": message})
            raise CommandError(
                _("Nothing was imported: %(errors)d rows have errors, %(valid)d rows are valid.")
                % {"errors": len(result.errors), "valid": result.valid_rows}
            )
        self.stdout.write(
            _("Imported: %(created)d areas created, %(updated)d updated, %(unchanged)d unchanged.")
            % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
        )
