from typing import Any

from django.db.models import QuerySet

from etalase.activity.models import Activity


def activity_list(*, business: Any, verbs: list[str] | None = None) -> QuerySet[Activity]:
    queryset = Activity.objects.filter(business=business).select_related("actor")
    if verbs:
        queryset = queryset.filter(verb__in=verbs)
    return queryset.order_by("-occurred_at", "-id")


def activity_list_for_actor(*, actor: Any) -> QuerySet[Activity]:
    return Activity.objects.filter(actor=actor).select_related("business").order_by("-occurred_at", "-id")
