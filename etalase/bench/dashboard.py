"""Dashboard latency: rollups against a scan of the raw activities, on a synthetic data set.

``etalase bench dashboard`` builds a seeded data set (by default 1,000 businesses and 2,000,000
activities over 365 days, a few busy shops and many quiet ones), rebuilds the daily rollups with
``insights.services.rollups_rebuild`` (timed), checks a sample of businesses against a direct count,
then times the dashboard per period (today, 7 days, 30 days, a custom 90 days): the selector the
page uses, the whole page through Django's test client, and a reference implementation that
computes the same numbers from the raw activity table. It prints p50/p95 and the ratios.

Rows are written in bulk, not through the services: a service call per activity (its transaction,
its idempotency check, its after-commit processing) would take hours for two million rows. Users,
businesses, memberships and products use ``bulk_create``; activities use ``executemany`` in large
batches (SQLite) or ``COPY`` (PostgreSQL).

Which database: the data never goes to the project's own database by accident. The command re-runs
itself once with ``DATABASE_URL`` set to ``--database-url``, else to the caller's ``DATABASE_URL``,
else to a SQLite file ``var/bench-dashboard.sqlite3`` (deleted and recreated on each run), and
migrates it. A database that already holds businesses is refused unless ``--flush`` (empty it
first) or ``--reuse`` (measure the data already there) is given.

    etalase bench dashboard                                   # full size, var/bench-dashboard.sqlite3
    etalase bench dashboard --businesses 50 --activities 50000 --days 60 --requests 50
    etalase bench dashboard --database-url postgres://root@127.0.0.1:5432/etalase_bench --flush
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import random
import sys
import time
import types
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.models import BigIntegerField, Count, Q, Sum
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast, TruncDate
from django.test import Client, override_settings
from django.urls import NoReverseMatch, include, path, reverse
from django.utils import timezone

from etalase.accounts.models import User
from etalase.activity.models import Activity
from etalase.bench.common import (
    activities_insert,
    add_database_arguments,
    database_prepare,
    p50_p95_ms,
    product_published,
    progress_bar,
)
from etalase.catalog.models import Product
from etalase.directory.enums import Role
from etalase.directory.models import Business, Category, Membership
from etalase.engagement.models import Comment
from etalase.insights.enums import Metric, Period
from etalase.insights.selectors import DateRange, dashboard_get, period_resolve
from etalase.insights.services import COUNTED_VERBS, day_bounds, rollups_rebuild

REEXEC_MARK = "ETALASE_BENCH_DASHBOARD_DATABASE"
DEFAULT_FILE = "bench-dashboard.sqlite3"
PRODUCTS_PER_BUSINESS = 20
BATCH = 50_000
TIMEZONES = [("Asia/Jakarta", 80), ("Asia/Makassar", 15), ("Asia/Jayapura", 5)]
VERBS = [
    ("viewed_business", 22),
    ("viewed_product", 45),
    ("favourited", 7),
    ("unfavourited", 1.5),
    ("followed", 3),
    ("unfollowed", 1),
    ("commented", 2.5),
    ("asked", 2),
    ("shared", 2),
    ("ordered", 6),
    ("paid", 4.5),
    ("payment_confirmed", 3),
    ("cancelled", 0.5),
]
PERIODS = [("today", Period.TODAY), ("7d", Period.DAYS_7), ("30d", Period.DAYS_30), ("custom 90d", Period.CUSTOM)]


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument("--businesses", type=int, default=1000)
    parser.add_argument("--activities", type=int, default=2_000_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--requests", type=int, default=200, help="requests per period and per way of measuring")
    add_database_arguments(parser)


def run(command: BaseCommand, **options: Any) -> None:
    database_prepare(command, options, mark=REEXEC_MARK, default_file=DEFAULT_FILE)
    out = command.stdout
    has_data = Business.objects.exists()
    if has_data and not (options["reuse"] or options["flush"]):
        raise CommandError("This database already holds businesses: pass --flush to empty it, or --reuse.")
    if options["flush"] and has_data and not options["reuse"]:
        call_command("flush", verbosity=0, interactive=False)
    random.seed(options["seed"])
    if not options["reuse"] or not has_data:
        started = time.perf_counter()
        generated = dataset_generate(
            businesses=options["businesses"], activities=options["activities"], days=options["days"]
        )
        out.write(f"Generated {generated} activities in {time.perf_counter() - started:.1f} s.")
        today = timezone.localdate()
        started = time.perf_counter()
        result = rollups_rebuild(
            start=today - dt.timedelta(days=options["days"] + 1),
            end=today + dt.timedelta(days=1),
            progress=progress_bar("rollups", "businesses"),
        )
        sys.stderr.write("\n")
        out.write(
            f"Rebuilt rollups in {time.perf_counter() - started:.1f} s: {result.activities} activities → "
            f"{result.metric_rows} rollup rows, {result.visitor_rows} visitor-day rows."
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics for the planner, on both databases
    checked = rollups_check(sample=5)
    out.write(f"Rollups equal a direct count of the raw activities for {checked} sampled businesses × 4 periods.")
    report = measure(requests=options["requests"])
    out.write(report)


# --- the data set -----------------------------------------------------------------------------------


def dataset_generate(*, businesses: int, activities: int, days: int) -> int:
    """Users, businesses, owners' memberships, products, then the activities; returns the activities written."""
    category_ids = list(Category.objects.values_list("pk", flat=True)) or [
        Category.objects.create(slug="bench", name_id="Bench", name_en="Bench").pk
    ]
    customers = max(100, min(50_000, activities // 40))
    now = timezone.now()
    unusable = "!bench"
    owners = User.objects.bulk_create(
        [
            User(
                name=f"Pemilik {n}",
                email=f"owner{n}@bench.example",
                email_verified_at=now,  # owners act for their shops: verified, as after sign-up
                password=unusable,
                date_joined=now,
            )
            for n in range(businesses)
        ],
        batch_size=5000,
    )
    customer_rows = User.objects.bulk_create(
        [
            User(name=f"Pelanggan {n}", email=f"customer{n}@bench.example", password=unusable, date_joined=now)
            for n in range(customers)
        ],
        batch_size=5000,
    )
    zones = random.choices([name for name, _w in TIMEZONES], weights=[w for _n, w in TIMEZONES], k=businesses)
    business_rows = Business.objects.bulk_create(
        [
            Business(
                name=f"Toko Bench {n}",
                slug=f"bench-{n}",
                category_id=category_ids[n % len(category_ids)],
                city="Yogyakarta",
                whatsapp=f"+62812{n:08d}",
                timezone=zones[n],
                created_by_id=owners[n].pk,
            )
            for n in range(businesses)
        ],
        batch_size=5000,
    )
    Membership.objects.bulk_create(
        [
            Membership(business=business, user=owner, role=Role.OWNER)
            for business, owner in zip(business_rows, owners, strict=True)
        ],
        batch_size=5000,
    )
    Product.objects.bulk_create(
        [
            product_published(
                business,
                title=f"Produk {n} {business.pk}",
                price_minor=random.randrange(10, 500) * 1000,
                position=n,
                now=now,
            )
            for business in business_rows
            for n in range(PRODUCTS_PER_BUSINESS)
        ],
        batch_size=5000,
    )
    products: dict[int, list[int]] = {}
    for product_id, business_id in Product.objects.values_list("pk", "business_id"):
        products.setdefault(business_id, []).append(product_id)
    # Looked up now: the rows are generated lazily while COPY holds the connection.
    types: dict[type, int] = {
        model: ContentType.objects.get_for_model(model).pk for model in (Product, Business, Comment)
    }
    rows = _activity_rows(
        types=types,
        business_ids=[business.pk for business in business_rows],
        products=products,
        customer_ids=[user.pk for user in customer_rows],
        activities=activities,
        days=days,
        now=now,
    )
    return activities_insert(rows, total=activities)


def _activity_rows(
    *,
    types: dict[type, int],
    business_ids: list[int],
    products: dict[int, list[int]],
    customer_ids: list[int],
    activities: int,
    days: int,
    now: dt.datetime,
) -> Iterator[tuple[Any, ...]]:
    """(business, actor, verb, target type, target id, data, channel, occurred, recorded, processed)."""
    product_type, business_type, comment_type = types[Product], types[Business], types[Comment]
    # A few busy shops, many quiet ones (Zipf-like), and a visitor pool per shop that fits its size.
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(business_ids))]
    cumulative = list(itertools.accumulate(weights))
    share = [weight / cumulative[-1] for weight in weights]
    visitor_pool = [max(20, int(activities * part / 6)) for part in share]
    verbs = [verb for verb, _w in VERBS]
    verb_cumulative = list(itertools.accumulate(weight for _v, weight in VERBS))
    span = days * 86_400
    indexes = range(len(business_ids))
    made = 0
    while made < activities:
        size = min(BATCH, activities - made)
        picks = random.choices(indexes, cum_weights=cumulative, k=size)
        chosen_verbs = random.choices(verbs, cum_weights=verb_cumulative, k=size)
        for index, verb in zip(picks, chosen_verbs, strict=True):
            business_id = business_ids[index]
            occurred = now - dt.timedelta(seconds=random.random() * span)
            product_id = random.choice(products[business_id])
            actor: int | None = random.choice(customer_ids)
            target_type: int | None = product_type
            target_id = str(product_id)
            data: dict[str, Any]
            if verb in ("viewed_business", "viewed_product"):
                data = {"visitor": f"{index:08x}{random.randrange(visitor_pool[index]):024x}"}
                actor = actor if random.random() < 0.3 else None
                if verb == "viewed_business":
                    target_type, target_id = business_type, str(business_id)
            elif verb in ("favourited", "unfavourited"):
                data = {"product_id": product_id, "title": "Produk"}
            elif verb in ("followed", "unfollowed"):
                data, target_type, target_id = {}, business_type, str(business_id)
            elif verb in ("commented", "asked"):
                data = {"product_id": product_id, "title": "Produk", "excerpt": "Ada ukuran XL?"}
                target_type, target_id = comment_type, str(random.randrange(1, 10**6))
            elif verb == "shared":
                data = {"what": "product", "id": product_id, "channel": "whatsapp"}
            else:
                amount = random.randrange(10, 500) * 1000
                data = (
                    {"amount_minor": amount, "product_ids": [product_id]}
                    if verb == "ordered"
                    else {"amount_minor": amount}
                )
                target_type, target_id = None, ""
            yield (business_id, actor, verb, target_type, target_id, data, "web", occurred, occurred, occurred)
        made += size


