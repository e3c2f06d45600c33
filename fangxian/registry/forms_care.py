"""Forms of the care part: a care plan and its changes, a visit, a need tag and its details."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fangxian.core.forms import StyledForm
from fangxian.registry.models.care import CareLevel, DisabilityGrade
from fangxian.registry.models.residents import VulnerabilityKind


class CarePlanForm(StyledForm):
    resident = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    visitor = forms.TypedChoiceField(label=_("Visitor"), coerce=int, choices=())
    frequency_days = forms.IntegerField(label=_("Visit every (days)"), min_value=1, max_value=366, initial=7)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, visitors=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visitor"].choices = [(user.pk, user.display_name or user.username) for user in visitors]


class CarePlanChangeForm(StyledForm):
    """Hand a plan to another visitor, change how often they visit."""

    visitor = forms.TypedChoiceField(label=_("Visitor"), coerce=int, choices=())
    frequency_days = forms.IntegerField(label=_("Visit every (days)"), min_value=1, max_value=366)

    def __init__(self, *args, visitors=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visitor"].choices = [("", "---------")] + [
            (user.pk, user.display_name or user.username) for user in visitors
        ]


class CarePlanEndForm(StyledForm):
    """End a plan: why nobody will visit under it any more."""

    reason = forms.CharField(
        label=_("Why does the plan end?"), max_length=500, widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500})
    )


class CareVisitForm(StyledForm):
    visited_on = forms.DateField(
        label=_("Visited on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    findings = forms.CharField(label=_("What you found"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    follow_up_needed = forms.BooleanField(label=_("Follow-up needed"), required=False)


class VulnerabilityDetailForm(StyledForm):
    disability_grade = forms.ChoiceField(
        label=_("Disability grade"), required=False, choices=[("", "—"), *DisabilityGrade.choices]
    )
    chronic_disease = forms.CharField(label=_("Chronic disease"), required=False, max_length=100)
    care_level = forms.ChoiceField(label=_("Care level"), required=False, choices=[("", "—"), *CareLevel.choices])


class VulnerabilityAddForm(VulnerabilityDetailForm):
    """A need tag for a resident, with its details (all optional but the need)."""

    kind = forms.ChoiceField(label=_("Need"), choices=[("", "—"), *VulnerabilityKind.choices])
    detail = forms.CharField(label=_("Note on the need"), required=False, max_length=200)
    field_order = ("kind", "detail", "disability_grade", "chronic_disease", "care_level")
