from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementConfig(AppConfig):
    name = "etalase.engagement"
    label = "engagement"
    verbose_name = _("Engagement")

    def ready(self) -> None:
        from etalase.activity.registry import verbs_register
        from etalase.customers.privacy.services import privacy_eraser_register, privacy_section_register
        from etalase.engagement.enums import Verb
        from etalase.engagement.privacy import engagement_personal_data, engagement_personal_data_erase

        verbs_register(Verb)
        privacy_section_register("engagement", engagement_personal_data)
        privacy_eraser_register("engagement", engagement_personal_data_erase)
