"""django-otp's TOTP plugin under a name people understand, in both languages."""

from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.apps import DefaultConfig


class TOTPConfig(DefaultConfig):
    verbose_name = _("Two-factor authentication")
