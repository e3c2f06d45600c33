"""The "Checkpoints" drop-down of the navigation bar, shared by the checkpoints' pages."""

from django.utils.translation import gettext_lazy as _

CHECKPOINTS_MENU = _("Checkpoints")
