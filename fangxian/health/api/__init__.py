"""Health API (mounted at /api/v1/health/): one router per part, each in its own module."""

from ninja import Router

from fangxian.health.api import cases, screening, tracing

router = Router(tags=["health"])
router.add_router("", screening.router)
router.add_router("", tracing.router)
router.add_router("", cases.router)
