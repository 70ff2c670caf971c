"""Time 1,000 mixed activities counted in the rollups one by one, then in one batch.

Runs on a throwaway test database (SQLite by default, PostgreSQL with ``DATABASE_URL``), so it never
touches the project's own data::

    .venv/bin/python scripts/rollups_bulk_measure.py [--activities 1000] [--rounds 3]
    DATABASE_URL=postgres://root@127.0.0.1:5432/etalase .venv/bin/python scripts/rollups_bulk_measure.py

One by one is what the worker does today: ``rollup_apply`` per activity, each in its own
transaction. The batch is ``rollups_apply_many`` over the same activities, in one transaction. Both
start from empty rollups and must end equal; the best of ``--rounds`` is printed for each.
"""

import argparse
import datetime as dt
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")

import django  # noqa: E402

django.setup()

from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

from etalase.activity.models import Activity  # noqa: E402
from etalase.catalog.models import Product  # noqa: E402
from etalase.catalog.services import product_create  # noqa: E402
from etalase.insights.models import AppliedActivity, DailyMetric, DailyVisitor  # noqa: E402
from etalase.insights.services import rollup_apply, rollups_apply_many  # noqa: E402
from tests.factories import UserFactory, registered_business  # noqa: E402
from tests.support.catalog import context_of  # noqa: E402

MIX = [
    ("viewed_product", 40),
    ("viewed_business", 20),
    ("favourited", 10),
    ("unfavourited", 2),
    ("followed", 5),
    ("commented", 5),
    ("shared", 3),
    ("ordered", 6),
    ("paid", 5),
    ("payment_confirmed", 2),
    ("cancelled", 2),
]


def activities_made(count: int) -> list[Activity]:
    rng = random.Random(1)  # noqa: S311 - repeatable synthetic data, no secret
    business = registered_business(owner=UserFactory(), name="Batik Sari")
    products = [
        product_create(context=context_of(business), title=f"Batik {n}", price_minor=150_000, publish=True)
        for n in range(20)
    ]
    product_type = ContentType.objects.get_for_model(Product)
    verbs = [verb for verb, weight in MIX for _ in range(weight)]
    start = dt.datetime(2026, 6, 15, 0, 0, tzinfo=dt.UTC)
    rows = []
    for n in range(count):
        verb = rng.choice(verbs)
        product = rng.choice(products)
        data: dict[str, Any] = {"visitor": f"visitor-{rng.randrange(300)}"}
        if verb in ("ordered", "paid", "payment_confirmed", "cancelled"):
            data.update(amount_minor=rng.choice([50_000, 150_000]), confirmed=True, product_ids=[product.pk])
        if verb in ("commented", "shared"):
            data.update(product_id=product.pk, what="product", id=product.pk)
        on_product = verb in ("viewed_product", "favourited", "unfavourited")
        rows.append(
            Activity(
                verb=verb,
                business=business,
                target_type=product_type if on_product else None,
                target_id=str(product.pk) if on_product else "",
                data=data,
                occurred_at=start + dt.timedelta(minutes=7 * n),  # about five days
            )
        )
    return Activity.objects.bulk_create(rows)


def rollups_empty() -> None:
    DailyMetric.objects.all().delete()
    DailyVisitor.objects.all().delete()
    AppliedActivity.objects.all().delete()


def state() -> tuple[Counter[Any], ...]:
    return (
        Counter(DailyMetric.objects.values_list("business_id", "day", "metric", "product_id", "value")),
        Counter(DailyVisitor.objects.values_list("business_id", "day", "visitor_key")),
    )


def timed(apply: Any, activities: list[Activity], rounds: int) -> tuple[float, Any]:
    best = float("inf")
    result: Any = None
    for _round in range(rounds):
        rollups_empty()
        started = time.perf_counter()
        apply(activities)
        best = min(best, time.perf_counter() - started)
        result = state()
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        activities = activities_made(options.activities)
        one_by_one, expected = timed(
            lambda acts: [rollup_apply(activity=activity) for activity in acts], activities, options.rounds
        )
        batch, result = timed(rollups_apply_many, activities, options.rounds)
        if result != expected:
            raise SystemExit("The batch's rollups differ from one by one's")
        print(f"{connection.vendor}: {len(activities)} activities, best of {options.rounds}")
        print(f"  one by one (rollup_apply each):   {one_by_one * 1000:8.1f} ms")
        print(f"  one batch (rollups_apply_many):   {batch * 1000:8.1f} ms")
        print(f"  ratio: {one_by_one / batch:.1f}x")
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
