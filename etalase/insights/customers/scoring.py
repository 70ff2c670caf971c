"""The scoring rules of customer intelligence, as pure functions: no database, no clock.

How a number becomes a score, each rule documented next to the code that applies it: RFM scores and
segments, loyalty and churn risk, the customer-information matrix, cohort retention and each
contact's inferred preferences. The database reads live in :mod:`.facts` and :mod:`.selectors`, the
writes in :mod:`.services`.

Who is scored: a business's contacts that are neither merged into another contact nor erased.
An order counts unless it was cancelled (a pending order is a purchase intent the owner acts on).
Money is confirmed money: an order's ``paid_minor``.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Case, ExpressionWrapper, Q, Value, When

from etalase.core.formats import minor_unit_digits
from etalase.customers.enums import RfmSegment
from etalase.insights.enums import Quadrant
from etalase.orders.enums import OrderChannel

WINDOW_DAYS = 365
"""Frequency, money and preferences look back this many days."""

SMALL_SHOP = 5
"""Below this many customers with an order, quintiles mean nothing: fixed bounds are used instead."""

STAFF_CHANNELS = frozenset(
    {OrderChannel.PHONE, OrderChannel.CHAT, OrderChannel.WHATSAPP, OrderChannel.WALK_IN, OrderChannel.SMS}
)
"""Orders a member took for the customer (a personal service), as opposed to self-service web/API orders."""

Bounds = tuple[int, int, int, int]


# --- RFM ----------------------------------------------------------------------


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
            recency=tuple(data["recency"]),
            frequency=tuple(data["frequency"]),
            monetary=tuple(data["monetary"]),
            is_fixed=bool(data["is_fixed"]),
        )


def fixed_bounds(currency: str) -> RfmBounds:
    major = FIXED_MONETARY_MAJOR.get(currency, FIXED_MONETARY_OTHER_MAJOR)
    scale = 10 ** minor_unit_digits(currency)
    return RfmBounds(
        recency=FIXED_RECENCY_DAYS,
        frequency=FIXED_FREQUENCY,
        monetary=tuple(value * scale for value in major),
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


def rfm_segment(recency: int, frequency: int, monetary: int) -> str:
    """The segment of a scored contact; "" while any score is unknown (0)."""
    if not (recency and frequency and monetary):
        return ""
    return SEGMENT_GRID[recency][fm_score(frequency, monetary) - 1]


# --- loyalty -------------------------------------------------------------------

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


def percent_of(part: int, whole: int) -> int:
    """``part`` as a rounded per cent of ``whole``; 0 when ``whole`` is 0."""
    return round(100 * part / whole) if whole else 0


def repeat_rate(customers: int, repeat_customers: int) -> int | None:
    """Per cent of customers with an order who ordered at least twice."""
    return round(100 * repeat_customers / customers) if customers else None


CHURN_BUCKETS: tuple[tuple[int, int], ...] = ((0, 24), (25, 49), (50, 74), (75, 100))
"""The churn-risk ranges the loyalty page counts customers in (low, rising, high, very high)."""


# --- the customer-information matrix ------------------------------------------

INFO_WEIGHTS: dict[str, int] = {"name": 15, "phone": 20, "email": 15, "place": 15, "birthday": 15, "consent": 20}
"""What the business knows about a contact, out of 100: a name, a phone number, an email, a city or
address, a birthday, and a recorded consent decision (given or withdrawn, any channel)."""


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


# --- cohorts --------------------------------------------------------------------


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


# --- preferences ----------------------------------------------------------------

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


# --- one contact's orders --------------------------------------------------------------------------------

BLANK_SCORES: dict[str, Any] = {  # the order scores of a contact without orders
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


def days_between(earlier: dt.datetime, later: dt.datetime) -> int:
    """Whole days from ``earlier`` to ``later`` (never negative)."""
    return max(int((later - earlier).total_seconds() // 86_400), 0)


def bounds_from_facts(facts: Iterable[OrderFacts], *, now: dt.datetime, currency: str) -> RfmBounds:
    """The business's RFM bounds from every customer's order facts."""
    recency, frequency, monetary = [], [], []
    for fact in facts:
        if fact.last is None:
            continue
        recency.append(days_between(fact.last, now))
        frequency.append(fact.recent_orders)
        monetary.append(fact.recent_paid)
    return rfm_bounds(recency, frequency, monetary, currency=currency)


def median_gap_of(facts: Iterable[OrderFacts]) -> float | None:
    """The median of the repeat customers' usual gaps (None while nobody ordered twice)."""
    gaps = [gap for fact in facts if (gap := usual_gap_days(fact.first, fact.last, fact.orders)) is not None]
    return median_or_none(gaps)


def order_scores(
    fact: OrderFacts | None, *, now: dt.datetime, bounds: RfmBounds, median_gap: float | None
) -> dict[str, Any]:
    """RFM scores, segment and churn risk of one contact from its order facts (blank without orders)."""
    if fact is None or fact.last is None or not fact.orders:
        return dict(BLANK_SCORES)
    days = days_between(fact.last, now)
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


def order_scores_row(
    fact: OrderFacts, now: dt.datetime, bounds: RfmBounds, median_gap: float | None
) -> tuple[int, int, int, str, int | None]:
    """:func:`order_scores` as a tuple in the order of ``ContactScores``' columns, without the intermediate dict:
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
