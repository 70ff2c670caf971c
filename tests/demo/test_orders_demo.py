"""The demo's orders and payments: 90 days of them, consistent with the rules the orders app keeps
(totals, payments with their trail, the status timeline, activities), the dashboard alive, and the
same rows whether a day was written in bulk or through the services."""

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import F, Sum
from django.test.utils import override_settings
from django.utils import timezone

from etalase.activity.models import Activity
from etalase.catalog.models import Product
from etalase.customers.models import Contact
from etalase.demo import orders as demo_orders
from etalase.demo import pictures
from etalase.demo.storefronts import STOREFRONTS
from etalase.directory.models import Business, Membership
from etalase.insights.enums import Metric, Period
from etalase.insights.models import DailyMetric
from etalase.insights.selectors import dashboard_get, period_resolve
from etalase.insights.services import rollups_rebuild
from etalase.orders.enums import OrderStatus, PaymentMethod, PaymentStatus
from etalase.orders.enums import Verb as OrderVerb
from etalase.orders.models import GatewayNotification, Order, OrderCounter, OrderEvent, Payment, Review

ORDER_VERBS = set(OrderVerb.values)


def seed(**options: Any) -> str:
    output = StringIO()
    call_command("seed_demo", **options, stdout=output)
    return output.getvalue()


def counted(output: str, label: str) -> int:
    """The number the seed printed after ``label`` (0 if it printed none)."""
    found = re.search(rf"{label}: (\d+)", output)
    return int(found[1]) if found else 0


def snapshot() -> dict[str, Any]:
    return {
        "orders": list(
            Order.objects.order_by("business__name", "number").values_list(
                "business__name", "number", "status", "channel", "fulfilment", "total_minor", "paid_minor", "note"
            )
        ),
        "payments": sorted(
            Payment.objects.values_list("order__business__name", "order__number", "method", "status", "amount_minor")
        ),
        "reviews": sorted(Review.objects.values_list("order__number", "product__title", "rating", "text")),
    }


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[tuple[dt.datetime, str]]:
    """The demo as ``etalase demo`` loads it (fewer customers, small pictures), once for this module.

    Loaded inside a transaction that every test of the module runs within (as Django's
    ``TestCase.setUpTestData``) and that is rolled back at the end: nothing is committed, so nothing
    runs after commit either."""
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(pictures, "PHOTO_SIDE", 120)
        patch.setattr(pictures, "POST_SIDE", 160)
        patch.setattr(pictures, "COVER_SIZE", (320, 140))
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with override_settings(
                MEDIA_ROOT=str(tmp_path_factory.mktemp("media")),
                PRIVATE_MEDIA_ROOT=str(tmp_path_factory.mktemp("private")),
            ):
                started = timezone.now()
                output = seed(customers=40, days=90)
            yield started, output
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def local_day(moment: dt.datetime, business: Business) -> dt.date:
    return moment.astimezone(ZoneInfo(business.timezone)).date()


@pytest.mark.django_db
def test_ninety_days_of_orders_at_every_shop_most_completed_and_paid(seeded):
    started, output = seeded
    assert "orders:" in output
    orders = Order.objects.all()
    assert orders.count() >= 90 * 8
    assert orders.order_by("placed_at").first().placed_at < started - dt.timedelta(days=85)  # type: ignore[union-attr]
    for business in Business.objects.all():
        placed = list(business.orders.values_list("placed_at", flat=True))
        days = {local_day(moment, business) for moment in placed}
        assert len(days) >= 45, business.name  # orders most days (the salon closes on Mondays)
        assert min(placed) < started - dt.timedelta(days=75), business.name  # the quietest shop starts later
        assert max(placed) > started - dt.timedelta(days=2), business.name
        assert max(placed) < started
        numbers = list(business.orders.order_by("placed_at", "pk").values_list("number", flat=True))
        assert numbers == list(range(1, len(numbers) + 1)), business.name  # numbered in turn
        assert OrderCounter.objects.get(business=business).last_number == len(numbers)
    statuses = Counter(orders.values_list("status", flat=True))
    assert statuses[OrderStatus.COMPLETED] > 0.85 * orders.count()
    assert 0 < statuses[OrderStatus.CANCELLED] < 0.1 * orders.count()
    assert statuses[OrderStatus.PENDING] >= 4  # new orders wait for the team today
    assert set(statuses) >= {OrderStatus.CONFIRMED, OrderStatus.READY_FOR_PICKUP}
    channels = set(orders.values_list("channel", flat=True))
    assert {"web", "walk_in", "whatsapp"} <= channels
    assert orders.filter(fulfilment="delivery").exists()
    assert orders.filter(fulfilment="pickup").exists()
    # The week has a rhythm: more orders on Fridays and Saturdays than on Sundays.
    weekdays = Counter(timezone.localtime(moment).weekday() for moment in orders.values_list("placed_at", flat=True))
    assert weekdays[4] + weekdays[5] > 2 * weekdays[6]


