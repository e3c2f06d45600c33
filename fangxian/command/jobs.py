"""Background jobs of the command app (Huey; see fangxian/core/apps.py for their discovery)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from fangxian.command.services.plans import plan_review_reminders_create
from fangxian.command.services.tasks import tasks_escalate_overdue
from fangxian.core.audit import acting_as
from fangxian.core.scoping import Actor


@db_periodic_task(crontab(minute="*/5"))
def escalate_overdue_tasks() -> int:
    """Every five minutes: open tasks past their due time escalate to whoever assigned them."""
    with acting_as(Actor.system("escalate-overdue-tasks")) as actor:
        return tasks_escalate_overdue(actor=actor)


@db_periodic_task(crontab(hour="6", minute="0"))
def remind_plan_reviews() -> int:
    """Every morning: each plan past its review date gives its community's commanders a review task."""
    with acting_as(Actor.system("remind-plan-reviews")) as actor:
        return plan_review_reminders_create(actor=actor)
