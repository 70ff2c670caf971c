from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "etalase.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from etalase.accounts.enums import Verb
        from etalase.activity.registry import verbs_register

        verbs_register(Verb)
