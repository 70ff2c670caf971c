"""Writes to the daily rollups: apply one activity (live), or rebuild a date range from the spine.

Both paths go through :func:`activity_contributions`, so a rebuilt range equals what live processing
wrote. A day is the calendar day in the business's own timezone, computed here in Python with
``zoneinfo`` (never with the database's timezone functions, which differ between SQLite and
PostgreSQL).

Idempotency: applying an activity first inserts its ``AppliedActivity`` row; a second attempt hits
the primary key and counts nothing. Increments are ``UPDATE ... SET value = value + n`` (``F()``),
then an INSERT in a savepoint when the row does not exist yet, then the UPDATE again if another
transaction inserted it first: safe on SQLite and PostgreSQL without a lock.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from etalase.activity.models import Activity
from etalase.catalog.enums import Verb as CatalogVerb
from etalase.catalog.models import Product
from etalase.core.errors import ValidationError
from etalase.core.numbers import positive_whole_number
from etalase.directory.models import Business
from etalase.engagement.enums import Verb as EngagementVerb
from etalase.insights.enums import Metric
from etalase.insights.models import AppliedActivity, DailyMetric, DailyVisitor
from etalase.orders.enums import Verb as OrderVerb

VIEW_VERBS = frozenset({CatalogVerb.VIEWED_BUSINESS, CatalogVerb.VIEWED_PRODUCT})
COUNTED_VERBS: frozenset[str] = frozenset(
    {
        *VIEW_VERBS,
        EngagementVerb.FAVOURITED,
        EngagementVerb.UNFAVOURITED,
        EngagementVerb.FOLLOWED,
        EngagementVerb.UNFOLLOWED,
        EngagementVerb.COMMENTED,
        EngagementVerb.ASKED,
        EngagementVerb.SHARED,
        OrderVerb.ORDERED,
        OrderVerb.PAID,
        OrderVerb.PAYMENT_CONFIRMED,
        OrderVerb.PAYMENT_REJECTED,
        OrderVerb.CANCELLED,
    }
)
"""The verbs the rollups count; every other activity is ignored (and not written to the ledger)."""

VISITOR_KEY_LENGTH = 64
BULK_BATCH = 5000
Contribution = tuple[str, int | None, int]  # (metric, product id or None for the whole shop, value)


def _as_int(value: Any) -> int | None:
    """A positive id, given as a whole number or as its digits (target ids are text)."""
    if isinstance(value, str):
        try:
            value = int(value)
        except ValueError:
            return None
    return positive_whole_number(value)


def _amount(data: dict[str, Any]) -> int:
    return positive_whole_number(data.get("amount_minor")) or 0


@dataclass(frozen=True)
class ContentTypes:
    product: int
    business: int

    @classmethod
    def load(cls) -> ContentTypes:
        return cls(
            product=ContentType.objects.get_for_model(Product).pk,
            business=ContentType.objects.get_for_model(Business).pk,
        )


def activity_products(
    *, verb: str, target_type_id: int | None, target_id: str, data: dict[str, Any], types: ContentTypes
) -> list[int]:
    """The product ids an activity is about (before checking they belong to its business)."""
    if verb in (CatalogVerb.VIEWED_PRODUCT, EngagementVerb.FAVOURITED, EngagementVerb.UNFAVOURITED):
        if target_type_id == types.product:
            found = _as_int(target_id)
            return [found] if found else []
        found = _as_int(data.get("product_id"))
        return [found] if found else []
    if verb in (EngagementVerb.COMMENTED, EngagementVerb.ASKED):
        found = _as_int(data.get("product_id"))
        return [found] if found else []
    if verb == EngagementVerb.SHARED and data.get("what") == "product":
        found = _as_int(data.get("id"))
        return [found] if found else []
    if verb == OrderVerb.ORDERED and isinstance(data.get("product_ids"), list):
        return sorted({number for item in data["product_ids"] if (number := _as_int(item))})
    return []


SHOP_COUNTS: dict[str, str] = {
    CatalogVerb.VIEWED_BUSINESS: Metric.STOREFRONT_VIEWS,
    EngagementVerb.FOLLOWED: Metric.FOLLOWERS_GAINED,
    EngagementVerb.UNFOLLOWED: Metric.FOLLOWERS_LOST,
}
"""Verbs counted once for the whole shop."""
SHOP_AND_PRODUCT_COUNTS: dict[str, str] = {
    CatalogVerb.VIEWED_PRODUCT: Metric.PRODUCT_VIEWS,
    EngagementVerb.FAVOURITED: Metric.FAVOURITES,
    EngagementVerb.UNFAVOURITED: Metric.UNFAVOURITES,
    EngagementVerb.COMMENTED: Metric.COMMENTS,
    EngagementVerb.ASKED: Metric.QUESTIONS,
    EngagementVerb.SHARED: Metric.SHARES,
    OrderVerb.ORDERED: Metric.ORDERS,
}
"""Verbs counted once for the whole shop and once for each product they are about."""


def activity_contributions(*, verb: str, data: dict[str, Any], products: Iterable[int]) -> list[Contribution]:
    """What one activity adds to its day's rollups; ``products`` are its own business's products."""
    rows: list[Contribution] = []
    if verb in SHOP_COUNTS:
        rows.append((SHOP_COUNTS[verb], None, 1))
    elif verb in SHOP_AND_PRODUCT_COUNTS:
        metric = SHOP_AND_PRODUCT_COUNTS[verb]
        rows.append((metric, None, 1))
        rows.extend((metric, product_id, 1) for product_id in products)
    amount = _amount(data)
    if verb == OrderVerb.ORDERED and amount:
        rows.append((Metric.ORDER_VALUE, None, amount))
    elif verb == OrderVerb.CANCELLED:
        rows.append((Metric.CANCELLATIONS, None, 1))
        if amount:
            rows.append((Metric.CANCELLED_VALUE, None, amount))
    elif verb in (OrderVerb.PAID, OrderVerb.PAYMENT_CONFIRMED):
        # ``paid``: each payment made. Recorded and confirmed at once (cash at the counter, a gateway
        # payment) it is confirmed too; a payment confirmed later has its own ``payment_confirmed``.
        made = verb == OrderVerb.PAID
        confirmed = not made or data.get("confirmed") is True
        if made and amount:
            rows.append((Metric.PAYMENTS_PAID, None, amount))
        if confirmed and amount:
            rows.append((Metric.PAYMENTS_CONFIRMED, None, amount))
        if confirmed and data.get("order_paid") is True:  # the payment that made the order fully paid
            rows.append((Metric.PAID_ORDERS, None, 1))
    elif verb == OrderVerb.PAYMENT_REJECTED and amount:
        rows.append((Metric.PAYMENTS_REJECTED, None, amount))
    return rows


def activity_visitor_key(*, verb: str, data: dict[str, Any], actor_id: int | None) -> str | None:
    """Who viewed: the anonymous visitor key views carry, else the signed-in user; None for other verbs."""
    if verb not in VIEW_VERBS:
        return None
    key = data.get("visitor")
    if isinstance(key, str) and key:
        return key[:VISITOR_KEY_LENGTH]
    return f"user:{actor_id}" if actor_id else None


def local_day(moment: dt.datetime, zone: ZoneInfo) -> dt.date:
    return moment.astimezone(zone).date()


def day_bounds(*, start: dt.date, end: dt.date, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants [from, until) covering local days ``start``..``end`` (inclusive) in ``zone``."""
    lower = dt.datetime.combine(start, dt.time.min, tzinfo=zone).astimezone(dt.UTC)
    upper = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone).astimezone(dt.UTC)
    return lower, upper


