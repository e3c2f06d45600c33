"""The "Supplies" drop-down of the navigation bar, shared by the supplies app's pages."""

from django.utils.translation import gettext_lazy as _

SUPPLIES_MENU = _("Supplies")
