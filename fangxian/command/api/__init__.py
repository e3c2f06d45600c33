"""The command app's API: one router per part, mounted under /api/v1/command/."""

from ninja import Router

from fangxian.command.api import directives, drills, emergencies, group, plans, reports, tasks, training

router = Router()
for part in (emergencies, group, plans, tasks, directives, drills, training, reports):
    router.add_router(f"/{part.__name__.rsplit('.', 1)[-1]}", part.router)
