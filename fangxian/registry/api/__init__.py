"""The registry's API, mounted under /api/v1/registry/."""

from ninja import Router

from fangxian.registry.api import care, imports, party, residents

router = Router()
router.add_router("/residents", residents.router)
router.add_router("/care", care.router)
router.add_router("/party", party.router)
router.add_router("/imports", imports.router)
