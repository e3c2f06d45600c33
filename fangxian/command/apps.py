from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommandConfig(AppConfig):
    name = "fangxian.command"
    label = "command"
    verbose_name = _("Command")

    def ready(self) -> None:
        from fangxian.command import capabilities, daily, daily_sections  # noqa: F401  (capabilities, report sections)
