"""Health API: risk areas, arrivals, cases, reports, check-ins (filled by its own change)."""

from ninja import Router

router = Router(tags=["health"])
