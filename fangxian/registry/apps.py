from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "fangxian.registry"
    label = "registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        # Capabilities of each part, and the home panel of care needs.
        from fangxian.registry import (  # noqa: F401
            capabilities_care,
            capabilities_imports,
            capabilities_residents,
            home_care,
        )
