"""Periods, changes, the funnel and top products, read from the rollups in a fixed number of queries."""

import datetime as dt

import pytest
from django.utils import timezone

from etalase.core.errors import ValidationError
from etalase.engagement.services import favourite_add
from etalase.insights.enums import Direction, Metric, Period
from etalase.insights.selectors import (
    Change,
    DateRange,
    dashboard_get,
    panel_get,
    period_resolve,
    product_analytics_get,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 10)


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        (Period.TODAY, TODAY, TODAY),
        (Period.DAYS_7, dt.date(2026, 3, 4), TODAY),
        (Period.DAYS_30, dt.date(2026, 2, 9), TODAY),
    ],
)
def test_named_periods_end_today(business, period, start, end):
    date_range = period_resolve(business, period=period, today=TODAY)
    assert (date_range.start, date_range.end) == (start, end)
    previous = date_range.previous()
    assert previous.days == date_range.days
    assert previous.end == start - dt.timedelta(days=1)


def test_today_is_the_business_s_day(business):
    late_evening_utc = dt.datetime(2026, 3, 10, 17, 30, tzinfo=dt.UTC)  # 00:30 on the 11th in Jakarta
    from etalase.insights.selectors import business_today

    assert business_today(business, now=late_evening_utc) == dt.date(2026, 3, 11)


def test_a_custom_range_includes_both_ends(business):
    date_range = period_resolve(business, period=Period.CUSTOM, start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31))
    assert date_range.days == 31
    assert date_range.previous() == DateRange(dt.date(2025, 12, 1), dt.date(2025, 12, 31))


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        (dt.date(2026, 2, 1), dt.date(2026, 1, 1), "start", "The start date is after the end date."),
        (dt.date(2023, 1, 1), dt.date(2026, 1, 1), "end", "A range can be at most two years long."),
        (None, dt.date(2026, 1, 1), "start", "Enter the first day of the range."),
        (dt.date(1, 1, 1), dt.date(1, 1, 2), "start", "Choose a day between 2000 and 2100."),
    ],
)
def test_a_bad_custom_range_is_refused_with_a_clear_message(business, english, start, end, field, message):
    with pytest.raises(ValidationError) as caught:
        period_resolve(business, period=Period.CUSTOM, start=start, end=end)
    assert str(caught.value.fields[field]) == message


def test_two_years_is_the_longest_range(business):
    assert (
        period_resolve(business, period=Period.CUSTOM, start=dt.date(2024, 1, 1), end=dt.date(2025, 12, 31)).days == 731
    )


@pytest.mark.parametrize(
    ("current", "previous", "percent", "direction"),
    [
        (150, 100, 50, Direction.UP),
        (50, 100, -50, Direction.DOWN),
        (100, 100, 0, Direction.FLAT),
        (0, 0, 0, Direction.FLAT),
        (5, 0, None, Direction.UP),
        (0, 5, -100, Direction.DOWN),
        (1, 3, -67, Direction.DOWN),
    ],
)
def test_change_against_the_previous_period(current, previous, percent, direction):
    change = Change(current, previous)
    assert (change.percent, change.direction) == (percent, direction)


@pytest.fixture
def week(business, make_product, record):
    """Activity today and 7 days ago (in the previous 7-day period)."""
    kopi, batik = make_product(business, title="Kopi Gayo"), make_product(business, title="Batik Parang")
    now = timezone.now()
    last_week = now - dt.timedelta(days=7)
    for visitor in ("a", "b", "c"):
        record("viewed_product", business, target=kopi, data={"visitor": visitor})
    record("viewed_product", business, target=batik, data={"visitor": "a"})
    record("viewed_business", business, target=business, data={"visitor": "d"})
    record("viewed_business", business, at=last_week, target=business, data={"visitor": "a"})
    record("favourited", business, target=kopi, data={"product_id": kopi.pk})
    record("favourited", business, target=batik, data={"product_id": batik.pk})
    record("unfavourited", business, target=batik, data={"product_id": batik.pk})
    record("ordered", business, data={"amount_minor": 30_000, "product_ids": [kopi.pk]})
    record("ordered", business, at=last_week, data={"amount_minor": 10_000})
    record("cancelled", business, data={"amount_minor": 5_000})
    record("paid", business, data={"amount_minor": 30_000})
    record("payment_confirmed", business, data={"amount_minor": 20_000, "order_paid": True})
    return kopi, batik


