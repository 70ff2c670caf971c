"""Writes: creating notifications (with aggregation), reading them, preferences, push devices, digests.

Every new notification wakes the recipient's live streams and schedules web push after the
transaction commits (``core.dispatch`` style), never before.
"""

import datetime as dt
import functools
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, F
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from etalase.accounts.models import User
from etalase.activity.models import Activity
from etalase.core import dispatch
from etalase.core.errors import NotFound, ValidationError
from etalase.directory.models import Business
from etalase.notifications import broadcast, push, rules
from etalase.notifications.enums import DELIVERING_CHANNELS, Channel, Kind
from etalase.notifications.models import Notification, NotificationPreference, PushSubscription

logger = logging.getLogger(__name__)

MAX_GROUP_ACTIVITY_IDS = 50
PUSH_BATCH = 100

Recipient = tuple[int, str]
"""A user's id and language: what delivery needs to word a notification for them."""


def _recipients_lock(user_ids: Sequence[int]) -> None:
    """Serialise notification writes per recipient (PostgreSQL; SQLite writes are serial anyway).

    A stream sends every id above the last it sent. Two transactions inserting for the same person
    could commit out of id order and the lower id would be skipped; holding the recipient's row lock
    while inserting makes each person's ids commit in order. Locks are taken in id order (no deadlock).
    """
    if user_ids:
        list(get_user_model().objects.select_for_update().filter(pk__in=sorted(user_ids)).order_by("pk").values("pk"))


def _started_at(row: Notification) -> dt.datetime | None:
    """The time of a burst's first act (for rows written before, when it began to be processed)."""
    try:
        started = dt.datetime.fromisoformat(str(row.data.get("started_at")))
    except ValueError:
        return None
    return started if timezone.is_aware(started) else None


NamesOf = Callable[[Activity], Mapping[str, Any]]
"""The wording's values for another act of the same burst (see ``notification_deliver``)."""


@dataclass(frozen=True)
class _Delivery:
    """What the notifications of one delivery share; :meth:`row` makes one recipient's."""

    kind: str
    business: Business | None
    activity: Activity | None
    url: str
    names: Mapping[str, Any]
    data: Mapping[str, Any]
    group_key: str
    count: int
    now: dt.datetime
    occurred_at: dt.datetime
    names_of: NamesOf | None = None

    def row(self, user_id: int, language: str, channels: frozenset[str], burst: Notification | None) -> Notification:
        """The recipient's notification; continuing ``burst`` (their unread one of the same group whose
        window takes this act) it counts one more act and names the row it replaces.

        A burst speaks of its latest act by the acts' times: an older act processed late adds to the
        count and keeps the burst's latest act, its words, its link and its time."""
        names: Mapping[str, Any] = self.names
        data: dict[str, Any] = dict(self.data)
        activity, url, occurred_at = self.activity, self.url, self.occurred_at
        activity_ids = [self.activity.pk] if self.activity is not None else []
        count = self.count
        if burst is not None:
            count = burst.count + 1
            if burst.occurred_at > self.occurred_at:  # a late act from before the burst's latest one
                latest = burst.activity
                if latest is not None and self.names_of is not None:
                    names = self.names_of(latest)
                    activity = latest
                data = {key: value for key, value in burst.data.items() if key not in ("in_app", "replaces")}
                url, occurred_at = burst.url, burst.occurred_at
            activity_ids = (list(burst.activity_ids) + activity_ids)[-MAX_GROUP_ACTIVITY_IDS:]
            started_at = _started_at(burst)
            data["started_at"] = min(started_at, self.occurred_at).isoformat() if started_at else None
            data["replaces"] = ([*burst.data.get("replaces", []), burst.pk])[-MAX_GROUP_ACTIVITY_IDS:]
        elif self.group_key:
            data["started_at"] = self.occurred_at.isoformat()
        if Channel.IN_APP not in channels:
            data["in_app"] = False
        with translation.override(language or None):
            title, body = rules.message(self.kind, count=count, **names)
        return Notification(
            recipient_id=user_id,
            business=self.business,
            kind=self.kind,
            priority=rules.priority_for(self.kind),
            title=title[:200],
            body=body[:500],
            url=url[:500],
            data=data,
            group_key=self.group_key,
            count=count,
            activity=activity,
            activity_ids=activity_ids,
            occurred_at=occurred_at,
            read_at=None if Channel.IN_APP in channels else self.now,
        )


