"""Supplies API (mounted at /api/v1/supplies/): one router per part, each in its own module."""

from ninja import Router

from fangxian.supplies.api import allocation, disinfection, requests, stock

router = Router(tags=["supplies"])
router.add_router("", stock.router)
router.add_router("", requests.router)
router.add_router("", allocation.router)
router.add_router("", disinfection.router)
