"""Background jobs of the supplies app (autodiscovered by CoreConfig.ready)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(hour="6", minute="30"))
def supplies_replenishment_drafts() -> int:
    """Every morning: stores below their reorder levels find a drafted request waiting for them."""
    from fangxian.core.audit import acting_as
    from fangxian.core.scoping import Actor
    from fangxian.supplies.services.levels import replenishment_drafts_create

    with acting_as(Actor.system("supplies-replenishment")) as actor:
        return replenishment_drafts_create(actor=actor)