def test_the_dashboard_totals_changes_funnel_and_top_products(business, week, django_assert_num_queries):
    kopi, batik = week
    date_range = period_resolve(business, period=Period.DAYS_7)

    with django_assert_num_queries(5):
        dashboard = dashboard_get(business, date_range=date_range)

    totals = dashboard.totals
    assert totals[Metric.VISITORS] == 4  # a, b, c, d
    assert dashboard.previous[Metric.VISITORS] == 1
    assert (totals[Metric.PRODUCT_VIEWS], totals[Metric.STOREFRONT_VIEWS], totals["views"]) == (4, 1, 5)
    assert (totals[Metric.FAVOURITES], totals["net_favourites"]) == (2, 1)
    assert (totals[Metric.ORDERS], dashboard.previous[Metric.ORDERS]) == (1, 1)
    assert totals["revenue"] == 25_000
    assert (totals["payments_received"], totals["payments_pending"]) == (20_000, 10_000)
    stats = {stat.key: stat.change for stat in dashboard.stats}
    assert (stats[Metric.VISITORS].percent, stats[Metric.VISITORS].direction) == (300, Direction.UP)
    assert [(step.key, step.value, step.percent_of_previous) for step in dashboard.funnel] == [
        ("product_views", 4, None),
        ("favourites", 2, 50),
        ("orders", 1, 50),
        ("paid_orders", 1, 100),
    ]
    assert [(item.title, item.value) for item in dashboard.top["product_views"]] == [
        ("Kopi Gayo", 3),
        ("Batik Parang", 1),
    ]
    assert [item.title for item in dashboard.top["orders"]] == ["Kopi Gayo"]
    assert len(dashboard.series["views"]) == 7
    assert dashboard.series["views"][-1] == (date_range.end, 5)


def test_the_query_count_does_not_grow_with_the_range(business, week, django_assert_num_queries):
    date_range = period_resolve(
        business, period=Period.CUSTOM, start=timezone.localdate() - dt.timedelta(days=700), end=timezone.localdate()
    )
    with django_assert_num_queries(5):
        dashboard_get(business, date_range=date_range)


def test_another_business_s_numbers_never_show(business, other_business, week):
    dashboard = dashboard_get(other_business, date_range=period_resolve(other_business, period=Period.DAYS_30))
    assert not any(dashboard.totals.values())
    assert not any(dashboard.top.values())


def test_a_product_s_own_analytics(business, week, django_assert_num_queries):
    kopi, _batik = week
    fan = UserFactory(name="Budi")
    favourite_add(user=fan, product_id=kopi.pk)

    with django_assert_num_queries(2):
        analytics = product_analytics_get(business, kopi, date_range=period_resolve(business, period=Period.DAYS_7))

    assert analytics.totals[Metric.PRODUCT_VIEWS] == 3
    assert analytics.totals[Metric.FAVOURITES] == 1  # the fan's favourite was never processed (no on-commit here)
    assert (analytics.favourite_rate, analytics.order_rate) == (33, 33)
    assert [row.user.name for row in analytics.favourited_by] == ["Budi"]


def test_a_product_with_no_views_has_no_conversion(business, make_product):
    product = make_product(business)
    analytics = product_analytics_get(business, product, date_range=period_resolve(business, period=Period.TODAY))
    assert (analytics.favourite_rate, analytics.order_rate) == (None, None)


def test_the_panel_compares_today_with_yesterday_in_one_query(business, week, record, django_assert_num_queries):
    record("viewed_business", business, at=timezone.now() - dt.timedelta(days=1), data={"visitor": "y"})
    with django_assert_num_queries(1):
        panel = panel_get(business)
    stats = {stat.key: stat.change for stat in panel.stats}
    assert (stats["views"].current, stats["views"].previous) == (5, 1)
    assert len(panel.views_last_7_days) == 7
