"""The command dashboard of the active emergency, and the command app's home-page panel.

09:00 in DESIGN.md section 8: the commander opens one page and sees the level, the group, the
open and overdue tasks per duty, the directives from above and how the community stands on
them, and which plans need review. Every block comes from the parts' selectors, so the page is a
constant number of queries whatever the size of the community.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy

from fangxian.command.menu import COMMAND_MENU
from fangxian.command.models import Emergency
from fangxian.command.selectors.directives import directive_received
from fangxian.command.selectors.emergencies import emergency_list
from fangxian.command.selectors.group import group_member_list
from fangxian.command.selectors.plans import plan_list
from fangxian.command.selectors.tasks import task_inbox, tasks_by_duty, tasks_overdue
from fangxian.core.navigation import NavItem, register_nav
from fangxian.core.panels import HomePanel, register_home_panel
from fangxian.core.scoping import Actor
from fangxian.core.views import ScopedListView

DIRECTIVES_SHOWN = 8


class CommandDashboardView(ScopedListView):
    """Active emergencies in the actor's jurisdiction; the chosen one (the gravest by default) in detail."""

    model = Emergency
    capability = "emergency.view"
    template_name = "command/dashboard.html"
    paginate_by = 0

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return emergency_list(actor=self.request.actor, state="active")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        actor = self.request.actor
        active = list(context["object_list"])
        chosen = None
        wanted = self.request.GET.get("emergency", "")
        if wanted.isdigit():
            chosen = next((e for e in active if e.pk == int(wanted)), None)
        # By default the gravest (level I is 1), the most recent among equals.
        chosen = chosen or min(active, key=lambda e: (e.level, -e.started_at.timestamp()), default=None)
        context["emergency"] = chosen
        context["can_declare"] = actor.can("emergency.manage")
        if chosen is not None:
            context["duties"] = tasks_by_duty(actor=actor, emergency=chosen)
            context["group"] = (
                list(group_member_list(actor=actor, area_code=chosen.area_code)[:60]) if actor.can("group.view") else []
            )
        context["overdue"] = list(tasks_overdue(actor=actor)[:10])
        now = timezone.now()
        received = list(directive_received(actor=actor)[:DIRECTIVES_SHOWN]) if actor.can("directive.view") else []
        for copy in received:
            answered = copy.reported_at if copy.directive.report_required else copy.acknowledged_at
            copy.is_overdue = answered is None and copy.directive.deadline < now
        context["directives"] = received
        context["plans_due"] = plan_list(actor=actor, overdue=True).count() if actor.can("plan.view") else 0
        return context


def my_tasks_panel(actor: Actor) -> dict[str, Any] | None:
    """Home page: what the actor has to do, overdue first (two queries)."""
    if actor.user is None:
        return None
    todo = list(task_inbox(actor=actor)[:5])
    overdue = tasks_overdue(actor=actor).count()
    return {"tasks": todo, "overdue": overdue, "now": timezone.now()}


register_home_panel(HomePanel("command.my_tasks", "command/_home_tasks.html", my_tasks_panel, "task.view", 10))
register_nav(NavItem(gettext_lazy("Dashboard"), "command:dashboard", "emergency.view", 15, group=COMMAND_MENU))

urlpatterns = [path("", CommandDashboardView.as_view(), name="dashboard")]