# --- live: one activity at a time -------------------------------------------------------------------


def _increment(*, business_id: int, day: dt.date, metric: str, product_id: int | None, value: int) -> None:
    product_filter: dict[str, Any] = {"product_id": product_id} if product_id else {"product__isnull": True}
    rows = DailyMetric.objects.filter(business_id=business_id, day=day, metric=metric, **product_filter)
    if rows.update(value=F("value") + value):
        return
    try:
        with transaction.atomic():
            DailyMetric.objects.create(
                business_id=business_id, day=day, metric=metric, product_id=product_id, value=value
            )
    except IntegrityError:  # another transaction created the row between our UPDATE and INSERT
        rows.update(value=F("value") + value)


@transaction.atomic
def rollup_apply(*, activity: Activity) -> bool:
    """Count one activity in its day's rollups; False when it does not count or was counted before."""
    if activity.business_id is None or activity.verb not in COUNTED_VERBS:
        return False
    try:
        with transaction.atomic():
            AppliedActivity.objects.create(
                activity_id=activity.pk, business_id=activity.business_id, occurred_at=activity.occurred_at
            )
    except IntegrityError:
        return False
    business_timezone = Business.objects.filter(pk=activity.business_id).values_list("timezone", flat=True).first()
    day = local_day(activity.occurred_at, ZoneInfo(business_timezone or "Asia/Jakarta"))
    data = activity.data if isinstance(activity.data, dict) else {}
    candidates = activity_products(
        verb=activity.verb,
        target_type_id=activity.target_type_id,
        target_id=activity.target_id,
        data=data,
        types=ContentTypes.load(),
    )
    products = (
        list(Product.objects.filter(business_id=activity.business_id, pk__in=candidates).values_list("pk", flat=True))
        if candidates
        else []
    )
    for metric, product_id, value in activity_contributions(verb=activity.verb, data=data, products=products):
        _increment(business_id=activity.business_id, day=day, metric=metric, product_id=product_id, value=value)
    visitor = activity_visitor_key(verb=activity.verb, data=data, actor_id=activity.actor_id)
    if visitor is not None:
        try:
            with transaction.atomic():
                DailyVisitor.objects.create(business_id=activity.business_id, day=day, visitor_key=visitor)
        except IntegrityError:
            return True  # already seen that day
        _increment(business_id=activity.business_id, day=day, metric=Metric.VISITORS, product_id=None, value=1)
    return True


