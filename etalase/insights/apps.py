from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "etalase.insights"
    label = "insights"
    verbose_name = _("Insights")

    def ready(self) -> None:
        from etalase.activity.registry import handler_register
        from etalase.insights.customers.handlers import customer_scores_on_activity
        from etalase.insights.handlers import rollups_on_activities
        from etalase.insights.services import COUNTED_VERBS

        # A claimed batch is counted at once (rollups_apply_many); a failure retries each activity alone.
        handler_register(rollups_on_activities, verbs=sorted(COUNTED_VERBS), batch=True)
        # Every verb, after the customers app's contact_on_activity (which makes the contact first);
        # verbs that cannot change a score are ignored inside.
        handler_register(customer_scores_on_activity)
