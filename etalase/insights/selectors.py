"""Dashboard numbers, read from the daily rollups only (never from the raw activity table).

Definitions, as the owner sees them:

- A period is a range of calendar days in the business's timezone, both ends included; "today" is
  one day, "7 days" and "30 days" end today. The previous period is the same number of days just
  before it.
- Visitors: distinct visitors (browser key, or account) who viewed the storefront or a product in the
  range; a visitor on two days counts once. The daily series counts each day's distinct visitors.
- Favourites are gross (each new favourite); ``net_favourites`` subtracts removed ones. Followers the
  same. Comments include questions.
- Orders: orders placed. Revenue: value of orders placed minus value of orders cancelled in the
  range. Payments received: payments the shop confirmed. Payments pending: payments made in the
  range and neither confirmed nor rejected in it (never below zero).
- Funnel: product views → favourites → orders → paid orders, each step's count in the range, and
  its share of the step before (rounded percent; none when the step before is zero).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from etalase.catalog.models import Product
from etalase.core.errors import ValidationError
from etalase.directory.models import Business
from etalase.engagement.models import Favourite
from etalase.insights.enums import Direction, Metric, Period
from etalase.insights.models import DailyMetric, DailyVisitor

MAX_RANGE_DAYS = 731
"""Two years (one of them leap) is the longest custom range."""
EARLIEST_DAY = dt.date(2000, 1, 1)
LATEST_DAY = dt.date(2100, 12, 31)
TOP_PRODUCTS = 5
FAVOURITED_BY_LIMIT = 50
PERIOD_DAYS: dict[str, int] = {Period.TODAY: 1, Period.DAYS_7: 7, Period.DAYS_30: 30}


@dataclass(frozen=True)
class DateRange:
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> DateRange:
        length = dt.timedelta(days=self.days)
        return DateRange(self.start - length, self.end - length)

    def dates(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=offset) for offset in range(self.days)]


def business_today(business: Business, *, now: dt.datetime | None = None) -> dt.date:
    return (now or timezone.now()).astimezone(ZoneInfo(business.timezone)).date()


def period_resolve(
    business: Business,
    *,
    period: str = Period.DAYS_7,
    start: dt.date | None = None,
    end: dt.date | None = None,
    today: dt.date | None = None,
) -> DateRange:
    """The range a period names, or a custom one validated: ValidationError with a message per field."""
    today = today or business_today(business)
    if period in PERIOD_DAYS:
        return DateRange(today - dt.timedelta(days=PERIOD_DAYS[period] - 1), today)
    if period != Period.CUSTOM:
        message = _("Choose today, 7 days, 30 days or a custom range.")
        raise ValidationError(message, fields={"period": message})
    errors: dict[str, str | Promise] = {}
    if start is None:
        errors["start"] = _("Enter the first day of the range.")
    if end is None:
        errors["end"] = _("Enter the last day of the range.")
    for name, value in (("start", start), ("end", end)):
        if value is not None and not EARLIEST_DAY <= value <= LATEST_DAY:
            errors[name] = _("Choose a day between 2000 and 2100.")
    if errors or start is None or end is None:
        raise ValidationError(next(iter(errors.values())), fields=errors)
    if start > end:
        message = _("The start date is after the end date.")
        raise ValidationError(message, fields={"start": message})
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        message = _("A range can be at most two years long.")
        raise ValidationError(message, fields={"end": message})
    return DateRange(start, end)


@dataclass(frozen=True)
class Change:
    current: int
    previous: int

    @property
    def direction(self) -> str:
        if self.current > self.previous:
            return Direction.UP
        if self.current < self.previous:
            return Direction.DOWN
        return Direction.FLAT

    @property
    def percent(self) -> int | None:
        """Rounded change against the previous period; None when there was nothing before to compare."""
        if self.previous == 0:
            return 0 if self.current == 0 else None
        return round((self.current - self.previous) * 100 / self.previous)


@dataclass(frozen=True)
class Stat:
    key: str
    change: Change
    is_money: bool = False


@dataclass(frozen=True)
class FunnelStep:
    key: str
    value: int
    percent_of_previous: int | None


@dataclass(frozen=True)
class TopProduct:
    product_id: int
    title: str
    value: int


@dataclass
class Dashboard:
    business: Business
    range: DateRange
    previous_range: DateRange
    totals: dict[str, int]
    previous: dict[str, int]
    series: dict[str, list[tuple[dt.date, int]]]
    stats: list[Stat] = field(default_factory=list)
    funnel: list[FunnelStep] = field(default_factory=list)
    top: dict[str, list[TopProduct]] = field(default_factory=dict)


def _derived(totals: dict[str, int]) -> dict[str, int]:
    """Differences computed from stored flows (see the module docstring)."""
    value = totals.get
    return {
        "views": value(Metric.STOREFRONT_VIEWS, 0) + value(Metric.PRODUCT_VIEWS, 0),
        "net_favourites": value(Metric.FAVOURITES, 0) - value(Metric.UNFAVOURITES, 0),
        "net_followers": value(Metric.FOLLOWERS_GAINED, 0) - value(Metric.FOLLOWERS_LOST, 0),
        "comments_and_questions": value(Metric.COMMENTS, 0) + value(Metric.QUESTIONS, 0),
        "revenue": value(Metric.ORDER_VALUE, 0) - value(Metric.CANCELLED_VALUE, 0),
        "payments_received": value(Metric.PAYMENTS_CONFIRMED, 0),
        "payments_pending": max(
            value(Metric.PAYMENTS_PAID, 0) - value(Metric.PAYMENTS_CONFIRMED, 0) - value(Metric.PAYMENTS_REJECTED, 0), 0
        ),
    }


STAT_KEYS: list[tuple[str, bool]] = [
    (Metric.VISITORS, False),
    (Metric.STOREFRONT_VIEWS, False),
    (Metric.PRODUCT_VIEWS, False),
    (Metric.FAVOURITES, False),
    (Metric.FOLLOWERS_GAINED, False),
    ("comments_and_questions", False),
    (Metric.SHARES, False),
    (Metric.ORDERS, False),
    ("revenue", True),
    ("payments_received", True),
    ("payments_pending", True),
]
"""The dashboard's numbers, in order: (key, whether it is money)."""


