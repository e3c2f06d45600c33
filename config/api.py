"""The API at /api/v1/: one NinjaAPI, a router per app, OpenAPI and docs served locally."""

from __future__ import annotations

from ninja import NinjaAPI

from fangxian.accounts.api import router as accounts_router
from fangxian.areas.api import router as areas_router
from fangxian.checkpoints.api import router as checkpoints_router
from fangxian.command.api import router as command_router
from fangxian.core.api import ActorBearerAuth, ActorSessionAuth, install_error_handlers
from fangxian.health.api import router as health_router
from fangxian.registry.api import router as registry_router
from fangxian.supplies.api import router as supplies_router

api = NinjaAPI(
    title="fangxian API",
    version="1",
    description="Community emergency management. Session cookie for the web app, bearer tokens for devices "
    "and upper-level platforms. Errors: JSON with a stable `code` and a `message` in the caller's language.",
    auth=[ActorBearerAuth(), ActorSessionAuth()],
    urls_namespace="api",
    docs_url="/docs",
)
install_error_handlers(api)
# Django tries URL patterns in order and ninja lists every operation in one flat list: the gates'
# scans, the busiest endpoint by far, come first so that resolving them is not a walk past the others.
api.add_router("/checkpoints", checkpoints_router)
api.add_router("/areas", areas_router)
api.add_router("/accounts", accounts_router)
api.add_router("/command", command_router)
api.add_router("/registry", registry_router)
api.add_router("/health", health_router)
api.add_router("/supplies", supplies_router)
