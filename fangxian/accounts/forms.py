from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fangxian.core.forms import StyledForm


class LoginForm(StyledForm):
    username = forms.CharField(label=_("User name"), max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(label=_("Password"), max_length=256, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class OtpForm(StyledForm):
    token = forms.CharField(label=_("Six-digit code"), max_length=12,
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                          "autofocus": True}))


class TokenCreateForm(StyledForm):
    name = forms.CharField(label=_("Token name"), max_length=100, help_text=_("Which device or platform uses it."))
    assignment = forms.TypedChoiceField(label=_("Role"), coerce=int)
    expires_in_days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=366, required=False,
                                         help_text=_("Leave empty for no expiry."))

    def __init__(self, *args, assignments=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignment"].choices = [(a.pk, str(a)) for a in assignments]