def _shop_rows(business: Business, start: dt.date, end: dt.date) -> list[tuple[dt.date, str, int]]:
    """One query: the whole-shop rows of the range (a few per day)."""
    return list(
        DailyMetric.objects.filter(business=business, product__isnull=True, day__gte=start, day__lte=end)
        .order_by()
        .values_list("day", "metric", "value")
    )


def _sum_rows(rows: list[tuple[dt.date, str, int]], start: dt.date, end: dt.date) -> dict[str, int]:
    totals: dict[str, int] = dict.fromkeys(Metric.values, 0)
    for day, metric, value in rows:
        if start <= day <= end:
            totals[metric] = totals.get(metric, 0) + value
    return totals


def _series(rows: list[tuple[dt.date, str, int]], date_range: DateRange) -> dict[str, list[tuple[dt.date, int]]]:
    per_day: dict[dt.date, dict[str, int]] = defaultdict(dict)
    for day, metric, value in rows:
        if date_range.start <= day <= date_range.end:
            per_day[day][metric] = per_day[day].get(metric, 0) + value
    series: dict[str, list[tuple[dt.date, int]]] = {}
    days = date_range.dates()
    for metric in Metric.values:
        series[metric] = [(day, per_day.get(day, {}).get(metric, 0)) for day in days]
    for name in ("views", "revenue"):
        series[name] = [(day, _derived(per_day.get(day, {}))[name]) for day in days]
    return series


def _with_derived(totals: dict[str, int]) -> dict[str, int]:
    return {**totals, **_derived(totals)}


def top_products(
    business: Business, *, metric: str, date_range: DateRange, limit: int = TOP_PRODUCTS
) -> list[TopProduct]:
    """One query: the products with the most of ``metric`` in the range."""
    rows = (
        DailyMetric.objects.filter(
            business=business,
            metric=metric,
            product__isnull=False,
            day__gte=date_range.start,
            day__lte=date_range.end,
        )
        .values("product_id", "product__title")
        .annotate(total=Sum("value"))
        .order_by("-total", "product_id")[:limit]
    )
    return [TopProduct(row["product_id"], row["product__title"], row["total"]) for row in rows]


def dashboard_get(business: Business, *, date_range: DateRange) -> Dashboard:
    """Everything the dashboard shows, in five queries whatever the range."""
    previous_range = date_range.previous()
    rows = _shop_rows(business, previous_range.start, date_range.end)
    totals = _sum_rows(rows, date_range.start, date_range.end)
    previous = _sum_rows(rows, previous_range.start, previous_range.end)
    visitor_counts = DailyVisitor.objects.filter(
        business=business, day__gte=previous_range.start, day__lte=date_range.end
    ).aggregate(
        current=Count("visitor_key", distinct=True, filter=Q(day__gte=date_range.start)),
        previous=Count("visitor_key", distinct=True, filter=Q(day__lte=previous_range.end)),
    )
    totals[Metric.VISITORS] = visitor_counts["current"] or 0
    previous[Metric.VISITORS] = visitor_counts["previous"] or 0
    totals, previous = _with_derived(totals), _with_derived(previous)
    dashboard = Dashboard(
        business=business,
        range=date_range,
        previous_range=previous_range,
        totals=totals,
        previous=previous,
        series=_series(rows, date_range),
    )
    dashboard.stats = [Stat(key, Change(totals[key], previous[key]), is_money) for key, is_money in STAT_KEYS]
    dashboard.funnel = funnel_steps(totals)
    dashboard.top = {
        metric: top_products(business, metric=metric, date_range=date_range)
        for metric in (Metric.PRODUCT_VIEWS, Metric.FAVOURITES, Metric.ORDERS)
    }
    return dashboard


