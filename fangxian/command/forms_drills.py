"""Forms of the drill pages. Rules live in the services; these only shape the input."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fangxian.command.models.tasks import TaskPriority
from fangxian.core.forms import StyledForm

DATETIME_WIDGET = {"type": "datetime-local"}


def _datetime_field(label, **kwargs) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, widget=forms.DateTimeInput(attrs=DATETIME_WIDGET, format="%Y-%m-%dT%H:%M"), **kwargs
    )


def _people(label, **kwargs) -> forms.TypedMultipleChoiceField:
    return forms.TypedMultipleChoiceField(
        label=label, coerce=int, widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}), **kwargs
    )


def person_choices(users) -> list[tuple[int, str]]:
    return [(user.pk, str(user)) for user in users]


class DrillScheduleForm(StyledForm):
    plan = forms.TypedChoiceField(label=_("Plan"), coerce=int)
    title = forms.CharField(
        label=_("Title"), max_length=200, required=False, help_text=_("Leave empty to name it after the plan.")
    )
    scenario = forms.CharField(
        label=_("Scenario"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What is rehearsed: the situation the participants respond to."),
    )
    scheduled_at = _datetime_field(_("Scheduled for"))
    participants = _people(_("Participants"), required=False)
    other_participants = forms.CharField(
        label=_("Other participants"),
        max_length=500,
        required=False,
        help_text=_("People without an account: the property company, units in the area, residents."),
    )

    def __init__(self, *args, plans=(), people=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = [(plan.pk, plan.title) for plan in plans]
        self.fields["participants"].choices = person_choices(people)


class TimelineEntryForm(StyledForm):
    text = forms.CharField(
        label=_("What happened"),
        max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "off", "enterkeyhint": "send"}),
    )


class EvaluationForm(StyledForm):
    went_well = forms.CharField(
        label=_("What went well"), max_length=10000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    gaps = forms.CharField(
        label=_("Gaps found"), max_length=10000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    findings = forms.CharField(
        label=_("Findings"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line. Each finding can then become a task or a revision of the plan."),
    )

    def finding_lines(self) -> list[str]:
        return [line.strip()[:1000] for line in self.cleaned_data.get("findings", "").splitlines() if line.strip()]


class FindingForm(StyledForm):
    text = forms.CharField(label=_("Finding"), max_length=1000)


class FindingTaskForm(StyledForm):
    assignees = _people(_("Who does it"))
    due_at = _datetime_field(_("Due"), required=False)
    priority = forms.ChoiceField(label=_("Priority"), choices=TaskPriority.choices, initial=TaskPriority.NORMAL)

    def __init__(self, *args, people=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignees"].choices = person_choices(people)
