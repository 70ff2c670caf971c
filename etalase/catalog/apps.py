from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "etalase.catalog"
    label = "catalog"
    verbose_name = _("Catalog")

    def ready(self) -> None:
        from etalase.activity.registry import verbs_register
        from etalase.catalog.enums import Verb

        verbs_register(Verb)