# --- in bulk: many activities in a handful of statements ---------------------------------------------

LEDGER_BATCH = 500
"""Rows per INSERT: three to five parameters each, well under SQLite's and PostgreSQL's limits."""

MetricKey = tuple[int, dt.date, str, int | None]  # (business, day, metric, product or None)


def rollups_apply_many(activities: Sequence[Activity]) -> int:
    """Count many activities in their days' rollups; returns how many were new (counted now).

    The same result as :func:`rollup_apply` on each, in a handful of statements whatever the batch's
    size: one ledger insert for all (conflicts ignored, ``RETURNING`` says which rows are new), one
    read of the businesses' timezones and one of their products, one insert of the day's visitors
    (conflicts ignored, ``RETURNING`` gives the new ones, which count as unique visitors), then one
    upsert of whole-shop increments and one of product increments, summed per (business, day,
    metric, product). A batch with nothing to count sends no query.

    Idempotent: the ledger holds every activity counted, so a batch applied twice, or overlapping
    one applied by another process at the same moment, counts each activity once. On PostgreSQL a
    concurrent insert of the same ledger row waits for the other transaction and is skipped once it
    commits (counted there) or goes through if it rolls back; rows are written in id and key order so
    two overlapping batches wait for each other instead of deadlocking.
    """
    counted = {
        activity.pk: activity
        for activity in activities
        if activity.business_id is not None and activity.verb in COUNTED_VERBS and activity.pk is not None
    }
    if not counted:
        return 0
    return _counted_apply(sorted(counted.values(), key=lambda activity: activity.pk))


