"""The insights app's reaction to activities: count them in the daily rollups."""

from collections.abc import Sequence

from etalase.activity.models import Activity
from etalase.insights.services import rollup_apply, rollups_apply_many


def rollups_on_activity(activity: Activity) -> None:
    """Registered for every counted verb; idempotent through the ledger (see ``services``)."""
    rollup_apply(activity=activity)


def rollups_on_activities(activities: Sequence[Activity]) -> None:
    """The batch form, for a worker that claims many activities at once: the same counts as
    :func:`rollups_on_activity` on each, in a handful of statements (``rollups_apply_many``)."""
    rollups_apply_many(activities)
