"""What customer intelligence scores from, read from the database: each contact's order facts, the
business's RFM bounds (cached between nightly passes), and the views, favourites and orders behind a
contact's preferences.

Reads only: other apps' rows (orders, activities, favourites, products) are read with the business
filter, never written; the scores are stored through :mod:`etalase.customers.scores`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import fields
from itertools import batched
from typing import Any

from django.core.cache import cache
from django.db import connection, models
from django.db.models import Count, Max, Min, Q, Sum
from django.utils import timezone

from etalase.activity.models import Activity
from etalase.catalog.enums import Verb as CatalogVerb
from etalase.catalog.models import Product
from etalase.customers.models import Contact
from etalase.directory.models import Business
from etalase.engagement.enums import Verb as EngagementVerb
from etalase.engagement.models import Favourite
from etalase.insights.customers.scoring import (
    STAFF_CHANNELS,
    WINDOW_DAYS,
    OrderFacts,
    RfmBounds,
    bounds_from_facts,
    median_gap_of,
    preference_scores,
    preferences_build,
)
from etalase.orders.enums import OrderStatus
from etalase.orders.models import Order, OrderLine

BOUNDS_CACHE_TIMEOUT = 36 * 60 * 60
"""The nightly pass refreshes the cached quintile bounds; 36 hours survive one missed night."""
QUERY_CHUNK = 500
"""Ids per ``IN (...)`` list."""
PREFERENCE_VERBS = frozenset({CatalogVerb.VIEWED_PRODUCT, EngagementVerb.FAVOURITED, EngagementVerb.UNFAVOURITED})
"""The activities that change a contact's preferences besides orders."""


def scored_contacts(business: Business) -> models.QuerySet[Contact]:
    """The contacts that are scored: neither merged into another contact nor erased."""
    return Contact.objects.filter(business=business, merged_into__isnull=True, erased_at__isnull=True)


def counted_orders(business_id: int) -> models.QuerySet[Order]:
    """The orders that count: every one but the cancelled."""
    return Order.objects.filter(business_id=business_id).exclude(status=OrderStatus.CANCELLED)


def order_fact_aggregates(since: dt.datetime) -> dict[str, models.Aggregate]:
    """The aggregates behind :class:`OrderFacts`, named like its fields (``since``: the window's start)."""
    return {
        "orders": Count("id"),
        "first": Min("placed_at"),
        "last": Max("placed_at"),
        "recent_orders": Count("id", filter=Q(placed_at__gte=since)),
        "recent_paid": Sum("paid_minor", filter=Q(placed_at__gte=since), default=0),
        "staff_orders": Count("id", filter=Q(channel__in=STAFF_CHANNELS)),
    }


def _order_facts_query(business_id: int, since: dt.datetime) -> models.QuerySet[Any]:
    return (
        counted_orders(business_id)
        .filter(contact__merged_into__isnull=True, contact__erased_at__isnull=True)
        .values("contact_id")
        .annotate(**order_fact_aggregates(since))
        .order_by()
        .values_list("contact_id", *(item.name for item in fields(OrderFacts)))
    )


def _bounds_cache_key(business_id: int) -> str:
    return f"insights:customers:bounds:{business_id}"


def _gap_cache_key(business_id: int) -> str:
    return f"insights:customers:median-gap:{business_id}"


