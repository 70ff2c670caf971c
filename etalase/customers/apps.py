from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "etalase.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from etalase.activity.registry import handler_register, verbs_register
        from etalase.customers.enums import Verb
        from etalase.customers.handlers import contact_on_activity
        from etalase.customers.privacy.enums import PrivacyVerb

        verbs_register(Verb)
        verbs_register(PrivacyVerb)
        handler_register(contact_on_activity)
