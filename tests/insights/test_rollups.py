"""Rollups: live processing and rebuilds both equal a direct count over the raw activities."""

import datetime as dt
import random
from collections import Counter
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from etalase.activity.models import Activity
from etalase.activity.services import activity_process, activity_record
from etalase.catalog.services import view_record
from etalase.catalog.visits import visits_flush
from etalase.engagement.services import comment_add, favourite_add, favourite_remove, follow_add, share_record
from etalase.insights.enums import Metric
from etalase.insights.models import AppliedActivity, DailyMetric, DailyVisitor
from etalase.insights.services import rollup_apply, rollups_rebuild
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

JAKARTA = ZoneInfo("Asia/Jakarta")
VERB_METRIC = {
    "viewed_business": Metric.STOREFRONT_VIEWS,
    "viewed_product": Metric.PRODUCT_VIEWS,
    "favourited": Metric.FAVOURITES,
    "unfavourited": Metric.UNFAVOURITES,
    "followed": Metric.FOLLOWERS_GAINED,
    "unfollowed": Metric.FOLLOWERS_LOST,
    "commented": Metric.COMMENTS,
    "asked": Metric.QUESTIONS,
    "shared": Metric.SHARES,
    "ordered": Metric.ORDERS,
    "cancelled": Metric.CANCELLATIONS,
}
AMOUNT_METRIC = {
    "ordered": Metric.ORDER_VALUE,
    "cancelled": Metric.CANCELLED_VALUE,
    "paid": Metric.PAYMENTS_PAID,
    "payment_confirmed": Metric.PAYMENTS_CONFIRMED,
}


def shop_rollups(business) -> Counter[tuple[dt.date, str]]:
    return Counter(
        {
            (day, metric): value
            for day, metric, value in DailyMetric.objects.filter(business=business, product__isnull=True).values_list(
                "day", "metric", "value"
            )
            if value
        }
    )


def product_rollups(business) -> Counter[tuple[dt.date, str, int]]:
    return Counter(
        {
            (day, metric, product): value
            for day, metric, product, value in DailyMetric.objects.filter(
                business=business, product__isnull=False
            ).values_list("day", "metric", "product_id", "value")
        }
    )


def direct_count(business) -> tuple[Counter[tuple[dt.date, str]], Counter[tuple[dt.date, str, int]]]:
    """Counted straight from the raw rows, independently of the insights services."""
    shop: Counter[tuple[dt.date, str]] = Counter()
    products: Counter[tuple[dt.date, str, int]] = Counter()
    visitors: set[Any] = set()
    for activity in Activity.objects.filter(business=business):
        day = activity.occurred_at.astimezone(JAKARTA).date()
        if activity.verb in VERB_METRIC:
            shop[(day, VERB_METRIC[activity.verb])] += 1
        if activity.verb in AMOUNT_METRIC and activity.data.get("amount_minor"):
            shop[(day, AMOUNT_METRIC[activity.verb])] += activity.data["amount_minor"]
        if activity.verb in ("viewed_business", "viewed_product"):
            visitors.add((day, activity.data["visitor"]))
        product_id = None
        if activity.verb in ("viewed_product", "favourited", "unfavourited"):
            product_id = int(activity.target_id)
        elif activity.verb in ("commented", "asked"):
            product_id = activity.data["product_id"]
        elif activity.verb == "shared" and activity.data.get("what") == "product":
            product_id = activity.data["id"]
        elif activity.verb == "ordered":
            for pid in activity.data.get("product_ids", []):
                products[(day, Metric.ORDERS, pid)] += 1
        if product_id is not None:
            products[(day, VERB_METRIC[activity.verb], product_id)] += 1
    for day, _key in visitors:
        shop[(day, Metric.VISITORS)] += 1
    return shop, products


