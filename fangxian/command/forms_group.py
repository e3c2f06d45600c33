"""Forms of the command-group pages. Rules live in the services; these only shape the input."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fangxian.command.models import Duty, OrganisationKind
from fangxian.core.forms import StyledForm


class MemberForm(StyledForm):
    area_code = forms.ChoiceField(label=_("Community"))
    user = forms.TypedChoiceField(
        label=_("User"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("A user of fangxian, or leave empty for an outside contact."),
    )
    name = forms.CharField(
        label=_("Full name"), max_length=50, required=False, help_text=_("Taken from the user when empty.")
    )
    duty = forms.ChoiceField(label=_("Duty"), choices=Duty.choices)
    duty_label = forms.CharField(label=_("Name of the other duty"), max_length=50, required=False)
    organisation = forms.CharField(label=_("Organisation"), max_length=100, required=False)
    organisation_kind = forms.ChoiceField(
        label=_("Kind of organisation"), choices=OrganisationKind.choices, initial=OrganisationKind.RESIDENTS_COMMITTEE
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    order = forms.IntegerField(label=_("Order on the roster"), min_value=0, max_value=999, initial=0, required=False)

    def __init__(self, *args, areas=(), users=(), editing: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area_code"].choices = [(a.code, f"{a.name} ({a.code})") for a in areas]
        self.fields["user"].choices = [("", "—")] + [(u.pk, f"{u} ({u.username})") for u in users]
        if editing:
            del self.fields["area_code"]
            self.fields["phone"].help_text = _("Leave empty to keep the stored number.")
