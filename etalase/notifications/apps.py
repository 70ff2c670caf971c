from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "etalase.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from etalase.customers.privacy.services import privacy_eraser_register
        from etalase.notifications import handlers
        from etalase.notifications.privacy import notifications_personal_data_erase

        handlers.register()
        privacy_eraser_register("notifications", notifications_personal_data_erase)