FUNNEL_KEYS: list[str] = [Metric.PRODUCT_VIEWS, Metric.FAVOURITES, Metric.ORDERS, Metric.PAID_ORDERS]


def _share(part: int, whole: int) -> int | None:
    return round(part * 100 / whole) if whole else None


def funnel_steps(totals: dict[str, int]) -> list[FunnelStep]:
    steps: list[FunnelStep] = []
    before: int | None = None
    for key in FUNNEL_KEYS:
        value = totals.get(key, 0)
        steps.append(FunnelStep(key, value, None if before is None else _share(value, before)))
        before = value
    return steps


# --- one product ------------------------------------------------------------------------------------


@dataclass
class ProductAnalytics:
    product: Product
    range: DateRange
    previous_range: DateRange
    totals: dict[str, int]
    previous: dict[str, int]
    series: dict[str, list[tuple[dt.date, int]]]
    favourite_rate: int | None
    order_rate: int | None
    favourited_by: list[Favourite]
    stats: list[Stat] = field(default_factory=list)


PRODUCT_STAT_KEYS: list[str] = [
    Metric.PRODUCT_VIEWS,
    Metric.FAVOURITES,
    "net_favourites",
    Metric.ORDERS,
    "comments_and_questions",
    Metric.SHARES,
]


def product_favourited_by(business: Business, product: Product, *, limit: int = FAVOURITED_BY_LIMIT) -> list[Favourite]:
    """Who favourites the product now, newest first (engagement's rows, read with the business filter;
    engagement has no selector for a shop's view of them yet)."""
    return list(
        Favourite.objects.filter(business=business, product=product)
        .select_related("user")
        .order_by("-created_at", "-id")[:limit]
    )


def product_analytics_get(business: Business, product: Product, *, date_range: DateRange) -> ProductAnalytics:
    """A product's own numbers in two queries: its rollup rows, and who favourites it."""
    if product.business_id != business.pk:
        raise ValueError("The product belongs to another business.")
    previous_range = date_range.previous()
    rows = list(
        DailyMetric.objects.filter(
            business=business, product=product, day__gte=previous_range.start, day__lte=date_range.end
        )
        .order_by()
        .values_list("day", "metric", "value")
    )
    totals = _with_derived(_sum_rows(rows, date_range.start, date_range.end))
    previous = _with_derived(_sum_rows(rows, previous_range.start, previous_range.end))
    views = totals[Metric.PRODUCT_VIEWS]
    return ProductAnalytics(
        product=product,
        range=date_range,
        previous_range=previous_range,
        totals=totals,
        previous=previous,
        series=_series(rows, date_range),
        favourite_rate=_share(totals[Metric.FAVOURITES], views),
        order_rate=_share(totals[Metric.ORDERS], views),
        favourited_by=product_favourited_by(business, product),
        stats=[Stat(key, Change(totals[key], previous[key])) for key in PRODUCT_STAT_KEYS],
    )


# --- the compact panel on the Dashboard tab -----------------------------------------------------------


@dataclass
class Panel:
    today: dt.date
    stats: list[Stat]
    views_last_7_days: list[tuple[dt.date, int]]


PANEL_STAT_KEYS: list[str] = [Metric.VISITORS, "views", Metric.FAVOURITES, Metric.ORDERS]


def panel_get(business: Business, *, today: dt.date | None = None) -> Panel:
    """Today against yesterday and the last 7 days of views, in one query (a day's visitors are that
    day's distinct visitors, kept as a daily metric)."""
    today = today or business_today(business)
    week = DateRange(today - dt.timedelta(days=6), today)
    rows = _shop_rows(business, week.start, week.end)
    yesterday = today - dt.timedelta(days=1)
    current = _with_derived(_sum_rows(rows, today, today))
    before = _with_derived(_sum_rows(rows, yesterday, yesterday))
    return Panel(
        today=today,
        stats=[Stat(key, Change(current[key], before[key])) for key in PANEL_STAT_KEYS],
        views_last_7_days=_series(rows, week)["views"],
    )
