from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "etalase.orders"
    label = "orders"
    verbose_name = _("Orders and payments")

    def ready(self) -> None:
        from etalase.activity.registry import handler_register, verbs_register
        from etalase.customers.privacy.services import privacy_eraser_register, privacy_section_register
        from etalase.orders.enums import Verb
        from etalase.orders.handlers import orders_on_contact_merged, orders_personal_data, orders_personal_data_erase

        verbs_register(Verb)
        handler_register(orders_on_contact_merged, verbs=("contact_merged",))
        privacy_section_register("orders", orders_personal_data)
        privacy_eraser_register("orders", orders_personal_data_erase)
