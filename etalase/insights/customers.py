"""Customer intelligence: RFM scores and segments, loyalty and churn risk, the customer-information
matrix, cohort retention, and each contact's inferred preferences.

The module has three parts.

1. **Pure functions** (no database): how a number becomes a score. Every rule the owner sees is
   documented here, next to the code that applies it.
2. **Recomputation**: :func:`customer_scores_recompute` scores every contact of a business in a few
   aggregate queries and writes only what changed (the nightly ``customer_scores`` command);
   :func:`contact_scores_recompute` scores one contact cheaply as activity arrives (the activity
   handler :func:`customer_scores_on_activity`), with the business's quintile bounds cached.
3. **Reads** for the pages and the API: the RFM grid, loyalty, the matrix and the cohorts.

Who is scored: a business's contacts that are neither merged into another contact nor erased.
An order counts unless it was cancelled (a pending order is a purchase intent the owner acts on).
Money is confirmed money: an order's ``paid_minor``.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db import connection, models, transaction
from django.db.models import Case, Count, ExpressionWrapper, Max, Min, Q, Sum, Value, When
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from etalase.activity.models import Activity
from etalase.catalog.models import Product
from etalase.core.formats import minor_unit_digits
from etalase.customers.enums import RfmSegment
from etalase.customers.models import Contact, ContactTag, Note
from etalase.directory.models import Business
from etalase.engagement.enums import CommentKind
from etalase.engagement.models import Comment, Favourite
from etalase.orders.enums import OrderChannel, OrderStatus
from etalase.orders.models import Order, OrderLine

WINDOW_DAYS = 365
"""Frequency, money and preferences look back this many days."""

SMALL_SHOP = 5
"""Below this many customers with an order, quintiles mean nothing: fixed bounds are used instead."""

STAFF_CHANNELS = frozenset(
    {OrderChannel.PHONE, OrderChannel.CHAT, OrderChannel.WHATSAPP, OrderChannel.WALK_IN, OrderChannel.SMS}
)
"""Orders a member took for the customer (a personal service), as opposed to self-service web/API orders."""

BOUNDS_CACHE_TIMEOUT = 36 * 60 * 60
"""The nightly pass refreshes the cached quintile bounds; 36 hours survive one missed night."""

WRITE_CHUNK = 2_000
WRITE_TRANSACTION_ROWS = 10_000

Bounds = tuple[int, int, int, int]


# --- 1. pure functions: RFM ----------------------------------------------------------------------


def quintile_bounds(values: Sequence[int]) -> Bounds:
    """The four values that cut ``values`` into fifths (nearest-rank: the value at rank ⌈k·n/5⌉).

    Scores then count how many bounds a value is strictly above, so **equal values always share a
    score** and a value equal to a bound stays below it. When many customers share one value (most
    small shops: one order each), several bounds coincide and some scores stay unused rather than
    splitting identical customers arbitrarily.
    """
    if not values:
        return (0, 0, 0, 0)
    ordered = sorted(values)
    count = len(ordered)
    return tuple(ordered[math.ceil(k * count / 5) - 1] for k in range(1, 5))  # type: ignore[return-value]


def score_above(value: int, bounds: Bounds) -> int:
    """1 + how many bounds ``value`` is strictly above: 1 (bottom fifth) to 5 (top fifth)."""
    return 1 + sum(1 for bound in bounds if value > bound)


def score_below(value: int, bounds: Bounds) -> int:
    """1 + how many bounds ``value`` is strictly below (for recency: fewer days is better)."""
    return 1 + sum(1 for bound in bounds if value < bound)


# Fixed bounds for small shops (fewer than SMALL_SHOP customers with an order).
FIXED_RECENCY_DAYS: Bounds = (181, 91, 31, 15)
"""Days since the last order: 0–14 → 5, 15–30 → 4, 31–90 → 3, 91–180 → 2, more → 1."""
FIXED_FREQUENCY: Bounds = (1, 2, 3, 4)
"""Orders in the last 365 days: 0–1 → 1, 2 → 2, 3 → 3, 4 → 4, 5 or more → 5."""
FIXED_MONETARY_MAJOR: dict[str, Bounds] = {"IDR": (100_000, 500_000, 1_000_000, 2_000_000)}
"""Confirmed spend in 365 days, in major units, strictly above: IDR ≤ 100 000 → 1, ≤ 500 000 → 2,
≤ 1 000 000 → 3, ≤ 2 000 000 → 4, more → 5."""
FIXED_MONETARY_OTHER_MAJOR: Bounds = (10, 50, 100, 200)
"""The same for any other currency (sized for USD/EUR/SGD-like units)."""


@dataclass(frozen=True)
class RfmBounds:
    """Where the scores change for one business.

    ``recency`` is in days, and a score is 1 + how many bounds the days since the last order are
    *below*; ``frequency`` (orders in 365 days) and ``monetary`` (confirmed minor units in 365 days)
    score 1 + how many bounds the value is *above*.
    """

    recency: Bounds
    frequency: Bounds
    monetary: Bounds
    is_fixed: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "recency": list(self.recency),
            "frequency": list(self.frequency),
            "monetary": list(self.monetary),
            "is_fixed": self.is_fixed,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RfmBounds:
        return cls(
            recency=tuple(data["recency"]),  # type: ignore[arg-type]
            frequency=tuple(data["frequency"]),  # type: ignore[arg-type]
            monetary=tuple(data["monetary"]),  # type: ignore[arg-type]
            is_fixed=bool(data["is_fixed"]),
        )


def fixed_bounds(currency: str) -> RfmBounds:
    major = FIXED_MONETARY_MAJOR.get(currency, FIXED_MONETARY_OTHER_MAJOR)
    scale = 10 ** minor_unit_digits(currency)
    return RfmBounds(
        recency=FIXED_RECENCY_DAYS,
        frequency=FIXED_FREQUENCY,
        monetary=tuple(value * scale for value in major),  # type: ignore[arg-type]
        is_fixed=True,
    )


def rfm_bounds(
    recency_days: Sequence[int], frequencies: Sequence[int], monetary: Sequence[int], *, currency: str
) -> RfmBounds:
    """Quintile bounds over the business's customers (one value each), or the fixed bounds when
    fewer than :data:`SMALL_SHOP` customers have ordered."""
    if len(recency_days) < SMALL_SHOP:
        return fixed_bounds(currency)
    # Recency: fewer days is better. The bounds are those of the negated days, so a tie at a bound
    # again lands on the lower score.
    negated = quintile_bounds([-days for days in recency_days])
    return RfmBounds(
        recency=tuple(-bound for bound in negated),  # type: ignore[arg-type]
        frequency=quintile_bounds(frequencies),
        monetary=quintile_bounds(monetary),
        is_fixed=False,
    )


def rfm_scores(recency_days: int, frequency: int, monetary: int, bounds: RfmBounds) -> tuple[int, int, int]:
    return (
        score_below(recency_days, bounds.recency),
        score_above(frequency, bounds.frequency),
        score_above(monetary, bounds.monetary),
    )


def fm_score(frequency: int, monetary: int) -> int:
    """Frequency and money together: their mean, halves rounded up (so a big spender with few
    orders still counts), 1–5."""
    return (frequency + monetary + 1) // 2


S = RfmSegment
SEGMENT_GRID: dict[int, tuple[str, str, str, str, str]] = {
    # recency ↓ / FM →  1          2            3            4            5
    5: (S.NEW, S.POTENTIAL, S.POTENTIAL, S.CHAMPIONS, S.CHAMPIONS),
    4: (S.NEW, S.POTENTIAL, S.POTENTIAL, S.LOYAL, S.CHAMPIONS),
    3: (S.HIBERNATING, S.HIBERNATING, S.POTENTIAL, S.LOYAL, S.LOYAL),
    2: (S.HIBERNATING, S.HIBERNATING, S.AT_RISK, S.AT_RISK, S.CANT_LOSE),
    1: (S.LOST, S.LOST, S.AT_RISK, S.AT_RISK, S.CANT_LOSE),
}
"""The named segment of each (recency score, FM score) cell.