@pytest.fixture
def history(business, make_product, record):
    """40 days of seeded random activity, recorded through activity_record and processed live."""
    rng = random.Random(4)
    products = [make_product(business, title=f"Batik {n}") for n in range(4)]
    customers = [UserFactory() for _n in range(5)]
    now = timezone.now()
    verbs = ["viewed_business", "viewed_product", "favourited", "unfavourited", "followed", "unfollowed", "commented"]
    verbs += ["asked", "shared", "ordered", "paid", "payment_confirmed", "cancelled", "product_updated"]
    for _n in range(300):
        verb = rng.choice(verbs)
        product = rng.choice(products)
        at = now - dt.timedelta(minutes=rng.randrange(40 * 24 * 60))
        fields: dict[str, Any] = {"actor": rng.choice(customers), "target": product, "data": {}}
        if verb in ("viewed_business", "viewed_product"):
            fields["data"] = {"visitor": f"v{rng.randrange(12)}"}
            fields["target"] = business if verb == "viewed_business" else product
        elif verb in ("commented", "asked"):
            fields["data"] = {"product_id": product.pk}
        elif verb == "shared":
            fields["data"] = {"what": "product", "id": product.pk}
        elif verb in ("followed", "unfollowed"):
            fields["target"] = business
        elif verb in ("ordered", "paid", "payment_confirmed", "cancelled"):
            fields["data"] = {"amount_minor": rng.randrange(1, 100) * 1000}
            fields["target"] = None
            if verb == "ordered":
                fields["data"]["product_ids"] = [product.pk]
        record(verb, business, at=at, **fields)
    return products


def test_live_rollups_equal_a_direct_count_of_the_raw_activities(business, history):
    shop, products = direct_count(business)
    assert shop_rollups(business) == shop
    assert product_rollups(business) == products
    assert sum(shop.values()) > 300


def test_a_rebuild_equals_a_direct_count_and_what_live_processing_wrote(business, history):
    live_shop, live_products = shop_rollups(business), product_rollups(business)
    DailyMetric.objects.all().delete()
    DailyVisitor.objects.all().delete()
    AppliedActivity.objects.all().delete()
    today = timezone.localdate()

    result = rollups_rebuild(start=today - dt.timedelta(days=60), end=today)

    assert shop_rollups(business) == live_shop == direct_count(business)[0]
    assert product_rollups(business) == live_products
    assert result.activities == AppliedActivity.objects.count() > 250


def test_rebuilding_twice_or_over_live_rollups_changes_nothing(business, history):
    before = shop_rollups(business)
    today = timezone.localdate()
    call_command(
        "rollups_rebuild", "--business", business.slug, "--from", str(today - dt.timedelta(days=60)), "--to", str(today)
    )
    call_command(
        "rollups_rebuild", "--business", "all", "--from", str(today - dt.timedelta(days=5)), "--to", str(today)
    )
    assert shop_rollups(business) == before


def test_processing_an_activity_twice_counts_it_once(business, make_product, django_capture_on_commit_callbacks):
    product = make_product(business)
    customer = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        favourite = favourite_add(user=customer, product_id=product.pk)
    activity = Activity.objects.get(verb="favourited", target_id=str(product.pk))

    activity_process(activity_id=activity.pk)
    assert rollup_apply(activity=activity) is False

    assert favourite.pk
    rows = DailyMetric.objects.filter(business=business, metric=Metric.FAVOURITES)
    assert set(rows.values_list("product_id", "value")) == {(None, 1), (product.pk, 1)}


def test_a_processed_activity_is_not_counted_again_after_a_rebuild(business, record):
    activity = record("viewed_business", business, target=business, data={"visitor": "abc"})
    today = timezone.localdate()
    rollups_rebuild(start=today, end=today)
    assert rollup_apply(activity=activity) is False
    assert shop_rollups(business)[(today, Metric.STOREFRONT_VIEWS)] == 1


