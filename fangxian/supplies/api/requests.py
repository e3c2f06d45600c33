"""Supplies API: requests (filled by its own change)."""

from ninja import Router

router = Router(tags=["supplies"])
