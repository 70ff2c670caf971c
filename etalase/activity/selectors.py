import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from etalase.activity.models import Activity

DELAYED_AFTER = dt.timedelta(minutes=1)


def activity_list(*, business: models.Model, verbs: list[str] | None = None) -> QuerySet[Activity]:
    queryset = Activity.objects.filter(business_id=business.pk).select_related("actor")
    if verbs:
        queryset = queryset.filter(verb__in=verbs)
    return queryset.order_by("-occurred_at", "-id")


def activity_list_for_actor(*, actor: models.Model) -> QuerySet[Activity]:
    return Activity.objects.filter(actor_id=actor.pk).select_related("business").order_by("-occurred_at", "-id")


@dataclass(frozen=True)
class Backlog:
    """A business's waiting activities: how long the oldest due one has waited, and how many keep failing."""

    oldest_waiting: dt.timedelta | None
    failing: int

    def is_delayed(self, threshold: dt.timedelta = DELAYED_AFTER) -> bool:
        return self.failing > 0 or (self.oldest_waiting is not None and self.oldest_waiting > threshold)


def activity_backlog(business: models.Model, *, now: dt.datetime | None = None) -> Backlog:
    """The business's unprocessed activities, read through the partial index over waiting rows.

    ``oldest_waiting`` counts from when the oldest unprocessed activity was recorded (a row waiting
    for a retry counts too: its work is not done); ``failing`` counts rows whose last attempt failed.
    """
    now = now or timezone.now()
    waiting = Activity.objects.filter(business_id=business.pk, processed_at__isnull=True)
    # One query: the waiting rows are few (the partial index holds only them).
    found = waiting.aggregate(oldest=Min("recorded_at"), failing=Count("pk", filter=~Q(last_error="")))
    oldest, failing = found["oldest"], found["failing"] or 0
    return Backlog(oldest_waiting=max(now - oldest, dt.timedelta(0)) if oldest else None, failing=failing)
