"""The status journey: what staff may do next, what is refused, and cancelling with a reason."""

import pytest

from etalase.activity.models import Activity
from etalase.catalog.models import Product
from etalase.core.errors import ValidationError
from etalase.orders.enums import Fulfilment, OrderStatus
from etalase.orders.models import Order, OrderEvent
from etalase.orders.services.payments import payment_record, payment_submit
from etalase.orders.services.status import order_cancel, order_transition
from etalase.orders.transitions import (
    ALLOWED,
    order_can_cancel,
    order_can_customer_cancel,
    order_next_statuses,
    transition_allowed,
)
from tests.support.orders import proof_picture

S = OrderStatus


def draft(status: str, fulfilment: str = Fulfilment.DELIVERY) -> Order:
    """An order in memory (never saved): the table reads only its status and how it is handed over."""
    return Order(status=status, fulfilment=fulfilment)


# --- the table (no database) -----------------------------------------------------------------------


def test_every_status_has_its_row_and_the_ends_lead_nowhere():
    assert set(ALLOWED) == set(OrderStatus.values)
    assert ALLOWED[S.COMPLETED] == ALLOWED[S.CANCELLED] == frozenset()
    assert all(S.PENDING not in targets for targets in ALLOWED.values())


@pytest.mark.parametrize(
    ("status", "fulfilment", "offered"),
    [
        (S.PENDING, Fulfilment.PICKUP, [S.CONFIRMED]),
        (S.CONFIRMED, Fulfilment.DELIVERY, [S.PACKED, S.OUT_FOR_DELIVERY, S.COMPLETED]),
        (S.CONFIRMED, Fulfilment.PICKUP, [S.PACKED, S.READY_FOR_PICKUP, S.COMPLETED]),
        (S.PACKED, Fulfilment.DELIVERY, [S.OUT_FOR_DELIVERY]),
        (S.PACKED, Fulfilment.PICKUP, [S.READY_FOR_PICKUP]),
        (S.OUT_FOR_DELIVERY, Fulfilment.DELIVERY, [S.COMPLETED]),
        (S.READY_FOR_PICKUP, Fulfilment.PICKUP, [S.COMPLETED]),
        (S.COMPLETED, Fulfilment.PICKUP, []),
        (S.CANCELLED, Fulfilment.DELIVERY, []),
    ],
)
def test_staff_are_offered_the_next_steps_for_the_way_the_order_is_handed_over(status, fulfilment, offered):
    assert order_next_statuses(draft(status, fulfilment)) == offered


@pytest.mark.parametrize(
    ("from_status", "to_status", "fulfilment"),
    [
        (S.PENDING, S.COMPLETED, Fulfilment.PICKUP),
        (S.PENDING, S.PACKED, Fulfilment.PICKUP),
        (S.COMPLETED, S.PENDING, Fulfilment.PICKUP),
        (S.CANCELLED, S.CONFIRMED, Fulfilment.PICKUP),
        (S.CONFIRMED, S.READY_FOR_PICKUP, Fulfilment.DELIVERY),
        (S.CONFIRMED, S.OUT_FOR_DELIVERY, Fulfilment.PICKUP),
        (S.OUT_FOR_DELIVERY, S.PACKED, Fulfilment.DELIVERY),
        (S.CONFIRMED, "shipped", Fulfilment.DELIVERY),
    ],
)
def test_jumps_that_are_not_in_the_table_are_not_allowed(from_status, to_status, fulfilment):
    assert not transition_allowed(fulfilment=fulfilment, from_status=from_status, to_status=to_status)


def test_only_a_pending_order_can_be_cancelled_by_its_customer_and_staff_until_the_end():
    assert [status for status in S.values if order_can_customer_cancel(draft(status))] == [S.PENDING]
    assert [status for status in S.values if not order_can_cancel(draft(status))] == [S.COMPLETED, S.CANCELLED]


# --- through the services -----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("english")
def test_staff_move_a_delivery_order_to_completed_step_by_step(checkout, customer, sales, product):
    order = checkout(customer, [(product, 1)], fulfilment=Fulfilment.DELIVERY)

    for status in (S.CONFIRMED, S.PACKED, S.OUT_FOR_DELIVERY, S.COMPLETED):
        order = order_transition(order=order, actor=sales, to_status=status, note=f"to {status}")

    stored = Order.objects.get(pk=order.pk)
    assert stored.status == S.COMPLETED
    assert stored.completed_at is not None
    assert list(OrderEvent.objects.filter(order=order).values_list("from_status", "to_status")) == [
        ("", S.PENDING),
        (S.PENDING, S.CONFIRMED),
        (S.CONFIRMED, S.PACKED),
        (S.PACKED, S.OUT_FOR_DELIVERY),
        (S.OUT_FOR_DELIVERY, S.COMPLETED),
    ]
    changes = Activity.objects.filter(verb="order_status_changed").order_by("pk")
    assert [(a.data["from"], a.data["to"]) for a in changes] == [
        (S.PENDING, S.CONFIRMED),
        (S.CONFIRMED, S.PACKED),
        (S.PACKED, S.OUT_FOR_DELIVERY),
        (S.OUT_FOR_DELIVERY, S.COMPLETED),
    ]
    first = changes.first()
    assert first is not None
    assert (first.actor, first.data["number"], first.data["customer_id"], first.data["contact_id"]) == (
        sales,
        order.number,
        customer.pk,
        order.contact_id,
    )


