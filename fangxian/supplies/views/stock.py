"""Supplies pages, stock part: the stores of my areas, a store's stock, forms and ledger, transfers.

Lists and details derive from ScopedListView / ScopedDetailView (the leak test walks them). Every
write goes through the services of `fangxian.supplies.services.stock`; their errors show on the
form that was sent, in the user's language.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangxian.core.errors import DomainError
from fangxian.core.errors import PermissionDenied as DomainPermissionDenied
from fangxian.core.navigation import NavItem, register_nav
from fangxian.core.views import ScopedDetailView, ScopedListView, paginate
from fangxian.supplies.forms_stock import (
    CountForm,
    DisposeForm,
    DraftForm,
    IssueForm,
    ReceiveForm,
    SendForm,
)
from fangxian.supplies.menu import SUPPLIES_MENU
from fangxian.supplies.models import Store, Transfer, TransferStatus
from fangxian.supplies.selectors.stock import (
    item_list,
    lot_list,
    lots_expiring,
    movement_list,
    stock_below_reorder,
    store_list,
    store_stock,
    transfer_lines,
)
from fangxian.supplies.services.requests import request_draft_replenishment
from fangxian.supplies.services.stock import (
    stock_adjust,
    stock_dispose,
    stock_issue,
    stock_receive,
    transfer_receive,
    transfer_send,
)

EXPIRY_DAYS = 30


def apply_error(form: Any, error: DomainError) -> None:
    """A service's error on the form: on its field when the form has it (a 403 stays a 403)."""
    if isinstance(error, DomainPermissionDenied):
        raise DjangoPermissionDenied(str(error.message))
    field = {"item_id": "item", "lot_id": "lot", "to_store_id": "to_store", "checkpoint_id": "checkpoint"}.get(
        error.field or "", error.field
    )
    form.add_error(field if field in form.fields else None, str(error.message))


