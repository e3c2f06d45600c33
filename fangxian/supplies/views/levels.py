"""Supplies pages: an area's reorder levels, one field per catalogue item."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _

from fangxian.areas.models import Area
from fangxian.core.errors import DomainError
from fangxian.core.views import ScopedDetailView
from fangxian.supplies.models import ReorderLevel
from fangxian.supplies.selectors.stock import item_list
from fangxian.supplies.services.levels import MAX_LEVEL, reorder_levels_set


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


urlpatterns = [path("levels/<str:code>/", ReorderLevelsView.as_view(), name="reorder_levels")]
