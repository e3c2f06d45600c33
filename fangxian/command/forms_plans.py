"""Forms of the plan pages: the plan, its checklist as a formset of actions, activation.

Rules (known duties, deadlines not before the activation, levels I-IV) live in the services, which
name the action at fault; the formset only shapes the input.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fangxian.command.models import Duty, EmergencyKind, EmergencyLevel, TaskPriority
from fangxian.command.models.plans import MAX_DEADLINE_MINUTES
from fangxian.command.services.plans import MAX_ACTIONS
from fangxian.core.forms import StyledForm


class PlanForm(StyledForm):
    area_code = forms.ChoiceField(label=_("Community"))
    hazard = forms.ChoiceField(label=_("Hazard"), choices=EmergencyKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    review_interval_days = forms.IntegerField(label=_("Review every (days)"), initial=365)
    body = forms.CharField(
        label=_("Text of the plan"), max_length=50000, required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    change_note = forms.CharField(label=_("What changed"), max_length=500, required=False)

    def __init__(self, *args, areas=None, revising: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if revising:
            del self.fields["area_code"]
            del self.fields["hazard"]
            self.fields["change_note"].required = True
            self.fields["change_note"].help_text = _("Say what this revision changes; it is kept with the version.")
        else:
            self.fields["area_code"].choices = [(a.code, f"{a.name} ({a.code})") for a in areas or ()]
            del self.fields["change_note"]


class ActionForm(StyledForm):
    duty = forms.ChoiceField(label=_("Duty"), choices=[("", "—")] + list(Duty.choices))
    duty_label = forms.CharField(label=_("Name of the other duty"), max_length=50, required=False)
    level = forms.TypedChoiceField(
        label=_("From level"),
        choices=EmergencyLevel.choices,
        coerce=int,
        initial=EmergencyLevel.IV,
        help_text=_("Applies at this level and every graver one."),
    )
    title = forms.CharField(label=_("Action"), max_length=200)
    description = forms.CharField(
        label=_("Details"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 1})
    )
    deadline_minutes = forms.IntegerField(
        label=_("Due within (minutes)"),
        initial=120,
        max_value=MAX_DEADLINE_MINUTES,
        help_text=_("After activation: 120 is “within 2 h”."),
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=TaskPriority.choices, initial=TaskPriority.NORMAL)


class BaseActionFormSet(forms.BaseFormSet):
    def filled_forms(self) -> list[forms.Form]:
        """The forms holding an action, in their order, without those marked for deletion."""
        return [
            form
            for form in self.forms
            if (form.has_changed() or form.initial)
            and not (self.can_delete and self._should_delete_form(form))
            and any(v not in (None, "") for k, v in form.cleaned_data.items() if k != "DELETE")
        ]

    def actions(self) -> list[dict]:
        return [{k: v for k, v in form.cleaned_data.items() if k != "DELETE"} for form in self.filled_forms()]

    def add_action_error(self, index: int, message: str) -> None:
        """Show a service's error on the action it names (numbered from 1 among the filled forms)."""
        forms_ = self.filled_forms()
        if 1 <= index <= len(forms_):
            forms_[index - 1].add_error(None, message)
        else:
            self._non_form_errors = self.error_class([*self.non_form_errors(), message])


ActionFormSet = forms.formset_factory(
    ActionForm,
    formset=BaseActionFormSet,
    extra=3,
    can_delete=True,
    max_num=MAX_ACTIONS,
    validate_max=True,
    absolute_max=MAX_ACTIONS,
)


class ActivateForm(StyledForm):
    emergency = forms.TypedChoiceField(label=_("Emergency"), coerce=int)

    def __init__(self, *args, emergencies=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["emergency"].choices = [(e.pk, f"{e.title} · {e.get_level_display()}") for e in emergencies]
