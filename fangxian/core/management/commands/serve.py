"""`fangxian serve`: the web server, plus a job consumer when jobs are stored in SQLite."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run fangxian: gunicorn on the given address and, for the embedded default, a job consumer."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--bind", default=os.environ.get("FANGXIAN_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("FANGXIAN_WEB_WORKERS", "2")))
        parser.add_argument("--no-jobs", action="store_true", help="Do not start a job consumer beside the server.")

    def handle(self, *args: Any, bind: str, workers: int, no_jobs: bool, **options: Any) -> None:
        children: list[subprocess.Popen] = []
        python = sys.executable
        embedded_jobs = "SqliteHuey" in settings.HUEY.get("huey_class", "")
        if embedded_jobs and not no_jobs:
            children.append(subprocess.Popen([python, "-m", "fangxian.cli", "run_huey"]))  # noqa: S603
        web = subprocess.Popen(  # noqa: S603
            [python, "-m", "gunicorn", "config.wsgi:application", "--bind", bind, "--workers", str(workers),
             "--threads", "4", "--access-logfile", "-", "--graceful-timeout", "10"]
        )
        children.append(web)
        self.stdout.write(self.style.SUCCESS(f"fangxian is running at http://{bind}/  (Ctrl+C stops it)"))

        def stop(signum: int, frame: Any) -> None:
            for child in children:
                if child.poll() is None:
                    child.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            web.wait()
        finally:
            stop(0, None)
            for child in children:
                child.wait(timeout=15)