@pytest.mark.django_db
@pytest.mark.usefixtures("english")
@pytest.mark.parametrize("to_status", [S.COMPLETED, S.READY_FOR_PICKUP, S.PACKED, "shipped"])
def test_a_jump_that_is_not_allowed_is_refused_and_changes_nothing(order, sales, to_status):
    Order.objects.filter(pk=order.pk).update(fulfilment=Fulfilment.DELIVERY)
    if to_status == S.READY_FOR_PICKUP:
        order = order_transition(order=order, actor=sales, to_status=S.CONFIRMED)
    events = OrderEvent.objects.count()

    with pytest.raises(ValidationError) as error:
        order_transition(order=order, actor=sales, to_status=to_status)

    assert error.value.code == "transition_not_allowed"
    assert "cannot be marked" in str(error.value.message)
    assert OrderEvent.objects.count() == events
    assert Order.objects.get(pk=order.pk).status in (S.PENDING, S.CONFIRMED)


@pytest.mark.django_db
@pytest.mark.usefixtures("english")
def test_a_repeated_tap_changes_nothing(order, sales):
    order_transition(order=order, actor=sales, to_status=S.CONFIRMED)
    order_transition(order=order, actor=sales, to_status=S.CONFIRMED)

    assert OrderEvent.objects.filter(to_status=S.CONFIRMED).count() == 1
    assert Activity.objects.filter(verb="order_status_changed").count() == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("english")
def test_the_message_names_both_statuses(order, sales):
    with pytest.raises(ValidationError) as error:
        order_transition(order=order, actor=sales, to_status=S.COMPLETED)

    assert error.value.message == "An order that is “Waiting for confirmation” cannot be marked “Completed”."


@pytest.mark.django_db
@pytest.mark.usefixtures("english")
def test_staff_cancel_with_a_reason_and_the_stock_comes_back(order, sales, product, product_two):
    order_transition(order=order, actor=sales, to_status=S.CONFIRMED)

    cancelled = order_cancel(order=order, actor=sales, reason="Customer changed their mind", by_customer=False)

    assert (cancelled.status, cancelled.cancel_reason) == (S.CANCELLED, "Customer changed their mind")
    assert cancelled.cancelled_at is not None
    assert Product.objects.get(pk=product.pk).stock == 5
    assert Product.objects.get(pk=product_two.pk).stock == 10
    event = OrderEvent.objects.filter(order=order).last()
    assert event is not None
    assert (event.from_status, event.to_status, event.note, event.actor) == (
        S.CONFIRMED,
        S.CANCELLED,
        "Customer changed their mind",
        sales,
    )
    activity = Activity.objects.get(verb="cancelled")
    assert (activity.actor, activity.data["by_customer"], activity.data["reason"]) == (
        sales,
        False,
        "Customer changed their mind",
    )


@pytest.mark.django_db
@pytest.mark.usefixtures("english")
def test_cancelling_through_the_transition_uses_the_note_as_reason(order, sales):
    order_transition(order=order, actor=sales, to_status=S.CANCELLED, note="Out of fabric")

    assert Order.objects.get(pk=order.pk).cancel_reason == "Out of fabric"


@pytest.mark.django_db
@pytest.mark.usefixtures("english")
def test_cancelling_twice_changes_nothing_more(order, sales, product):
    order_cancel(order=order, actor=sales, reason="Duplicate", by_customer=False)
    order_cancel(order=order, actor=sales, reason="Duplicate", by_customer=False)

    assert Product.objects.get(pk=product.pk).stock == 5
    assert Activity.objects.filter(verb="cancelled").count() == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("english")
def test_staff_must_give_a_reason_and_cannot_cancel_a_completed_order(order, sales, product):
    with pytest.raises(ValidationError) as no_reason:
        order_cancel(order=order, actor=sales, reason="  ", by_customer=False)
    order_transition(order=order, actor=sales, to_status=S.CONFIRMED)
    order_transition(order=order, actor=sales, to_status=S.COMPLETED)
    with pytest.raises(ValidationError) as completed:
        order_cancel(order=order, actor=sales, reason="Too late", by_customer=False)

    assert "reason" in no_reason.value.fields
    assert completed.value.code == "transition_not_allowed"
    assert Product.objects.get(pk=product.pk).stock == 3


@pytest.mark.django_db
@pytest.mark.usefixtures("english")
def test_an_order_with_payments_is_not_cancelled_until_they_are_settled(order, customer, cashier, product):
    payment_submit(order=order, user=customer, method="transfer", amount_minor=100_000, proof=proof_picture())
    with pytest.raises(ValidationError) as pending:
        order_cancel(order=order, actor=cashier, reason="Closed", by_customer=False)
    with pytest.raises(ValidationError) as pending_customer:
        order_cancel(order=order, actor=customer, reason="", by_customer=True)
    payment_record(order=order, actor=cashier, method="cash", amount_minor=50_000, confirm=True)
    with pytest.raises(ValidationError) as paid:
        order_cancel(order=order, actor=cashier, reason="Closed", by_customer=False)

    assert pending.value.code == pending_customer.value.code == paid.value.code == "has_payments"
    assert "Contact the shop" in str(pending_customer.value.message)
    assert paid.value.message == "IDR 50,000 has been paid for this order. Refund it before cancelling."
    assert Order.objects.get(pk=order.pk).status == S.PENDING
    assert Product.objects.get(pk=product.pk).stock == 3
