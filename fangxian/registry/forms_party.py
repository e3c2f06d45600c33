"""Forms of the party part: registration of a party member, a task for them."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fangxian.core.areacode import validate_area_code
from fangxian.core.forms import StyledForm
from fangxian.registry.models.party import Availability, PartyMemberStatus


class PartyMemberForm(StyledForm):
    name = forms.CharField(label=_("Full name"), max_length=50)
    area_code = forms.CharField(label=_("Community or grid code"), max_length=15, validators=[validate_area_code])
    branch = forms.CharField(label=_("Employer's party branch"), max_length=100)
    employer = forms.CharField(label=_("Employer"), required=False, max_length=100)
    availability = forms.ChoiceField(label=_("Availability"), choices=Availability.choices)
    skills = forms.CharField(label=_("Skills"), required=False, max_length=200)
    username = forms.CharField(
        label=_("User account (optional)"),
        required=False,
        max_length=150,
        help_text=_("Their login name, so that tasks reach their inbox."),
    )


class PartyJoinForm(StyledForm):
    branch = forms.CharField(label=_("Your employer's party branch"), max_length=100)
    employer = forms.CharField(label=_("Employer"), required=False, max_length=100)
    availability = forms.ChoiceField(label=_("When you can help"), choices=Availability.choices)
    skills = forms.CharField(label=_("What you can do"), required=False, max_length=200)


class PartyMemberStatusForm(StyledForm):
    status = forms.ChoiceField(label=_("Status"), choices=PartyMemberStatus.choices)


class PartyTaskForm(StyledForm):
    title = forms.CharField(label=_("Task"), max_length=200)
    due_at = forms.DateTimeField(
        label=_("Due by"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    description = forms.CharField(
        label=_("Details"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
