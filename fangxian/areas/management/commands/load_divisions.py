"""`fangxian load-divisions 3702`: load the official divisions under a code into the area tree."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from fangxian.areas.services import divisions_load
from fangxian.core.audit import acting_as
from fangxian.core.errors import DomainError
from fangxian.core.scoping import Actor


class Command(BaseCommand):
    help = "Load China's statistical divisions under a code (e.g. 3702 for Qingdao) into the area tree."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("prefix", help="2, 4, 6, 9 or 12 digits: a province, city, district, street or community.")

    def handle(self, *args: Any, prefix: str, **options: Any) -> None:
        with acting_as(Actor.system("command")) as actor:
            try:
                counts = divisions_load(actor=actor, prefix=prefix)
            except DomainError as error:
                raise CommandError(str(error.message)) from None
        self.stdout.write(
            _("Divisions under %(prefix)s: %(created)d created, %(updated)d renamed, %(unchanged)d unchanged.")
            % {"prefix": prefix, **counts}
        )
