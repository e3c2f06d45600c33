"""Background jobs of the registry: importing a large workbook.

In tests HUEY runs in immediate mode, so the job runs inline. The app's ready() must import this
module so that the worker process knows the task.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task()
def resident_import_job(user_id: int, token: str, file: str, name: str, grid: str, mapping: dict[str, str]) -> None:
    from fangxian.accounts.models import User
    from fangxian.core.audit import acting_as
    from fangxian.core.scoping import Actor
    from fangxian.registry.services.imports import import_run_stored

    actor = Actor.for_user(User.objects.get(pk=user_id))
    with acting_as(actor):
        import_run_stored(
            actor, token, file=file, name=name, grid=grid, mapping={int(k): v for k, v in mapping.items()}
        )


@db_periodic_task(crontab(hour="7", minute="0"))
def care_overdue_tasks() -> int:
    """Every morning: each overdue care visit becomes a task in its visitor's inbox (07:30 in DESIGN.md)."""
    from fangxian.core.audit import acting_as
    from fangxian.core.scoping import Actor
    from fangxian.registry.services.care import care_overdue_tasks_create

    with acting_as(Actor.system("care-overdue")) as actor:
        return care_overdue_tasks_create(actor=actor)
