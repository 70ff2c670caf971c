from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "etalase.orders"
    label = "orders"
    verbose_name = _("Orders and payments")

    def ready(self) -> None:
        from etalase.activity.registry import verbs_register
        from etalase.orders.enums import Verb

        verbs_register(Verb.choices)
