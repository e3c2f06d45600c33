"""The "Registry" drop-down of the navigation bar, shared by the registry's pages."""

from django.utils.translation import gettext_lazy as _

REGISTRY_MENU = _("Registry")
