"""Orders and payments in the rollups, through the orders app's own services.

Payments made count each payment; payments confirmed count each confirmed one (confirmed at once or
later); payments rejected count each rejected one, so "payments pending" falls after a rejection; an
order counts as paid once, by the payment that paid it in full.
"""

import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone

from etalase.insights.enums import Metric, Period
from etalase.insights.models import AppliedActivity, DailyMetric, DailyVisitor
from etalase.insights.selectors import dashboard_get, period_resolve
from etalase.insights.services import activity_contributions, rollups_rebuild
from etalase.orders.enums import OrderStatus, PaymentMethod
from etalase.orders.services.gateway import gateway_sandbox_pay
from etalase.orders.services.payments import payment_confirm, payment_record, payment_reject, payment_submit
from etalase.orders.services.status import order_cancel, order_transition
from tests.support.orders import checkout_for, proof_picture

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(django_capture_on_commit_callbacks):
    """``with live():`` processes what the block records after it, as a commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def order(customer, product, product_two, live):
    """Budi's pending order: 2 × Batik Parang + 1 × Kain Lurik = Rp 385.000, counted."""
    with live():
        return checkout_for(customer, [(product, 2), (product_two, 1)])


def totals(business) -> Counter[str]:
    rows = DailyMetric.objects.filter(business=business, product__isnull=True).values_list("metric", "value")
    counted: Counter[str] = Counter()
    for metric, value in rows:
        counted[metric] += value
    return counted


def dashboard(business):
    return dashboard_get(business, date_range=period_resolve(business, period=Period.DAYS_7)).totals


def transfer(order, customer, live, amount_minor):
    with live():
        return payment_submit(
            order=order,
            user=customer,
            method=PaymentMethod.TRANSFER,
            amount_minor=amount_minor,
            proof=proof_picture(),
        )


@pytest.mark.parametrize(
    ("verb", "data", "expected"),
    [
        ("paid", {"amount_minor": 500, "confirmed": False}, {Metric.PAYMENTS_PAID: 500}),
        (
            "paid",
            {"amount_minor": 500, "confirmed": True, "order_paid": False},
            {Metric.PAYMENTS_PAID: 500, Metric.PAYMENTS_CONFIRMED: 500},
        ),
        (
            "paid",
            {"amount_minor": 500, "confirmed": True, "order_paid": True},
            {Metric.PAYMENTS_PAID: 500, Metric.PAYMENTS_CONFIRMED: 500, Metric.PAID_ORDERS: 1},
        ),
        ("paid", {"amount_minor": 500, "confirmed": False, "order_paid": True}, {Metric.PAYMENTS_PAID: 500}),
        ("payment_confirmed", {"amount_minor": 500, "order_paid": False}, {Metric.PAYMENTS_CONFIRMED: 500}),
        (
            "payment_confirmed",
            {"amount_minor": 500, "order_paid": True},
            {Metric.PAYMENTS_CONFIRMED: 500, Metric.PAID_ORDERS: 1},
        ),
        ("payment_rejected", {"amount_minor": 500, "reason": "blur"}, {Metric.PAYMENTS_REJECTED: 500}),
        ("payment_rejected", {"amount_minor": "500"}, {}),  # amounts are integers, or nothing
    ],
)
def test_what_one_payment_activity_adds(verb, data, expected):
    rows = activity_contributions(verb=verb, data=data, products=[])
    assert {metric: value for metric, _product, value in rows} == expected


def test_an_order_counts_with_its_value_and_its_products(shop, order, product, product_two):
    assert totals(shop)[Metric.ORDERS] == 1
    assert totals(shop)[Metric.ORDER_VALUE] == 385_000
    per_product = dict(
        DailyMetric.objects.filter(business=shop, metric=Metric.ORDERS, product__isnull=False).values_list(
            "product_id", "value"
        )
    )
    assert per_product == {product.pk: 1, product_two.pk: 1}


def test_a_transfer_counts_as_made_then_confirmed_and_the_order_as_paid(shop, order, customer, cashier, live):
    payment = transfer(order, customer, live, order.total_minor)
    assert dashboard(shop)["payments_pending"] == 385_000
    assert totals(shop)[Metric.PAID_ORDERS] == 0
    with live():
        payment_confirm(payment=payment, actor=cashier)
    counted = totals(shop)
    assert (counted[Metric.PAYMENTS_PAID], counted[Metric.PAYMENTS_CONFIRMED]) == (385_000, 385_000)
    assert counted[Metric.PAID_ORDERS] == 1
    numbers = dashboard(shop)
    assert (numbers["payments_received"], numbers["payments_pending"]) == (385_000, 0)
    assert [step.value for step in dashboard_get(shop, date_range=period_resolve(shop)).funnel][2:] == [1, 1]


