"""Forms of the daily report pages. Rules live in the services; these only shape the input."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from fangxian.core.forms import StyledForm

area_code_validator = RegexValidator(r"\A[0-9]{2,15}\Z", _("Not an area code."))


class ReportDayForm(StyledForm):
    """Which day (and, for a worker of several communities, which community) the page shows."""

    date = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    area = forms.CharField(label=_("Area"), required=False, max_length=15, validators=[area_code_validator])


class DailyReportSubmitForm(StyledForm):
    area_code = forms.CharField(max_length=15, validators=[area_code_validator], widget=forms.HiddenInput)
    date = forms.DateField(widget=forms.HiddenInput)
    notes = forms.CharField(
        label=_("Notes"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("A few sentences on the day: what happened, what is needed from the street."),
    )
