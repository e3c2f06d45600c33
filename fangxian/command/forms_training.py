"""Forms of the training pages. Rules live in the services; these only shape the input."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from fangxian.command.models import CourseTopic
from fangxian.core.forms import StyledForm


def _area_choices(areas) -> list[tuple[str, str]]:
    return [(area.code, f"{area.name} ({area.code})") for area in areas]


class CourseForm(StyledForm):
    area_code = forms.ChoiceField(label=_("Offered to"), help_text=_("The workers of this area can attend."))
    title = forms.CharField(label=_("Title"), max_length=200)
    topic = forms.ChoiceField(label=_("Topic"), choices=CourseTopic.choices)
    hours = forms.DecimalField(
        label=_("Hours"), min_value=Decimal("0.5"), max_value=Decimal(200), decimal_places=1, initial=Decimal(2)
    )
    description = forms.CharField(
        label=_("Description"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, areas=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area_code"].choices = _area_choices(areas)


class SessionForm(StyledForm):
    starts_at = forms.DateTimeField(
        label=_("Starts at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    trainer = forms.CharField(label=_("Trainer"), max_length=100, required=False)
    area_code = forms.ChoiceField(
        label=_("For the workers of"), required=False, help_text=_("Leave as it is for the course's own area.")
    )

    def __init__(self, *args, areas=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area_code"].choices = [("", "—"), *_area_choices(areas)]


class AttendanceForm(forms.Form):
    present = forms.TypedMultipleChoiceField(
        label=_("Attended"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, workers=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [(user.pk, str(user)) for user in workers]
