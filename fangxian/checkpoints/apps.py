from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckpointsConfig(AppConfig):
    name = "fangxian.checkpoints"
    label = "checkpoints"
    verbose_name = _("Checkpoints")

    def ready(self) -> None:
        from fangxian.checkpoints import capabilities, daily, gatestate  # noqa: F401  (home panel, report section)

        gatestate.connect()
