"""Settings of the bare baseline: the app's own settings with bench/bare_scan.py as the URLconf."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bare_scan"