def _channels_wanted(
    kind: str, user_ids: Sequence[int], preferences: Mapping[int, NotificationPreference]
) -> dict[int, frozenset[str]]:
    """The channels each recipient chose for ``kind``, for those who chose a delivering one (by id)."""
    chosen = {}
    for user_id in sorted(user_ids):
        channels = rules.channels_for(preferences.get(user_id), kind)
        if channels & DELIVERING_CHANNELS:
            chosen[user_id] = channels
    return chosen


def _bursts_to_continue(user_ids: Sequence[int], key: str, occurred_at: dt.datetime) -> dict[int, Notification]:
    """Each recipient's unread notification of group ``key`` whose window takes an act of ``occurred_at``.

    Should two of a person's bursts take it (an act between them, processed late), the one it
    stretches least grows; then the latest."""
    if not key:
        return {}
    chosen: dict[int, tuple[dt.timedelta, Notification]] = {}
    rows = Notification.objects.filter(recipient_id__in=user_ids, group_key=key, read_at__isnull=True).order_by("id")
    for row in rows:
        started_at = _started_at(row)
        if started_at is None or not rules.may_join_group(started_at, occurred_at, latest_at=row.occurred_at):
            continue
        stretch = max(started_at - occurred_at, occurred_at - row.occurred_at, dt.timedelta(0))
        best = chosen.get(row.recipient_id)
        if best is None or stretch <= best[0]:
            chosen[row.recipient_id] = (stretch, row)
    return {user_id: row for user_id, (_stretch, row) in chosen.items()}


@transaction.atomic
def notification_deliver(
    *,
    recipients: Sequence[Recipient],
    kind: str,
    business: Business | None,
    activity: Activity | None = None,
    url: str = "",
    names: Mapping[str, Any] | None = None,
    data: Mapping[str, Any] | None = None,
    subject: str = "",
    group_key: str | None = None,
    timezone_name: str | None = None,
    count: int = 1,
    now: dt.datetime | None = None,
    occurred_at: dt.datetime | None = None,
    names_of: NamesOf | None = None,
) -> list[Notification]:
    """Create (or grow) one notification per recipient who wants ``kind`` on a delivering channel.

    ``business`` is the business the recipients work for, or None for a customer's own notification
    (its preferences are the personal ones). ``subject`` names what a burst is about (a product id);
    an unread burst of the same kind and subject whose acts, this one's included, lie within
    ``rules.AGGREGATION_WINDOW`` is replaced by one row with the count plus one. ``count`` is a new
    row's count (a summary's total).

    ``occurred_at`` is when the act happened (default ``now``): bursts, the time a notification shows
    and its place in the centre follow it. ``now`` is when it is processed: pushes and quiet hours
    follow it. ``names_of`` gives the words of another act of the burst (its latest, when this act is
    older and processed late); without it the burst takes this act's words.
    """
    now = now or timezone.now()
    occurred_at = occurred_at or now
    if not recipients:
        return []
    by_user = dict(recipients)
    preferences = {
        pref.user_id: pref
        for pref in NotificationPreference.objects.filter(user_id__in=list(by_user), business=business)
    }
    chosen = _channels_wanted(kind, list(by_user), preferences)
    if not chosen:
        return []
    _recipients_lock(list(chosen))
    if group_key is None:
        group_key = rules.group_key(kind, business_id=business.pk if business else None, subject=subject)
    bursts = _bursts_to_continue(list(chosen), group_key, occurred_at)
    delivery = _Delivery(
        kind=kind,
        business=business,
        activity=activity,
        url=url,
        names=dict(names or {}),
        data=dict(data or {}),
        group_key=group_key,
        count=count,
        now=now,
        occurred_at=occurred_at,
        names_of=names_of,
    )
    rows = [
        delivery.row(user_id, by_user[user_id], channels, bursts.get(user_id)) for user_id, channels in chosen.items()
    ]
    if bursts:
        Notification.objects.filter(pk__in=[row.pk for row in bursts.values()]).delete()
    created = Notification.objects.bulk_create(rows, batch_size=500)
    user_ids = [row.recipient_id for row in created]
    transaction.on_commit(lambda: broadcast.publish(user_ids), robust=True)
    _push_schedule(created, preferences=preferences, timezone_name=timezone_name, now=now)
    return created


def _push_schedule(
    rows: Sequence[Notification],
    *,
    preferences: Mapping[int, NotificationPreference],
    timezone_name: str | None,
    now: dt.datetime,
) -> None:
    if not rows or not push.vapid_config().is_configured:
        return
    with_devices = set(
        PushSubscription.objects.filter(user_id__in={row.recipient_id for row in rows}).values_list(
            "user_id", flat=True
        )
    )
    immediate: list[int] = []
    for row in rows:
        if row.recipient_id not in with_devices:
            continue
        when = rules.push_time(preferences.get(row.recipient_id), row.kind, row.priority, now, timezone_name)
        if when is None:
            continue
        if when <= now:
            immediate.append(row.pk)
        else:
            transaction.on_commit(functools.partial(_push_later, [row.pk], when), robust=True)
    from etalase.notifications.tasks import push_notifications

    for start in range(0, len(immediate), PUSH_BATCH):
        dispatch.on_commit(push_notifications, immediate[start : start + PUSH_BATCH])


