"""Supplies pages: an area's reorder levels (one field per catalogue item), and opening a store."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangxian.areas.models import Area
from fangxian.core.errors import DomainError
from fangxian.core.views import ScopedDetailView, leak_exempt
from fangxian.supplies.models import ReorderLevel, StoreKind
from fangxian.supplies.selectors.stock import item_list
from fangxian.supplies.services.levels import MAX_LEVEL, reorder_levels_set
from fangxian.supplies.services.stores import store_create


class LevelsForm(forms.Form):
    def __init__(self, *args: Any, items=(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[f"level_{item.pk}"] = forms.IntegerField(
                label=f"{item.name} ({item.get_unit_display()})",
                required=False,
                min_value=0,
                max_value=MAX_LEVEL,
                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "inputmode": "numeric"}),
            )

    def levels(self) -> dict[int, int | None]:
        return {item.pk: self.cleaned_data.get(f"level_{item.pk}") for item in self.items}


class ReorderLevelsView(ScopedDetailView):
    """An area's reorder levels: empty means no alert for that item."""

    model = Area
    capability = "supplies.view"
    slug_field = "code"
    slug_url_kwarg = "code"
    template_name = "supplies/levels.html"

    def form(self, data: Any = None) -> LevelsForm:
        current = {
            row.item_id: row.level
            for row in ReorderLevel.objects.visible_to(self.request.actor).filter(area_code=self.object.code)
        }
        initial = {f"level_{pk}": level for pk, level in current.items()}
        return LevelsForm(data, items=item_list(actor=self.request.actor), initial=initial)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["area"] = self.object
        context["can_manage"] = self.request.actor.can("supplies.manage")
        context.setdefault("form", self.form())
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        if not request.actor.can("supplies.manage"):
            raise DjangoPermissionDenied(_("Your role may not set reorder levels."))
        form = self.form(request.POST)
        if form.is_valid():
            try:
                changed = reorder_levels_set(actor=request.actor, area_code=self.object.code, levels=form.levels())
            except DomainError as error:
                form.add_error(None, str(error.message))
            else:
                messages.success(request, _("%(n)s reorder levels changed.") % {"n": changed})
                return redirect("supplies:reorder_levels", code=self.object.code)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class StoreForm(forms.Form):
    area_code = forms.ChoiceField(label=gettext_lazy("Area"))
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=StoreKind.choices)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    address = forms.CharField(label=gettext_lazy("Address"), max_length=200, required=False)

    def __init__(self, *args: Any, areas=(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area_code"].choices = list(areas)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


@leak_exempt("form page: lists the actor's areas through visible_to and writes through store_create")
def store_new(request: HttpRequest) -> HttpResponse:
    """Open a store: a community store, a street or district warehouse, or a supply point."""
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    if not request.actor.can("supplies.manage"):
        raise DjangoPermissionDenied(_("Your role may not open stores."))
    areas = [
        (a.code, f"{a.name} ({a.code})")
        for a in Area.objects.visible_to(request.actor).filter(level__gte=6).order_by("code").only("code", "name")[:300]
    ]
    form = StoreForm(request.POST or None, areas=areas)
    if request.method == "POST" and form.is_valid():
        try:
            store = store_create(actor=request.actor, **form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error.message))
        else:
            messages.success(request, _("The store was opened."))
            return redirect("supplies:store_detail", pk=store.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "supplies/store_new.html", {"form": form}, status=status)


urlpatterns = [
    path("levels/<str:code>/", ReorderLevelsView.as_view(), name="reorder_levels"),
    path("stores/new/", store_new, name="store_new"),
]
