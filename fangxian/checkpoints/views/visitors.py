"""Checkpoints: pages of the visitors part (routes collected by fangxian/checkpoints/urls.py).

Staff see the visitors registered at their community's gates (today, waiting for the host, all)
and the deliveries log. A resident's phone page lists the visits to their own household with only
what they need to decide: the visitor's masked name, the purpose, the expected time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fangxian.checkpoints.menu import CHECKPOINTS_MENU
from fangxian.checkpoints.models import Delivery, DeliveryKind, Visitor, VisitorStatus
from fangxian.checkpoints.services.visitors import visitor_approve, visitor_deny
from fangxian.core.errors import DomainError
from fangxian.core.errors import PermissionDenied as DomainPermissionDenied
from fangxian.core.navigation import NavItem, register_nav
from fangxian.core.personal import name_masked
from fangxian.core.views import ScopedDetailView, ScopedListView, leak_exempt

VISITOR_VIEWS = {
    "today": gettext_lazy("Today"),
    "pending": gettext_lazy("Waiting for the host"),
    "all": gettext_lazy("All"),
}


def local_day_start(now: dt.datetime | None = None) -> dt.datetime:
    local = timezone.localtime(now or timezone.now())
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


class VisitorListView(ScopedListView):
    """Visitors at the community's gates: today, waiting for their host, or all."""

    model = Visitor
    capability = "visitor.view"
    template_name = "checkpoints/visitors/visitor_list.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        self.show = self.request.GET.get("show", "today")
        self.show = self.show if self.show in VISITOR_VIEWS else "today"
        if self.show == "today":
            queryset = queryset.filter(created_at__gte=local_day_start())
        elif self.show == "pending":
            queryset = queryset.filter(status=VisitorStatus.PENDING)
        return queryset.select_related("checkpoint", "host_household__building", "host_household__unit").order_by(
            "-created_at", "-id"
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["rows"] = [(v, name_masked(v.name)) for v in context["object_list"]]
        context["views"] = list(VISITOR_VIEWS.items())
        context["show"] = self.show
        return context


class VisitorDetailView(ScopedDetailView):
    """One visitor: who (phone and ID number masked), why, to whom, and the host's decision."""

    model = Visitor
    capability = "visitor.view"
    template_name = "checkpoints/visitors/visitor_detail.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("checkpoint", "host_household__building", "host_household__unit", "decided_by")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        visitor = self.object
        context["visitor"] = visitor
        context["name_masked"] = name_masked(visitor.name)
        context["can_decide"] = visitor.status == VisitorStatus.PENDING and self.request.actor.can(
            "visitor.approve", visitor
        )
        return context


class MyVisitorsView(ScopedListView):
    """The resident's phone page: visits to their household, the ones waiting first, to approve or decline."""

    model = Visitor
    capability = "visitor.view"
    template_name = "checkpoints/visitors/my_visitors.html"
    paginate_by = 20

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        households = sorted(self.request.actor.household_ids)
        since = timezone.now() - dt.timedelta(days=7)
        return (
            queryset.filter(host_household_id__in=households, created_at__gte=since)
            .select_related("checkpoint")
            .order_by("status", "-created_at", "-id")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["rows"] = [
            {
                "pk": v.pk,
                "name": name_masked(v.name),
                "purpose": v.purpose,
                "expected_at": v.expected_at,
                "created_at": v.created_at,
                "status": v.status,
                "status_label": v.get_status_display(),
                "checkpoint": v.checkpoint.name,
            }
            for v in context["object_list"]
        ]
        context["pending"] = VisitorStatus.PENDING
        context["is_resident"] = bool(self.request.actor.household_ids)
        return context


@leak_exempt("POST only: decides through visitor_approve / visitor_deny, which read the visitor through visible_to")
@require_POST
def visitor_decide(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated or not request.actor.is_authenticated:
        return redirect("accounts:login")
    if not request.actor.can("visitor.approve"):
        raise DjangoPermissionDenied(_("Your role does not allow this."))
    decision = request.POST.get("decision", "")
    if decision not in ("approve", "deny"):
        messages.error(request, _("Choose to approve or to decline the visit."))
    else:
        service = visitor_approve if decision == "approve" else visitor_deny
        try:
            service(actor=request.actor, visitor_id=pk)
        except DomainPermissionDenied as error:
            raise DjangoPermissionDenied(str(error.message)) from None
        except DomainError as error:
            if error.status == 404:
                from django.http import Http404

                raise Http404(str(error.message)) from None
            messages.error(request, str(error.message))
        else:
            messages.success(
                request, _("The visit was approved.") if decision == "approve" else _("The visit was declined.")
            )
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return redirect(target)
    return redirect("checkpoints:my_visitors")


class DeliveryListView(ScopedListView):
    """Parcels and meals left at the gates: when, where, for which household."""

    model = Delivery
    capability = "delivery.record"
    template_name = "checkpoints/visitors/delivery_list.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        self.kind = self.request.GET.get("kind", "")
        self.kind = self.kind if self.kind in DeliveryKind.values else ""
        if self.kind:
            queryset = queryset.filter(kind=self.kind)
        return queryset.select_related("checkpoint", "household__building", "household__unit").order_by("-at", "-id")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["kinds"] = DeliveryKind.choices
        context["kind"] = self.kind
        return context


# The staff list's entry goes by pass.issue: the staff holding visitor.view (residents hold it too, for their
# own household's page, and guards register visitors without reading them back).
register_nav(
    NavItem(gettext_lazy("Visitors"), "checkpoints:visitors", "pass.issue", 58, group=CHECKPOINTS_MENU),
    NavItem(gettext_lazy("Visits to my home"), "checkpoints:my_visitors", "household.own", 62, group=CHECKPOINTS_MENU),
    NavItem(gettext_lazy("Deliveries"), "checkpoints:deliveries", "delivery.record", 59, group=CHECKPOINTS_MENU),
)

urlpatterns = [
    path("visitors/", VisitorListView.as_view(), name="visitors"),
    path("visitors/<int:pk>/", VisitorDetailView.as_view(), name="visitor_detail"),
    path("visitors/<int:pk>/decide/", visitor_decide, name="visitor_decide"),
    path("my-visitors/", MyVisitorsView.as_view(), name="my_visitors"),
    path("deliveries/", DeliveryListView.as_view(), name="deliveries"),
]