def test_an_order_paid_in_parts_counts_as_paid_once(shop, order, customer, cashier, live):
    first = transfer(order, customer, live, 185_000)
    with live():
        payment_confirm(payment=first, actor=cashier)
    assert totals(shop)[Metric.PAID_ORDERS] == 0  # not fully paid yet
    with live():
        payment_record(order=order, actor=cashier, method=PaymentMethod.CASH, amount_minor=200_000, confirm=True)
    counted = totals(shop)
    assert counted[Metric.PAID_ORDERS] == 1
    assert (counted[Metric.PAYMENTS_PAID], counted[Metric.PAYMENTS_CONFIRMED]) == (385_000, 385_000)


def test_cash_recorded_and_confirmed_at_once_counts_as_made_confirmed_and_paid(shop, order, cashier, live):
    with live():
        payment_record(
            order=order, actor=cashier, method=PaymentMethod.CASH, amount_minor=order.total_minor, confirm=True
        )
    counted = totals(shop)
    assert (counted[Metric.PAYMENTS_PAID], counted[Metric.PAYMENTS_CONFIRMED], counted[Metric.PAID_ORDERS]) == (
        385_000,
        385_000,
        1,
    )
    assert dashboard(shop)["payments_pending"] == 0


def test_cash_recorded_by_sales_is_pending_until_the_cashier_confirms_it(shop, order, sales, cashier, live):
    with live():
        payment = payment_record(
            order=order, actor=sales, method=PaymentMethod.CASH, amount_minor=order.total_minor, confirm=False
        )
    assert dashboard(shop)["payments_pending"] == 385_000
    with live():
        payment_confirm(payment=payment, actor=cashier)
    assert dashboard(shop)["payments_pending"] == 0
    assert totals(shop)[Metric.PAID_ORDERS] == 1


def test_a_rejected_payment_is_no_longer_pending(shop, order, customer, cashier, live):
    payment = transfer(order, customer, live, order.total_minor)
    with live():
        payment_reject(payment=payment, actor=cashier, reason="Bukti transfer tidak terbaca")
    counted = totals(shop)
    assert (counted[Metric.PAYMENTS_PAID], counted[Metric.PAYMENTS_REJECTED]) == (385_000, 385_000)
    assert counted[Metric.PAYMENTS_CONFIRMED] == counted[Metric.PAID_ORDERS] == 0
    numbers = dashboard(shop)
    assert (numbers["payments_received"], numbers["payments_pending"]) == (0, 0)


def test_an_online_payment_counts_as_made_confirmed_and_paid(shop, order, live):
    with live():
        gateway_sandbox_pay(order=order)
    counted = totals(shop)
    assert (counted[Metric.PAYMENTS_PAID], counted[Metric.PAYMENTS_CONFIRMED], counted[Metric.PAID_ORDERS]) == (
        385_000,
        385_000,
        1,
    )


def test_a_cancelled_order_takes_its_value_off_the_revenue(shop, order, customer, live):
    with live():
        order_cancel(order=order, actor=customer, reason="", by_customer=True)
    counted = totals(shop)
    assert (counted[Metric.CANCELLATIONS], counted[Metric.CANCELLED_VALUE]) == (1, 385_000)
    assert dashboard(shop)["revenue"] == 0


def test_a_rebuild_of_order_days_equals_live_processing(shop, customer, cashier, product, product_two, live):
    """A mix of everything above, live; then rebuilt from the activity table: the same numbers."""
    with live():
        paid = checkout_for(customer, [(product, 1)])
        transfer_payment = payment_submit(
            order=paid,
            user=customer,
            method=PaymentMethod.TRANSFER,
            amount_minor=paid.total_minor,
            proof=proof_picture(),
        )
        payment_confirm(payment=transfer_payment, actor=cashier)
        order_transition(order=paid, actor=cashier, to_status=OrderStatus.CONFIRMED)
        order_transition(order=paid, actor=cashier, to_status=OrderStatus.COMPLETED)
        rejected = checkout_for(customer, [(product_two, 2)])
        wrong = payment_submit(
            order=rejected, user=customer, method=PaymentMethod.QRIS, amount_minor=50_000, reference="QR-1"
        )
        payment_reject(payment=wrong, actor=cashier, reason="Tidak ada dana masuk")
        cancelled = checkout_for(customer, [(product_two, 1)])
        order_cancel(order=cancelled, actor=cashier, reason="Stok habis", by_customer=False)
        gateway_sandbox_pay(order=rejected)
    live_totals = totals(shop)
    assert live_totals[Metric.ORDERS] == 3
    assert live_totals[Metric.PAID_ORDERS] == 2
    assert live_totals[Metric.PAYMENTS_REJECTED] == 50_000

    DailyMetric.objects.all().delete()
    DailyVisitor.objects.all().delete()
    AppliedActivity.objects.all().delete()
    today = timezone.localdate()
    rollups_rebuild(businesses=[shop], start=today - dt.timedelta(days=2), end=today + dt.timedelta(days=1))
    assert totals(shop) == live_totals
