"""The "Command" drop-down of the navigation bar, which the command app's pages share."""

from django.utils.translation import gettext_lazy as _

COMMAND_MENU = _("Command")
