from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "etalase.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from etalase.activity.registry import handler_register
        from etalase.customers.handlers import contact_on_activity

        handler_register(contact_on_activity)
