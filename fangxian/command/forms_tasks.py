"""Forms of the task pages. They only shape input: the rules live in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fangxian.command.models import Duty, TaskPriority
from fangxian.command.selectors.tasks import task_area_choices, task_assignee_choices
from fangxian.core.forms import StyledForm
from fangxian.core.scoping import Actor


class DateTimeLocalInput(forms.DateTimeInput):
    """The phone's own date and time picker."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class TaskCreateForm(StyledForm):
    title = forms.CharField(label=_("What must be done"), max_length=200)
    area_code = forms.ChoiceField(label=_("Where"))
    assignees = forms.TypedMultipleChoiceField(
        label=_("Who"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Nobody chosen: the task waits for whoever is on duty in the area."),
    )
    due_at = forms.DateTimeField(label=_("Due"), required=False, widget=DateTimeLocalInput())
    priority = forms.ChoiceField(label=_("Priority"), choices=TaskPriority.choices, initial=TaskPriority.NORMAL)
    emergency = forms.TypedChoiceField(label=_("Emergency"), required=False, coerce=int, empty_value=None)
    duty = forms.ChoiceField(label=_("Duty"), required=False, choices=[("", _("None"))] + list(Duty.choices))
    description = forms.CharField(
        label=_("Details"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, actor: Actor, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area_code"].choices = [
            (area.code, f"{'· ' * ((area.level - 2) // 3)}{area.name} ({area.code})")
            for area in task_area_choices(actor=actor)
        ]
        self.fields["assignees"].choices = [(user.pk, str(user)) for user in task_assignee_choices(actor=actor)]
        self.fields["assignees"].widget.attrs.pop("class", None)
        emergency_choices(self.fields["emergency"], actor)


def emergency_choices(field: forms.Field, actor: Actor) -> None:
    """Active emergencies the actor sees; the only one is chosen by default."""
    from fangxian.command.selectors.emergencies import emergency_list

    active = list(emergency_list(actor=actor, state="active")[:50])
    field.choices = [("", _("None"))] + [(e.pk, f"{e.title} ({e.get_level_display()})") for e in active]
    if len(active) == 1:
        field.initial = active[0].pk


class TaskStatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("accepted", "accepted"), ("done", "done"), ("cannot_do", "cannot_do"), ("open", "open")]
    )
    reason = forms.CharField(required=False, max_length=500)


class TaskCommentForm(StyledForm):
    text = forms.CharField(label=_("Comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))


class TaskAttachmentForm(StyledForm):
    file = forms.FileField(label=_("Photo or document"), max_length=200)
