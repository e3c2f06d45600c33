"""Leak factories of the registry: each part registers its own in factories_<part>.py."""

import importlib

for _part in ("residents", "care", "party", "imports"):
    try:
        importlib.import_module(f"fangxian.registry.tests.factories_{_part}")
    except ModuleNotFoundError as error:
        if error.name != f"fangxian.registry.tests.factories_{_part}":
            raise
