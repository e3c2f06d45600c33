"""Forms of the stock and request pages; the services check the rules, the forms only the shapes.

Forms that record a movement carry a hidden idempotency key made when the page is drawn, so a form
sent twice (a double tap, a retry on a bad connection) records once.
"""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from fangxian.core.forms import StyledForm
from fangxian.supplies.models import Item, LotSource, RecipientKind

DATE = forms.DateInput(attrs={"type": "date"})
NUMBER = forms.NumberInput(attrs={"inputmode": "numeric"})
MAX_QUANTITY = 10**9
RECEIVE_SOURCES = [(value, label) for value, label in LotSource.choices if value != LotSource.TRANSFER]


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Item) -> str:
        return f"{obj.name} ({obj.get_unit_display()})"


def item_field() -> ItemChoiceField:
    # The page narrows the choices to what it may offer (`items=`); none until it does.
    return ItemChoiceField(label=_("Item"), queryset=Item.objects.none())


def quantity_field(label=None, *, required: bool = True, minimum: int = 1) -> forms.IntegerField:
    return forms.IntegerField(
        label=label or _("Quantity"), min_value=minimum, max_value=MAX_QUANTITY, required=required, widget=NUMBER
    )


class ItemChoicesMixin:
    """Forms with an `item` field offer the items the page passes (`items=`), not the whole table."""

    def set_items(self, items) -> None:
        if "item" in self.fields and items is not None:
            self.fields["item"].queryset = items


class MovementForm(ItemChoicesMixin, StyledForm):
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, items=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.set_items(items)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4())


class ReceiveForm(MovementForm):
    item = item_field()
    quantity = quantity_field()
    source = forms.ChoiceField(label=_("Source"), choices=RECEIVE_SOURCES)
    donor = forms.CharField(label=_("Donor"), max_length=100, required=False, help_text=_("For a donation."))
    lot_code = forms.CharField(label=_("Lot number"), max_length=50, required=False)
    expires_on = forms.DateField(label=_("Expires on"), required=False, widget=DATE)
    reason = forms.CharField(label=_("Note"), max_length=200, required=False)


class IssueForm(MovementForm):
    item = item_field()
    quantity = quantity_field()
    recipient_kind = forms.ChoiceField(label=_("Issued to"), choices=RecipientKind.choices)
    recipient = forms.CharField(label=_("Name of the worker, team or place"), max_length=100, required=False)
    household_id = forms.IntegerField(
        label=_("Household number"), required=False, min_value=1, max_value=2**62, widget=NUMBER
    )
    checkpoint = forms.TypedChoiceField(label=_("Checkpoint"), coerce=int, required=False, empty_value=None)
    lot = forms.TypedChoiceField(
        label=_("Lot"), coerce=int, required=False, empty_value=None, help_text=_("Empty: first expiry first.")
    )
    reason = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, lots=(), checkpoints=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lot"].choices = [("", _("First expiry first"))] + [(lot.pk, lot_label(lot)) for lot in lots]
        self.fields["checkpoint"].choices = [("", "—")] + [(c.pk, c.name) for c in checkpoints]


def lot_label(lot) -> str:
    expiry = lot.expires_on.isoformat() if lot.expires_on else "—"
    return f"{lot.item.name} · {lot.lot_code or '#' + str(lot.pk)} · {expiry} · {lot.quantity}"


class LotForm(MovementForm):
    lot = forms.TypedChoiceField(label=_("Lot"), coerce=int)

    def __init__(self, *args, lots=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lot"].choices = [(lot.pk, lot_label(lot)) for lot in lots]


class CountForm(LotForm):
    counted = quantity_field(_("Counted"), minimum=0)
    reason = forms.CharField(label=_("Reason for the difference"), max_length=200)


class DisposeForm(LotForm):
    quantity = quantity_field(required=False)
    reason = forms.CharField(label=_("Reason (expired, damaged ...)"), max_length=200)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["quantity"].help_text = _("Empty: all that is left in the lot.")


class SendForm(ItemChoicesMixin, StyledForm):
    to_store = forms.TypedChoiceField(label=_("To store"), coerce=int)
    item = item_field()
    quantity = quantity_field()
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, stores=(), items=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.set_items(items)
        self.fields["to_store"].choices = [(store.pk, f"{store.name} ({store.area_code})") for store in stores]


class DraftForm(StyledForm):
    days = forms.IntegerField(label=_("Days to cover"), min_value=1, max_value=90, initial=14, widget=NUMBER)


class RequestForm(StyledForm):
    """A quantity per catalogue item (empty for none) and why the community needs them."""

    justification = forms.CharField(label=_("Justification"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, items=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[f"qty_{item.pk}"] = quantity_field(f"{item.name} ({item.get_unit_display()})", required=False)
            self.fields[f"qty_{item.pk}"].widget.attrs.setdefault("class", "form-control")

    def lines(self) -> list[tuple[int, int]]:
        return [
            (item.pk, self.cleaned_data[f"qty_{item.pk}"]) for item in self.items if self.cleaned_data[f"qty_{item.pk}"]
        ]

    def clean(self):
        data = super().clean()
        if self.items and not any(data.get(f"qty_{item.pk}") for item in self.items):
            raise forms.ValidationError(_("Ask for at least one item."))
        return data


class DecideForm(StyledForm):
    """Approve (each line's quantity, in full by default) or reject with a note."""

    decision = forms.ChoiceField(label=_("Decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    note = forms.CharField(label=_("Note on the decision"), max_length=300, required=False)

    def __init__(self, *args, lines=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        for line in self.lines:
            self.fields[f"approved_{line.item_id}"] = forms.IntegerField(
                label=_("%(item)s: approve (asked %(quantity)s)") % {"item": line.item.name, "quantity": line.quantity},
                min_value=0,
                max_value=line.quantity,
                initial=line.quantity,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "form-control"}),
            )

    def approved(self) -> dict[int, int]:
        return {line.item_id: self.cleaned_data[f"approved_{line.item_id}"] for line in self.lines}


class FulfilForm(StyledForm):
    from_store = forms.TypedChoiceField(label=_("From store"), coerce=int)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, stores=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from_store"].choices = [(store.pk, f"{store.name} ({store.area_code})") for store in stores]
