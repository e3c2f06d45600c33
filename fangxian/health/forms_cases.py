"""Forms of the health pages (arrivals, cases, reports, check-ins, risk areas); the services check the rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangxian.core.forms import StyledForm
from fangxian.health.models import CaseKind, Measure, RiskLevel, Symptom, Transport
from fangxian.health.models.risk import DIVISION_CODE_VALIDATOR

DATE = forms.DateInput(attrs={"type": "date"})
SYMPTOMS = forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})
TEMPERATURE = forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal", "placeholder": "36.5"})


class ArrivalForm(StyledForm):
    """What a person coming back says: from where, when, how, with whom."""

    origin_code = forms.CharField(
        label=_("Coming from (division code)"),
        max_length=12,
        validators=[DIVISION_CODE_VALIDATOR],
        help_text=_("The code of the district or street, e.g. 420106 for Wuchang, Wuhan."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    origin_name = forms.CharField(label=_("Coming from"), max_length=100, help_text=_("e.g. 武汉市武昌区"))
    arrived_on = forms.DateField(label=_("Arrived on"), widget=DATE)
    transport = forms.ChoiceField(label=_("Transport"), choices=Transport.choices)
    transport_detail = forms.CharField(label=_("Train, flight or plate"), max_length=50, required=False)
    companions = forms.IntegerField(label=_("People travelling with you"), min_value=0, max_value=50, initial=0)
    companions_note = forms.CharField(label=_("Who travelled with you"), max_length=200, required=False)


class PublicArrivalForm(ArrivalForm):
    """The public page: the person proves who they are with what the register knows of them."""

    name = forms.CharField(label=_("Your name"), max_length=50)
    id_number = forms.CharField(
        label=_("Your ID card number"), max_length=20, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    room = forms.CharField(label=_("Your room"), max_length=40, help_text=_("Building-unit-room, e.g. 1-1-101"))
    phone = forms.CharField(label=_("Phone (optional)"), max_length=20, required=False)

    field_order = ["name", "id_number", "room", "phone"]


class WorkerArrivalForm(ArrivalForm):
    resident = forms.TypedChoiceField(label=_("Who"), coerce=int, required=False, empty_value=None)
    name = forms.CharField(label=_("Name (somebody not in the register)"), max_length=50, required=False)

    field_order = ["resident", "name"]

    def __init__(self, *args, residents=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resident"].choices = [("", _("Somebody not in the register"))] + list(residents)

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("resident") and not data.get("name"):
            raise forms.ValidationError(_("Pick the resident, or give the name of somebody not in the register."))
        return data


class ConfirmForm(StyledForm):
    measure = forms.ChoiceField(label=_("Measure"), choices=Measure.choices)
    days = forms.IntegerField(label=_("Days"), min_value=1, max_value=60, required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ReportForm(StyledForm):
    temperature = forms.DecimalField(
        label=_("Temperature (°C)"),
        min_value=Decimal("30.0"),
        max_value=Decimal("45.0"),
        decimal_places=1,
        widget=TEMPERATURE,
    )
    symptoms = forms.MultipleChoiceField(label=_("Symptoms"), choices=Symptom.choices, required=False, widget=SYMPTOMS)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class CheckInForm(StyledForm):
    resident = forms.TypedChoiceField(label=_("Who"), coerce=int)
    temperature = forms.DecimalField(
        label=_("Temperature (°C)"),
        min_value=Decimal("30.0"),
        max_value=Decimal("45.0"),
        decimal_places=1,
        required=False,
        widget=TEMPERATURE,
    )
    symptoms = forms.MultipleChoiceField(label=_("Symptoms"), choices=Symptom.choices, required=False, widget=SYMPTOMS)

    def __init__(self, *args, residents=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resident"].choices = list(residents)


class CaseOpenForm(StyledForm):
    kind = forms.ChoiceField(label=_("Measure"), choices=CaseKind.choices)
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE, initial=timezone.localdate)
    days = forms.IntegerField(label=_("Days (empty: the policy's)"), min_value=1, max_value=60, required=False)


class EndDateForm(StyledForm):
    ends_on = forms.DateField(label=_("New end date"), widget=DATE)
    reason = forms.CharField(label=_("Why"), max_length=200)


class CloseForm(StyledForm):
    status = forms.ChoiceField(
        label=_("Close as"), choices=[("transferred", _("Transferred")), ("cancelled", _("Cancelled"))]
    )
    note = forms.CharField(label=_("Why"), max_length=500)


class ReleaseForm(StyledForm):
    note = forms.CharField(label=_("Note on the release"), max_length=500, required=False)


class RiskAreaForm(StyledForm):
    area_code = forms.ChoiceField(label=_("For arrivals to"))
    division_code = forms.CharField(
        label=_("Division code of the place"), max_length=12, validators=[DIVISION_CODE_VALIDATOR]
    )
    name = forms.CharField(label=_("Place"), max_length=100)
    level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices)
    measure = forms.ChoiceField(label=_("Measure for arrivals"), choices=Measure.choices)
    days = forms.IntegerField(label=_("Days"), min_value=1, max_value=60, initial=14)
    since = forms.DateField(label=_("Risky since"), widget=DATE, initial=timezone.localdate)
    until = forms.DateField(label=_("Risky until (empty: until ended)"), widget=DATE, required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, areas=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area_code"].choices = list(areas)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("until") and data.get("since") and data["until"] < data["since"]:
            self.add_error("until", _("A risk area ends on or after the day it starts."))
        return data


def today() -> dt.date:
    return timezone.localdate()


class HealthPolicyForm(StyledForm):
    """What a community asks of its residents at one emergency level."""

    check_in_required = forms.BooleanField(label=_("Daily check-in for every resident"), required=False)
    home_quarantine_days = forms.IntegerField(label=_("Days of home quarantine"), min_value=1, max_value=60, initial=14)
    monitoring_days = forms.IntegerField(label=_("Days of health monitoring"), min_value=1, max_value=60, initial=7)
    report_grace_hours = forms.IntegerField(
        label=_("Hours before a missed report alerts"), min_value=1, max_value=12, initial=2
    )