Recent and frequent/big: Champions; frequent/big but a little less recent: Loyal; recent with a
few orders: Potential loyalist; recent with one small order: New; frequent/big but not seen for a
while: At risk, and the biggest of them Can't lose; neither recent nor frequent: Hibernating, and
at the very bottom Lost.
"""

SEGMENT_ORDER: tuple[str, ...] = (
    S.CHAMPIONS,
    S.LOYAL,
    S.POTENTIAL,
    S.NEW,
    S.AT_RISK,
    S.CANT_LOSE,
    S.HIBERNATING,
    S.LOST,
)

SEGMENT_COLOURS: dict[str, str] = {
    S.CHAMPIONS: "#0f766e",
    S.LOYAL: "#14b8a6",
    S.POTENTIAL: "#5eead4",
    S.NEW: "#bae6fd",
    S.AT_RISK: "#fdba74",
    S.CANT_LOSE: "#c2410c",
    S.HIBERNATING: "#cbd5e1",
    S.LOST: "#94a3b8",
}
SEGMENT_INK: dict[str, str] = {S.CHAMPIONS: "#ffffff", S.CANT_LOSE: "#ffffff"}
"""Text colour on the darker cells (black elsewhere): contrast at least 4.5:1."""


def rfm_segment(recency: int, frequency: int, monetary: int) -> str:
    """The segment of a scored contact; "" while any score is unknown (0)."""
    if not (recency and frequency and monetary):
        return ""
    return SEGMENT_GRID[recency][fm_score(frequency, monetary) - 1]


# --- 1. pure functions: loyalty -------------------------------------------------------------------

MIN_GAP_DAYS = 7.0
"""A usual gap shorter than a week is taken as a week: two orders on one day do not make a customer
"overdue" the next morning."""
DEFAULT_GAP_DAYS = 60.0
"""A one-order customer's usual gap is the business's median gap, or this while nobody has ordered twice."""
LOST_AFTER_GAPS = 3.0
"""Churn risk reaches 100 when a customer has been away three usual gaps."""


def usual_gap_days(first: dt.datetime | None, last: dt.datetime | None, orders: int) -> float | None:
    """A repeat customer's average days between orders: (last − first) / (orders − 1)."""
    if first is None or last is None or orders < 2:
        return None
    return (last - first).total_seconds() / 86_400 / (orders - 1)


def churn_risk(days_since_last: float, usual_gap: float) -> int:
    """0–100: how overdue the next order is, relative to the customer's own rhythm.

    ``ratio`` = days since the last order ÷ usual gap (at least :data:`MIN_GAP_DAYS`). Up to one
    usual gap the risk is 0; it then rises in a straight line to 100 at :data:`LOST_AFTER_GAPS`
    gaps (two gaps away → 50).
    """
    ratio = max(days_since_last, 0.0) / max(usual_gap, MIN_GAP_DAYS)
    return round(100 * min(max((ratio - 1) / (LOST_AFTER_GAPS - 1), 0.0), 1.0))