@pytest.mark.django_db
def test_totals_add_up_and_every_rupiah_has_a_trail(seeded):
    started, _output = seeded
    for order in Order.objects.prefetch_related("lines", "payments", "events"):
        lines = list(order.lines.all())
        assert order.subtotal_minor == sum(line.total_minor for line in lines) > 0
        assert order.total_minor == order.subtotal_minor + order.delivery_fee_minor
        confirmed = [p for p in order.payments.all() if p.status == PaymentStatus.CONFIRMED]
        assert order.paid_minor == sum(p.amount_minor for p in confirmed) <= order.total_minor
        waiting = sum(p.amount_minor for p in order.payments.all() if p.status == PaymentStatus.PENDING)
        assert order.paid_minor + waiting <= order.total_minor
        if order.status == OrderStatus.CANCELLED:
            assert not confirmed
            assert order.cancelled_at is not None
        if order.status == OrderStatus.COMPLETED:
            assert order.completed_at is not None
            assert order.completed_at >= order.placed_at
            assert order.paid_minor + waiting == order.total_minor, order  # nobody walked off without paying
        events = list(order.events.all())
        assert (events[0].from_status, events[0].to_status) == ("", OrderStatus.PENDING)
        for before, after in zip(events, events[1:], strict=False):
            assert after.from_status == before.to_status
            assert before.created_at <= after.created_at
        assert events[-1].to_status == order.status
        assert events[0].created_at == order.placed_at < started
    paid_in_full = Order.objects.filter(paid_minor=F("total_minor")).count()
    assert paid_in_full > 0.85 * Order.objects.count()

    payments = Payment.objects.select_related("order", "recorded_by", "received_by", "confirmed_by")
    methods = Counter(payments.filter(status=PaymentStatus.CONFIRMED).values_list("method", flat=True))
    assert set(methods) == set(PaymentMethod.values)
    members = set(Membership.objects.values_list("business_id", "user_id"))
    for payment in payments:
        assert payment.order.placed_at <= payment.paid_at < started
        if payment.method == PaymentMethod.GATEWAY:
            assert payment.status == PaymentStatus.CONFIRMED
            assert payment.gateway_transaction_id
            notice = GatewayNotification.objects.get(payment=payment)
            assert notice.signature_valid
            assert notice.outcome == "paid"
            continue
        assert payment.recorded_by is not None  # who took the money or sent it
        if payment.received_by is not None:  # recorded by the team: who received it
            assert (payment.business_id, payment.received_by_id) in members
        else:  # sent by the customer
            assert payment.recorded_by_id == payment.order.customer_id
            if payment.method == PaymentMethod.TRANSFER:
                assert payment.proof.name
        if payment.status != PaymentStatus.PENDING:  # confirmed or rejected: by whom, and when
            assert (payment.business_id, payment.confirmed_by_id) in members
            assert payment.confirmed_at is not None
            assert payment.paid_at <= payment.confirmed_at < started
        if payment.status == PaymentStatus.REJECTED:
            assert payment.rejected_reason
    assert Payment.objects.filter(status=PaymentStatus.PENDING).exists()  # transfers to check today
    assert Payment.objects.filter(status=PaymentStatus.REJECTED).exists()


@pytest.mark.django_db
def test_people_act_when_they_can(seeded):
    joined = {
        (business_id, user_id): created
        for business_id, user_id, created in Membership.objects.values_list("business_id", "user_id", "created_at")
    }
    for event in OrderEvent.objects.exclude(from_status="").select_related("order"):
        if event.actor_id is not None and event.actor_id != event.order.customer_id:
            assert joined[event.order.business_id, event.actor_id] < event.created_at
    for order in Order.objects.select_related("customer", "contact").prefetch_related("lines__product"):
        assert order.contact.business_id == order.business_id
        if order.customer is not None:
            assert order.customer.date_joined < order.placed_at
            assert order.contact.user_id == order.customer_id
        for line in order.lines.all():
            assert line.product is not None
            assert line.product.published_at is not None
            assert line.product.published_at < order.placed_at
            assert line.title == line.product.title
            assert line.unit_price_minor == line.product.price_minor
    for review in Review.objects.select_related("order"):
        assert review.order.status == OrderStatus.COMPLETED
        assert review.user_id == review.order.customer_id
        assert review.order.completed_at is not None
        assert review.created_at > review.order.completed_at
    # Every customer who ordered is in the shop's books, since their first order.
    for contact in Contact.objects.filter(orders__isnull=False).distinct():
        first = contact.orders.order_by("placed_at").first()
        assert first is not None
        assert contact.created_at <= first.placed_at
    # The catalogue's stock is as the storefronts describe it.
    for product in Product.objects.select_related("business"):
        specs = {spec.title: spec for spec in STOREFRONTS[product.business.name].products}
        assert product.stock == specs[product.title].stock


