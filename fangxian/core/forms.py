from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fangxian.core.areacode import validate_area_code
from fangxian.core.models import AuditAction


class StyledForm(forms.Form):
    """Adds Bootstrap's classes to widgets, so templates can render `{{ field }}` plainly."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            css = "form-select" if isinstance(widget, forms.Select) else (
                "form-check-input" if isinstance(widget, forms.CheckboxInput) else "form-control")
            widget.attrs.setdefault("class", css)


class AuditSearchForm(StyledForm):
    area_code = forms.CharField(label=_("Area code"), required=False, max_length=15, validators=[validate_area_code])
    action = forms.ChoiceField(label=_("Action"), required=False, choices=[("", _("Any"))] + AuditAction.choices)
    actor_label = forms.CharField(label=_("User name"), required=False, max_length=150)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class RevealForm(StyledForm):
    reason = forms.CharField(label=_("Reason"), min_length=4, max_length=200,
                             help_text=_("Why you need the full value. It is recorded."))
