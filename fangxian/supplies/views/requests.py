"""Supplies pages, requests part: a community's requests, the street's queue, a request to decide and fulfil.

Everyone involved sees the status: the requesting community by its area, the street through the
request's `to_area_code`. Writes go through `fangxian.supplies.services.requests`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangxian.core.errors import DomainError
from fangxian.core.navigation import NavItem, register_nav
from fangxian.core.views import ScopedDetailView, ScopedListView
from fangxian.supplies.forms_stock import DecideForm, FulfilForm, RequestForm
from fangxian.supplies.menu import SUPPLIES_MENU
from fangxian.supplies.models import RequestStatus, Store, SupplyRequest
from fangxian.supplies.selectors.requests import OPEN_STATUSES, request_lines
from fangxian.supplies.selectors.stock import item_list, store_list
from fangxian.supplies.services.requests import (
    request_cancel,
    request_create,
    request_decide,
    request_fulfil,
    request_outstanding,
    request_submit,
)
from fangxian.supplies.views.stock import apply_error

REQUEST_VIEWS = {
    "open": gettext_lazy("Open"),
    "queue": gettext_lazy("Waiting for me"),
    "all": gettext_lazy("All"),
}


class RequestListView(ScopedListView):
    """Requests of my areas and those asked of them; the street's queue of what to decide or send."""

    model = SupplyRequest
    capability = "supplies.view"
    template_name = "supplies/requests/request_list.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        from django.db.models import Q

        self.show = self.request.GET.get("show", "open")
        self.show = self.show if self.show in REQUEST_VIEWS else "open"
        if self.show == "open":
            queryset = queryset.filter(status__in=OPEN_STATUSES)
        elif self.show == "queue":
            asked_of_me = Q(pk__in=[])
            for prefix in self.request.actor.area_prefixes:
                asked_of_me |= Q(to_area_code__startswith=prefix)
            queryset = queryset.filter(asked_of_me, draft=False, status__in=OPEN_STATUSES)
        return queryset.select_related("store").order_by("-created_at", "-pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["views"] = list(REQUEST_VIEWS.items())
        context["show"] = self.show
        return context


class RequestDetailView(ScopedDetailView):
    """One request: its lines and status; the community submits or cancels, the street decides and sends."""

    model = SupplyRequest
    capability = "supplies.view"
    template_name = "supplies/requests/request_detail.html"
    ACTIONS = ("decide", "fulfil", "submit", "cancel")

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("store", "created_by", "decided_by")

    def _decide_form(self, data: Any = None) -> DecideForm:
        return DecideForm(data, lines=request_lines(self.object), prefix="decide")

    def _fulfil_form(self, data: Any = None) -> FulfilForm:
        stores = [s for s in store_list(actor=self.request.actor) if s.pk != self.object.store_id]
        return FulfilForm(data, stores=stores, prefix="fulfil")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        actor = self.request.actor
        supply_request = self.object
        context["supply_request"] = supply_request
        context["lines"] = request_lines(supply_request)
        context["transfers"] = list(supply_request.transfers.order_by("pk"))
        own = actor.reaches(supply_request.area_code) and actor.can("supplies.request")
        deciding = actor.reaches(supply_request.to_area_code) and actor.can("supplies.decide")
        waiting = supply_request.status == RequestStatus.SUBMITTED
        context["can_submit"] = own and supply_request.draft
        context["can_cancel"] = own and waiting
        context["can_decide"] = deciding and waiting and not supply_request.draft
        context["can_fulfil"] = (
            deciding
            and supply_request.status in (RequestStatus.APPROVED, RequestStatus.PARTLY_APPROVED)
            and bool(request_outstanding(supply_request))
        )
        if context["can_decide"]:
            context.setdefault("decide_form", self._decide_form())
        if context["can_fulfil"]:
            context.setdefault("fulfil_form", self._fulfil_form())
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        action = request.POST.get("action", "")
        actor = request.actor
        pk = self.object.pk
        if action not in self.ACTIONS:
            messages.error(request, _("Choose what to do."))
            return redirect("supplies:request_detail", pk=pk)
        form: Any = None
        try:
            if action == "submit":
                request_submit(actor=actor, request_id=pk)
                done = _("The request was sent up.")
            elif action == "cancel":
                request_cancel(actor=actor, request_id=pk)
                done = _("The request was withdrawn.")
            elif action == "decide":
                form = self._decide_form(request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(decide_form=form), status=400)
                approve = form.cleaned_data["decision"] == "approve"
                request_decide(
                    actor=actor,
                    request_id=pk,
                    approve=approve,
                    approved=form.approved() if approve else None,
                    note=form.cleaned_data["note"],
                )
                done = _("The decision was recorded.")
            else:
                form = self._fulfil_form(request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(fulfil_form=form), status=400)
                request_fulfil(
                    actor=actor,
                    request_id=pk,
                    from_store_id=form.cleaned_data["from_store"],
                    note=form.cleaned_data["note"],
                )
                done = _("The goods were sent; they are in transit until the community receives them.")
        except DomainError as error:
            if form is None:
                apply_error_message(request, error)
                return redirect("supplies:request_detail", pk=pk)
            apply_error(form, error)
            return self.render_to_response(self.get_context_data(**{f"{action}_form": form}), status=400)
        messages.success(request, done)
        return redirect("supplies:request_detail", pk=pk)


def apply_error_message(request: HttpRequest, error: DomainError) -> None:
    from django.core.exceptions import PermissionDenied as DjangoPermissionDenied

    from fangxian.core.errors import PermissionDenied as DomainPermissionDenied

    if isinstance(error, DomainPermissionDenied):
        raise DjangoPermissionDenied(str(error.message))
    messages.error(request, str(error.message))


class RequestNewView(ScopedDetailView):
    """A community asks its street for items, to be delivered to this store."""

    model = Store
    capability = "supplies.request"
    template_name = "supplies/requests/request_new.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.filter(active=True)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["store"] = self.object
        context.setdefault("form", RequestForm(items=item_list(actor=self.request.actor)))
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        form = RequestForm(request.POST, items=item_list(actor=request.actor))
        if form.is_valid():
            try:
                created = request_create(
                    actor=request.actor,
                    store_id=self.object.pk,
                    lines=form.lines(),
                    justification=form.cleaned_data["justification"],
                )
            except DomainError as error:
                apply_error(form, error)
            else:
                messages.success(request, _("The request was sent to %(area)s.") % {"area": created.to_area_code})
                return redirect("supplies:request_detail", pk=created.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


urlpatterns = [
    path("requests/", RequestListView.as_view(), name="requests"),
    path("requests/<int:pk>/", RequestDetailView.as_view(), name="request_detail"),
    path("stores/<int:pk>/request/", RequestNewView.as_view(), name="request_new"),
]

register_nav(NavItem(gettext_lazy("Requests"), "supplies:requests", "supplies.view", 58, group=SUPPLIES_MENU))
