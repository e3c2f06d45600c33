"""Forms of the checkpoints pages: each field has a limit; the services check the rules."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from fangxian.checkpoints.models import CheckpointKind
from fangxian.checkpoints.services.passes import PASS_DEFAULT_DAYS, PASS_MAX_DAYS

CHECKBOX = {"widget": forms.CheckboxInput(attrs={"class": "form-check-input"})}
TIME_WIDGET = forms.TimeInput(attrs={"type": "time", "class": "form-control"}, format="%H:%M")
DATETIME_WIDGET = forms.DateTimeInput(
    attrs={"type": "datetime-local", "class": "form-control"}, format="%Y-%m-%dT%H:%M"
)


class CheckpointForm(forms.Form):
    """Set a checkpoint up or change it (area only when creating)."""

    area_code = forms.ChoiceField(label=_("Community or grid"), widget=forms.Select(attrs={"class": "form-select"}))
    name = forms.CharField(label=_("Name"), max_length=100, widget=forms.TextInput(attrs={"class": "form-control"}))
    kind = forms.ChoiceField(
        label=_("Kind"), choices=CheckpointKind.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    location = forms.CharField(
        label=_("Location"), max_length=200, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    opens_at = forms.TimeField(label=_("Opens at"), required=False, widget=TIME_WIDGET)
    closes_at = forms.TimeField(
        label=_("Closes at"),
        required=False,
        widget=TIME_WIDGET,
        help_text=_("Leave both times empty for a gate that is always open."),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True, **CHECKBOX)

    def __init__(self, *args, areas: list[tuple[str, str]] | None = None, editing: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["area_code"]
        else:
            self.fields["area_code"].choices = areas or []
            del self.fields["active"]

    def clean(self) -> dict:
        data = super().clean()
        if (data.get("opens_at") is None) != (data.get("closes_at") is None):
            raise forms.ValidationError(_("Give both opening and closing times, or neither (always open)."))
        return data


class GuardShiftForm(forms.Form):
    guard = forms.TypedChoiceField(
        label=_("Guard"), coerce=int, widget=forms.Select(attrs={"class": "form-select"}), empty_value=None
    )
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DATETIME_WIDGET)
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DATETIME_WIDGET)

    def __init__(self, *args, guards: list[tuple[int, str]] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["guard"].choices = guards or []

    def clean(self) -> dict:
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("A shift ends after it starts."))
        return data


class GatePolicyForm(forms.Form):
    """The policy of one emergency level of a community's gates."""

    residents_only = forms.BooleanField(label=_("Residents only (visitors turned away)"), required=False, **CHECKBOX)
    quota_persons = forms.IntegerField(
        label=_("Exits per household (0: no quota)"),
        min_value=0,
        max_value=99,
        initial=0,
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
    )
    quota_days = forms.IntegerField(
        label=_("Every N days"),
        min_value=1,
        max_value=30,
        initial=1,
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
    )
    hours_from = forms.TimeField(label=_("Going out from"), required=False, widget=TIME_WIDGET)
    hours_to = forms.TimeField(
        label=_("Going out until"), required=False, widget=TIME_WIDGET, help_text=_("Both empty: any time.")
    )
    visitors_need_host_approval = forms.BooleanField(
        label=_("Visitors need the host's approval"), required=False, **CHECKBOX
    )
    vehicles_by_plate_list = forms.BooleanField(label=_("Vehicles by plate list only"), required=False, **CHECKBOX)
    fever_celsius = forms.DecimalField(
        label=_("Fever threshold (°C)"),
        min_value=Decimal("35.0"),
        max_value=Decimal("42.0"),
        max_digits=3,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.1", "inputmode": "decimal"}),
    )

    notice = forms.CharField(
        label=_("Notice at the gate"),
        required=False,
        max_length=200,
        help_text=_("Shown to the guards on their scanning page while this level applies."),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def clean(self) -> dict:
        data = super().clean()
        if (data.get("hours_from") is None) != (data.get("hours_to") is None):
            raise forms.ValidationError(_("Give both hours, or neither (any time)."))
        return data


class PassIssueForm(forms.Form):
    resident = forms.TypedChoiceField(
        label=_("For"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=PASS_MAX_DAYS,
        initial=PASS_DEFAULT_DAYS,
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
    )

    def __init__(self, *args, members: list[tuple[int, str]] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resident"].choices = [("", _("The whole household")), *(members or [])]


class PassRevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        min_length=2,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control", "maxlength": "200"}),
    )
