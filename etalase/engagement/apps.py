from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementConfig(AppConfig):
    name = "etalase.engagement"
    label = "engagement"
    verbose_name = _("Engagement")

    def ready(self) -> None:
        from etalase.activity.registry import verbs_register
        from etalase.engagement.enums import Verb

        verbs_register(Verb.choices)
