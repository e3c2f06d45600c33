"""The default catalogue, loadable again: a database flushed by hand (or by a transactional test)
loses what migration 0002 put there; `catalogue_load` puts back the items whose codes are missing."""

from __future__ import annotations

import importlib
from decimal import Decimal

from fangxian.supplies.models import Item


def default_items() -> list[tuple]:
    """(code, Chinese, English, category, unit, pack size, use per person per day), as migration 0002 ships them."""
    return importlib.import_module("fangxian.supplies.migrations.0002_default_catalogue").ITEMS


def catalogue_load() -> int:
    """Create the default items that are missing (an edited item is left as it is); returns how many."""
    existing = set(Item.objects.values_list("code", flat=True))
    new = [
        Item(
            code=code,
            name_zh=zh,
            name_en=en,
            category=category,
            unit=unit,
            pack_size=pack,
            per_person_per_day=Decimal(per_day),
        )
        for code, zh, en, category, unit, pack, per_day in default_items()
        if code not in existing
    ]
    Item.objects.bulk_create(new)
    return len(new)