# --- the same numbers from the raw activities (the reference) -------------------------------------


def raw_dashboard(business: Business, *, date_range: DateRange) -> dict[str, Any]:
    """What the dashboard shows, computed by scanning the activity table (for comparison only)."""
    zone = ZoneInfo(business.timezone)
    previous_range = date_range.previous()
    lower, upper = day_bounds(start=previous_range.start, end=date_range.end, zone=zone)
    current_from, _ignored = day_bounds(start=date_range.start, end=date_range.start, zone=zone)
    scope = Activity.objects.filter(business=business, occurred_at__gte=lower, occurred_at__lt=upper)
    amount = Cast(KeyTextTransform("amount_minor", "data"), BigIntegerField())
    per_day = list(
        scope.filter(verb__in=COUNTED_VERBS)
        .annotate(day=TruncDate("occurred_at", tzinfo=zone))
        .values("day", "verb")
        .annotate(count=Count("id"), amount=Sum(amount))
        .order_by()
    )
    visitor = KeyTextTransform("visitor", "data")
    views = Q(verb__in=["viewed_business", "viewed_product"])
    visitors = scope.filter(views).aggregate(
        current=Count(visitor, distinct=True, filter=Q(occurred_at__gte=current_from)),
        previous=Count(visitor, distinct=True, filter=Q(occurred_at__lt=current_from)),
    )
    current_scope = scope.filter(occurred_at__gte=current_from)
    top = {
        "product_views": _raw_top(current_scope.filter(verb="viewed_product"), "target_id"),
        "favourites": _raw_top(current_scope.filter(verb="favourited"), "target_id"),
        "orders": _raw_top(
            current_scope.filter(verb="ordered").annotate(
                first=KeyTextTransform("0", KeyTransform("product_ids", "data"))
            ),
            "first",
        ),
    }
    totals: dict[str, int] = {}
    for row in per_day:
        if row["day"] >= date_range.start:
            totals[row["verb"]] = totals.get(row["verb"], 0) + row["count"]
            totals[row["verb"] + ":amount"] = totals.get(row["verb"] + ":amount", 0) + (row["amount"] or 0)
    return {"per_day": per_day, "visitors": visitors, "top": top, "totals": totals}


