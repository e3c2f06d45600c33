"""Forms of the emergency pages. Rules live in the services; these only shape the input."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fangxian.command.models import EmergencyKind, EmergencyLevel
from fangxian.core.forms import StyledForm

LEVEL_CHOICES = [(value, label) for value, label in EmergencyLevel.choices]


class EmergencyDeclareForm(StyledForm):
    area_code = forms.ChoiceField(label=_("Area"))
    kind = forms.ChoiceField(label=_("Kind"), choices=EmergencyKind.choices)
    level = forms.TypedChoiceField(
        label=_("Level"), choices=LEVEL_CHOICES, coerce=int, help_text=_("Level I is the gravest.")
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to name it after the area and the kind."),
    )
    description = forms.CharField(
        label=_("Description"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    started_at = forms.DateTimeField(
        label=_("Started at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty for now. It cannot lie in the future."),
    )

    def __init__(self, *args, areas=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area_code"].choices = [(a.code, f"{a.name} ({a.code})") for a in areas]


class EmergencyLevelForm(StyledForm):
    level = forms.TypedChoiceField(label=_("New level"), choices=LEVEL_CHOICES, coerce=int)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why the level changes. It is kept in the history."),
    )


class EmergencyEndForm(StyledForm):
    note = forms.CharField(
        label=_("Closing note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
