from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "etalase.directory"
    label = "directory"
    verbose_name = _("Directory")

    def ready(self) -> None:
        from etalase.activity.registry import verbs_register
        from etalase.directory import handlers
        from etalase.directory.enums import Verb

        verbs_register(Verb)
        handlers.register()
