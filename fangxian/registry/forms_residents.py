"""Forms of the residents pages: search at a door, the household list, register and edit, move, deregister."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fangxian.core.forms import StyledForm
from fangxian.registry.models.residents import (
    DocumentType,
    Relation,
    ResidenceType,
    ResidentStatus,
    Sex,
    VulnerabilityKind,
)


class ResidentSearchForm(StyledForm):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=50,
        help_text=_("Name, pinyin initials (zsf), last 4 digits of ID or phone, or building-unit-room (3-2-301)."),
        widget=forms.TextInput(attrs={"inputmode": "search", "autocomplete": "off", "autofocus": True}),
    )
    tag = forms.ChoiceField(label=_("Need"), required=False, choices=[("", _("Any"))] + VulnerabilityKind.choices)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any"))] + ResidentStatus.choices,
        initial=ResidentStatus.ACTIVE,
    )


class HouseholdFilterForm(StyledForm):
    building = forms.CharField(
        label=_("Estate or building"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": _("e.g. 3号楼")}),
    )
    room = forms.CharField(
        label=_("Room"), required=False, max_length=20, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    vulnerable = forms.BooleanField(label=_("With vulnerable members only"), required=False)


class ResidentForm(StyledForm):
    name = forms.CharField(label=_("Full name"), max_length=50)
    sex = forms.ChoiceField(
        label=_("Sex"),
        choices=Sex.choices,
        required=False,
        help_text=_("Taken from the ID card number when one is given."),
    )
    birth_date = forms.DateField(
        label=_("Birth date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Taken from the ID card number when one is given."),
    )
    document_type = forms.ChoiceField(
        label=_("Identity document"), choices=DocumentType.choices, initial=DocumentType.ID_CARD
    )
    id_number = forms.CharField(
        label=_("ID card number"), max_length=32, required=False, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    document_number = forms.CharField(
        label=_("Passport or permit number"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    relation = forms.ChoiceField(label=_("Relation to head"), choices=Relation.choices, initial=Relation.HEAD)
    residence_type = forms.ChoiceField(
        label=_("Residence type"), choices=ResidenceType.choices, initial=ResidenceType.REGISTERED
    )
    employer = forms.CharField(label=_("Employer or school"), max_length=100, required=False)
    notes = forms.CharField(label=_("Notes"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, editing: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            for name in ("id_number", "document_number", "phone"):
                self.fields[name].help_text = _("Leave empty to keep the recorded number.")

    def clean(self):
        data = super().clean()
        if not data.get("id_number") and not data.get("sex"):
            self.add_error("sex", _("Choose the sex, or give an ID card number."))
        return data


class ResidentMoveForm(StyledForm):
    household = forms.IntegerField(
        label=_("New household"), min_value=1, max_value=2**62, widget=forms.Select(choices=[])
    )
    on_date = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args, households=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["household"].widget.choices = [("", "---------")] + [(h.pk, h.address) for h in households]


class ResidentDeregisterForm(StyledForm):
    status = forms.ChoiceField(
        label=_("Why"),
        choices=[
            (ResidentStatus.MOVED_AWAY, ResidentStatus.MOVED_AWAY.label),
            (ResidentStatus.DECEASED, ResidentStatus.DECEASED.label),
        ],
    )
    on_date = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Note"), max_length=200, required=False)
