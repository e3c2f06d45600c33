from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuppliesConfig(AppConfig):
    name = "fangxian.supplies"
    label = "supplies"
    verbose_name = _("Supplies")

    def ready(self) -> None:
        from fangxian.supplies import capabilities, daily  # noqa: F401  (home panel, report section)