@transaction.atomic
def _counted_apply(activities: list[Activity]) -> int:
    new_ids = _ledger_claim(activities)
    if not new_ids:
        return 0
    fresh = [activity for activity in activities if activity.pk in new_ids]
    business_ids = {activity.business_id for activity in fresh if activity.business_id is not None}
    zones = {
        pk: ZoneInfo(name or "Asia/Jakarta")
        for pk, name in Business.objects.filter(pk__in=business_ids).values_list("pk", "timezone")
    }
    totals, visitors = _batch_contributions(fresh, zones=zones, types=ContentTypes.load())
    for business_id, day in _visitors_insert(visitors):
        totals[(business_id, day, Metric.VISITORS, None)] += 1
    _metrics_upsert(totals)
    return len(new_ids)


def _batch_contributions(
    activities: Sequence[Activity], *, zones: dict[int, ZoneInfo], types: ContentTypes
) -> tuple[Counter[MetricKey], set[tuple[int, dt.date, str]]]:
    """What the activities add, summed per key, and the (business, day, visitor) they saw."""
    candidates: dict[int, list[int]] = {}
    for activity in activities:
        data = activity.data if isinstance(activity.data, dict) else {}
        candidates[activity.pk] = activity_products(
            verb=activity.verb,
            target_type_id=activity.target_type_id,
            target_id=activity.target_id,
            data=data,
            types=types,
        )
    wanted = {pk for found in candidates.values() for pk in found}
    owned: dict[int, int] = (
        dict(Product.objects.filter(pk__in=wanted).values_list("pk", "business_id")) if wanted else {}
    )
    totals: Counter[MetricKey] = Counter()
    visitors: set[tuple[int, dt.date, str]] = set()
    for activity in activities:
        business_id = activity.business_id
        if business_id is None:  # filtered out before; for the type checker
            continue
        data = activity.data if isinstance(activity.data, dict) else {}
        day = local_day(activity.occurred_at, zones.get(business_id, ZoneInfo("Asia/Jakarta")))
        products = [pk for pk in candidates[activity.pk] if owned.get(pk) == business_id]
        for metric, product_id, value in activity_contributions(verb=activity.verb, data=data, products=products):
            totals[(business_id, day, metric, product_id)] += value
        visitor = activity_visitor_key(verb=activity.verb, data=data, actor_id=activity.actor_id)
        if visitor is not None:
            visitors.add((business_id, day, visitor))
    return totals, visitors


def _insert_returning(
    model: Any, columns: Sequence[str], rows: Sequence[tuple[Any, ...]], *, returning: Sequence[str]
) -> list[tuple[Any, ...]]:
    """``INSERT ... ON CONFLICT DO NOTHING RETURNING``: the rows this statement inserted (both databases)."""
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(name) for name in columns)}) VALUES "  # noqa: S608
    tail = f" ON CONFLICT DO NOTHING RETURNING {', '.join(quote(name) for name in returning)}"
    placeholder = f"({', '.join(['%s'] * len(columns))})"
    inserted: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for batch in _batched(rows, LEDGER_BATCH):
            cursor.execute(
                head + ", ".join([placeholder] * len(batch)) + tail, [value for row in batch for value in row]
            )
            inserted.extend(cursor.fetchall())
    return inserted


def _ledger_claim(activities: Sequence[Activity]) -> set[int]:
    """Write the ledger rows of ``activities`` (in their order); the ids that were not there before."""
    adapt = connection.ops.adapt_datetimefield_value
    inserted = _insert_returning(
        AppliedActivity,
        ["activity_id", "business_id", "occurred_at"],
        [(activity.pk, activity.business_id, adapt(activity.occurred_at)) for activity in activities],
        returning=["activity_id"],
    )
    return {int(pk) for (pk,) in inserted}


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _visitors_insert(visitors: set[tuple[int, dt.date, str]]) -> list[tuple[int, dt.date]]:
    """Remember the day's visitors; one (business, day) per visitor not seen that day before."""
    if not visitors:
        return []
    adapt = connection.ops.adapt_datefield_value
    inserted = _insert_returning(
        DailyVisitor,
        ["business_id", "day", "visitor_key"],
        [(business_id, adapt(day), key) for business_id, day, key in sorted(visitors)],
        returning=["business_id", "day"],
    )
    return [(int(business_id), _as_date(day)) for business_id, day in inserted]


