"""Checkpoints: pages of the live part (routes collected by fangxian/checkpoints/urls.py).

`/checkpoints/live/`: people in and out per hour today, per checkpoint and per community (an
ECharts chart fed by a JSON script tag), the visitors inside now, and today's fever alerts. The
data part reloads itself every 30 seconds through htmx; the page's query count does not grow with
the number of checkpoints (`selectors_live`).
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import QuerySet
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangxian.checkpoints.menu import CHECKPOINTS_MENU
from fangxian.checkpoints.models import Checkpoint
from fangxian.checkpoints.selectors_live import live_overview
from fangxian.core.navigation import NavItem, register_nav
from fangxian.core.views import ScopedListView

AREA_CODE = re.compile(r"^[0-9]{2,15}$")
REFRESH_SECONDS = 30
CHECKPOINT_LIMIT = 500


class LiveView(ScopedListView):
    """Today at the gates of the jurisdiction; `?area=<code>` or `?checkpoint=<id>` narrows it."""

    model = Checkpoint
    capability = "checkpoint.view"
    template_name = "checkpoints/live/live.html"
    paginate_by = 0

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        self.problems: list[str] = []
        area = self.request.GET.get("area", "")[:20]
        checkpoint = self.request.GET.get("checkpoint", "")[:12]
        self.area = ""
        self.checkpoint_id: int | None = None
        if area:
            if AREA_CODE.match(area):
                self.area = area
                queryset = queryset.within(area)
            else:
                self.problems.append(_("An area code has 2 to 15 digits: showing all your checkpoints."))
        if checkpoint:
            if checkpoint.isdigit():
                self.checkpoint_id = int(checkpoint)
                queryset = queryset.filter(pk=self.checkpoint_id)
            else:
                self.problems.append(_("Choose a checkpoint from the list: showing all your checkpoints."))
        return queryset.order_by("area_code", "name", "id")

    def get_template_names(self) -> list[str]:
        if self.request.headers.get("HX-Request"):
            return ["checkpoints/live/_data.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        actor = self.request.actor
        checkpoints = list(context["object_list"][:CHECKPOINT_LIMIT])
        today = timezone.localdate()
        overview = live_overview(actor=actor, checkpoints=checkpoints, day=today, total_label=_("All checkpoints"))
        context.update(
            overview=overview,
            chart_data=overview.chart_data(),
            today=today,
            now=timezone.localtime(),
            refresh_seconds=REFRESH_SECONDS,
            problems=self.problems,
            area=self.area,
            checkpoint_id=self.checkpoint_id,
            all_checkpoints=checkpoints,
            chart_labels={
                "entries": _("In"),
                "exits": _("Out"),
                "denied": _("Denied"),
                "fevers": _("Fever"),
            },
        )
        return context


register_nav(NavItem(gettext_lazy("Live view"), "checkpoints:live", "checkpoint.view", 55, group=CHECKPOINTS_MENU))

urlpatterns = [
    path("live/", LiveView.as_view(), name="live"),
]
