"""Checkouts, payments and gateway notifications arriving at the same moment, each on its own
database connection (one thread each, all released together by a barrier).

Stock never goes below zero and never sells twice; a retried request makes one order or payment;
nobody pays more than is due. The 50-checkout race needs PostgreSQL's row locks to be a real race;
SQLite lets one writer in at a time, and the same assertions hold there with fewer threads.
"""

from typing import Any

import pytest
from django.db import OperationalError, connection

from etalase.accounts.models import User
from etalase.catalog.models import Product
from etalase.core.errors import Conflict, DomainError, ValidationError
from etalase.orders.enums import PaymentStatus
from etalase.orders.models import GatewayNotification, Order, OrderLine, Payment
from etalase.orders.services.carts import cart_add
from etalase.orders.services.common import retry_when_locked
from etalase.orders.services.gateway import gateway_notification_receive
from etalase.orders.services.payments import payment_submit
from etalase.orders.services.placement import order_checkout
from tests.factories import UserFactory
from tests.support.concurrency import at_once, needs_postgres
from tests.support.orders import checkout_for, product_for_sale, signed_notification

pytestmark = pytest.mark.usefixtures("english")


def buyers_with_carts(product: Product, count: int, quantity: int = 1) -> list[User]:
    buyers = [UserFactory() for _ in range(count)]
    for buyer in buyers:
        cart_add(user=buyer, product=product, quantity=quantity)
    return buyers


def checkout_race(shop: Any, product: Product, buyers: list[User]) -> list[Any]:
    return at_once(len(buyers), lambda index: order_checkout(user=buyers[index], business=shop, fulfilment="pickup"))


def assert_sold_exactly(product: Product, results: list[Any], *, orders: int, stock_left: int) -> None:
    placed = [result for result in results if isinstance(result, Order)]
    refused = [result for result in results if not isinstance(result, Order)]
    assert len(placed) == orders, refused[:3]
    assert all(isinstance(error, ValidationError) and error.code == "out_of_stock" for error in refused), refused[:3]
    assert Order.objects.count() == orders
    assert sorted(Order.objects.values_list("number", flat=True)) == list(range(1, orders + 1))
    assert Product.objects.get(pk=product.pk).stock == stock_left
    sold = sum(OrderLine.objects.values_list("quantity", flat=True))
    assert sold + stock_left == 10


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres_only
@needs_postgres
def test_fifty_checkouts_of_ten_in_stock_make_exactly_ten_orders(shop):
    product = product_for_sale(shop, "Batik Langka", price_minor=250_000, stock=10)
    buyers = buyers_with_carts(product, 50)

    results = checkout_race(shop, product, buyers)

    assert_sold_exactly(product, results, orders=10, stock_left=0)
    assert Order.objects.filter(total_minor=250_000).count() == 10


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres_only
@needs_postgres
def test_racing_checkouts_of_several_each_never_oversell(shop):
    product = product_for_sale(shop, "Batik Langka", price_minor=250_000, stock=10)
    buyers = buyers_with_carts(product, 20, quantity=3)

    results = checkout_race(shop, product, buyers)

    assert_sold_exactly(product, results, orders=3, stock_left=1)


@pytest.mark.django_db(transaction=True)
def test_racing_checkouts_never_oversell_on_any_database(shop):
    product = product_for_sale(shop, "Batik Langka", price_minor=250_000, stock=10)
    buyers = buyers_with_carts(product, 12, quantity=2)

    results = checkout_race(shop, product, buyers)

    assert_sold_exactly(product, results, orders=5, stock_left=0)


@pytest.mark.django_db(transaction=True)
def test_the_same_checkout_sent_several_times_at_once_makes_one_order(shop, customer, product, product_two):
    cart_add(user=customer, product=product, quantity=2)
    cart_add(user=customer, product=product_two, quantity=1)

    results = at_once(
        6,
        lambda _: order_checkout(user=customer, business=shop, fulfilment="pickup", idempotency_key="double-tap"),
    )

    assert all(isinstance(result, Order) for result in results), results
    assert {result.pk for result in results} == {Order.objects.get().pk}
    assert Product.objects.get(pk=product.pk).stock == 3
    assert Product.objects.get(pk=product_two.pk).stock == 9


@pytest.mark.django_db(transaction=True)
def test_the_same_payment_sent_several_times_at_once_is_one_payment(shop, customer, product):
    order = checkout_for(customer, [(product, 1)])

    results = at_once(
        6,
        lambda _: payment_submit(
            order=order, user=customer, method="qris", amount_minor=150_000, reference="QR-1", idempotency_key="pay-1"
        ),
    )

    assert all(isinstance(result, Payment) for result in results), results
    assert {result.pk for result in results} == {Payment.objects.get().pk}


@pytest.mark.django_db(transaction=True)
def test_payments_racing_for_the_same_amount_due_take_it_once(shop, customer, product):
    order = checkout_for(customer, [(product, 1)])

    results = at_once(
        6,
        lambda index: payment_submit(
            order=order, user=customer, method="qris", amount_minor=150_000, reference=f"QR-{index}"
        ),
    )

    assert len([result for result in results if isinstance(result, Payment)]) == 1
    assert all(isinstance(result, (Payment, DomainError)) for result in results), results
    assert Payment.objects.filter(status=PaymentStatus.PENDING).count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_notification_delivered_several_times_at_once_pays_once(shop, customer, product):
    order = checkout_for(customer, [(product, 1)])
    body = signed_notification(order, transaction_id="tx-race")

    results = at_once(5, lambda _: gateway_notification_receive(gateway="midtrans", body=body))

    assert sorted(result.outcome for result in results) == ["duplicate"] * 4 + ["paid"]
    assert Payment.objects.count() == 1
    assert GatewayNotification.objects.count() == 5
    assert Order.objects.get(pk=order.pk).paid_minor == 150_000


def test_a_locked_sqlite_database_is_tried_again_then_answered_busy():
    """Only SQLite answers "database is locked"; PostgreSQL waits for row locks, so nothing retries there."""
    calls: list[int] = []

    @retry_when_locked
    def always_locked() -> None:
        calls.append(1)
        raise OperationalError("database is locked")

    @retry_when_locked
    def locked_once() -> str:
        calls.append(2)
        if calls.count(2) == 1:
            raise OperationalError("database is locked")
        return "done"

    if connection.vendor != "sqlite":
        with pytest.raises(OperationalError):
            always_locked()
        assert calls == [1]
        return

    with pytest.raises(Conflict) as busy:
        always_locked()

    assert (busy.value.code, busy.value.status, calls) == ("busy", 409, [1, 1, 1, 1])
    assert locked_once() == "done"
    assert calls.count(2) == 2
