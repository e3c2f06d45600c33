from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "fangxian.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from fangxian.core import audit, capabilities  # noqa: F401  (connects signals, registers rules)

        # Background jobs live in each app's jobs.py ("task" is the command app's word); Huey's
        # own discovery looks for tasks.py, so the web process and the consumer import them here.
        autodiscover_modules("jobs")