def _raw_top(queryset: Any, field: str) -> list[tuple[str, int]]:
    rows = queryset.values(field).annotate(total=Count("id")).order_by("-total", field)[:5]
    return [(row[field], row["total"]) for row in rows]


def rollups_check(*, sample: int) -> int:
    """Compare the rollups with the raw count for a few businesses (the busiest one included)."""
    ids = list(Business.objects.order_by("pk").values_list("pk", flat=True))
    chosen = {ids[0], *random.sample(ids, min(sample - 1, len(ids)))}
    for business in Business.objects.filter(pk__in=chosen):
        for _label, period in PERIODS:
            date_range = _range(business, period)
            dashboard = dashboard_get(business, date_range=date_range)
            raw = raw_dashboard(business, date_range=date_range)
            expected = {
                Metric.STOREFRONT_VIEWS: raw["totals"].get("viewed_business", 0),
                Metric.PRODUCT_VIEWS: raw["totals"].get("viewed_product", 0),
                Metric.FAVOURITES: raw["totals"].get("favourited", 0),
                Metric.ORDERS: raw["totals"].get("ordered", 0),
                Metric.ORDER_VALUE: raw["totals"].get("ordered:amount", 0),
                Metric.VISITORS: raw["visitors"]["current"],
            }
            found = {metric: dashboard.totals[metric] for metric in expected}
            if found != expected:
                raise CommandError(
                    f"Rollups differ from the raw count for {business.slug} {period}: {found} != {expected}"
                )
    return len(chosen)


