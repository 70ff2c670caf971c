"""Activities become notifications here (registered in ``NotificationsConfig.ready``).

Handlers are idempotent: an activity turned into notifications leaves a ``NotifiedActivity`` mark in
the same transaction, and a second run finds it and does nothing. The interest flag on a view is kept
to one per customer, product and day by its group key instead, so views leave no mark.
"""

import datetime as dt
import functools
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from etalase.activity.models import Activity
from etalase.activity.registry import handler_register
from etalase.catalog.enums import Verb as CatalogVerb
from etalase.catalog.models import Post, Product
from etalase.directory.models import Business, Membership
from etalase.engagement.enums import Verb as EngagementVerb
from etalase.engagement.models import Follow
from etalase.notifications import rules, services
from etalase.notifications.enums import Kind
from etalase.notifications.models import Notification, NotifiedActivity
from etalase.orders.enums import OrderStatus
from etalase.orders.enums import Verb as OrderVerb
from etalase.orders.models import Order


def _reverse(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _product_url(business: Business, product_id: Any) -> str:
    try:
        return _reverse("catalog:product", business.slug, int(product_id))
    except (TypeError, ValueError):
        return _reverse("catalog:storefront", business.slug)


def _actor_name(activity: Activity) -> str | None:
    actor = activity.actor
    return (actor.name or None) if actor is not None else None


def _claim_recent(activity: Activity, now: dt.datetime) -> bool:
    """True the first time a recent activity is seen; False when it is old (a replay of history stays
    silent) or already made its notifications."""
    if not rules.is_recent(activity, now):
        return False
    _mark, created = NotifiedActivity.objects.get_or_create(activity_id=activity.pk)
    return created


def _team(business: Business, kind: str, actor_id: int | None) -> list[services.Recipient]:
    memberships = Membership.objects.filter(business=business).select_related("user")
    chosen = rules.members_to_tell(memberships, kind, actor_id=actor_id)
    return [(m.user_id, m.user.language) for m in chosen if m.user.is_active]


def _product_id(activity: Activity) -> Any:
    return activity.data.get("product_id") or (
        activity.target_id if activity.verb == EngagementVerb.FAVOURITED else None
    )


def _team_names(activity: Activity, business: Business) -> dict[str, Any]:
    return {
        "actor": _actor_name(activity),
        "business": business.name,
        "product": activity.data.get("title"),
        "excerpt": activity.data.get("excerpt"),
    }


def notify_team(activity: Activity) -> None:
    """Favourites, comments, questions, follows, complaints → the members who should know.

    Everything told is as of the act's time, whenever it is processed; only whether it is still
    recent enough to tell, and when to push, follow the clock."""
    business = activity.business
    kind = rules.MEMBER_KIND_FOR_VERB.get(activity.verb)
    if business is None or kind is None:
        return
    now = timezone.now()
    if not _claim_recent(activity, now):
        return
    names = _team_names(activity, business)
    product_id = _product_id(activity)
    url = _product_url(business, product_id) if product_id else _reverse("directory:dashboard", business.slug)
    subject = str(product_id or "")
    if kind == Kind.FAVOURITED and activity.actor_id and product_id:
        views = rules.product_views_today(
            business_id=business.pk,
            actor_id=activity.actor_id,
            product_id=int(product_id),
            now=activity.occurred_at,
            timezone_name=business.timezone,
        )
        if rules.is_interested(views) and _interest_deliver(
            activity, business, int(product_id), views, names, url, now
        ):
            return  # the interest flag says it all; the plain favourite would repeat it
    if kind == Kind.FOLLOWED:
        subject = "follows"
        url = _reverse("customers:list", business.slug)
    elif kind == Kind.COMPLAINT:
        url = str(activity.data.get("url") or _reverse("directory:inbox", business.slug))
    services.notification_deliver(
        recipients=_team(business, kind, activity.actor_id),
        kind=kind,
        business=business,
        activity=activity,
        url=url,
        names=names,
        data={"verb": activity.verb, "product_id": product_id, "actor_id": activity.actor_id},
        subject=subject,
        timezone_name=business.timezone,
        now=now,
        occurred_at=activity.occurred_at,
        names_of=lambda latest: _team_names(latest, business),
    )


def _interest_deliver(
    activity: Activity, business: Business, product_id: int, views: int, names: dict[str, Any], url: str, now: Any
) -> bool:
    """Flag this customer's interest, once per product and day (the act's); False when already flagged."""
    key = rules.interest_key(
        actor_id=activity.actor_id or 0,
        product_id=product_id,
        now=activity.occurred_at,
        timezone_name=business.timezone,
    )
    if Notification.objects.filter(business=business, group_key=key).exists():
        return False
    services.notification_deliver(
        recipients=_team(business, Kind.INTEREST, activity.actor_id),
        kind=Kind.INTEREST,
        business=business,
        activity=activity,
        url=url,
        names={**names, "views": views},
        data={"verb": activity.verb, "product_id": product_id, "actor_id": activity.actor_id, "views": views},
        group_key=key,
        timezone_name=business.timezone,
        now=now,
        occurred_at=activity.occurred_at,
    )
    return True


def flag_interest_on_view(activity: Activity) -> None:
    """A signed-in customer who favourited a product today views it for the third time: tell the team.

    Views alone never notify; this is the one rule that reads them."""
    business = activity.business
    if business is None or activity.actor_id is None or not activity.target_id.isdigit():
        return
    now = timezone.now()
    if not rules.is_recent(activity, now):
        return
    product_id = int(activity.target_id)
    views = rules.product_views_today(
        business_id=business.pk,
        actor_id=activity.actor_id,
        product_id=product_id,
        now=activity.occurred_at,
        timezone_name=business.timezone,
    )
    if not rules.is_interested(views) or not rules.favourited_today(
        business_id=business.pk,
        actor_id=activity.actor_id,
        product_id=product_id,
        now=activity.occurred_at,
        timezone_name=business.timezone,
    ):
        return
    title = Product.objects.filter(pk=product_id).values_list("title", flat=True).first()
    names = {"actor": _actor_name(activity), "business": business.name, "product": title}
    _interest_deliver(activity, business, product_id, views, names, _product_url(business, product_id), now)


def notify_followers(activity: Activity) -> None:
    """A shop published a product or a post: everyone following it hears, in batches."""
    business = activity.business
    kind = rules.FOLLOWER_KIND_FOR_VERB.get(activity.verb)
    if business is None or kind is None:
        return
    now = timezone.now()
    if not _claim_recent(activity, now):
        return
    names: dict[str, Any] = {"business": business.name}
    subject = str(business.pk)
    if kind == Kind.NEW_PRODUCT:
        product = Product.objects.filter(pk=activity.target_id, business=business).only("title").first()
        if product is None:
            return
        names["product"] = product.title
        url = _product_url(business, product.pk)
    else:
        post = Post.objects.filter(pk=activity.target_id, business=business).only("caption").first()
        if post is None:
            return
        names["excerpt"] = (post.caption or "")[:200]
        url = _reverse("catalog:posts", business.slug)
        subject = str(post.pk)
    followers = (
        Follow.objects.filter(business=business, user__is_active=True)
        .exclude(user_id=activity.actor_id or 0)
        .order_by("user_id")
        .values_list("user_id", "user__language")
    )
    batch: list[services.Recipient] = []
    for recipient in followers.iterator(chunk_size=rules.FOLLOWER_BATCH):
        batch.append(recipient)
        if len(batch) >= rules.FOLLOWER_BATCH:
            _followers_deliver(batch, kind, business, activity, url, names, subject, now)
            batch = []
    _followers_deliver(batch, kind, business, activity, url, names, subject, now)


def _followers_deliver(
    batch: list[services.Recipient],
    kind: str,
    business: Business,
    activity: Activity,
    url: str,
    names: dict[str, Any],
    subject: str,
    now: Any,
) -> None:
    if batch:
        services.notification_deliver(
            recipients=batch,
            kind=kind,
            business=None,
            activity=activity,
            url=url,
            names=names,
            data={"verb": activity.verb, "shop": business.slug},
            subject=f"{business.pk}:{subject}",
            now=now,
            occurred_at=activity.occurred_at,
            names_of=functools.partial(_new_product_names, business),
        )


def _new_product_names(business: Business, latest: Activity) -> dict[str, Any]:
    """A new-products burst's words for its latest act (an older one processed late joins it)."""
    title = Product.objects.filter(pk=latest.target_id, business=business).values_list("title", flat=True).first()
    return {"business": business.name, "product": title}


def notify_asker(activity: Activity) -> None:
    """The shop answered a question: the person who asked hears."""
    business = activity.business
    asked_by = activity.data.get("asked_by")
    if business is None or not isinstance(asked_by, int) or asked_by == activity.actor_id:
        return
    now = timezone.now()
    if not _claim_recent(activity, now):
        return
    from django.contrib.auth import get_user_model

    asker = get_user_model().objects.filter(pk=asked_by, is_active=True).only("language").first()
    if asker is None:
        return
    product_id = activity.data.get("product_id")
    title = Product.objects.filter(pk=product_id).values_list("title", flat=True).first() if product_id else None
    services.notification_deliver(
        recipients=[(asker.pk, asker.language)],
        kind=Kind.ANSWERED,
        business=None,
        activity=activity,
        url=_product_url(business, product_id),
        names={"business": business.name, "product": title, "excerpt": activity.data.get("excerpt")},
        data={"verb": activity.verb, "shop": business.slug, "product_id": product_id},
        now=now,
        occurred_at=activity.occurred_at,
    )


# --- orders and payments --------------------------------------------------------------------------


def _order_of(activity: Activity) -> Order | None:
    if activity.business_id is None or not activity.target_id.isdigit():
        return None
    return (
        Order.objects.select_related("contact")
        .filter(pk=int(activity.target_id), business_id=activity.business_id)
        .first()
    )


def _staff_order_url(business: Business, number: Any) -> str:
    if number is not None:
        url = _reverse("orders:manage_detail", business.slug, number)
        if url:
            return url
    return (
        _reverse("orders:manage_list", business.slug)
        or _reverse("directory:orders", business.slug)
        or _reverse("directory:dashboard", business.slug)
    )


def _customer_order_url(business: Business, number: Any) -> str:
    if number is not None:
        url = _reverse("orders:my_order", business.slug, number)
        if url:
            return url
    return _reverse("orders:my_orders")


def notify_order(activity: Activity) -> None:
    """Orders and payments: the team hears of new orders, payments received or waiting for
    confirmation and orders the customer cancelled; the customer hears of their order's progress, a
    cancellation by the shop, and of their payments being confirmed or rejected (``rules``)."""
    business = activity.business
    if business is None:
        return
    data: dict[str, Any] = dict(activity.data) if isinstance(activity.data, dict) else {}
    team_kind = rules.order_team_kind(activity.verb, data)
    customer_id = rules.order_customer_id(activity)
    customer_kind = rules.order_customer_kind(activity.verb, data) if customer_id is not None else None
    if team_kind is None and customer_kind is None:
        return
    now = timezone.now()
    if not _claim_recent(activity, now):
        return
    order = _order_of(activity)
    number = data.get("number") if data.get("number") is not None else (order.number if order else None)
    customer_name = data.get("customer_name") or (order.contact.display_name if order else None)
    names: dict[str, Any] = {
        "actor": customer_name or _actor_name(activity),
        "business": business.name,
        "number": number,
        "amount_minor": data.get("amount_minor"),
        "currency": order.currency if order else None,
        "method": data.get("method"),
        "reason": data.get("reason"),
        "order_paid": data.get("order_paid"),
        "excerpt": data.get("excerpt"),
    }
    if team_kind is not None and not (team_kind == Kind.PAID and rules.payment_told(activity)):
        if team_kind == Kind.ORDERED and rules.is_first_order(activity):
            team_kind = Kind.FIRST_ORDER
        services.notification_deliver(
            recipients=_team(business, team_kind, rules.order_team_excluded(activity)),
            kind=team_kind,
            business=business,
            activity=activity,
            url=_staff_order_url(business, number),
            names=names,
            data={"verb": activity.verb, "number": number, "actor_id": activity.actor_id},
            timezone_name=business.timezone,
            now=now,
            occurred_at=activity.occurred_at,
        )
    if customer_kind is not None:
        from django.contrib.auth import get_user_model

        customer = get_user_model().objects.filter(pk=customer_id or 0, is_active=True).only("language").first()
        if customer is None:
            return
        status = OrderStatus.CANCELLED if activity.verb == OrderVerb.CANCELLED else data.get("to")
        outcome = "rejected" if activity.verb == OrderVerb.PAYMENT_REJECTED else "confirmed"
        services.notification_deliver(
            recipients=[(customer.pk, customer.language)],
            kind=customer_kind,
            business=None,
            activity=activity,
            url=_customer_order_url(business, number),
            names={**names, "method": None, "status": status, "outcome": outcome},
            data={"verb": activity.verb, "shop": business.slug, "number": number},
            now=now,
            occurred_at=activity.occurred_at,
        )


def register() -> None:
    handler_register(notify_team, verbs=list(rules.MEMBER_KIND_FOR_VERB))
    handler_register(notify_followers, verbs=list(rules.FOLLOWER_KIND_FOR_VERB))
    handler_register(notify_order, verbs=sorted(rules.ORDER_VERBS))
    handler_register(notify_asker, verbs=[EngagementVerb.ANSWERED])
    handler_register(flag_interest_on_view, verbs=[CatalogVerb.VIEWED_PRODUCT])
