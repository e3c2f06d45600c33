"""Forms of the screening pages: sending a list (file, title, deadline, area), answering and routing an entry."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fangxian.health.models import Measure, Outcome


class ScreeningListUploadForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    deadline = forms.DateTimeField(
        label=_("Deadline"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )
    area_code = forms.ChoiceField(
        label=_("Area"), help_text=_("People are looked for among the residents of this area.")
    )
    source = forms.CharField(
        label=_("Source"), max_length=200, required=False, help_text=_("Who sent it, which batch.")
    )
    file = forms.FileField(
        label=_("Workbook or CSV file"),
        help_text=_("Excel (.xlsx) or CSV in UTF-8 or GBK, with the columns 姓名, 身份证号 and/or 联系电话, 协查原因."),
    )

    def __init__(self, *args: Any, areas: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area_code"].choices = [(a.code, f"{a.name} ({a.code})") for a in areas]
        for name, field in self.fields.items():
            css = "form-select" if name == "area_code" else "form-control"
            field.widget.attrs.update({"class": css, "data-testid": f"screening-{name}"})
        self.fields["file"].widget.attrs["accept"] = ".xlsx,.xls,.csv"


class ScreeningAnswerForm(forms.Form):
    outcome = forms.ChoiceField(label=_("What was found"), choices=Outcome.choices, widget=forms.RadioSelect)
    measure = forms.ChoiceField(label=_("Measure"), choices=Measure.choices, initial=Measure.NONE)
    note = forms.CharField(label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["measure"].widget.attrs.update({"class": "form-select"})
        self.fields["note"].widget.attrs.update({"class": "form-control"})


class ScreeningRouteForm(forms.Form):
    resident_id = forms.IntegerField(label=_("Resident number"), min_value=1, max_value=2**62, required=False)
    area_code = forms.RegexField(label=_("Or area code"), regex=r"^[0-9]{9,15}$", max_length=15, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.update({"class": "form-control"})

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors and (data.get("resident_id") is None) == (not data.get("area_code")):
            raise forms.ValidationError(_("Give a resident or an area code, not both."))
        return data
