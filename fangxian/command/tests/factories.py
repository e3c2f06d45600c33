"""Leak factories of the command app: each part registers its own in factories_<part>.py."""

import importlib

for _part in ("emergencies", "group", "plans", "tasks", "directives", "drills", "training", "reports"):
    try:
        importlib.import_module(f"fangxian.command.tests.factories_{_part}")
    except ModuleNotFoundError as error:
        if error.name != f"fangxian.command.tests.factories_{_part}":
            raise