def _push_later(notification_ids: list[int], when: dt.datetime) -> None:
    from etalase.notifications.tasks import push_notifications

    if not push_notifications.get_backend().supports_defer:
        logger.info("Task backend cannot defer; push of %s after quiet hours skipped", notification_ids)
        return
    push_notifications.using(run_after=when).enqueue(notification_ids)


def notification_payload(row: Notification) -> dict[str, Any]:
    """What the live stream and web push carry for one notification."""
    return {
        "id": row.pk,
        "kind": row.kind,
        "priority": row.priority,
        "title": row.title,
        "body": row.body,
        "url": reverse("notifications:open", args=[row.pk]),
        "count": row.count,
        "business": row.business.name if row.business_id and row.business else None,
        "created_at": row.created_at.isoformat() if row.created_at else None,
        "occurred_at": row.occurred_at.isoformat() if row.occurred_at else None,
        "read": row.read_at is not None,
        "replaces": list(row.data.get("replaces", [])),
    }


def notification_push(*, notification_ids: Sequence[int], now: dt.datetime | None = None) -> int:
    """Push each notification to its recipient's devices, once; returns the pushes delivered.

    A 404/410 answer removes that device's subscription; other failures are counted on it. Quiet
    hours and preferences are checked again here: they may have changed since it was scheduled.
    """
    now = now or timezone.now()
    config = push.vapid_config()
    if not config.is_configured:
        return 0
    delivered = 0
    rows = Notification.objects.filter(pk__in=list(notification_ids), pushed_at__isnull=True).select_related("business")
    for row in rows:
        if row.read_at is not None and row.data.get("in_app", True):
            continue  # already seen in the app
        preference = NotificationPreference.objects.filter(user_id=row.recipient_id, business=row.business).first()
        tz_name = row.business.timezone if row.business else None
        when = rules.push_time(preference, row.kind, row.priority, now, tz_name)
        if when is None:
            continue
        if when > now:
            _push_later([row.pk], when)
            continue
        if not Notification.objects.filter(pk=row.pk, pushed_at__isnull=True).update(pushed_at=now):
            continue  # another worker pushed it
        payload = {
            **notification_payload(row),
            "icon": static("web/icons/icon-192.png"),
            "tag": row.group_key or f"notification-{row.pk}",
        }
        for subscription in PushSubscription.objects.filter(user_id=row.recipient_id):
            result = push.push_send(
                endpoint=subscription.endpoint,
                p256dh=subscription.p256dh,
                auth=subscription.auth,
                payload=payload,
                config=config,
            )
            if result.delivered:
                delivered += 1
                PushSubscription.objects.filter(pk=subscription.pk).update(last_success_at=now, failure_count=0)
            elif result.gone:
                PushSubscription.objects.filter(pk=subscription.pk).delete()
            else:
                PushSubscription.objects.filter(pk=subscription.pk).update(failure_count=F("failure_count") + 1)
    return delivered


# --- reading ---------------------------------------------------------------------------------------


@transaction.atomic
def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    """Mark one of the user's notifications read; another person's answers NotFound."""
    row = Notification.objects.select_for_update().filter(pk=notification_id, recipient=user).first()
    if row is None:
        raise NotFound()
    if row.read_at is None:
        row.read_at = timezone.now()
        row.save(update_fields=["read_at"])
    return row


@transaction.atomic
def notification_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


# --- preferences ---------------------------------------------------------------------------------


def _channels_clean(channels: Mapping[str, Any], kinds: Sequence[str]) -> dict[str, list[str]]:
    cleaned: dict[str, list[str]] = {}
    bad: dict[str, Any] = {}
    for kind, chosen in channels.items():
        if kind not in kinds:
            bad[f"channels.{str(kind)[:40]}"] = _("Unknown kind of notification.")
            continue
        if not isinstance(chosen, list | tuple) or any(item not in Channel.values for item in chosen):
            bad[f"channels.{kind}"] = _("Choose channels among: %(channels)s.") % {
                "channels": ", ".join(Channel.values)
            }
            continue
        cleaned[kind] = [value for value in Channel.values if value in chosen]
    if bad:
        raise ValidationError(_("Some choices are not valid."), fields=bad)
    return cleaned


