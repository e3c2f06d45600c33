"""Background jobs of the checkpoints app: the nightly retention purge of gate logs."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(hour="3", minute="45"))
def gate_logs_retention() -> dict[str, int]:
    """Every night: gate logs and visitors of emergencies over for FANGXIAN_RETENTION_DAYS go; counts stay."""
    from fangxian.checkpoints.services.retention import gate_logs_purge
    from fangxian.core.audit import acting_as
    from fangxian.core.scoping import Actor

    with acting_as(Actor.system("gate-logs-retention")) as actor:
        return gate_logs_purge(actor=actor)
