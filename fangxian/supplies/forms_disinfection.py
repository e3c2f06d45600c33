"""Forms of the disinfection and mask recycling pages (the services check the rules)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fangxian.core.forms import StyledForm
from fangxian.supplies.models import PointKind

NUMBER = forms.NumberInput(attrs={"inputmode": "numeric"})


class PointForm(StyledForm):
    """A public area to disinfect on a schedule."""

    area_code = forms.ChoiceField(label=_("Grid or community"))
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("e.g. Building 3, lift"))
    kind = forms.ChoiceField(label=_("Kind"), choices=PointKind.choices)
    every_hours = forms.IntegerField(
        label=_("Every (hours)"), min_value=1, max_value=24 * 14, initial=24, widget=NUMBER
    )

    def __init__(self, *args, areas: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area_code"].choices = areas


class LogForm(StyledForm):
    """Done now: with which product (a lot on hand) and how much, and a note; the product is optional."""

    lot = forms.TypedChoiceField(label=_("Product used"), coerce=int, required=False, empty_value=None)
    quantity = forms.IntegerField(label=_("Quantity used"), min_value=1, max_value=10**6, required=False, widget=NUMBER)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, lots: list[tuple[int, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lot"].choices = [("", _("None from the store"))] + lots

    def clean(self):
        data = super().clean()
        if bool(data.get("lot")) != bool(data.get("quantity")):
            raise forms.ValidationError(_("Name the product's lot and the quantity used, or neither."))
        return data


class RecyclingPointForm(StyledForm):
    area_code = forms.ChoiceField(label=_("Grid or community"))
    name = forms.CharField(label=_("Name"), max_length=100)
    location = forms.CharField(label=_("Location"), max_length=200, required=False)

    def __init__(self, *args, areas: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area_code"].choices = areas


class CollectionForm(StyledForm):
    point = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**62)
    bags = forms.IntegerField(label=_("Bags"), min_value=1, max_value=500, initial=1, widget=NUMBER)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
