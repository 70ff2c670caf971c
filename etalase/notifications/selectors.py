"""Reads of notifications, preferences and push subscriptions. Everything is scoped to one person."""

from django.db.models import Max, QuerySet

from etalase.accounts.models import User
from etalase.core.api import MAX_ID
from etalase.directory.models import Business
from etalase.directory.selectors import membership_list_for_user
from etalase.notifications.models import Notification, NotificationPreference, PushSubscription


def notification_list_for_user(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    """Everything addressed to ``user`` (their businesses' and their own), the latest acts first (an
    act processed late takes its place by its time, not at the top)."""
    queryset = Notification.objects.filter(recipient=user).select_related("business")
    if unread_only:
        queryset = queryset.filter(read_at__isnull=True)
    return queryset.order_by("-occurred_at", "-id")


def notification_unread_count(*, user_id: int) -> int:
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


def notification_latest_id(*, user_id: int) -> int:
    return int(Notification.objects.filter(recipient_id=user_id).aggregate(latest=Max("id"))["latest"] or 0)


def notification_list_after(*, user_id: int, after_id: int, limit: int = 100) -> list[Notification]:
    """The user's notifications with an id above ``after_id``, oldest first: what a stream sends next."""
    return list(
        Notification.objects.filter(recipient_id=user_id, id__gt=max(0, min(after_id, MAX_ID)))
        .select_related("business")
        .order_by("id")[:limit]
    )


def preference_get(*, user: User, business: Business | None) -> NotificationPreference:
    """The saved preference for this scope, or an unsaved one holding the defaults."""
    found = NotificationPreference.objects.filter(user=user, business=business).first()
    return found or NotificationPreference(user=user, business=business)


def preference_scopes_for_user(*, user: User) -> list[NotificationPreference]:
    """One preference per scope: personal first, then each business the user works in."""
    saved = {pref.business_id: pref for pref in NotificationPreference.objects.filter(user=user)}
    scopes = [saved.get(None) or NotificationPreference(user=user, business=None)]
    for membership in membership_list_for_user(user=user):
        pref = saved.get(membership.business_id) or NotificationPreference(user=user, business=membership.business)
        pref.business = membership.business
        scopes.append(pref)
    return scopes


def push_subscription_list(*, user: User) -> QuerySet[PushSubscription]:
    return PushSubscription.objects.filter(user=user).order_by("-created_at")