def _metrics_upsert(totals: Counter[MetricKey]) -> None:
    """Add the totals to the rollup rows, creating the missing ones: one upsert per kind of row.

    Each kind of row has its own partial unique index (whole shop: product empty; per product), and
    an upsert names the index it conflicts on, predicate included."""
    quote = connection.ops.quote_name
    table = quote(DailyMetric._meta.db_table)
    value = quote("value")
    adapt = connection.ops.adapt_datefield_value
    ordered = sorted(totals.items(), key=_key)
    shop = [(b, adapt(day), metric, v) for (b, day, metric, p), v in ordered if p is None]
    products = [(b, adapt(day), metric, p, v) for (b, day, metric, p), v in ordered if p is not None]
    update = f"DO UPDATE SET {value} = {table}.{value} + EXCLUDED.{value}"
    product = quote("product_id")
    shop_index = f"({quote('business_id')}, {quote('day')}, {quote('metric')}) WHERE {product} IS NULL"
    product_index = (
        f"({quote('business_id')}, {quote('metric')}, {quote('day')}, {product}) WHERE {product} IS NOT NULL"
    )
    statements = (
        (shop, ["business_id", "day", "metric", "value"], shop_index),
        (products, ["business_id", "day", "metric", "product_id", "value"], product_index),
    )
    with connection.cursor() as cursor:
        for rows, columns, target in statements:
            placeholder = f"({', '.join(['%s'] * len(columns))})"
            for batch in _batched(rows, LEDGER_BATCH):
                cursor.execute(
                    f"INSERT INTO {table} ({', '.join(quote(name) for name in columns)}) "  # noqa: S608
                    f"VALUES {', '.join([placeholder] * len(batch))} ON CONFLICT {target} {update}",
                    [item for row in batch for item in row],
                )


def _key(item: tuple[MetricKey, int]) -> tuple[int, dt.date, str, int]:
    (business_id, day, metric, product_id), _value = item
    return business_id, day, metric, product_id or 0


# --- rebuild: a date range from the raw activity table ----------------------------------------------


@dataclass
class RebuildResult:
    businesses: int = 0
    activities: int = 0
    metric_rows: int = 0
    visitor_rows: int = 0


def _batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def rebuild_range_validate(*, start: dt.date, end: dt.date) -> None:
    if start > end:
        message = _("The start date is after the end date.")
        raise ValidationError(message, fields={"start": message})


def rollups_rebuild(
    *,
    businesses: Iterable[Business] | None = None,
    start: dt.date,
    end: dt.date,
    chunk_businesses: int = 50,
    progress: Callable[[int, int], None] | None = None,
) -> RebuildResult:
    """Recompute the rollups of local days ``start``..``end`` from the activity table.

    ``businesses`` None means every business. Works in chunks of businesses of one timezone, each in
    its own transaction: delete the chunk's rollup rows and ledger rows of the range, stream its
    activities once (one SELECT, read in batches), aggregate in memory, ``bulk_create`` the rows and
    write the ledger with one ``INSERT ... SELECT``. Memory is bounded by one chunk's rollup rows.

    Run it for past days, or while task workers are paused: an activity processed live during the
    rebuild of its own chunk may be counted by both.
    """
    rebuild_range_validate(start=start, end=end)
    queryset = (
        Business.objects.all() if businesses is None else Business.objects.filter(pk__in=[b.pk for b in businesses])
    )
    by_timezone: dict[str, list[int]] = defaultdict(list)
    for business_id, timezone_name in queryset.order_by("pk").values_list("pk", "timezone"):
        by_timezone[timezone_name].append(business_id)
    types = ContentTypes.load()
    result = RebuildResult(businesses=sum(len(ids) for ids in by_timezone.values()))
    done = 0
    for timezone_name, business_ids in by_timezone.items():
        zone = ZoneInfo(timezone_name)
        lower, upper = day_bounds(start=start, end=end, zone=zone)
        for chunk in _batched(business_ids, chunk_businesses):
            _rebuild_chunk(chunk, start=start, end=end, lower=lower, upper=upper, zone=zone, types=types, result=result)
            done += len(chunk)
            if progress is not None:
                progress(done, result.businesses)
    return result