@pytest.mark.django_db
def test_every_order_and_payment_is_in_the_activity_spine_with_the_services_data(seeded):
    started, _output = seeded
    activities = Activity.objects.filter(verb__in=ORDER_VERBS)
    verbs = Counter(activities.values_list("verb", flat=True))
    assert verbs[OrderVerb.ORDERED] == Order.objects.count()
    assert verbs[OrderVerb.PAID] == Payment.objects.count()
    assert verbs[OrderVerb.PAYMENT_REJECTED] == Payment.objects.filter(status=PaymentStatus.REJECTED).count()
    assert verbs[OrderVerb.REVIEWED] == Review.objects.count()
    assert verbs[OrderVerb.CANCELLED] == Order.objects.filter(status=OrderStatus.CANCELLED).count()
    assert verbs[OrderVerb.ORDER_STATUS_CHANGED] == (
        OrderEvent.objects.exclude(from_status="").exclude(to_status=OrderStatus.CANCELLED).count()
    )
    assert not activities.filter(occurred_at__gte=started).exists()
    assert not activities.exclude(recorded_at=F("occurred_at")).exists()
    # An order's activities carry its number, its customer and its contact.
    numbers = dict(Order.objects.values_list("pk", "number"))
    for target_id, data in activities.exclude(verb=OrderVerb.REVIEWED).values_list("target_id", "data"):
        assert data["number"] == numbers[int(target_id)]
        assert "contact_id" in data
    # Written in bulk (the older days) or by the services (the recent ones): the same data.
    cutoff = started - dt.timedelta(days=demo_orders.RECENT_DAYS)
    shapes: dict[tuple[str, str], set[frozenset[str]]] = defaultdict(set)
    for verb, data, occurred in activities.values_list("verb", "data", "occurred_at"):
        if occurred < cutoff - dt.timedelta(days=1):
            shapes[verb, "bulk"].add(frozenset(data))
        elif occurred > cutoff + dt.timedelta(days=1):
            shapes[verb, "services"].add(frozenset(data))
    compared = [verb for verb in ORDER_VERBS if shapes[verb, "bulk"] and shapes[verb, "services"]]
    assert len(compared) >= 5
    for verb in compared:
        assert shapes[verb, "bulk"] <= shapes[verb, "services"], verb


@pytest.mark.django_db
def test_the_dashboard_comes_alive_and_a_rebuild_changes_nothing(seeded):
    for business in Business.objects.all():
        dashboard = dashboard_get(business, date_range=period_resolve(business, period=Period.DAYS_30))
        totals = dashboard.totals
        assert totals[Metric.ORDERS] > 10, business.name
        assert totals["revenue"] > 0, business.name
        assert totals["payments_received"] > 0, business.name
        assert totals[Metric.PAID_ORDERS] > 0, business.name
        confirmed = Payment.objects.filter(business=business, status=PaymentStatus.CONFIRMED)
        assert totals["payments_received"] <= confirmed.aggregate(total=Sum("amount_minor"))["total"]
    before = Counter(DailyMetric.objects.values_list("business_id", "day", "metric", "product_id", "value"))
    today = timezone.localdate()
    rollups_rebuild(start=today - dt.timedelta(days=95), end=today + dt.timedelta(days=1))
    assert Counter(DailyMetric.objects.values_list("business_id", "day", "metric", "product_id", "value")) == before
    total_orders = DailyMetric.objects.filter(metric=Metric.ORDERS, product__isnull=True).aggregate(total=Sum("value"))[
        "total"
    ]
    assert total_orders == Order.objects.count()


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_orders_payments_and_reviews(monkeypatch):
    # A short story told both ways: its first three days written in bulk, the last three through the
    # services (the ninety-day load above covers the real share of each).
    monkeypatch.setattr(demo_orders, "RECENT_DAYS", 3)
    story = {"customers": 8, "days": 6, "seed": 5, "reset": True}
    output = seed(**story)
    assert counted(output, "written in bulk") > 0
    assert counted(output, "through the services") > 0
    first = snapshot()
    assert all(first.values())
    seed(**story)
    assert snapshot() == first
