"""The analysis, in one place: who should know about an activity, and how it is told.

Each rule is a small function tested on its own (tests/notifications/test_rules.py). Handlers
(``handlers.py``) read an activity, ask these rules, and hand the answer to ``services``.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from etalase.activity.models import Activity
from etalase.catalog.enums import Verb as CatalogVerb
from etalase.core.formats import money_format
from etalase.core.numbers import is_whole_number, positive_whole_number
from etalase.customers.enums import Verb as CustomerVerb
from etalase.directory.permissions import Permission, permissions_for_role
from etalase.engagement.enums import Verb as EngagementVerb
from etalase.notifications.enums import Channel, Kind, Priority
from etalase.orders.enums import OrderStatus, PaymentMethod
from etalase.orders.enums import Verb as OrderVerb

RECENT = dt.timedelta(days=2)
"""Older activities notify nobody: a replay of history (the demo's 90 days, a restore) stays silent."""

AGGREGATION_WINDOW = dt.timedelta(hours=1)
INTEREST_MIN_VIEWS = 3
FOLLOWER_BATCH = 500


MEMBER_KIND_FOR_VERB: dict[str, Kind] = {
    EngagementVerb.FAVOURITED: Kind.FAVOURITED,
    EngagementVerb.COMMENTED: Kind.COMMENTED,
    EngagementVerb.ASKED: Kind.ASKED,
    EngagementVerb.FOLLOWED: Kind.FOLLOWED,
    CustomerVerb.COMPLAINED: Kind.COMPLAINT,
}
FOLLOWER_KIND_FOR_VERB: dict[str, Kind] = {
    CatalogVerb.PRODUCT_PUBLISHED: Kind.NEW_PRODUCT,
    CatalogVerb.POST_PUBLISHED: Kind.NEW_POST,
}
ORDER_VERBS = frozenset(
    {
        OrderVerb.ORDERED,
        OrderVerb.ORDER_STATUS_CHANGED,
        OrderVerb.CANCELLED,
        OrderVerb.PAID,
        OrderVerb.PAYMENT_CONFIRMED,
        OrderVerb.PAYMENT_REJECTED,
    }
)
"""The orders app's verbs that notify someone: the team (``order_team_kind``), the customer
(``order_customer_kind``), or both. ``reviewed`` notifies nobody."""
NOTIFYING_VERBS = frozenset([*MEMBER_KIND_FOR_VERB, *FOLLOWER_KIND_FOR_VERB, *ORDER_VERBS, EngagementVerb.ANSWERED])

P = Permission
KIND_PERMISSIONS: dict[str, frozenset[str]] = {
    Kind.FAVOURITED: frozenset({P.CATALOG_MANAGE, P.INBOX_VIEW}),
    Kind.COMMENTED: frozenset({P.CATALOG_MANAGE, P.INBOX_VIEW}),
    Kind.ASKED: frozenset({P.CATALOG_MANAGE, P.INBOX_VIEW}),
    Kind.INTEREST: frozenset({P.CATALOG_MANAGE, P.CUSTOMERS_VIEW}),
    Kind.FOLLOWED: frozenset({P.DASHBOARD_VIEW}),
    Kind.ORDERED: frozenset({P.ORDERS_VIEW}),
    Kind.FIRST_ORDER: frozenset({P.ORDERS_VIEW}),
    Kind.PAID: frozenset({P.ORDERS_VIEW, P.PAYMENTS_CONFIRM}),
    Kind.PAYMENT_WAITING: frozenset({P.PAYMENTS_CONFIRM}),
    Kind.ORDER_CANCELLED: frozenset({P.ORDERS_VIEW}),
    Kind.COMPLAINT: frozenset({P.TICKETS_MANAGE, P.INBOX_VIEW}),
}
"""A member hears of a kind when their role has any of these permissions."""

MEMBER_KINDS = tuple(KIND_PERMISSIONS)
CUSTOMER_KINDS = (Kind.NEW_PRODUCT, Kind.NEW_POST, Kind.ANSWERED, Kind.ORDER_STATUS, Kind.ORDER_PAYMENT)
AGGREGATED_KINDS = frozenset({Kind.FAVOURITED, Kind.COMMENTED, Kind.FOLLOWED, Kind.NEW_PRODUCT})
URGENT_KINDS = frozenset({Kind.PAYMENT_WAITING, Kind.COMPLAINT})
DEFAULT_CHANNELS = (Channel.IN_APP, Channel.PUSH)


# --- when --------------------------------------------------------------------------------------------


def is_recent(activity: Activity, now: dt.datetime) -> bool:
    return activity.occurred_at >= now - RECENT


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or settings.TIME_ZONE)
    except (KeyError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def local_day_start(now: dt.datetime, timezone_name: str | None) -> dt.datetime:
    """Midnight of ``now``'s day in that timezone, as an aware datetime."""
    local = now.astimezone(zone(timezone_name))
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


# --- who -----------------------------------------------------------------------------------------------


def member_hears(kind: str, role: str) -> bool:
    return bool(KIND_PERMISSIONS.get(kind, frozenset()) & permissions_for_role(role))


def members_to_tell(memberships: Iterable[Any], kind: str, *, actor_id: int | None) -> list[Any]:
    """The memberships whose role should hear of ``kind``; never the person who did the act."""
    return [m for m in memberships if m.user_id != actor_id and member_hears(kind, m.role)]


def priority_for(kind: str) -> Priority:
    return Priority.HIGH if kind in URGENT_KINDS else Priority.NORMAL


# --- analysis ------------------------------------------------------------------------------------------


def group_key(kind: str, *, business_id: int | None, subject: str) -> str:
    """Bursts of the same kind about the same thing share a key; other kinds never aggregate."""
    if kind not in AGGREGATED_KINDS:
        return ""
    return f"{kind}:{business_id or '-'}:{subject}"


def may_join_group(
    started_at: dt.datetime | None, occurred_at: dt.datetime, *, latest_at: dt.datetime | None = None
) -> bool:
    """An unread burst takes an act while its acts, this one included, lie within the window.

    The window is measured on the acts' own times (``started_at`` the burst's first, ``latest_at`` its
    latest), never on when they are processed: an act handled minutes late, after a backlog or a
    retry, joins the burst its time belongs to, and a backlog handled in one go makes the bursts live
    processing would have made. An act older than the burst's first may join too (out of order).
    """
    if started_at is None:
        return False
    first = min(started_at, occurred_at)
    last = max(latest_at or started_at, occurred_at)
    return last - first <= AGGREGATION_WINDOW


def product_views_today(
    *, business_id: int, actor_id: int, product_id: int, now: dt.datetime, timezone_name: str
) -> int:
    """How often this person viewed this product on ``now``'s day (the business's timezone), up to
    ``now``: pass the act's time, so an act processed late counts what had happened by then.

    A view is counted once an hour per visitor (``catalog.services.view_record``), so three views are
    three separate visits."""
    return Activity.objects.filter(
        business_id=business_id,
        actor_id=actor_id,
        verb=CatalogVerb.VIEWED_PRODUCT,
        target_id=str(product_id),
        occurred_at__gte=local_day_start(now, timezone_name),
        occurred_at__lte=now,
    ).count()


def favourited_today(*, business_id: int, actor_id: int, product_id: int, now: dt.datetime, timezone_name: str) -> bool:
    """Whether this person favourited this product on ``now``'s day, by ``now`` (the act's time)."""
    return Activity.objects.filter(
        business_id=business_id,
        actor_id=actor_id,
        verb=EngagementVerb.FAVOURITED,
        target_id=str(product_id),
        occurred_at__gte=local_day_start(now, timezone_name),
        occurred_at__lte=now,
    ).exists()


def is_interested(views_today: int) -> bool:
    return views_today >= INTEREST_MIN_VIEWS


def interest_key(*, actor_id: int, product_id: int, now: dt.datetime, timezone_name: str) -> str:
    """At most one interest flag per customer, product and local day."""
    return f"interest:{actor_id}:{product_id}:{local_day_start(now, timezone_name).date().isoformat()}"


def _id(value: Any) -> int | None:
    return positive_whole_number(value)


def is_first_order(activity: Activity) -> bool:
    """The customer's first order at this business: no earlier ``ordered`` activity of theirs.

    The customer is the order's contact when the activity names one (an order taken by phone has no
    customer account, or a member of staff as actor), else the actor. "Earlier" is by the acts' times
    (then ids, for two orders in the same instant), not by processing: the answer is the same whether
    the orders are handled live, late, or out of order."""
    if activity.business_id is None:
        return False
    earlier = Activity.objects.filter(business_id=activity.business_id, verb=OrderVerb.ORDERED).exclude(pk=activity.pk)
    data = activity.data if isinstance(activity.data, dict) else {}
    contact_id = _id(data.get("contact_id"))
    if contact_id is not None:
        earlier = earlier.filter(contact_id=contact_id)
    elif activity.actor_id is not None:
        earlier = earlier.filter(actor_id=activity.actor_id)
    else:
        return False
    before = Q(occurred_at__lt=activity.occurred_at) | Q(occurred_at=activity.occurred_at, pk__lt=activity.pk)
    return not earlier.filter(before).exists()


# --- orders and payments --------------------------------------------------------------------------


def order_team_kind(verb: str, data: Mapping[str, Any]) -> Kind | None:
    """What an order activity tells the team, if anything (see ``payment_told`` for repeats).

    - ``ordered``: a new order (a customer's first is told apart, ``is_first_order``);
    - ``paid``: money the shop holds (recorded and confirmed at once, or paid online) is a payment
      received; a payment still to be checked waits, urgently, for those who confirm payments;
    - ``payment_confirmed``: a payment received, when it makes the order fully paid;
    - ``cancelled``: only when the customer cancelled (the team knows what it cancelled itself).
    """
    if verb == OrderVerb.ORDERED:
        return Kind.ORDERED
    if verb == OrderVerb.PAID:
        return Kind.PAID if data.get("confirmed") is True else Kind.PAYMENT_WAITING
    if verb == OrderVerb.PAYMENT_CONFIRMED:
        return Kind.PAID if data.get("order_paid") is True else None
    if verb == OrderVerb.CANCELLED:
        return Kind.ORDER_CANCELLED if data.get("by_customer") is True else None
    return None


def order_customer_kind(verb: str, data: Mapping[str, Any]) -> Kind | None:
    """What an order activity tells the order's customer: their order moved on or was cancelled by
    the shop; their payment was confirmed (checked by the cashier, recorded and confirmed at once at
    the counter, or paid online) or rejected."""
    if verb == OrderVerb.ORDER_STATUS_CHANGED:
        return Kind.ORDER_STATUS
    if verb == OrderVerb.CANCELLED:
        return None if data.get("by_customer") is True else Kind.ORDER_STATUS
    if verb in (OrderVerb.PAYMENT_CONFIRMED, OrderVerb.PAYMENT_REJECTED):
        return Kind.ORDER_PAYMENT
    if verb == OrderVerb.PAID and data.get("confirmed") is True:
        return Kind.ORDER_PAYMENT
    return None


def order_customer_id(activity: Activity) -> int | None:
    """The account of the order's customer, unless they did the act themselves (or have none).

    A payment through the gateway names the customer as actor, but the confirmation comes from the
    gateway, later: the customer hears of it."""
    data = activity.data if isinstance(activity.data, dict) else {}
    customer_id = _id(data.get("customer_id"))
    if customer_id is None or (customer_id == activity.actor_id and not data.get("gateway")):
        return None
    return customer_id


def order_team_excluded(activity: Activity) -> int | None:
    """Who of the team is not told: whoever did the act, or the member who took the order (an
    ``ordered`` activity's actor is the customer)."""
    data = activity.data if isinstance(activity.data, dict) else {}
    return _id(data.get("taken_by_id")) or activity.actor_id


def payment_told(activity: Activity) -> bool:
    """A payment confirmation whose payment the team already heard of as received: it was recorded
    and confirmed at once (its ``paid`` activity says ``confirmed``). One payment, one notification."""
    data = activity.data if isinstance(activity.data, dict) else {}
    payment_id = _id(data.get("payment_id"))
    if activity.verb != OrderVerb.PAYMENT_CONFIRMED or payment_id is None or activity.business_id is None:
        return False
    return (
        Activity.objects.filter(business_id=activity.business_id, verb=OrderVerb.PAID, data__payment_id=payment_id)
        .filter(data__confirmed=True)
        .exclude(pk=activity.pk)
        .exists()
    )


# --- preferences -------------------------------------------------------------------------------------


def channels_for(preference: Any | None, kind: str) -> frozenset[str]:
    """The channels a person chose for ``kind`` (the defaults: in-app and push)."""
    chosen: Mapping[str, Any] = getattr(preference, "channels", None) or {}
    value = chosen.get(kind)
    if not isinstance(value, list):
        return frozenset(DEFAULT_CHANNELS)
    return frozenset(str(item) for item in value if item in Channel.values)


def in_quiet_hours(preference: Any | None, now: dt.datetime, timezone_name: str | None) -> bool:
    start: dt.time | None = getattr(preference, "quiet_start", None)
    end: dt.time | None = getattr(preference, "quiet_end", None)
    if start is None or end is None or start == end:
        return False
    local = now.astimezone(zone(timezone_name)).time()
    if start < end:
        return start <= local < end
    return local >= start or local < end  # over midnight, e.g. 22:00-07:00


def quiet_hours_end(preference: Any, now: dt.datetime, timezone_name: str | None) -> dt.datetime:
    """The next moment quiet hours end, after ``now`` (call only while in quiet hours)."""
    tz = zone(timezone_name)
    local = now.astimezone(tz)
    end = dt.datetime.combine(local.date(), preference.quiet_end, tzinfo=tz)
    if end <= local:
        end = dt.datetime.combine(local.date() + dt.timedelta(days=1), preference.quiet_end, tzinfo=tz)
    return end


def push_time(
    preference: Any | None, kind: str, priority: str, now: dt.datetime, timezone_name: str | None
) -> dt.datetime | None:
    """When to push: ``now``, the end of quiet hours, or never (None).

    Push waits for the end of quiet hours whatever the priority (the notification is in the app at
    once). With the daily summary on, only high-priority notifications are pushed one by one.
    """
    if Channel.PUSH not in channels_for(preference, kind):
        return None
    if getattr(preference, "digest_enabled", False) and priority != Priority.HIGH and kind != Kind.DIGEST:
        return None
    if in_quiet_hours(preference, now, timezone_name):
        return quiet_hours_end(preference, now, timezone_name)
    return now


def digest_due(preference: Any, now: dt.datetime, timezone_name: str | None) -> bool:
    return bool(preference.digest_enabled) and now.astimezone(zone(timezone_name)).hour == preference.digest_hour


# --- words -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Wording:
    """A kind's title and text for one act, and for a burst of ``count`` acts (no burst title: the kind
    never gathers). A text of None is the act's excerpt."""

    title: Promise
    text: Promise | str | None = None
    burst_title: Promise | None = None
    burst_text: Promise | str | None = None


LATEST_ACTOR = gettext_lazy("Latest: %(actor)s")
WORDING: dict[str, Wording] = {
    Kind.FAVOURITED: Wording(
        gettext_lazy("%(actor)s favourited %(product)s"),
        "",
        ngettext_lazy(
            "%(count)d new favourite on %(product)s in the last hour",
            "%(count)d new favourites on %(product)s in the last hour",
            "count",
        ),
        LATEST_ACTOR,
    ),
    Kind.COMMENTED: Wording(
        gettext_lazy("%(actor)s commented on %(product)s"),
        None,
        ngettext_lazy(
            "%(count)d new comment on %(product)s in the last hour",
            "%(count)d new comments on %(product)s in the last hour",
            "count",
        ),
    ),
    Kind.ASKED: Wording(gettext_lazy("%(actor)s asked about %(product)s")),
    Kind.FOLLOWED: Wording(
        gettext_lazy("%(actor)s followed %(business)s"),
        "",
        ngettext_lazy(
            "%(count)d new follower of %(business)s in the last hour",
            "%(count)d new followers of %(business)s in the last hour",
            "count",
        ),
        LATEST_ACTOR,
    ),
    Kind.INTEREST: Wording(
        ngettext_lazy(
            "%(actor)s viewed %(product)s %(views)d time today and favourited it",
            "%(actor)s viewed %(product)s %(views)d times today and favourited it",
            "views",
        ),
        gettext_lazy("A good moment to send a message."),
    ),
    Kind.COMPLAINT: Wording(gettext_lazy("Complaint from %(actor)s")),
    Kind.NEW_PRODUCT: Wording(
        gettext_lazy("%(business)s has something new: %(product)s"),
        "",
        ngettext_lazy(
            "%(business)s published %(count)d new product", "%(business)s published %(count)d new products", "count"
        ),
        gettext_lazy("Latest: %(product)s"),
    ),
    Kind.NEW_POST: Wording(gettext_lazy("%(business)s posted something new")),
    Kind.ANSWERED: Wording(gettext_lazy("%(business)s answered your question about %(product)s")),
    Kind.DIGEST: Wording(
        ngettext_lazy("Today: %(count)d new notification", "Today: %(count)d new notifications", "count")
    ),
}
"""The words of every kind but the orders' (``_order_message``)."""


def message(kind: str, *, count: int = 1, **names: Any) -> tuple[str, str]:
    """Title and text of a notification, in the active language (call under the recipient's)."""
    values = {"count": count, **{key: value for key, value in names.items() if value is not None}}
    values.setdefault("actor", _("A customer"))
    values.setdefault("product", _("a product"))
    values.setdefault("business", _("A shop"))
    excerpt = str(values.get("excerpt", ""))
    if kind in ORDER_KINDS:
        return _order_message(kind, values, excerpt)
    wording = WORDING.get(kind)
    if wording is None:
        return _("Something new happened"), excerpt
    if count != 1 and wording.burst_title is not None:
        title, text = wording.burst_title, wording.burst_text
    else:
        title, text = wording.title, wording.text
    return str(title % values), excerpt if text is None else str(text % values)


ORDER_KINDS = frozenset(
    {Kind.ORDERED, Kind.FIRST_ORDER, Kind.PAID, Kind.PAYMENT_WAITING, Kind.ORDER_CANCELLED}
    | {Kind.ORDER_STATUS, Kind.ORDER_PAYMENT}
)


def _order_details(values: dict[str, Any]) -> str:
    """ "Order #12 · Rp 50.000 · Bank transfer": what is known of the order and the money."""
    parts = []
    if values.get("number") is not None:
        parts.append(_("Order #%(number)s") % values)
    amount = values.get("amount_minor")
    if is_whole_number(amount):
        parts.append(money_format(amount, str(values.get("currency") or "IDR")))
    if values.get("method") in PaymentMethod.values:
        parts.append(str(PaymentMethod(values["method"]).label))
    return " · ".join(parts)


ORDER_UPDATED = gettext_lazy("Your order #%(number)s at %(business)s was updated")
STATUS_TITLES: dict[str, Promise] = {
    OrderStatus.CONFIRMED: gettext_lazy("Your order #%(number)s at %(business)s is confirmed"),
    OrderStatus.PACKED: gettext_lazy("Your order #%(number)s at %(business)s is packed"),
    OrderStatus.OUT_FOR_DELIVERY: gettext_lazy("Your order #%(number)s at %(business)s is on its way"),
    OrderStatus.READY_FOR_PICKUP: gettext_lazy("Your order #%(number)s at %(business)s is ready for pickup"),
    OrderStatus.COMPLETED: gettext_lazy("Your order #%(number)s at %(business)s is completed"),
    OrderStatus.CANCELLED: gettext_lazy("Your order #%(number)s at %(business)s was cancelled"),
}


def _order_message(kind: str, values: dict[str, Any], excerpt: str) -> tuple[str, str]:
    details = _order_details(values) or excerpt
    values.setdefault("number", "?")
    reason = str(values.get("reason") or "")
    if kind == Kind.ORDERED:
        return _("New order from %(actor)s") % values, details
    if kind == Kind.FIRST_ORDER:
        return _("First order from a new customer: %(actor)s") % values, details
    if kind == Kind.PAID:
        if values.get("order_paid") is True:
            details = _("%(details)s · paid in full") % {"details": details}
        return _("Payment received from %(actor)s") % values, details
    if kind == Kind.PAYMENT_WAITING:
        return _("A payment from %(actor)s is waiting for your confirmation") % values, details
    if kind == Kind.ORDER_CANCELLED:
        return _("%(actor)s cancelled order #%(number)s") % values, reason or details
    if kind == Kind.ORDER_STATUS:
        phrase = STATUS_TITLES.get(str(values.get("status")), ORDER_UPDATED)
        return str(phrase) % values, (_("Reason: %(reason)s") % {"reason": reason}) if reason else ""
    money = _order_details({"amount_minor": values.get("amount_minor"), "currency": values.get("currency")})
    where = _("Order #%(number)s at %(business)s") % values
    if values.get("outcome") == "rejected":
        if money:
            title = _("Your payment of %(amount)s was not accepted") % {"amount": money}
        else:
            title = _("Your payment was not accepted")
        return title, (_("%(where)s. Reason: %(reason)s") % {"where": where, "reason": reason}) if reason else where
    title = _("Payment of %(amount)s confirmed") % {"amount": money} if money else _("Your payment was confirmed")
    if values.get("order_paid") is True:
        return title, _("%(where)s is paid in full.") % {"where": where}
    return title, where
