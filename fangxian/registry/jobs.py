"""Background jobs of the registry: importing a large workbook.

In tests HUEY runs in immediate mode, so the job runs inline. The app's ready() must import this
module so that the worker process knows the task.
"""

from __future__ import annotations

from huey.contrib.djhuey import db_task


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
