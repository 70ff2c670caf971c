"""Customer-intelligence reads for the pages and the API: the RFM grid, loyalty, the
customer-information matrix and cohort retention, from the scores stored on the contacts.

Summaries are plain data (keys and numbers); the pages and the API put words to the keys
(:mod:`etalase.insights.customers.labels`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, fields
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.utils import timezone

from etalase.customers.models import Contact
from etalase.directory.models import Business
from etalase.insights.customers.facts import business_bounds, counted_orders, nightly_scored_at, scored_contacts
from etalase.insights.customers.scoring import (
    CHURN_BUCKETS,
    INFO_MISSING,
    INFO_WEIGHTS,
    MATRIX_HIGH,
    SEGMENT_GRID,
    SEGMENT_ORDER,
    WINDOW_DAYS,
    CohortRow,
    RfmBounds,
    cohort_table,
    fm_score,
    last_months,
    median_or_none,
    month_start,
    percent_of,
    quadrant_filters,
    repeat_rate,
    usual_gap_days,
)
from etalase.insights.enums import Quadrant

# --- the summary cache ---------------------------------------------------------------------------
#
# Summaries are computed from the stored scores and the orders, then cached for SUMMARY_TTL: a shop
# with 200,000 contacts takes a second or more to summarise on SQLite, so its pages recompute at most
# every few minutes; the nightly pass forgets them, so the morning's pages show the night's scores.
# Summaries hold no words, so a cached one serves every language.

SUMMARY_TTL = 15 * 60
SUMMARY_KINDS = ("rfm", "loyalty", "matrix", "cohorts")


def _summary_key(business_id: int, kind: str) -> str:
    # "v2": the summaries' classes moved to this module; older cached ones are never read back.
    return f"insights:customers:summary:v2:{kind}:{business_id}"


def summaries_forget(business: Business) -> None:
    cache.delete_many([_summary_key(business.pk, kind) for kind in SUMMARY_KINDS])


def _summary[Summary](business: Business, kind: str, compute: Callable[[Business], Summary]) -> Summary:
    key = _summary_key(business.pk, kind)
    summary: Summary | None = cache.get(key)
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
    return _summary(business, "rfm", _rfm_grid_compute)


def _rfm_grid_compute(business: Business) -> RfmGrid:
    now = timezone.now()
    contacts = scored_contacts(business)
    counts, without_orders = _customers_per_cell(contacts)
    money = _money_per_cell(business, since=now - dt.timedelta(days=WINDOW_DAYS))
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
    bounds, _gap = business_bounds(business, now=now)
    return RfmGrid(
        cells=cells,
        segments=_segments(cells, scored=scored),
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


Cell = tuple[int, int]
"""(recency score, FM score)."""


def _customers_per_cell(contacts: QuerySet[Contact]) -> tuple[dict[Cell, int], int]:
    """Scored customers per cell, and how many contacts have no order to score."""
    counts: dict[Cell, int] = defaultdict(int)
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
    return counts, without_orders


def _money_per_cell(business: Business, *, since: dt.datetime) -> dict[Cell, int]:
    """Confirmed money since ``since`` per cell of its customer."""
    money: dict[Cell, int] = defaultdict(int)
    for recency, frequency, monetary, paid in (
        counted_orders(business.pk)
        .filter(placed_at__gte=since, contact__merged_into__isnull=True, contact__erased_at__isnull=True)
        .values("contact__rfm_recency", "contact__rfm_frequency", "contact__rfm_monetary")
        .annotate(paid=Sum("paid_minor"))
        .order_by()
        .values_list("contact__rfm_recency", "contact__rfm_frequency", "contact__rfm_monetary", "paid")
    ):
        if recency and frequency and monetary:
            money[(recency, fm_score(frequency, monetary))] += paid or 0
    return money


def _segments(cells: list[RfmCell], *, scored: int) -> list[SegmentSummary]:
    by_segment: dict[str, list[int]] = {key: [0, 0] for key in SEGMENT_ORDER}
    for cell in cells:
        by_segment[cell.segment][0] += cell.customers
        by_segment[cell.segment][1] += cell.money_minor
    return [
        SegmentSummary(key=key, customers=count, percent=percent_of(count, scored), money_minor=amount)
        for key, (count, amount) in by_segment.items()
    ]


@dataclass(frozen=True)
class ChurnBucket:
    low: int
    high: int
    customers: int
    percent: int


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
    found = scored_contacts(business).filter(pk__in=numbers.at_risk_ids, churn_risk__gte=AT_RISK_FROM)
    by_id = {
        contact.pk: contact
        for contact in found.only("id", "business_id", "name", "phone", "email", "churn_risk", "rfm_segment")
    }
    at_risk = [by_id[contact_id] for contact_id in numbers.at_risk_ids if contact_id in by_id]
    return Loyalty(**{item.name: getattr(numbers, item.name) for item in fields(numbers)}, at_risk=at_risk)


def _loyalty_compute(business: Business) -> LoyaltyNumbers:
    customers, repeat, gaps = _repeat_customers(business)
    median = median_or_none(gaps)
    at_risk_ids = list(
        scored_contacts(business)
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
        buckets=_churn_buckets(business),
        computed_at=timezone.now(),
    )


def _repeat_customers(business: Business) -> tuple[int, int, list[float]]:
    """Customers with an order, those with two or more, and the repeat customers' usual gaps."""
    rows = (
        counted_orders(business.pk)
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
    return customers, repeat, gaps


def _churn_buckets(business: Business) -> list[ChurnBucket]:
    counts = scored_contacts(business).aggregate(
        **{
            f"bucket_{low}": Count("id", filter=Q(churn_risk__gte=low, churn_risk__lte=high))
            for low, high in CHURN_BUCKETS
        }
    )
    with_risk = sum(counts.values())
    return [
        ChurnBucket(
            low=low,
            high=high,
            customers=counts[f"bucket_{low}"],
            percent=percent_of(counts[f"bucket_{low}"], with_risk),
        )
        for low, high in CHURN_BUCKETS
    ]


@dataclass(frozen=True)
class QuadrantSummary:
    key: str
    customers: int
    percent: int
    filters: dict[str, int]


@dataclass(frozen=True)
class MissingInfo:
    key: str
    customers: int
    percent: int


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
    return _summary(business, "matrix", _info_matrix_compute)


def _info_matrix_compute(business: Business) -> InfoMatrix:
    much, individual = Q(info_score__gte=MATRIX_HIGH), Q(personal_score__gte=MATRIX_HIGH)
    conditions = {
        Quadrant.MUCH_INDIVIDUAL: much & individual,
        Quadrant.MUCH_ALIKE: much & ~individual,
        Quadrant.LITTLE_INDIVIDUAL: ~much & individual,
        Quadrant.LITTLE_ALIKE: ~much & ~individual,
    }
    totals = scored_contacts(business).aggregate(
        customers=Count("id"),
        info_sum=Sum("info_score", default=0),
        personal_sum=Sum("personal_score", default=0),
        **{f"q_{key}": Count("id", filter=condition) for key, condition in conditions.items()},
        **{f"m_{key}": Count("id", filter=condition) for key, condition in INFO_MISSING.items()},
    )
    customers = totals["customers"]

    def percent(count: int) -> int:
        return percent_of(count, customers)

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
    return _summary(business, "cohorts", _cohorts_compute)


def _cohorts_compute(business: Business, *, months: int = COHORT_MONTHS, now: dt.datetime | None = None) -> Cohorts:
    zone = ZoneInfo(business.timezone)
    now = now or timezone.now()
    shown = last_months(now.astimezone(zone).date(), months)
    start = dt.datetime.combine(shown[0], dt.time.min, tzinfo=zone)
    orders = counted_orders(business.pk).filter(contact__merged_into__isnull=True, contact__erased_at__isnull=True)
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
