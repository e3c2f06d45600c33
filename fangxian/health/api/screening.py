"""Health API: screening (filled by its own change)."""

from ninja import Router

router = Router(tags=["health"])