@transaction.atomic
def notification_preference_update(
    *,
    user: User,
    business: Business | None = None,
    channels: Mapping[str, Any] | None = None,
    quiet_start: dt.time | None = None,
    quiet_end: dt.time | None = None,
    digest_enabled: bool = False,
    digest_hour: int = 18,
) -> NotificationPreference:
    """Save the user's choices for one business they work in (``business``, resolved by the caller
    from the user's memberships) or for themselves.

    Kinds a scope does not get (customer kinds in a business, team kinds in personal) are refused.
    Quiet hours need both ends (or neither); a business's quiet hours are in its timezone.
    """
    kinds = [*rules.MEMBER_KINDS, Kind.DIGEST] if business is not None else [*rules.CUSTOMER_KINDS, Kind.DIGEST]
    cleaned = _channels_clean(channels or {}, kinds)
    fields: dict[str, Any] = {}
    if (quiet_start is None) != (quiet_end is None):
        fields["quiet_end" if quiet_end is None else "quiet_start"] = _(
            "Give both the start and the end of quiet hours."
        )
    if quiet_start is not None and quiet_start == quiet_end:
        fields["quiet_end"] = _("Quiet hours must end at another time than they start.")
    if not 0 <= int(digest_hour) <= 23:
        fields["digest_hour"] = _("Choose an hour from 0 to 23.")
    if fields:
        raise ValidationError(_("Some choices are not valid."), fields=fields)
    preference, _created = NotificationPreference.objects.select_for_update().get_or_create(
        user=user, business=business
    )
    preference.channels = cleaned
    preference.quiet_start = quiet_start.replace(second=0, microsecond=0) if quiet_start else None
    preference.quiet_end = quiet_end.replace(second=0, microsecond=0) if quiet_end else None
    preference.digest_enabled = bool(digest_enabled)
    preference.digest_hour = int(digest_hour)
    preference.save()
    return preference


# --- push devices ----------------------------------------------------------------------------------


@transaction.atomic
def push_subscription_save(
    *, user: User, endpoint: Any, p256dh: Any, auth: Any, user_agent: str = ""
) -> PushSubscription:
    """Remember this browser for web push (validated strictly; the same endpoint moves to this user)."""
    endpoint, p256dh, auth = push.subscription_clean(endpoint=endpoint, p256dh=p256dh, auth=auth)
    subscription, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint,
        defaults={
            "user": user,
            "p256dh": p256dh,
            "auth": auth,
            "user_agent": (user_agent or "")[:300],
            "failure_count": 0,
        },
    )
    return subscription


@transaction.atomic
def push_subscription_delete(*, user: User, endpoint: Any) -> bool:
    if not isinstance(endpoint, str) or not endpoint or len(endpoint) > push.ENDPOINT_MAX_LENGTH:
        raise ValidationError(fields={"endpoint": _("Give the push subscription's endpoint.")})
    deleted, _details = PushSubscription.objects.filter(user=user, endpoint=endpoint.strip()).delete()
    return bool(deleted)


# --- daily summary ---------------------------------------------------------------------------------


def digest_send_due(*, now: dt.datetime | None = None) -> int:
    """Send the daily summary to everyone whose summary hour it is now (run hourly; idempotent per day).

    The summary counts the notifications of the last 24 hours in that scope and is pushed even for
    people whose other pushes wait for it.
    """
    now = now or timezone.now()
    sent = 0
    preferences = NotificationPreference.objects.filter(digest_enabled=True).select_related("business", "user")
    for preference in preferences.iterator(chunk_size=500):
        tz_name = preference.business.timezone if preference.business else None
        if not rules.digest_due(preference, now, tz_name):
            continue
        counts = (
            Notification.objects.filter(
                recipient_id=preference.user_id,
                business=preference.business,
                created_at__gte=now - dt.timedelta(days=1),
            )
            .exclude(kind=Kind.DIGEST)
            .aggregate(total=Count("id"))
        )
        total = int(counts["total"] or 0)
        day = rules.local_day_start(now, tz_name).date().isoformat()
        key = f"digest:{preference.business_id or '-'}:{day}"
        if not total or Notification.objects.filter(recipient_id=preference.user_id, group_key=key).exists():
            continue
        rows = notification_deliver(
            recipients=[(preference.user_id, preference.user.language)],
            kind=Kind.DIGEST,
            business=preference.business,
            url=reverse("notifications:centre"),
            group_key=key,
            timezone_name=tz_name,
            count=total,
            now=now,
        )
        sent += len(rows)
    return sent
