"""The insights app's reaction to activities: count them in the daily rollups."""

from etalase.activity.models import Activity
from etalase.insights.services import rollup_apply


def rollups_on_activity(activity: Activity) -> None:
    """Registered for every counted verb; idempotent through the ledger (see ``services``)."""
    rollup_apply(activity=activity)
