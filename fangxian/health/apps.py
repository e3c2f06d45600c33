from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HealthConfig(AppConfig):
    name = "fangxian.health"
    label = "health"
    verbose_name = _("Health")

    def ready(self) -> None:
        from fangxian.health import capabilities, daily  # noqa: F401  (home panel, report section)
