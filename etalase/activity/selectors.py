from django.db import models
from django.db.models import QuerySet

from etalase.activity.models import Activity


def activity_list(*, business: models.Model, verbs: list[str] | None = None) -> QuerySet[Activity]:
    queryset = Activity.objects.filter(business_id=business.pk).select_related("actor")
    if verbs:
        queryset = queryset.filter(verb__in=verbs)
    return queryset.order_by("-occurred_at", "-id")


def activity_list_for_actor(*, actor: models.Model) -> QuerySet[Activity]:
    return Activity.objects.filter(actor_id=actor.pk).select_related("business").order_by("-occurred_at", "-id")