def test_the_real_services_feed_the_rollups(business, make_product, django_capture_on_commit_callbacks):
    product = make_product(business)
    customer = UserFactory()
    view_record(request_visitor_key="k1", business=business)
    view_record(request_visitor_key="k1", business=business, product=product)
    view_record(request_visitor_key="k2", business=business, product=product)
    with django_capture_on_commit_callbacks(execute=True):
        visits_flush()
    with django_capture_on_commit_callbacks(execute=True):
        favourite_add(user=customer, product_id=product.pk)
    with django_capture_on_commit_callbacks(execute=True):
        favourite_remove(user=customer, product_id=product.pk)
    with django_capture_on_commit_callbacks(execute=True):
        follow_add(user=customer, business=business)
    with django_capture_on_commit_callbacks(execute=True):
        comment_add(user=customer, product_id=product.pk, body="Ada XL?", kind="question")
    with django_capture_on_commit_callbacks(execute=True):
        share_record(user=None, what="product", product_id=product.pk, share_channel="whatsapp")
    today = timezone.localdate()
    counted = {metric: value for (day, metric), value in shop_rollups(business).items() if day == today}
    assert counted == {
        Metric.STOREFRONT_VIEWS: 1,
        Metric.PRODUCT_VIEWS: 2,
        Metric.VISITORS: 2,
        Metric.FAVOURITES: 1,
        Metric.UNFAVOURITES: 1,
        Metric.FOLLOWERS_GAINED: 1,
        Metric.QUESTIONS: 1,
        Metric.SHARES: 1,
    }


@pytest.mark.parametrize(
    ("utc_time", "local_day"),
    [
        (dt.datetime(2026, 3, 10, 16, 30, tzinfo=dt.UTC), dt.date(2026, 3, 10)),  # 23:30 WIB
        (dt.datetime(2026, 3, 10, 17, 0, tzinfo=dt.UTC), dt.date(2026, 3, 11)),  # 00:00 WIB the next day
        (dt.datetime(2026, 3, 10, 23, 30, tzinfo=dt.UTC), dt.date(2026, 3, 11)),  # 06:30 WIB
    ],
)
def test_a_day_is_the_business_s_own_calendar_day(business, record, utc_time, local_day):
    record("viewed_business", business, at=utc_time, target=business, data={"visitor": "v"})
    assert list(DailyMetric.objects.filter(metric=Metric.STOREFRONT_VIEWS).values_list("day", flat=True)) == [local_day]
    DailyMetric.objects.all().delete()
    DailyVisitor.objects.all().delete()
    AppliedActivity.objects.all().delete()
    rollups_rebuild(start=local_day, end=local_day)
    assert list(DailyMetric.objects.filter(metric=Metric.STOREFRONT_VIEWS).values_list("day", flat=True)) == [local_day]


def test_a_business_in_another_timezone_counts_its_own_days(business, record):
    business.timezone = "Asia/Jayapura"  # UTC+9
    business.save(update_fields=["timezone"])
    record("viewed_business", business, at=dt.datetime(2026, 3, 10, 15, 30, tzinfo=dt.UTC), data={"visitor": "v"})
    assert list(DailyMetric.objects.values_list("day", flat=True).distinct()) == [dt.date(2026, 3, 11)]


def test_a_product_of_another_business_named_in_data_is_not_credited(business, other_business, make_product, record):
    foreign = make_product(other_business)
    record("ordered", business, data={"amount_minor": 5000, "product_ids": [foreign.pk, "x", -1]})
    assert not DailyMetric.objects.filter(product__isnull=False).exists()
    assert shop_rollups(business)[(timezone.localdate(), Metric.ORDER_VALUE)] == 5000


def test_other_verbs_and_activities_without_a_business_are_ignored(business):
    activity = activity_record(verb="product_updated", business=business)
    orphan = activity_record(verb="viewed_business", data={"visitor": "v"})
    assert rollup_apply(activity=activity) is False
    assert rollup_apply(activity=orphan) is False
    assert not AppliedActivity.objects.exists()


def test_the_command_refuses_an_unknown_business_and_an_inverted_range(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No business"):
        call_command("rollups_rebuild", "--business", "nope", "--from", "2026-01-01", "--to", "2026-01-02")
    with pytest.raises(CommandError, match="after the end"):
        call_command("rollups_rebuild", "--business", "all", "--from", "2026-01-02", "--to", "2026-01-01")
