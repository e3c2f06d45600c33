"""Forms of the directive pages. They only shape input: the rules live in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fangxian.areas.models import Area
from fangxian.command.forms_tasks import DateTimeLocalInput, emergency_choices
from fangxian.core.forms import StyledForm
from fangxian.core.roles import OFFICIAL_ROLES
from fangxian.core.scoping import Actor

COMMUNITY_LENGTH = 12
MAX_CHOICES = 2000


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class DirectiveSendForm(StyledForm):
    area_code = forms.ChoiceField(label=_("Sent from"))
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("What the communities must do"), max_length=20000, widget=forms.Textarea(attrs={"rows": 6})
    )
    deadline = forms.DateTimeField(label=_("Deadline"), widget=DateTimeLocalInput())
    report_required = forms.BooleanField(label=_("A completion report is required"), required=False, initial=True)
    emergency = forms.TypedChoiceField(label=_("Emergency"), required=False, coerce=int, empty_value=None)
    all_communities = forms.BooleanField(label=_("All communities below"), required=False)
    communities = forms.MultipleChoiceField(label=_("Communities"), required=False, widget=forms.CheckboxSelectMultiple)
    attachments = MultipleFileField(label=_("Files"), required=False)

    def __init__(self, *args, actor: Actor, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        official = sorted({g.area_code for g in actor.grants if g.role in OFFICIAL_ROLES})
        names = dict(Area.objects.visible_to(actor).filter(code__in=official).values_list("code", "name"))
        self.fields["area_code"].choices = [(code, f"{names.get(code, code)} ({code})") for code in official]
        if len(official) == 1:
            self.fields["area_code"].initial = official[0]
            self.fields["area_code"].widget = forms.HiddenInput()
        communities = Area.objects.none()
        for code in official:
            communities = communities | Area.objects.visible_to(actor).within(code).filter(level=COMMUNITY_LENGTH)
        self.community_areas = list(communities.order_by("code")[:MAX_CHOICES])
        self.fields["communities"].choices = [(a.code, f"{a.name} ({a.code})") for a in self.community_areas]
        self.fields["communities"].widget.attrs.pop("class", None)
        emergency_choices(self.fields["emergency"], actor)
        self.fields["report_required"].widget.attrs["class"] = "form-check-input"
        self.fields["all_communities"].widget.attrs["class"] = "form-check-input"

    def community_codes(self):
        if self.cleaned_data.get("all_communities"):
            return "all"
        return self.cleaned_data.get("communities") or []


class DirectiveReportForm(StyledForm):
    text = forms.CharField(
        label=_("Completion report"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 4})
    )
    community_code = forms.CharField(required=False, max_length=12, widget=forms.HiddenInput())
