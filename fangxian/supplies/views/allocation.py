"""Supplies pages: allocation of scarce stock among communities (new, proposed shares with reasons, adjust, issue).

Lists and details derive from ScopedListView / ScopedDetailView (the leak test walks them); writes go
through the allocation services, whose errors show on the forms in the user's language.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangxian.core.errors import DomainError
from fangxian.core.errors import PermissionDenied as DomainPermissionDenied
from fangxian.core.navigation import NavItem, register_nav
from fangxian.core.views import ScopedDetailView, ScopedListView
from fangxian.supplies.forms_allocation import AllocationNewForm, SharesForm
from fangxian.supplies.menu import SUPPLIES_MENU
from fangxian.supplies.models import Allocation, AllocationStatus, Store
from fangxian.supplies.selectors.allocation import (
    WAREHOUSE_KINDS,
    allocation_shares,
    area_names,
    communities_without_store,
)
from fangxian.supplies.selectors.stock import item_list
from fangxian.supplies.services.allocation import (
    allocation_adjust,
    allocation_issue,
    allocation_propose,
    coverage_after,
)


def apply_error(form: Any, error: DomainError) -> None:
    """A service's error on the form: on its field when the form has it (403 stays a 403)."""
    if isinstance(error, DomainPermissionDenied):
        raise DjangoPermissionDenied(str(error.message))
    field = {"item_id": "item", "from_store_id": "from_store"}.get(error.field or "", error.field)
    form.add_error(field if field in form.fields else None, str(error.message))


class AllocationListView(ScopedListView):
    """Allocations of my street or district, newest first."""

    model = Allocation
    capability = "supplies.decide"
    template_name = "supplies/allocation/allocation_list.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("item", "from_store").order_by("-created_at", "-id")


class AllocationNewView(ScopedListView):
    """A new allocation: the warehouses I may share from (the list), the item and the quantity (the form)."""

    model = Store
    capability = "supplies.decide"
    paginate_by = None
    template_name = "supplies/allocation/allocation_new.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.filter(
            active=True, kind__in=WAREHOUSE_KINDS, area_code__regex=r"^([0-9]{6}|[0-9]{9})$"
        ).order_by("area_code", "name", "pk")

    def make_form(self, data: Any = None) -> AllocationNewForm:
        stores = [(store.pk, f"{store.name} ({store.get_kind_display()})") for store in self.get_queryset()]
        items = [(item.pk, str(item)) for item in item_list()]
        return AllocationNewForm(data, items=items, stores=stores)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.make_form())
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object_list = self.get_queryset()
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                allocation = allocation_propose(
                    actor=request.actor,
                    item_id=form.cleaned_data["item"],
                    from_store_id=form.cleaned_data["from_store"],
                    total=form.cleaned_data["total"],
                )
            except DomainError as error:
                apply_error(form, error)
            else:
                return redirect("supplies:allocation_detail", pk=allocation.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class AllocationDetailView(ScopedDetailView):
    """The proposed shares with their reasons, adjustable by hand until issued; then the transfers."""

    model = Allocation
    capability = "supplies.decide"
    template_name = "supplies/allocation/allocation_detail.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("item", "from_store", "created_by")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        allocation = self.object
        shares = allocation_shares(allocation)
        names = area_names(actor=self.request.actor, codes=[row.area_code for row in shares])
        form = context.get("form") or SharesForm(shares=shares)
        rows = []
        for row in shares:
            after = coverage_after(row)
            rows.append(
                {
                    "share": row,
                    "name": names.get(row.area_code, row.area_code),
                    "field": form[f"share_{row.area_code}"],
                    "days_after": None if after == float("inf") else after,
                }
            )
        context.update(
            allocation=allocation,
            rows=rows,
            form=form,
            draft=allocation.status == AllocationStatus.DRAFT,
            shared=sum(row.share for row in shares),
            without_store=communities_without_store(actor=self.request.actor, allocation=allocation),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        shares = allocation_shares(self.object)
        form = SharesForm(request.POST, shares=shares)
        action = request.POST.get("action")
        if form.is_valid():
            try:
                if action == "issue":
                    with transaction.atomic():  # the shares on the page, then the transfers: both or neither
                        allocation_adjust(actor=request.actor, allocation_id=self.object.pk, shares=form.shares())
                        allocation_issue(actor=request.actor, allocation_id=self.object.pk)
                    messages.success(request, _("The allocation was issued: one transfer per community."))
                else:
                    allocation_adjust(actor=request.actor, allocation_id=self.object.pk, shares=form.shares())
                    messages.success(request, _("The shares were saved."))
            except DomainError as error:
                apply_error(form, error)
            else:
                return redirect("supplies:allocation_detail", pk=self.object.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


urlpatterns = [
    path("allocations/", AllocationListView.as_view(), name="allocations"),
    path("allocations/new/", AllocationNewView.as_view(), name="allocation_new"),
    path("allocations/<int:pk>/", AllocationDetailView.as_view(), name="allocation_detail"),
]

register_nav(
    NavItem(gettext_lazy("Allocations"), "supplies:allocations", "supplies.decide", 56, group=SUPPLIES_MENU),
)