# --- measuring ------------------------------------------------------------------------------------


def _range(business: Business, period: str) -> DateRange:
    today = timezone.now().astimezone(ZoneInfo(business.timezone)).date()
    if period == Period.CUSTOM:
        return period_resolve(business, period=period, start=today - dt.timedelta(days=89), end=today, today=today)
    return period_resolve(business, period=period, today=today)


def _page_urlconf() -> Any:
    """The project's URLs, plus the insights pages when the project does not include them yet."""
    try:
        reverse("insights:page", args=["x"])
    except NoReverseMatch:
        module = types.ModuleType("etalase_bench_urls")
        module.urlpatterns = [  # type: ignore[attr-defined]
            path("", include(settings.ROOT_URLCONF)),
            path("", include("etalase.insights.urls")),
        ]
        return module
    return None


def measure(*, requests: int) -> str:
    businesses = list(Business.objects.all())
    owners = dict(
        Membership.objects.filter(role=Role.OWNER).values_list("business_id", "user_id").order_by("business_id", "pk")
    )
    users = {user.pk: user for user in User.objects.filter(pk__in=set(owners.values()))}
    lines = [
        "",
        f"Dashboard latency, {requests} requests per period over random businesses ({connection.vendor}), ms:",
        f"{'period':<11} {'rollups p50':>11} {'p95':>7} {'page p50':>9} {'p95':>7} {'raw p50':>8} {'p95':>8} "
        f"{'raw/rollups p50':>15} {'p95':>6}",
    ]
    urlconf = _page_urlconf()
    for label, period in PERIODS:
        chosen = [random.choice(businesses) for _n in range(requests)]
        rollup_times, raw_times, page_times = [], [], []
        for business in chosen:
            date_range = _range(business, period)
            started = time.perf_counter()
            dashboard_get(business, date_range=date_range)
            rollup_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            raw_dashboard(business, date_range=date_range)
            raw_times.append(time.perf_counter() - started)
        query = "?period=custom&start={start}&end={end}" if period == Period.CUSTOM else f"?period={period}"
        with override_settings(ROOT_URLCONF=urlconf) if urlconf is not None else contextlib.nullcontext():
            client = Client()
            logged_in: int | None = None
            for business in chosen:
                owner_id = owners[business.pk]
                if logged_in != owner_id:
                    client.force_login(users[owner_id])
                    logged_in = owner_id
                date_range = _range(business, period)
                url = reverse("insights:page", args=[business.slug]) + query.format(
                    start=date_range.start.isoformat(), end=date_range.end.isoformat()
                )
                started = time.perf_counter()
                response = client.get(url)
                page_times.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise CommandError(f"{url} answered {response.status_code}")
        rollup, raw, page = p50_p95_ms(rollup_times), p50_p95_ms(raw_times), p50_p95_ms(page_times)
        lines.append(
            f"{label:<11} {rollup[0]:>11.1f} {rollup[1]:>7.1f} {page[0]:>9.1f} {page[1]:>7.1f} {raw[0]:>8.1f} "
            f"{raw[1]:>8.1f} {raw[0] / rollup[0]:>14.1f}× {raw[1] / rollup[1]:>5.1f}×"
        )
    return "\n".join(lines)
