"""The "Health" drop-down of the navigation bar, shared by the health app's pages."""

from django.utils.translation import gettext_lazy as _

HEALTH_MENU = _("Health")
