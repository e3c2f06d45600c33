from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "fangxian.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from fangxian.accounts.models import ApiToken, RoleAssignment, User
        from fangxian.accounts.services import TOKENS_VERSION
        from fangxian.core.versions import bump_on_change

        # The process caches of bearer tokens (accounts.services) start again after any of these changes.
        bump_on_change(TOKENS_VERSION, (ApiToken, RoleAssignment, User))
