"""Forms of the allocation pages: a new allocation, and the shares adjusted by hand (the services check the rules)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fangxian.core.forms import StyledForm

MAX_TOTAL = 10**9


class AllocationNewForm(StyledForm):
    """What to share out, from which warehouse, how much."""

    item = forms.TypedChoiceField(label=_("Item"), coerce=int)
    from_store = forms.TypedChoiceField(label=_("From warehouse"), coerce=int)
    total = forms.IntegerField(
        label=_("Quantity to share"),
        min_value=1,
        max_value=MAX_TOTAL,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, items: list[tuple[int, str]], stores: list[tuple[int, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = items
        self.fields["from_store"].choices = stores


class SharesForm(StyledForm):
    """One whole number per community of the allocation, named `share_<community code>`."""

    def __init__(self, *args, shares: list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for row in shares:
            self.fields[f"share_{row.area_code}"] = forms.IntegerField(
                label=row.area_code,
                min_value=0,
                max_value=MAX_TOTAL,
                initial=row.share,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "form-control form-control-sm"}),
            )

    def shares(self) -> dict[str, int]:
        return {name.removeprefix("share_"): value for name, value in self.cleaned_data.items()}
