"""Background jobs of the registry: importing a large workbook, cleaning old import files, care reminders.

In tests HUEY runs in immediate mode, so the job runs inline. The app's ready() must import this
module so that the worker process knows the task.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task()
def resident_import_job(user_id: int, job_id: int) -> None:
    """Run a queued import as its uploader (their jurisdiction, their name in the audit trail)."""
    from fangxian.accounts.models import User
    from fangxian.core.audit import acting_as
    from fangxian.core.scoping import Actor
    from fangxian.registry.models import ImportJob
    from fangxian.registry.services.imports import import_job_run

    actor = Actor.for_user(User.objects.get(pk=user_id))
    with acting_as(actor):
        import_job_run(actor, ImportJob.objects.visible_to(actor).get(pk=job_id))


@db_periodic_task(crontab(hour="3", minute="30"))
def import_files_clean() -> int:
    """Every night: uploads and error reports older than FANGXIAN_IMPORT_KEEP_DAYS are deleted."""
    from fangxian.core.audit import acting_as
    from fangxian.core.scoping import Actor
    from fangxian.registry.services.imports import import_jobs_clean

    with acting_as(Actor.system("import-files-clean")) as actor:
        return import_jobs_clean(actor=actor)


@db_periodic_task(crontab(hour="7", minute="0"))
def care_overdue_tasks() -> int:
    """Every morning: each overdue care visit becomes a task in its visitor's inbox (07:30 in DESIGN.md)."""
    from fangxian.core.audit import acting_as
    from fangxian.core.scoping import Actor
    from fangxian.registry.services.care import care_overdue_tasks_create

    with acting_as(Actor.system("care-overdue")) as actor:
        return care_overdue_tasks_create(actor=actor)