def median_or_none(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def repeat_rate(customers: int, repeat_customers: int) -> int | None:
    """Per cent of customers with an order who ordered at least twice."""
    return round(100 * repeat_customers / customers) if customers else None


CHURN_BUCKETS: tuple[tuple[int, int, Promise], ...] = (
    (0, 24, _("Low (0–24)")),
    (25, 49, _("Rising (25–49)")),
    (50, 74, _("High (50–74)")),
    (75, 100, _("Very high (75–100)")),
)


# --- 1. pure functions: the customer-information matrix ------------------------------------------

INFO_WEIGHTS: dict[str, int] = {"name": 15, "phone": 20, "email": 15, "place": 15, "birthday": 15, "consent": 20}
"""What the business knows about a contact, out of 100: a name, a phone number, an email, a city or
address, a birthday, and a recorded consent decision (given or withdrawn, any channel)."""

INFO_LABELS: dict[str, Promise] = {
    "name": _("name"),
    "phone": _("phone number"),
    "email": _("email"),
    "place": _("city or address"),
    "birthday": _("birthday"),
    "consent": _("consent to messages"),
}


def info_known(
    *, name: str, phone: str, email: str, city: str, address: str, birthday: dt.date | None, consent: Mapping[str, Any]
) -> dict[str, bool]:
    """Which pieces are known (the same rules as :data:`INFO_MISSING`, which the database applies)."""
    return {
        "name": bool(name),
        "phone": bool(phone),
        "email": bool(email),
        "place": bool(city or address),
        "birthday": birthday is not None,
        "consent": bool(consent),
    }


def info_score(known: Mapping[str, bool]) -> int:
    return sum(weight for key, weight in INFO_WEIGHTS.items() if known.get(key))


INFO_MISSING: dict[str, Q] = {
    "name": Q(name=""),
    "phone": Q(phone=""),
    "email": Q(email=""),
    "place": Q(city="", address=""),
    "birthday": Q(birthday__isnull=True),
    "consent": Q(consent={}),
}
"""The same rules as :func:`info_known`, as conditions on ``Contact`` rows (a piece is missing)."""


def info_score_expression() -> models.Expression:
    """:func:`info_score` computed by the database, so the nightly pass reads one integer per contact."""
    total: Any = Value(0)
    for key, weight in INFO_WEIGHTS.items():
        total = total + Case(When(INFO_MISSING[key], then=Value(0)), default=Value(weight))
    return ExpressionWrapper(total, output_field=models.IntegerField())


PERSONAL_POINTS: dict[str, int] = {
    "note": 25,
    "notes_three": 10,
    "tag": 15,
    "staff_order": 25,
    "answered_question": 15,
    "stage_by_staff": 10,
    "personal_message": 20,
}
"""How individually the business treats a contact, out of 100 (capped): a staff note about them
(25, and 10 more from three notes), a tag (15), an order a member took for them by phone, chat,
WhatsApp, SMS or at the counter (25), a question of theirs the shop answered (15), a stage set by
hand (VIP or inactive, 10), and — once the messaging app exists — a personal message sent to them
(20; always 0 for now)."""


def personal_score(
    *,
    notes: int,
    tags: int,
    staff_orders: int,
    answered_questions: int,
    stage_set_by_staff: bool,
    personal_messages: int = 0,
) -> int:
    points = PERSONAL_POINTS
    total = (
        (points["note"] if notes else 0)
        + (points["notes_three"] if notes >= 3 else 0)
        + (points["tag"] if tags else 0)
        + (points["staff_order"] if staff_orders else 0)
        + (points["answered_question"] if answered_questions else 0)
        + (points["stage_by_staff"] if stage_set_by_staff else 0)
        + (points["personal_message"] if personal_messages else 0)
    )
    return min(total, 100)


MATRIX_HIGH = 50
"""A score of 50 or more is "know much" (information) or "individually" (service)."""


class Quadrant(models.TextChoices):
    """The four cells of the customer-information matrix (defined here: enums.py belongs to the
    rollups)."""

    LITTLE_ALIKE = "little_alike", _("Know little, treat alike")
    MUCH_ALIKE = "much_alike", _("Know much, treat alike")
    LITTLE_INDIVIDUAL = "little_individual", _("Know little, treat individually")
    MUCH_INDIVIDUAL = "much_individual", _("Know much, treat individually")


QUADRANT_SUGGESTIONS: dict[str, Promise] = {
    Quadrant.LITTLE_ALIKE: _(
        "Ask for their phone number, city and birthday at the next order, and ask whether you may send "
        "them news. Then add a note about what they bought."
    ),
    Quadrant.MUCH_ALIKE: _(
        "You know these customers well but treat them like everyone else: send each a personal message "
        "or an offer on the products they favourite, and tag them by what they like."
    ),
    Quadrant.LITTLE_INDIVIDUAL: _(
        "You serve these customers personally but know little about them: while you talk to them, "
        "complete their phone number, city and birthday and ask for their consent."
    ),
    Quadrant.MUCH_INDIVIDUAL: _(
        "Your best-known customers: keep it up. Greet them on their birthday and show them new "
        "products they are likely to like before anyone else."
    ),
}


def matrix_quadrant(info: int, personal: int) -> str:
    much = info >= MATRIX_HIGH
    individual = personal >= MATRIX_HIGH
    if much and individual:
        return Quadrant.MUCH_INDIVIDUAL
    if much:
        return Quadrant.MUCH_ALIKE
    if individual:
        return Quadrant.LITTLE_INDIVIDUAL
    return Quadrant.LITTLE_ALIKE


def quadrant_filters(quadrant: str) -> dict[str, int]:
    """The contact-list filters (customers:list) that show the contacts of one quadrant."""
    high, low = MATRIX_HIGH, MATRIX_HIGH - 1
    info = {"info_min": high} if quadrant in (Quadrant.MUCH_ALIKE, Quadrant.MUCH_INDIVIDUAL) else {"info_max": low}
    personal = (
        {"personal_min": high}
        if quadrant in (Quadrant.LITTLE_INDIVIDUAL, Quadrant.MUCH_INDIVIDUAL)
        else {"personal_max": low}
    )
    return {**info, **personal}


# --- 1. pure functions: cohorts --------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_add(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(start: dt.date, end: dt.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def last_months(today: dt.date, count: int) -> list[dt.date]:
    """The first days of the last ``count`` months, oldest first, this month last."""
    current = month_start(today)
    return [month_add(current, offset) for offset in range(-(count - 1), 1)]


@dataclass(frozen=True)
class CohortRow:
    month: dt.date
    size: int
    customers: list[int]
    """Customers of the cohort who ordered in month 0, 1, 2... after their first (only months that began)."""

    @property
    def percents(self) -> list[int | None]:
        return [round(100 * count / self.size) if self.size else None for count in self.customers]


def cohort_table(
    first_months: Mapping[int, dt.date], active: Iterable[tuple[int, dt.date]], months: Sequence[dt.date]
) -> list[CohortRow]:
    """Retention by first-order month.

    ``first_months``: each customer's first-order month (all time); ``active``: (customer, month)
    pairs in which the customer ordered; ``months``: the cohorts to show, oldest first, the last one
    being the current month. A cohort's month ``k`` counts its customers who ordered ``k`` months
    after their first month (month 0 is everyone).
    """
    if not months:
        return []
    shown = set(months)
    last = months[-1]
    sizes: dict[dt.date, int] = defaultdict(int)
    for month in first_months.values():
        if month in shown:
            sizes[month] += 1
    counts: dict[tuple[dt.date, int], set[int]] = defaultdict(set)
    for customer, month in active:
        first = first_months.get(customer)
        if first is None or first not in shown:
            continue
        offset = months_between(first, month)
        if offset >= 0:
            counts[(first, offset)].add(customer)
    rows = []
    for month in months:
        span = months_between(month, last) + 1
        rows.append(CohortRow(month=month, size=sizes[month], customers=[len(counts[(month, k)]) for k in range(span)]))
    return rows


# --- 1. pure functions: preferences ----------------------------------------------------------------

PREFERENCE_POINTS = {"view": 1, "view_cap": 10, "favourite": 4, "order": 5}
"""A product's interest score for one contact over the last 365 days: 1 per view (at most 10 count,
so browsing never outweighs buying), 4 while it is a favourite, 5 per order that contained it."""
PREFERENCE_LIMIT = 5


def preference_scores(views: Mapping[int, int], favourites: Iterable[int], orders: Mapping[int, int]) -> dict[int, int]:
    points = PREFERENCE_POINTS
    scores: dict[int, int] = defaultdict(int)
    for product_id, count in views.items():
        scores[product_id] += min(count, points["view_cap"]) * points["view"]
    for product_id in favourites:
        scores[product_id] += points["favourite"]
    for product_id, count in orders.items():
        scores[product_id] += count * points["order"]
    return {product_id: score for product_id, score in scores.items() if score > 0}


def preferences_build(
    scores: Mapping[int, int],
    titles: Mapping[int, str],
    category: Mapping[str, str] | None,
    *,
    limit: int = PREFERENCE_LIMIT,
) -> dict[str, list[dict[str, Any]]]:
    """``Contact.preferences``: the top products (highest score, then lowest id) and business fields.

    Products carry no business field of their own yet, so every product counts towards the
    business's field; the categories list is ready for per-product fields. Other shops' activity
    never counts: a shop learns only what the customer did at that shop.
    """
    known = [(product_id, score) for product_id, score in scores.items() if product_id in titles]
    ranked = sorted(known, key=lambda item: (-item[1], item[0]))[:limit]
    products = [{"id": product_id, "title": titles[product_id], "score": score} for product_id, score in ranked]
    total = sum(score for _id, score in known)
    categories = [{**category, "score": total}] if category and total else []
    return {"products": products, "categories": categories}


# --- 2. recomputation --------------------------------------------------------------------------------

SCORE_FIELDS = (
    "rfm_recency",
    "rfm_frequency",
    "rfm_monetary",
    "rfm_segment",
    "churn_risk",
    "info_score",
    "personal_score",
)
BLANK_SCORES: dict[str, Any] = {
    "rfm_recency": 0,
    "rfm_frequency": 0,
    "rfm_monetary": 0,
    "rfm_segment": "",
    "churn_risk": None,
}


@dataclass(frozen=True)
class OrderFacts:
    """One contact's orders (cancelled ones left out)."""

    orders: int
    first: dt.datetime | None
    last: dt.datetime | None
    recent_orders: int
    recent_paid: int
    staff_orders: int


def _scored_contacts(business: Business) -> models.QuerySet[Contact]:
    return Contact.objects.filter(business=business, merged_into__isnull=True, erased_at__isnull=True)


def _counted_orders(business_id: int) -> models.QuerySet[Order]:
    return Order.objects.filter(business_id=business_id).exclude(status=OrderStatus.CANCELLED)


def _order_facts_query(business_id: int, since: dt.datetime) -> models.QuerySet[Any]:
    return (
        _counted_orders(business_id)
        .filter(contact__merged_into__isnull=True, contact__erased_at__isnull=True)
        .values("contact_id")
        .annotate(
            orders=Count("id"),
            first=Min("placed_at"),
            last=Max("placed_at"),
            recent_orders=Count("id", filter=Q(placed_at__gte=since)),
            recent_paid=Sum("paid_minor", filter=Q(placed_at__gte=since), default=0),
            staff_orders=Count("id", filter=Q(channel__in=STAFF_CHANNELS)),
        )
        .order_by()
        .values_list("contact_id", "orders", "first", "last", "recent_orders", "recent_paid", "staff_orders")
    )


def _days_between(earlier: dt.datetime, later: dt.datetime) -> int:
    """Whole days from ``earlier`` to ``later`` (never negative)."""
    return max(int((later - earlier).total_seconds() // 86_400), 0)


def _bounds_cache_key(business_id: int) -> str:
    return f"insights:customers:bounds:{business_id}"


def _gap_cache_key(business_id: int) -> str:
    return f"insights:customers:median-gap:{business_id}"


def _bounds_from_facts(facts: Iterable[OrderFacts], *, now: dt.datetime, currency: str) -> RfmBounds:
    recency, frequency, monetary = [], [], []
    for fact in facts:
        if fact.last is None:
            continue
        recency.append(_days_between(fact.last, now))
        frequency.append(fact.recent_orders)
        monetary.append(fact.recent_paid)
    return rfm_bounds(recency, frequency, monetary, currency=currency)


def _median_gap(facts: Iterable[OrderFacts]) -> float | None:
    gaps = [gap for fact in facts if (gap := usual_gap_days(fact.first, fact.last, fact.orders)) is not None]
    return median_or_none(gaps)


def _raw_rows(queryset: models.QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The rows of a ``values_list`` query as the database driver returns them.

    Skips Django's per-value converters, which on SQLite parse each datetime in Python (2 s of the
    nightly pass for 400,000 order dates). Only for queries whose columns are plain fields followed
    by annotations, in that order (the SQL then lists them as ``values_list`` does). Datetimes come
    back as text on SQLite (:func:`_as_datetime`), sums as ``Decimal`` on PostgreSQL.
    """
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _as_datetime(value: Any) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)  # SQLite: naive UTC text


def _all_order_facts(business: Business, now: dt.datetime) -> dict[int, OrderFacts]:
    since = now - dt.timedelta(days=WINDOW_DAYS)
    return {
        contact_id: OrderFacts(
            orders, _as_datetime(first), _as_datetime(last), recent_orders, int(recent_paid or 0), staff_orders
        )
        for contact_id, orders, first, last, recent_orders, recent_paid, staff_orders in _raw_rows(
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
    facts = _all_order_facts(business, now).values()
    bounds = _bounds_from_facts(facts, now=now, currency=business.currency)
    gap = _median_gap(facts)
    _bounds_store(business.pk, bounds, gap)
    return bounds, gap


def _bounds_store(business_id: int, bounds: RfmBounds, gap: float | None) -> None:
    cache.set(_bounds_cache_key(business_id), bounds.as_dict(), BOUNDS_CACHE_TIMEOUT)
    cache.set(_gap_cache_key(business_id), gap, BOUNDS_CACHE_TIMEOUT)


def order_scores(
    fact: OrderFacts | None, *, now: dt.datetime, bounds: RfmBounds, median_gap: float | None
) -> dict[str, Any]:
    """RFM scores, segment and churn risk of one contact from its order facts (blank without orders)."""
    if fact is None or fact.last is None or not fact.orders:
        return dict(BLANK_SCORES)
    days = _days_between(fact.last, now)
    recency, frequency, monetary = rfm_scores(days, fact.recent_orders, fact.recent_paid, bounds)
    gap = usual_gap_days(fact.first, fact.last, fact.orders)
    if gap is None:
        gap = median_gap if median_gap is not None else DEFAULT_GAP_DAYS
    return {
        "rfm_recency": recency,
        "rfm_frequency": frequency,
        "rfm_monetary": monetary,
        "rfm_segment": rfm_segment(recency, frequency, monetary),
        "churn_risk": churn_risk((now - fact.last).total_seconds() / 86_400, gap),
    }


def _order_tuple(
    fact: OrderFacts, now: dt.datetime, bounds: RfmBounds, median_gap: float | None
) -> tuple[int, int, int, str, int | None]:
    """:func:`order_scores` as a tuple in :data:`SCORE_FIELDS` order, without the intermediate dict:
    the nightly pass's hot loop (same rules; a test holds them equal)."""
    if fact.last is None or not fact.orders:
        return (0, 0, 0, "", None)
    seconds = (now - fact.last).total_seconds()
    recency = score_below(max(int(seconds // 86_400), 0), bounds.recency)
    frequency = score_above(fact.recent_orders, bounds.frequency)
    monetary = score_above(fact.recent_paid, bounds.monetary)
    if fact.orders >= 2 and fact.first is not None:
        gap = (fact.last - fact.first).total_seconds() / 86_400 / (fact.orders - 1)
    else:
        gap = median_gap if median_gap is not None else DEFAULT_GAP_DAYS
    return (
        recency,
        frequency,
        monetary,
        SEGMENT_GRID[recency][(frequency + monetary + 1) // 2 - 1],
        churn_risk(seconds / 86_400, gap),
    )


TEMPORARY_TABLE = "insights_contact_scores_tmp"
INSERT_ROWS = 500
"""Rows per multi-row ``INSERT`` into the temporary table (fewer round trips than ``executemany``)."""


def _contacts_write(fields: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """Set ``fields`` of many contacts, each row being ``(id, *values)``.

    Through a temporary table and one ``UPDATE … FROM`` per batch (SQLite ≥ 3.33 and PostgreSQL):
    measured on 50,000 changed contacts, 1.4 s against 13 s for one ``UPDATE … WHERE id IN`` per
    distinct value and 170 s for ``bulk_update`` (a ``CASE`` per row). Each batch is one short
    transaction (see :func:`customer_scores_recompute`); the temporary table lives and dies inside it.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    model_fields: list[models.Field[Any, Any]] = []
    for name in fields:
        field = Contact._meta.get_field(name)
        if not isinstance(field, models.Field) or not field.column:
            raise TypeError(f"{name} is not a column of Contact")
        model_fields.append(field)
    table, temporary = quote(Contact._meta.db_table), quote(TEMPORARY_TABLE)
    columns = ", ".join(f"{quote(str(field.column))} {field.db_type(connection)}" for field in model_fields)
    row_placeholders = "(" + ", ".join(["%s"] * (len(model_fields) + 1)) + ")"
    limit = connection.features.max_query_params or 10_000
    rows_per_insert = max(1, min(INSERT_ROWS, limit // (len(model_fields) + 1)))
    assignments = ", ".join(
        f"{quote(str(field.column))} = {temporary}.{quote(str(field.column))}" for field in model_fields
    )
    id_column = quote(str(Contact._meta.pk.column))  # type: ignore[union-attr]
    # Only identifiers from the model's own metadata are formatted in; values go as parameters.
    update = f"UPDATE {table} SET {assignments} FROM {temporary} WHERE {table}.{id_column} = {temporary}.id"  # noqa: S608
    for batch in _chunks(rows, WRITE_TRANSACTION_ROWS):
        prepared = [
            (
                row[0],
                *(
                    field.get_db_prep_save(value, connection)
                    for field, value in zip(model_fields, row[1:], strict=True)
                ),
            )
            for row in batch
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMPORARY TABLE {temporary} (id bigint PRIMARY KEY, {columns})")
            for values in _chunks(prepared, rows_per_insert):
                placeholders = ", ".join([row_placeholders] * len(values))
                cursor.execute(
                    f"INSERT INTO {temporary} VALUES {placeholders}",  # noqa: S608
                    [value for row in values for value in row],
                )
            cursor.execute(update)
            cursor.execute(f"DROP TABLE {temporary}")


def _category_of(business: Business) -> dict[str, str] | None:
    category = business.category
    if category is None:
        return None
    return {"slug": category.slug, "name_id": category.name_id, "name_en": category.name_en}


def _preferences_for(
    business: Business, contacts: Sequence[tuple[int, int | None]], *, now: dt.datetime
) -> dict[int, dict[str, Any]]:
    """Preferences of the given (contact id, user id) pairs: views and favourites by the contact's
    app account at this business, orders by the contact (order lines of orders not cancelled)."""
    since = now - dt.timedelta(days=WINDOW_DAYS)
    contact_of_user = {user_id: contact_id for contact_id, user_id in contacts if user_id}
    contact_ids = [contact_id for contact_id, _user in contacts]
    views: dict[int, dict[int, int]] = defaultdict(dict)
    favourites: dict[int, list[int]] = defaultdict(list)
    orders: dict[int, dict[int, int]] = defaultdict(dict)
    for chunk in _chunks(list(contact_of_user), 500):
        rows = (
            Activity.objects.filter(
                business=business, verb="viewed_product", actor_id__in=chunk, occurred_at__gte=since
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
    for chunk in _chunks(contact_ids, 500):
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
    scores = {
        contact_id: preference_scores(views[contact_id], favourites[contact_id], orders[contact_id])
        for contact_id in contact_ids
    }
    product_ids = {product_id for score in scores.values() for product_id in score}
    titles: dict[int, str] = {}
    for chunk in _chunks(sorted(product_ids), 500):
        titles.update(Product.objects.filter(business=business, pk__in=chunk).values_list("pk", "title"))
    category = _category_of(business)
    return {contact_id: preferences_build(score, titles, category) for contact_id, score in scores.items()}


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


ORDERS, PROFILE, PREFERENCES = "orders", "profile", "preferences"
EVERY_PART = frozenset({ORDERS, PROFILE, PREFERENCES})


def contact_scores_compute(
    *, contact: Contact, now: dt.datetime | None = None, parts: frozenset[str] = EVERY_PART
) -> dict[str, Any]:
    """The scores of one contact, for :func:`contact_scores_recompute` (a handful of indexed queries).

    ``parts`` limits the work to what an activity can have changed: ``orders`` (RFM, segment, churn
    risk, and the individual-service score, which counts orders taken by staff), ``profile`` (the
    information and individual-service scores) and ``preferences``.
    """
    now = now or timezone.now()
    business = contact.business
    if contact.merged_into_id or contact.erased_at:
        return {**BLANK_SCORES, "info_score": 0, "personal_score": 0, "preferences": {}, "scores_at": now}
    scores: dict[str, Any] = {"scores_at": now}
    staff_orders = 0
    if ORDERS in parts or PROFILE in parts:
        since = now - dt.timedelta(days=WINDOW_DAYS)
        row = (
            _counted_orders(business.pk)
            .filter(contact=contact)
            .aggregate(
                orders=Count("id"),
                first=Min("placed_at"),
                last=Max("placed_at"),
                recent_orders=Count("id", filter=Q(placed_at__gte=since)),
                recent_paid=Sum("paid_minor", filter=Q(placed_at__gte=since), default=0),
                staff_orders=Count("id", filter=Q(channel__in=STAFF_CHANNELS)),
            )
        )
        staff_orders = row["staff_orders"]
        if ORDERS in parts:
            fact = OrderFacts(
                row["orders"], row["first"], row["last"], row["recent_orders"], row["recent_paid"] or 0, staff_orders
            )
            bounds, median_gap = business_bounds(business, now=now)
            scores.update(order_scores(fact, now=now, bounds=bounds, median_gap=median_gap))
        known = info_known(
            name=contact.name,
            phone=contact.phone,
            email=contact.email,
            city=contact.city,
            address=contact.address,
            birthday=contact.birthday,
            consent=contact.consent or {},
        )
        answered = 0
        if contact.user_id:
            answered = (
                Comment.objects.filter(
                    business_id=business.pk, kind=CommentKind.ANSWER, parent__author_id=contact.user_id
                )
                .values("parent_id")
                .distinct()
                .count()
            )
        scores["info_score"] = info_score(known)
        scores["personal_score"] = personal_score(
            notes=Note.objects.filter(contact=contact).count(),
            tags=ContactTag.objects.filter(contact=contact).count(),
            staff_orders=staff_orders,
            answered_questions=answered,
            stage_set_by_staff=contact.stage_set_by_staff,
        )
    if PREFERENCES in parts:
        scores["preferences"] = _preferences_for(business, [(contact.pk, contact.user_id)], now=now)[contact.pk]
    return scores


def contact_scores_recompute(
    *, contact: Contact, now: dt.datetime | None = None, parts: frozenset[str] = EVERY_PART
) -> dict[str, Any]:
    """Recompute and store one contact's scores (through the customers app's ``contact_scores_set``)."""
    from etalase.customers.services import contact_scores_set

    scores = contact_scores_compute(contact=contact, now=now, parts=parts)
    contact_scores_set(contact_id=contact.pk, **scores)
    return scores


VERB_PARTS: dict[str, frozenset[str]] = {
    "ordered": EVERY_PART,
    "payment_confirmed": frozenset({ORDERS, PROFILE}),
    "cancelled": EVERY_PART,
    "contact_merged": EVERY_PART,
    "contact_erased": EVERY_PART,
    "favourited": frozenset({PREFERENCES}),
    "unfavourited": frozenset({PREFERENCES}),
    "answered": frozenset({PROFILE}),
    "note_added": frozenset({PROFILE}),
    "consent_changed": frozenset({PROFILE}),
}
"""What each activity can change, recomputed at once for the one contact it is about (views wait
for the night). Erasure and merging blank the erased or merged contact's scores."""
SCORED_VERBS = frozenset(VERB_PARTS)
_BY_ACTOR = frozenset({"favourited", "unfavourited"})


def _contact_of_activity(activity: Activity) -> Contact | None:
    business_id = activity.business_id
    if business_id is None:
        return None
    contacts = Contact.objects.select_related("business", "business__category").filter(business_id=business_id)
    data = activity.data if isinstance(activity.data, dict) else {}
    contact_id = data.get("contact_id")
    if isinstance(contact_id, int) and not isinstance(contact_id, bool):
        return contacts.filter(pk=contact_id).first()
    if activity.verb in _BY_ACTOR and activity.actor_id:
        return contacts.filter(user_id=activity.actor_id).first()
    if activity.verb == "answered":
        asked_by = data.get("asked_by")
        return contacts.filter(user_id=asked_by).first() if isinstance(asked_by, int) else None
    target_type = activity.target_type if activity.target_type_id else None
    if target_type is not None and activity.target_id.isdigit() and target_type.model_class() is Contact:
        return contacts.filter(pk=int(activity.target_id)).first()
    return None


def customer_scores_on_activity(activity: Activity) -> None:
    """The activity handler: recompute the scores of the one contact the activity is about.

    Idempotent (scores are recomputed from the current state). The quintile bounds come from the
    cache the nightly pass fills, so one order does not reshuffle every other customer's scores
    until the night. Registered for every verb (it ignores those outside :data:`SCORED_VERBS`) so
    that it runs after the customers app's own every-verb handler, which creates the contact on a
    customer's first favourite; verb-specific handlers run before every-verb ones.
    """
    parts = VERB_PARTS.get(activity.verb)
    if parts is None:
        return
    contact = _contact_of_activity(activity)
    if contact is not None:
        contact_scores_recompute(contact=contact, parts=parts)


@dataclass
class RecomputeResult:
    business: str
    contacts: int = 0
    with_orders: int = 0
    changed: int = 0
    preferences: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


PREFERENCE_MODES = ("recent", "all", "none")

NIGHT_HOURS = range(1, 5)
"""The nightly pass runs between 01:00 and 04:59 in the business's timezone (``customer_scores --due``)."""
NIGHTLY_AGAIN_AFTER = dt.timedelta(hours=20)


def _nightly_cache_key(business_id: int) -> str:
    return f"insights:customers:nightly:{business_id}"


def nightly_scored_at(business: Business) -> dt.datetime | None:
    """When the nightly pass last scored ``business`` (as long as the cache remembers)."""
    last = cache.get(_nightly_cache_key(business.pk))
    return dt.datetime.fromisoformat(last) if last else None


def nightly_due(business: Business, *, now: dt.datetime | None = None) -> bool:
    """Whether the nightly pass should score ``business`` now: it is night there, and the business was
    not scored in the last 20 hours. A lost cache only means one pass too many (it is idempotent)."""
    now = now or timezone.now()
    if now.astimezone(ZoneInfo(business.timezone)).hour not in NIGHT_HOURS:
        return False
    last = cache.get(_nightly_cache_key(business.pk))
    return last is None or now - dt.datetime.fromisoformat(last) >= NIGHTLY_AGAIN_AFTER


def customer_scores_recompute(
    *,
    business: Business,
    now: dt.datetime | None = None,
    preferences: str = "recent",
    recent_hours: int = 26,
) -> RecomputeResult:
    """Score every contact of ``business`` and store what changed (the nightly pass).

    Five aggregate queries read everything (orders per contact, contacts, notes, tags, answered
    questions); scores are computed in Python; only changed rows are written, grouped by their new
    values through a temporary table (:func:`_contacts_write`). ``scores_at`` is when a contact's
    scores last changed: rewriting it on 200,000 unchanged rows every night would cost more than
    the rest of the pass. The quintile bounds and the median gap are cached for the activity handler;
    the time of the pass is cached too (:func:`nightly_scored_at`).

    Not one transaction: reading and scoring 200,000 contacts takes seconds, and on SQLite a write
    transaction held that long would make the shop's own writes wait. Reads run first, then the
    writes go in short transactions of about :data:`WRITE_TRANSACTION_ROWS` rows. Every write is a
    recomputation, so a pass interrupted half-way leaves correct scores and older ones, never wrong
    ones; a contact rescored by the handler while the pass runs may get the pass's values, computed
    a few seconds earlier, until its next activity or the next night.

    ``preferences``: ``recent`` recomputes the preferences of contacts with a view, favourite or order
    in the last ``recent_hours`` (the handler keeps favourites and orders current during the day);
    ``all`` recomputes every contact's (slower: reads a year of views); ``none`` leaves them.
    """
    import time

    if preferences not in PREFERENCE_MODES:
        raise ValueError(preferences)
    now = now or timezone.now()
    result = RecomputeResult(business=business.slug)
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        result.seconds[name] = round(time.perf_counter() - clock, 3)
        clock = time.perf_counter()

    facts = _all_order_facts(business, now)
    bounds = _bounds_from_facts(facts.values(), now=now, currency=business.currency)
    median_gap = _median_gap(facts.values())
    _bounds_store(business.pk, bounds, median_gap)
    result.with_orders = len(facts)
    lap("orders")

    notes = dict(
        Note.objects.filter(business=business)
        .values("contact_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("contact_id", "n")
    )
    tags = dict(
        ContactTag.objects.filter(business=business)
        .values("contact_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("contact_id", "n")
    )
    answered = dict(
        Comment.objects.filter(business=business, kind=CommentKind.ANSWER)
        .values("parent__author_id")
        .annotate(n=Count("parent_id", distinct=True))
        .order_by()
        .values_list("parent__author_id", "n")
    )
    lap("signals")

    rows = (
        Contact.objects.filter(business=business)
        .annotate(info=info_score_expression())
        .values_list("id", "user_id", "stage_set_by_staff", "merged_into_id", "erased_at", *SCORE_FIELDS, "info")
    )
    cleared: tuple[Any, ...] = (0, 0, 0, "", None, 0, 0)
    blank = (0, 0, 0, "", None)
    changed: list[tuple[Any, ...]] = []
    scored: list[tuple[int, int | None]] = []
    for contact_id, user_id, stage_by_staff, merged_into_id, erased_at, *current, info in _raw_rows(rows):
        result.contacts += 1
        if merged_into_id or erased_at:
            new: tuple[Any, ...] = cleared
        else:
            scored.append((contact_id, user_id))
            fact = facts.get(contact_id)
            personal = personal_score(
                notes=notes.get(contact_id, 0),
                tags=tags.get(contact_id, 0),
                staff_orders=fact.staff_orders if fact else 0,
                answered_questions=answered.get(user_id, 0) if user_id else 0,
                stage_set_by_staff=bool(stage_by_staff),
            )
            order_part = _order_tuple(fact, now, bounds, median_gap) if fact else blank
            new = (*order_part, info, personal)
        if tuple(current) != new:
            changed.append((contact_id, *new))
    lap("compute")

    _contacts_write((*SCORE_FIELDS, "scores_at"), [(*row, now) for row in changed])
    result.changed = len(changed)
    Contact.objects.filter(business=business).filter(Q(merged_into__isnull=False) | Q(erased_at__isnull=False)).exclude(
        preferences={}
    ).update(preferences={})
    summaries_forget(business)
    lap("write")

    if preferences != "none":
        if preferences == "all":
            targets = scored
        else:
            targets = _recently_active(business, scored, since=now - dt.timedelta(hours=recent_hours))
        result.preferences = _preferences_write(business, targets, now=now)
    lap("preferences")
    cache.set(_nightly_cache_key(business.pk), now.isoformat(), 2 * BOUNDS_CACHE_TIMEOUT)
    return result


def _recently_active(
    business: Business, scored: Sequence[tuple[int, int | None]], *, since: dt.datetime
) -> list[tuple[int, int | None]]:
    users = set(
        Activity.objects.filter(
            business=business,
            verb__in=("viewed_product", "favourited", "unfavourited"),
            occurred_at__gte=since,
            actor_id__isnull=False,
        )
        .values_list("actor_id", flat=True)
        .distinct()
    )
    contacts = set(
        _counted_orders(business.pk).filter(placed_at__gte=since).values_list("contact_id", flat=True).distinct()
    ) | set(Order.objects.filter(business=business, cancelled_at__gte=since).values_list("contact_id", flat=True))
    return [(contact_id, user_id) for contact_id, user_id in scored if contact_id in contacts or user_id in users]


def _preferences_write(business: Business, targets: Sequence[tuple[int, int | None]], *, now: dt.datetime) -> int:
    written = 0
    for chunk in _chunks(list(targets), WRITE_CHUNK):
        computed = _preferences_for(business, chunk, now=now)
        current = dict(Contact.objects.filter(pk__in=list(computed)).values_list("pk", "preferences"))
        changed = [(contact_id, value) for contact_id, value in computed.items() if current.get(contact_id) != value]
        _contacts_write(["preferences"], changed)
        written += len(changed)
    return written


# --- 3. reads for the pages and the API ------------------------------------------------------------
#
# Summaries are computed from the stored scores and the orders, then cached for SUMMARY_TTL: a shop
# with 200,000 contacts takes a second or more to summarise on SQLite, so its pages recompute at most
# every few minutes; the nightly pass forgets them, so the morning's pages show the night's scores.
# Labels are looked up when shown (properties), never cached, so each reader gets their language.

SUMMARY_TTL = 15 * 60
SUMMARY_KINDS = ("rfm", "loyalty", "matrix", "cohorts")


def _summary_key(business_id: int, kind: str) -> str:
    return f"insights:customers:summary:{kind}:{business_id}"


def summaries_forget(business: Business) -> None:
    cache.delete_many([_summary_key(business.pk, kind) for kind in SUMMARY_KINDS])


def _summary(business: Business, kind: str, compute: Any) -> Any:
    key = _summary_key(business.pk, kind)
    summary = cache.get(key)
    if summary is None:
        summary = compute(business)
        cache.set(key, summary, SUMMARY_TTL)
    return summary


@dataclass(frozen=True)
class RfmCell:
    recency: int
    fm: int
    segment: str
    customers: int
    money_minor: int


@dataclass(frozen=True)
class SegmentSummary:
    key: str
    customers: int
    percent: int
    money_minor: int

    @property
    def label(self) -> str:
        return str(RfmSegment(self.key).label)


@dataclass(frozen=True)
class RfmGrid:
    cells: list[RfmCell]
    """25 cells: recency 5 (top) to 1, FM 1 (left) to 5."""
    segments: list[SegmentSummary]
    scored: int
    without_orders: int
    money_minor: int
    bounds: RfmBounds
    scored_at: dt.datetime | None
    computed_at: dt.datetime


def rfm_grid(business: Business) -> RfmGrid:
    """Customers and confirmed money (last 365 days) per RFM cell and per segment, from the stored scores."""
    return _summary(business, "rfm", _rfm_grid_compute)  # type: ignore[no-any-return]


def _rfm_grid_compute(business: Business) -> RfmGrid:
    now = timezone.now()
    contacts = _scored_contacts(business)
    counts: dict[tuple[int, int], int] = defaultdict(int)
    without_orders = 0
    for recency, frequency, monetary, count in (
        contacts.values("rfm_recency", "rfm_frequency", "rfm_monetary")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("rfm_recency", "rfm_frequency", "rfm_monetary", "n")
    ):
        if not (recency and frequency and monetary):
            without_orders += count
            continue
        counts[(recency, fm_score(frequency, monetary))] += count
    since = now - dt.timedelta(days=WINDOW_DAYS)
    money: dict[tuple[int, int], int] = defaultdict(int)
    for recency, frequency, monetary, paid in (
        _counted_orders(business.pk)
        .filter(placed_at__gte=since, contact__merged_into__isnull=True, contact__erased_at__isnull=True)
        .values("contact__rfm_recency", "contact__rfm_frequency", "contact__rfm_monetary")
        .annotate(paid=Sum("paid_minor"))
        .order_by()
        .values_list("contact__rfm_recency", "contact__rfm_frequency", "contact__rfm_monetary", "paid")
    ):
        if recency and frequency and monetary:
            money[(recency, fm_score(frequency, monetary))] += paid or 0
    cells = [
        RfmCell(
            recency=recency,
            fm=fm,
            segment=SEGMENT_GRID[recency][fm - 1],
            customers=counts[(recency, fm)],
            money_minor=money[(recency, fm)],
        )
        for recency in range(5, 0, -1)
        for fm in range(1, 6)
    ]
    scored = sum(counts.values())
    by_segment: dict[str, list[int]] = {key: [0, 0] for key in SEGMENT_ORDER}
    for cell in cells:
        by_segment[cell.segment][0] += cell.customers
        by_segment[cell.segment][1] += cell.money_minor
    segments = [
        SegmentSummary(
            key=key, customers=count, percent=round(100 * count / scored) if scored else 0, money_minor=amount
        )
        for key, (count, amount) in by_segment.items()
    ]
    bounds, _gap = business_bounds(business, now=now)
    return RfmGrid(
        cells=cells,
        segments=segments,
        scored=scored,
        without_orders=without_orders,
        money_minor=sum(money.values()),
        bounds=bounds,
        scored_at=max(
            (at for at in (contacts.aggregate(at=Max("scores_at"))["at"], nightly_scored_at(business)) if at),
            default=None,
        ),
        computed_at=now,
    )


@dataclass(frozen=True)
class ChurnBucket:
    low: int
    high: int
    customers: int
    percent: int

    @property
    def label(self) -> str:
        return str(next(label for low, _high, label in CHURN_BUCKETS if low == self.low))


@dataclass(frozen=True)
class LoyaltyNumbers:
    customers: int
    repeat_customers: int
    repeat_rate: int | None
    median_gap_days: float | None
    buckets: list[ChurnBucket]
    computed_at: dt.datetime
    at_risk_ids: list[int]


@dataclass(frozen=True)
class Loyalty(LoyaltyNumbers):
    at_risk: list[Contact]
    """The 10 most valuable customers with a churn risk of 50 or more, to win back first. Only their
    ids are cached; the contacts are read again each time, so a renamed contact shows its new name and
    an erased or merged one disappears at once."""


AT_RISK_FROM = 50
AT_RISK_SHOWN = 10


def loyalty_summary(business: Business) -> Loyalty:
    numbers: LoyaltyNumbers = _summary(business, "loyalty", _loyalty_compute)
    found = _scored_contacts(business).filter(pk__in=numbers.at_risk_ids, churn_risk__gte=AT_RISK_FROM)
    by_id = {
        contact.pk: contact
        for contact in found.only("id", "business_id", "name", "phone", "email", "churn_risk", "rfm_segment")
    }
    at_risk = [by_id[contact_id] for contact_id in numbers.at_risk_ids if contact_id in by_id]
    return Loyalty(**{item.name: getattr(numbers, item.name) for item in fields(numbers)}, at_risk=at_risk)


def _loyalty_compute(business: Business) -> LoyaltyNumbers:
    rows = (
        _counted_orders(business.pk)
        .filter(contact__merged_into__isnull=True, contact__erased_at__isnull=True)
        .values("contact_id")
        .annotate(orders=Count("id"), first=Min("placed_at"), last=Max("placed_at"))
        .order_by()
        .values_list("orders", "first", "last")
    )
    customers = repeat = 0
    gaps = []
    for orders, first, last in rows:
        customers += 1
        if orders >= 2:
            repeat += 1
            gap = usual_gap_days(first, last, orders)
            if gap is not None:
                gaps.append(gap)
    counts = _scored_contacts(business).aggregate(
        **{
            f"bucket_{low}": Count("id", filter=Q(churn_risk__gte=low, churn_risk__lte=high))
            for low, high, _label in CHURN_BUCKETS
        }
    )
    with_risk = sum(counts.values())
    buckets = [
        ChurnBucket(
            low=low,
            high=high,
            customers=counts[f"bucket_{low}"],
            percent=round(100 * counts[f"bucket_{low}"] / with_risk) if with_risk else 0,
        )
        for low, high, _label in CHURN_BUCKETS
    ]
    median = median_or_none(gaps)
    at_risk_ids = list(
        _scored_contacts(business)
        .filter(churn_risk__gte=AT_RISK_FROM)
        .order_by("-rfm_monetary", "-rfm_frequency", "-churn_risk", "pk")
        .values_list("pk", flat=True)[:AT_RISK_SHOWN]
    )
    return LoyaltyNumbers(
        at_risk_ids=at_risk_ids,
        customers=customers,
        repeat_customers=repeat,
        repeat_rate=repeat_rate(customers, repeat),
        median_gap_days=round(median, 1) if median is not None else None,
        buckets=buckets,
        computed_at=timezone.now(),
    )


@dataclass(frozen=True)
class QuadrantSummary:
    key: str
    customers: int
    percent: int
    filters: dict[str, int]

    @property
    def label(self) -> str:
        return str(Quadrant(self.key).label)

    @property
    def suggestion(self) -> str:
        return str(QUADRANT_SUGGESTIONS[self.key])


@dataclass(frozen=True)
class MissingInfo:
    key: str
    customers: int
    percent: int

    @property
    def label(self) -> str:
        return str(INFO_LABELS[self.key])


@dataclass(frozen=True)
class InfoMatrix:
    customers: int
    quadrants: list[QuadrantSummary]
    """In the order of the 2×2 grid: top row "individually" (little, much), bottom row "alike"."""
    missing: list[MissingInfo]
    """Which piece of information is most often missing, most missing first."""
    average_info: int
    average_personal: int
    computed_at: dt.datetime


MATRIX_LAYOUT = (Quadrant.LITTLE_INDIVIDUAL, Quadrant.MUCH_INDIVIDUAL, Quadrant.LITTLE_ALIKE, Quadrant.MUCH_ALIKE)


def info_matrix(business: Business) -> InfoMatrix:
    return _summary(business, "matrix", _info_matrix_compute)  # type: ignore[no-any-return]


def _info_matrix_compute(business: Business) -> InfoMatrix:
    much, individual = Q(info_score__gte=MATRIX_HIGH), Q(personal_score__gte=MATRIX_HIGH)
    conditions = {
        Quadrant.MUCH_INDIVIDUAL: much & individual,
        Quadrant.MUCH_ALIKE: much & ~individual,
        Quadrant.LITTLE_INDIVIDUAL: ~much & individual,
        Quadrant.LITTLE_ALIKE: ~much & ~individual,
    }
    totals = _scored_contacts(business).aggregate(
        customers=Count("id"),
        info_sum=Sum("info_score", default=0),
        personal_sum=Sum("personal_score", default=0),
        **{f"q_{key}": Count("id", filter=condition) for key, condition in conditions.items()},
        **{f"m_{key}": Count("id", filter=condition) for key, condition in INFO_MISSING.items()},
    )
    customers = totals["customers"]

    def percent(count: int) -> int:
        return round(100 * count / customers) if customers else 0

    quadrants = [
        QuadrantSummary(
            key=key,
            customers=totals[f"q_{key}"],
            percent=percent(totals[f"q_{key}"]),
            filters=quadrant_filters(key),
        )
        for key in MATRIX_LAYOUT
    ]
    missing = sorted(
        (
            MissingInfo(key=key, customers=totals[f"m_{key}"], percent=percent(totals[f"m_{key}"]))
            for key in INFO_MISSING
        ),
        key=lambda item: (-item.customers, list(INFO_WEIGHTS).index(item.key)),
    )
    return InfoMatrix(
        customers=customers,
        quadrants=quadrants,
        missing=missing,
        average_info=round(totals["info_sum"] / customers) if customers else 0,
        average_personal=round(totals["personal_sum"] / customers) if customers else 0,
        computed_at=timezone.now(),
    )


@dataclass(frozen=True)
class Cohorts:
    months: list[dt.date]
    rows: list[CohortRow]
    computed_at: dt.datetime


COHORT_MONTHS = 12


def cohort_retention(business: Business, *, months: int = COHORT_MONTHS, now: dt.datetime | None = None) -> Cohorts:
    """Retention of the customers whose first order fell in each of the last ``months`` months
    (months in the business's timezone). Cached like the other summaries unless ``now`` is given."""
    if now is not None or months != COHORT_MONTHS:
        return _cohorts_compute(business, months=months, now=now)
    return _summary(business, "cohorts", _cohorts_compute)  # type: ignore[no-any-return]


def _cohorts_compute(business: Business, *, months: int = COHORT_MONTHS, now: dt.datetime | None = None) -> Cohorts:
    zone = ZoneInfo(business.timezone)
    now = now or timezone.now()
    shown = last_months(now.astimezone(zone).date(), months)
    start = dt.datetime.combine(shown[0], dt.time.min, tzinfo=zone)
    orders = _counted_orders(business.pk).filter(contact__merged_into__isnull=True, contact__erased_at__isnull=True)
    first_months: dict[int, dt.date] = {}
    for contact_id, first in (
        orders.values("contact_id")
        .annotate(first=Min("placed_at"))
        .filter(first__gte=start)
        .order_by()
        .values_list("contact_id", "first")
    ):
        first_months[contact_id] = month_start(first.astimezone(zone).date())
    active: set[tuple[int, dt.date]] = set()
    for contact_id, placed_at in orders.filter(placed_at__gte=start).values_list("contact_id", "placed_at"):
        if contact_id in first_months:
            active.add((contact_id, month_start(placed_at.astimezone(zone).date())))
    return Cohorts(months=shown, rows=cohort_table(first_months, active, shown), computed_at=now)