class StoreListView(ScopedListView):
    """The stores of my areas with their stock per item, and what needs attention across them."""

    model = Store
    capability = "supplies.view"
    template_name = "supplies/stock/store_list.html"
    paginate_by = 20

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.filter(active=True).order_by("area_code", "name", "pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        actor = self.request.actor
        context["stores"] = [
            {"store": store, "stock": store_stock(actor=actor, store=store, expiring_days=EXPIRY_DAYS)}
            for store in context["object_list"]
        ]
        context["below_reorder"] = stock_below_reorder(actor=actor)
        # The widest area the actor keeps supplies for: where its reorder levels are set.
        context["level_areas"] = list(actor.area_prefixes)[:1] if actor.can("supplies.manage") else []
        context["expiring"] = list(lots_expiring(actor=actor, days=EXPIRY_DAYS)[:20])
        context["expiry_days"] = EXPIRY_DAYS
        return context


class StoreDetailView(ScopedDetailView):
    """One store: stock per item with days of supply, its lots, forms to move stock, and its ledger."""

    model = Store
    capability = "supplies.view"
    template_name = "supplies/stock/store_detail.html"
    FORMS = {
        "receive": ReceiveForm,
        "issue": IssueForm,
        "count": CountForm,
        "dispose": DisposeForm,
        "send": SendForm,
        "draft": DraftForm,
    }

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.filter(active=True)

    def _lots(self) -> list:
        return list(lot_list(actor=self.request.actor, store_id=self.object.pk, on_hand_only=True).order_by("pk"))

    def _form(self, name: str, data: Any = None) -> Any:
        form_class = self.FORMS[name]
        options: dict[str, Any] = {"prefix": name}
        if name in ("issue", "count", "dispose"):
            options["lots"] = self._lots()
        if name == "receive":
            options["items"] = item_list(actor=self.request.actor)
        if name == "issue":
            from fangxian.checkpoints.selectors import checkpoint_list

            area = self.object.area_code[:12]
            options["checkpoints"] = list(
                checkpoint_list(actor=self.request.actor, area_code=area, active_only=True)[:200]
            )
        if name in ("issue", "send"):
            # Only what this store holds can leave it.
            options["items"] = item_list().filter(pk__in={lot.item_id for lot in self._lots()})
        if name == "send":
            options["stores"] = [s for s in store_list(actor=self.request.actor) if s.pk != self.object.pk]
        return form_class(data, **options) if data is not None else form_class(**options)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        actor = self.request.actor
        store = self.object
        context["store"] = store
        context["stock"] = store_stock(actor=actor, store=store, expiring_days=EXPIRY_DAYS)
        context["lots"] = self._lots()
        context["ledger"] = paginate(self.request, movement_list(actor=actor, store_id=store.pk), per_page=30)
        context["can_move"] = actor.can("supplies.move")
        context["can_request"] = actor.can("supplies.request")
        if context["can_move"]:
            for name in self.FORMS:
                if name != "draft":
                    context.setdefault(f"{name}_form", self._form(name))
        if context["can_request"]:
            context.setdefault("draft_form", self._form("draft"))
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        action = request.POST.get("action", "")
        if action not in self.FORMS:
            messages.error(request, _("Choose what to do."))
            return redirect("supplies:store_detail", pk=self.object.pk)
        form = self._form(action, request.POST)
        if form.is_valid():
            try:
                done = self._apply(action, form.cleaned_data)
            except DomainError as error:
                apply_error(form, error)
            else:
                messages.success(request, done)
                if action == "draft" and isinstance(done, str) and hasattr(self, "draft_id"):
                    return redirect("supplies:request_detail", pk=self.draft_id)
                return redirect("supplies:store_detail", pk=self.object.pk)
        return self.render_to_response(self.get_context_data(**{f"{action}_form": form}), status=400)

    def _apply(self, action: str, data: dict[str, Any]) -> str:
        actor = self.request.actor
        store = self.object
        key = data.get("idempotency_key")
        if action == "receive":
            stock_receive(
                actor=actor,
                store_id=store.pk,
                item_id=data["item"].pk,
                quantity=data["quantity"],
                source=data["source"],
                donor=data["donor"],
                lot_code=data["lot_code"],
                expires_on=data["expires_on"],
                reason=data["reason"],
                idempotency_key=key,
            )
            return _("The delivery was received.")
        if action == "issue":
            stock_issue(
                actor=actor,
                store_id=store.pk,
                item_id=data["item"].pk,
                quantity=data["quantity"],
                recipient_kind=data["recipient_kind"],
                recipient=data["recipient"],
                household_id=data["household_id"],
                checkpoint_id=data["checkpoint"],
                lot_id=data["lot"],
                reason=data["reason"],
                idempotency_key=key,
            )
            return _("The issue was recorded.")
        if action == "count":
            stock_adjust(
                actor=actor, lot_id=data["lot"], counted=data["counted"], reason=data["reason"], idempotency_key=key
            )
            return _("The count was recorded.")
        if action == "dispose":
            stock_dispose(
                actor=actor, lot_id=data["lot"], quantity=data["quantity"], reason=data["reason"], idempotency_key=key
            )
            return _("The disposal was recorded.")
        if action == "send":
            transfer_send(
                actor=actor,
                from_store_id=store.pk,
                to_store_id=data["to_store"],
                lines=[(data["item"].pk, data["quantity"])],
                note=data["note"],
            )
            return _("The goods were sent; they are in transit until the other store receives them.")
        draft = request_draft_replenishment(actor=actor, store_id=store.pk, days=data["days"])
        if draft is None:
            return _("No item is below its reorder level.")
        self.draft_id = draft.pk
        return _("A request was drafted. Check it and submit it.")


TRANSFER_VIEWS = {
    "in_transit": gettext_lazy("In transit"),
    "received": gettext_lazy("Received"),
    "all": gettext_lazy("All"),
}


class TransferListView(ScopedListView):
    """Transfers from and to my areas' stores; goods in transit first."""

    model = Transfer
    capability = "supplies.view"
    template_name = "supplies/stock/transfer_list.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        self.show = self.request.GET.get("show", "in_transit")
        self.show = self.show if self.show in TRANSFER_VIEWS else "in_transit"
        if self.show != "all":
            queryset = queryset.filter(status=self.show)
        return queryset.select_related("from_store", "to_store").order_by("-sent_at", "-pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["views"] = list(TRANSFER_VIEWS.items())
        context["show"] = self.show
        return context


class TransferDetailView(ScopedDetailView):
    """One transfer, its lines, and (for the receiving store) the button that takes it in."""

    model = Transfer
    capability = "supplies.view"
    template_name = "supplies/stock/transfer_detail.html"

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("from_store", "to_store", "sent_by", "received_by", "request")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        actor = self.request.actor
        transfer = self.object
        context["transfer"] = transfer
        context["lines"] = transfer_lines(transfer)
        context["can_receive"] = (
            transfer.status == TransferStatus.IN_TRANSIT
            and actor.can("supplies.move")
            and store_list(actor=actor).filter(pk=transfer.to_store_id).exists()
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        try:
            transfer_receive(actor=request.actor, transfer_id=self.object.pk)
        except DomainPermissionDenied as error:
            raise DjangoPermissionDenied(str(error.message)) from None
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("The goods were received into the store."))
        return redirect("supplies:transfer_detail", pk=self.object.pk)


urlpatterns = [
    path("stores/", StoreListView.as_view(), name="stores"),
    path("stores/<int:pk>/", StoreDetailView.as_view(), name="store_detail"),
    path("transfers/", TransferListView.as_view(), name="transfers"),
    path("transfers/<int:pk>/", TransferDetailView.as_view(), name="transfer_detail"),
]

register_nav(
    NavItem(gettext_lazy("Stores and stock"), "supplies:stores", "supplies.view", 55, group=SUPPLIES_MENU),
    NavItem(gettext_lazy("Transfers"), "supplies:transfers", "supplies.view", 57, group=SUPPLIES_MENU),
)