@transaction.atomic
def _rebuild_chunk(
    business_ids: list[int],
    *,
    start: dt.date,
    end: dt.date,
    lower: dt.datetime,
    upper: dt.datetime,
    zone: ZoneInfo,
    types: ContentTypes,
    result: RebuildResult,
) -> None:
    DailyMetric.objects.filter(business_id__in=business_ids, day__gte=start, day__lte=end).delete()
    DailyVisitor.objects.filter(business_id__in=business_ids, day__gte=start, day__lte=end).delete()
    AppliedActivity.objects.filter(business_id__in=business_ids, occurred_at__gte=lower, occurred_at__lt=upper).delete()

    owned: dict[int, int] = dict(
        Product.objects.filter(business_id__in=business_ids).values_list("pk", "business_id").iterator(chunk_size=20000)
    )
    totals: Counter[tuple[int, dt.date, str, int | None]] = Counter()
    visitors: set[tuple[int, dt.date, str]] = set()
    activities = Activity.objects.filter(
        business_id__in=business_ids, occurred_at__gte=lower, occurred_at__lt=upper, verb__in=COUNTED_VERBS
    )
    rows = activities.order_by().values_list(
        "business_id", "verb", "target_type_id", "target_id", "data", "occurred_at", "actor_id"
    )
    day_cache: dict[tuple[int, int, int, int], dt.date] = {}
    for business_id, verb, target_type_id, target_id, data, occurred_at, actor_id in rows.iterator(chunk_size=20000):
        result.activities += 1
        # Most offsets change at most twice a year: cache the local day per UTC hour.
        hour = (occurred_at.year, occurred_at.month, occurred_at.day, occurred_at.hour)
        day = day_cache.get(hour)
        if day is None:
            day = day_cache[hour] = local_day(occurred_at, zone)
        data = data if isinstance(data, dict) else {}
        candidates = activity_products(
            verb=verb, target_type_id=target_type_id, target_id=target_id, data=data, types=types
        )
        products = [pk for pk in candidates if owned.get(pk) == business_id]
        for metric, product_id, value in activity_contributions(verb=verb, data=data, products=products):
            totals[(business_id, day, metric, product_id)] += value
        visitor = activity_visitor_key(verb=verb, data=data, actor_id=actor_id)
        if visitor is not None:
            visitors.add((business_id, day, visitor))
    for business_id, day, _visitor in visitors:
        totals[(business_id, day, Metric.VISITORS, None)] += 1

    adapt_day = connection.ops.adapt_datefield_value
    _rows_insert(
        DailyMetric,
        ["business_id", "day", "metric", "product_id", "value"],
        (
            (business_id, adapt_day(day), metric, product_id, value)
            for (business_id, day, metric, product_id), value in totals.items()
        ),
    )
    _rows_insert(
        DailyVisitor,
        ["business_id", "day", "visitor_key"],
        ((business_id, adapt_day(day), key) for business_id, day, key in visitors),
    )
    result.metric_rows += len(totals)
    result.visitor_rows += len(visitors)
    _ledger_fill(activities)


def _rows_insert(model: Any, columns: list[str], rows: Iterable[tuple[Any, ...]]) -> None:
    """``executemany`` in large batches: no model instances, for the millions of rows of a rebuild."""
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(name) for name in columns)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    with connection.cursor() as cursor:
        for batch in _batched(rows, BULK_BATCH):
            cursor.executemany(sql, batch)


def _ledger_fill(activities: Any) -> None:
    """``INSERT INTO ledger SELECT ...``: the database copies the ids, none travel through Python."""
    select_sql, params = activities.order_by().values_list("id", "business_id", "occurred_at").query.sql_with_params()
    table = connection.ops.quote_name(AppliedActivity._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(name) for name in ("activity_id", "business_id", "occurred_at"))
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) {select_sql}", params)  # noqa: S608
