"""Background jobs of the health app (autodiscovered by CoreConfig.ready)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*/15"))
def health_missed_reports() -> int:
    """Every quarter hour: cases without a report in the latest slot, past the grace period, alert the grid."""
    from fangxian.core.audit import acting_as
    from fangxian.core.scoping import Actor
    from fangxian.health.services.cases import missed_reports_alert

    with acting_as(Actor.system("health-missed-reports")):
        return missed_reports_alert()


@db_periodic_task(crontab(hour="3", minute="50"))
def health_data_retention() -> dict[str, int]:
    """Every night: the health data of emergencies over for FANGXIAN_RETENTION_DAYS goes; numbers stay."""
    from fangxian.core.audit import acting_as
    from fangxian.core.scoping import Actor
    from fangxian.health.services.retention import health_data_purge

    with acting_as(Actor.system("health-data-retention")) as actor:
        return health_data_purge(actor=actor)