def raw_rows(queryset: models.QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The rows of a ``values_list`` query as the database driver returns them.

    Skips Django's per-value converters, which on SQLite parse each datetime in Python (2 s of the
    nightly pass for 400,000 order dates). Only for queries whose columns are plain fields followed
    by annotations, in that order (the SQL then lists them as ``values_list`` does). Datetimes come
    back as text on SQLite (:func:`_as_datetime`), sums as ``Decimal`` on PostgreSQL.
    """
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    return rows


def _as_datetime(value: Any) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)  # SQLite: naive UTC text


def order_facts_all(business: Business, now: dt.datetime) -> dict[int, OrderFacts]:
    since = now - dt.timedelta(days=WINDOW_DAYS)
    return {
        contact_id: OrderFacts(
            orders, _as_datetime(first), _as_datetime(last), recent_orders, int(recent_paid or 0), staff_orders
        )
        for contact_id, orders, first, last, recent_orders, recent_paid, staff_orders in raw_rows(
            _order_facts_query(business.pk, since)
        )
    }


def business_bounds(business: Business, *, now: dt.datetime | None = None) -> tuple[RfmBounds, float | None]:
    """The business's quintile bounds and median gap between orders, from the cache (filled by the
    nightly pass), computed and cached on a miss."""
    cached_bounds = cache.get(_bounds_cache_key(business.pk))
    cached_gap = cache.get(_gap_cache_key(business.pk), "missing")
    if cached_bounds is not None and cached_gap != "missing":
        return RfmBounds.from_dict(cached_bounds), cached_gap
    now = now or timezone.now()
    facts = order_facts_all(business, now).values()
    bounds = bounds_from_facts(facts, now=now, currency=business.currency)
    gap = median_gap_of(facts)
    bounds_store(business.pk, bounds, gap)
    return bounds, gap


def bounds_store(business_id: int, bounds: RfmBounds, gap: float | None) -> None:
    cache.set(_bounds_cache_key(business_id), bounds.as_dict(), BOUNDS_CACHE_TIMEOUT)
    cache.set(_gap_cache_key(business_id), gap, BOUNDS_CACHE_TIMEOUT)


def _category_of(business: Business) -> dict[str, str] | None:
    category = business.category
    if category is None:
        return None
    return {"slug": category.slug, "name_id": category.name_id, "name_en": category.name_en}


def preferences_compute(
    business: Business, contacts: Sequence[tuple[int, int | None]], *, now: dt.datetime
) -> dict[int, dict[str, Any]]:
    """Preferences of the given (contact id, user id) pairs: views and favourites by the contact's
    app account at this business, orders by the contact (order lines of orders not cancelled)."""
    since = now - dt.timedelta(days=WINDOW_DAYS)
    contact_ids = [contact_id for contact_id, _user in contacts]
    views, favourites = _views_and_favourites(business, contacts, since=since)
    orders = _ordered_products(business, contact_ids, since=since)
    scores = {
        contact_id: preference_scores(views[contact_id], favourites[contact_id], orders[contact_id])
        for contact_id in contact_ids
    }
    product_ids = {product_id for score in scores.values() for product_id in score}
    titles: dict[int, str] = {}
    for chunk in batched(sorted(product_ids), QUERY_CHUNK):
        titles.update(Product.objects.filter(business=business, pk__in=chunk).values_list("pk", "title"))
    category = _category_of(business)
    return {contact_id: preferences_build(score, titles, category) for contact_id, score in scores.items()}


def _views_and_favourites(
    business: Business, contacts: Sequence[tuple[int, int | None]], *, since: dt.datetime
) -> tuple[dict[int, dict[int, int]], dict[int, list[int]]]:
    """Per contact: product views (product id → count) since ``since``, and favourite products now."""
    contact_of_user = {user_id: contact_id for contact_id, user_id in contacts if user_id}
    views: dict[int, dict[int, int]] = defaultdict(dict)
    favourites: dict[int, list[int]] = defaultdict(list)
    for chunk in batched(list(contact_of_user), QUERY_CHUNK):
        rows = (
            Activity.objects.filter(
                business=business, verb=CatalogVerb.VIEWED_PRODUCT, actor_id__in=chunk, occurred_at__gte=since
            )
            .values("actor_id", "target_id")
            .annotate(count=Count("id"))
            .order_by()
            .values_list("actor_id", "target_id", "count")
        )
        for user_id, target_id, count in rows:
            if target_id.isdigit():
                views[contact_of_user[user_id]][int(target_id)] = count
        for user_id, product_id in Favourite.objects.filter(business=business, user_id__in=chunk).values_list(
            "user_id", "product_id"
        ):
            favourites[contact_of_user[user_id]].append(product_id)
    return views, favourites


def _ordered_products(
    business: Business, contact_ids: Sequence[int], *, since: dt.datetime
) -> dict[int, dict[int, int]]:
    """Per contact: in how many orders since ``since`` (cancelled ones left out) each product was."""
    orders: dict[int, dict[int, int]] = defaultdict(dict)
    for chunk in batched(contact_ids, QUERY_CHUNK):
        lines = (
            OrderLine.objects.filter(
                business=business, order__contact_id__in=chunk, order__placed_at__gte=since, product_id__isnull=False
            )
            .exclude(order__status=OrderStatus.CANCELLED)
            .values("order__contact_id", "product_id")
            .annotate(count=Count("order_id", distinct=True))
            .order_by()
            .values_list("order__contact_id", "product_id", "count")
        )
        for contact_id, product_id, count in lines:
            orders[contact_id][product_id] = count
    return orders


def recently_active(
    business: Business, scored: Sequence[tuple[int, int | None]], *, since: dt.datetime
) -> list[tuple[int, int | None]]:
    """The (contact id, user id) pairs of ``scored`` who viewed, favourited or ordered since ``since``."""
    users = set(
        Activity.objects.filter(
            business=business,
            verb__in=PREFERENCE_VERBS,
            occurred_at__gte=since,
            actor_id__isnull=False,
        )
        .values_list("actor_id", flat=True)
        .distinct()
    )
    contacts = set(
        counted_orders(business.pk).filter(placed_at__gte=since).values_list("contact_id", flat=True).distinct()
    ) | set(Order.objects.filter(business=business, cancelled_at__gte=since).values_list("contact_id", flat=True))
    return [(contact_id, user_id) for contact_id, user_id in scored if contact_id in contacts or user_id in users]


# --- the nightly pass's marks ------------------------------------------------------------------------


def _nightly_cache_key(business_id: int) -> str:
    return f"insights:customers:nightly:{business_id}"


def nightly_scored_at(business: Business) -> dt.datetime | None:
    """When the nightly pass last scored ``business`` (as long as the cache remembers)."""
    last = cache.get(_nightly_cache_key(business.pk))
    return dt.datetime.fromisoformat(last) if last else None


def nightly_scored_store(business: Business, *, now: dt.datetime) -> None:
    cache.set(_nightly_cache_key(business.pk), now.isoformat(), 2 * BOUNDS_CACHE_TIMEOUT)
