"""Rollups in bulk: ``rollups_apply_many`` counts a batch exactly as ``rollup_apply`` counts each.

A property test draws random mixes (every counted verb and one that is not, two shops in two
timezones around midnight, products of the shop, of the other shop and none, visitors seen before
or twice, amounts, repeats within the batch, activities already counted) and compares the rollups,
the visitors and the ledger after one-by-one and after bulk. Then: applying twice changes nothing,
and two processes applying overlapping batches at once count each activity once (PostgreSQL).
"""

import datetime as dt
import random
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etalase.activity.models import Activity
from etalase.catalog.models import Product
from etalase.directory.models import Business
from etalase.insights.handlers import rollups_on_activities
from etalase.insights.models import AppliedActivity, DailyMetric, DailyVisitor
from etalase.insights.services import COUNTED_VERBS, rollup_apply, rollups_apply_many
from tests.factories import UserFactory
from tests.support.concurrency import at_once, needs_postgres

VERBS = sorted(COUNTED_VERBS) + ["product_published"]
START = dt.datetime(2026, 6, 15, 14, 0, tzinfo=dt.UTC)  # midnight in Jayapura at 15:00, in Jakarta at 17:00


@pytest.fixture
def shops(business, other_business, make_product) -> dict[str, Any]:
    other_business.timezone = "Asia/Jayapura"
    other_business.save(update_fields=["timezone"])
    return {
        "businesses": [business, other_business],
        "products": [make_product(business, "Batik Parang"), make_product(business, "Batik Kawung")]
        + [make_product(other_business, "Kopi Gayo")],
        "actors": [UserFactory(name="Rina"), UserFactory(name="Agus")],
        "product_type": ContentType.objects.get_for_model(Product),
    }


@contextmanager
def rolled_back() -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def state() -> tuple[Any, ...]:
    """Everything the rollups hold, comparable between two runs over the same activities."""
    return (
        Counter(DailyMetric.objects.values_list("business_id", "day", "metric", "product_id", "value")),
        Counter(DailyVisitor.objects.values_list("business_id", "day", "visitor_key")),
        Counter(AppliedActivity.objects.values_list("activity_id", "business_id", "occurred_at")),
    )


act_spec = st.fixed_dictionaries(
    {
        "verb": st.sampled_from(VERBS),
        "business": st.integers(0, 1),
        "minutes": st.integers(0, 300),
        "product": st.sampled_from([0, 1, 2, None, 999_999]),
        "as_target": st.booleans(),
        "visitor": st.sampled_from([None, "v1", "v2", "v3"]),
        "actor": st.sampled_from([None, 0, 1]),
        "amount": st.sampled_from([None, 0, 5_000, 150_000, -3, "12"]),
        "confirmed": st.booleans(),
        "order_paid": st.booleans(),
        "what": st.sampled_from(["product", "business"]),
    }
)


def activity_made(spec: dict[str, Any], shops: dict[str, Any]) -> Activity:
    business: Business = shops["businesses"][spec["business"]]
    product = spec["product"]
    product_id = shops["products"][product].pk if isinstance(product, int) and product < 3 else product
    data: dict[str, Any] = {"confirmed": spec["confirmed"], "order_paid": spec["order_paid"], "what": spec["what"]}
    if spec["visitor"]:
        data["visitor"] = spec["visitor"]
    if spec["amount"] is not None:
        data["amount_minor"] = spec["amount"]
    if product_id is not None:
        data.update(product_id=product_id, id=product_id, product_ids=[product_id, "x"])
    as_target = spec["as_target"] and product_id is not None
    return Activity.objects.create(
        verb=spec["verb"],
        business=business,
        actor=shops["actors"][spec["actor"]] if spec["actor"] is not None else None,
        target_type=shops["product_type"] if as_target else None,
        target_id=str(product_id) if as_target else "",
        data=data,
        occurred_at=START + dt.timedelta(minutes=spec["minutes"]),
    )


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    specs=st.lists(act_spec, min_size=1, max_size=25),
    repeats=st.lists(st.integers(0, 24), max_size=5),
    counted_before=st.lists(st.integers(0, 24), max_size=5),
)
def test_bulk_counts_exactly_what_one_by_one_counts(shops, specs, repeats, counted_before):
    with rolled_back():
        made = [activity_made(spec, shops) for spec in specs]
        batch = made + [made[index % len(made)] for index in repeats]
        before = {made[index % len(made)].pk: made[index % len(made)] for index in counted_before}.values()
        with rolled_back():
            for activity in before:
                rollup_apply(activity=activity)
            counted_one_by_one = sum(rollup_apply(activity=activity) for activity in batch)
            expected = state()
        with rolled_back():
            for activity in before:
                rollup_apply(activity=activity)
            assert rollups_apply_many(batch) == counted_one_by_one
            assert state() == expected
            assert rollups_apply_many(batch) == 0  # the ledger remembers: a second run counts nothing
            assert state() == expected


@pytest.mark.django_db
def test_the_batch_handler_counts_a_mixed_backlog_once(shops):
    random.seed(7)
    specs = [
        {
            "verb": random.choice(VERBS),
            "business": random.randint(0, 1),
            "minutes": random.randint(0, 300),
            "product": random.choice([0, 1, 2, None]),
            "as_target": random.random() < 0.5,
            "visitor": random.choice([None, "v1", "v2"]),
            "actor": random.choice([None, 0, 1]),
            "amount": random.choice([None, 5_000]),
            "confirmed": random.random() < 0.5,
            "order_paid": random.random() < 0.5,
            "what": "product",
        }
        for _ in range(200)
    ]
    activities = [activity_made(spec, shops) for spec in specs]
    with rolled_back():
        for activity in activities:
            rollup_apply(activity=activity)
        expected = state()
    rollups_on_activities(activities[:120])
    rollups_on_activities(activities[80:])
    assert state() == expected
    assert DailyMetric.objects.exists()


def test_nothing_to_count_writes_nothing(db, business, django_assert_num_queries):
    uncounted = Activity.objects.create(verb="product_published", business=business)
    with django_assert_num_queries(0):
        assert rollups_apply_many([uncounted, Activity(verb="favourited")]) == 0


@pytest.mark.postgres_only
@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_overlapping_batches_applied_at_once_count_each_activity_once(shops):
    specs = [
        {
            "verb": verb,
            "business": n % 2,
            "minutes": (n * 37) % 300,
            "product": n % 3,
            "as_target": n % 2 == 0,
            "visitor": f"v{n % 5}",
            "actor": n % 2,
            "amount": 5_000,
            "confirmed": True,
            "order_paid": n % 3 == 0,
            "what": "product",
        }
        for n, verb in enumerate(VERBS * 20)
    ]
    activities = [activity_made(spec, shops) for spec in specs]
    with rolled_back():
        for activity in activities:
            rollup_apply(activity=activity)
        expected = state()
    size = len(activities)
    slices = [activities[: size * 2 // 3], activities[size // 3 :], list(reversed(activities)), activities[::2]]

    results = at_once(len(slices), lambda index: rollups_apply_many(slices[index]))

    assert not [result for result in results if isinstance(result, Exception)]
    assert sum(results) == len([a for a in activities if a.verb in COUNTED_VERBS])
    assert state() == expected
