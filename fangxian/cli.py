"""The `fangxian` console command: Django's management commands under the project's own name.

`fangxian serve` runs the web server and, in the embedded default, a job consumer beside it, so
that a laptop demo needs nothing else running. Every other word is a management command
(`fangxian migrate`, `fangxian demo`, `fangxian createadmin`, `fangxian load-divisions 3702` ...).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    from django.core.management import execute_from_command_line

    if not args:
        args = ["help"]
    # Dashes read better on a command line; management commands use underscores.
    if args[0] not in {"help", "--help", "-h"}:
        args[0] = args[0].replace("-", "_")
    execute_from_command_line(["fangxian", *args])


if __name__ == "__main__":
    main()
