"""The payment gateway's HTTP notification: only a genuine "paid" for at most what is due records a
payment, once; everything else is kept in the log and changes nothing."""

import hashlib
import logging
from typing import Any

import pytest

from etalase.activity.models import Activity
from etalase.core.errors import NotFound, ValidationError
from etalase.orders.enums import PaymentMethod, PaymentStatus
from etalase.orders.gateways import (
    FAILED,
    PAID,
    PENDING,
    MalformedNotification,
    MidtransLikeGateway,
    order_reference_split,
)
from etalase.orders.models import GatewayNotification, Order, Payment
from etalase.orders.services.gateway import gateway_checkout_start, gateway_notification_receive, gateway_sandbox_pay
from etalase.orders.services.order_settings import order_settings_update
from etalase.orders.services.payments import payment_record
from etalase.orders.services.status import order_cancel
from tests.factories import UserFactory, business_owner
from tests.support.orders import SERVER_KEY, checkout_for, signed_notification

GATEWAY = MidtransLikeGateway("midtrans")


def notification(order: Order, **fields: Any) -> dict[str, Any]:
    return signed_notification(order, **fields)


# --- the adapter alone ---------------------------------------------------------------------------


def test_the_signature_is_sha512_of_order_status_amount_and_key():
    body = {
        "order_id": "batik-sari-12",
        "status_code": "200",
        "gross_amount": "150000.00",
        "signature_key": hashlib.sha512(b"batik-sari-12200150000.00secret").hexdigest(),
    }

    assert GATEWAY.verify(body, "secret")
    assert not GATEWAY.verify(body, "another")
    assert not GATEWAY.verify({**body, "gross_amount": "1.00"}, "secret")
    assert not GATEWAY.verify({**body, "signature_key": ""}, "secret")
    assert not GATEWAY.verify(body, "")
    assert not GATEWAY.verify({**body, "order_id": ["list"]}, "secret")


@pytest.mark.parametrize(
    ("status", "fraud", "state"),
    [
        ("settlement", "", PAID),
        ("capture", "accept", PAID),
        ("capture", "challenge", PENDING),
        ("capture", "deny", FAILED),
        ("pending", "", PENDING),
        ("deny", "", FAILED),
        ("cancel", "", FAILED),
        ("expire", "", FAILED),
        ("failure", "", FAILED),
    ],
)
def test_statuses_map_to_paid_pending_or_failed(status, fraud, state):
    body = {
        "order_id": "batik-sari-1",
        "transaction_id": "t",
        "transaction_status": status,
        "fraud_status": fraud,
        "gross_amount": "150000.00",
        "payment_type": "gopay",
    }

    result = GATEWAY.parse(body)

    assert (result.state, result.amount_minor, result.method_label) == (state, 150_000, "gopay")


@pytest.mark.parametrize(
    "changes",
    [{"gross_amount": "12.50"}, {"gross_amount": "abc"}, {"transaction_status": "teleported"}, {"transaction_id": ""}],
)
def test_a_malformed_body_is_refused_by_the_adapter(changes):
    body = {"order_id": "a-1", "transaction_id": "t", "transaction_status": "settlement", "gross_amount": "1.00"}

    with pytest.raises(MalformedNotification):
        GATEWAY.parse({**body, **changes})


def test_order_references_name_the_business_and_the_number():
    assert order_reference_split("batik-sari-12") == ("batik-sari", 12)
    assert order_reference_split("batik") is None
    assert order_reference_split("batik-sari-x") is None


# --- receiving notifications ---------------------------------------------------------------------

pytestmark = pytest.mark.usefixtures("english")


@pytest.mark.django_db
def test_a_settlement_records_a_payment_confirmed_by_the_gateway(order, customer, caplog):
    body = notification(order, payment_type="bank_transfer")

    with caplog.at_level(logging.INFO, logger="etalase.orders.services.gateway"):
        note = gateway_notification_receive(gateway="midtrans", body=body)

    payment = Payment.objects.get()
    assert (note.outcome, note.signature_valid, note.payment, note.business) == ("paid", True, payment, order.business)
    assert (note.order_reference, note.transaction_id, note.body) == (f"{order.business.slug}-1", "tx-1", body)
    assert (payment.method, payment.status, payment.amount_minor) == (
        PaymentMethod.GATEWAY,
        PaymentStatus.CONFIRMED,
        385_000,
    )
    assert (payment.gateway, payment.gateway_transaction_id, payment.confirmed_by) == ("midtrans", "tx-1", None)
    assert payment.confirmed_at is not None
    assert Order.objects.get(pk=order.pk).paid_minor == 385_000
    activity = Activity.objects.get(verb="paid")
    assert (activity.actor, activity.channel, activity.data["confirmed"], activity.data["order_paid"]) == (
        customer,
        "system",
        True,
        True,
    )
    assert "paid" in caplog.text


@pytest.mark.django_db
def test_the_same_notification_twice_records_one_payment(order):
    body = notification(order)

    first = gateway_notification_receive(gateway="midtrans", body=body)
    second = gateway_notification_receive(gateway="midtrans", body=body)

    assert (first.outcome, second.outcome) == ("paid", "duplicate")
    assert first.payment == second.payment
    assert Payment.objects.count() == 1
    assert Order.objects.get(pk=order.pk).paid_minor == 385_000
    assert Activity.objects.filter(verb="paid").count() == 1


@pytest.mark.django_db
def test_a_forged_signature_changes_nothing_but_the_log(order, caplog):
    with caplog.at_level(logging.WARNING, logger="etalase.orders.services.gateway"):
        note = gateway_notification_receive(gateway="midtrans", body=notification(order, key="guessed-key"))

    assert (note.outcome, note.signature_valid, note.payment) == ("bad_signature", False, None)
    assert not Payment.objects.exists()
    assert Order.objects.get(pk=order.pk).paid_minor == 0
    assert not Activity.objects.filter(verb="paid").exists()
    assert "bad_signature" in caplog.text


@pytest.mark.django_db
def test_a_tampered_amount_breaks_the_signature(order):
    body = notification(order, amount_minor=1000)
    body["gross_amount"] = "385000.00"

    note = gateway_notification_receive(gateway="midtrans", body=body)

    assert note.outcome == "bad_signature"
    assert not Payment.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("amount", [385_001, 1_000_000])
def test_more_than_is_due_changes_nothing(order, cashier, amount):
    payment_record(order=order, actor=cashier, method="cash", amount_minor=1000, confirm=True)

    note = gateway_notification_receive(gateway="midtrans", body=notification(order, amount_minor=amount))

    assert (note.outcome, note.signature_valid) == ("amount_mismatch", True)
    assert Payment.objects.count() == 1
    assert Order.objects.get(pk=order.pk).paid_minor == 1000


@pytest.mark.django_db
def test_part_of_what_is_due_is_taken(order):
    note = gateway_notification_receive(gateway="midtrans", body=notification(order, amount_minor=100_000))

    assert note.outcome == "paid"
    assert Order.objects.get(pk=order.pk).due_minor == 285_000


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "fraud", "outcome"),
    [
        ("pending", "accept", "pending"),
        ("capture", "challenge", "pending"),
        ("capture", "deny", "failed"),
        ("deny", "accept", "failed"),
        ("expire", "accept", "failed"),
        ("cancel", "accept", "failed"),
        ("failure", "accept", "failed"),
        ("refund", "accept", "ignored"),
    ],
)
def test_statuses_other_than_paid_are_logged_only(order, status, fraud, outcome):
    note = gateway_notification_receive(
        gateway="midtrans", body=notification(order, transaction_status=status, fraud_status=fraud)
    )

    assert (note.outcome, note.signature_valid) == (outcome, True)
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_a_pending_then_settled_transaction_is_paid_once(order):
    gateway_notification_receive(gateway="midtrans", body=notification(order, transaction_status="pending"))
    gateway_notification_receive(gateway="midtrans", body=notification(order, transaction_status="settlement"))
    gateway_notification_receive(gateway="midtrans", body=notification(order, transaction_status="settlement"))

    assert list(GatewayNotification.objects.order_by("pk").values_list("outcome", flat=True)) == [
        "pending",
        "paid",
        "duplicate",
    ]
    assert Payment.objects.count() == 1


@pytest.mark.django_db
def test_a_cancelled_order_is_not_paid_by_the_gateway(order, customer):
    order_cancel(order=order, actor=customer, reason="", by_customer=True)

    note = gateway_notification_receive(gateway="midtrans", body=notification(order))

    assert note.outcome == "order_cancelled"
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_unknown_orders_gateways_and_garbage_are_logged(order, shop):
    unknown_number = GATEWAY.notification_build(
        order_id=f"{shop.slug}-99", amount_minor=1000, server_key=SERVER_KEY, transaction_id="t9"
    )
    unknown_shop = GATEWAY.notification_build(
        order_id="no-such-shop-1", amount_minor=1000, server_key=SERVER_KEY, transaction_id="t8"
    )

    outcomes = [
        gateway_notification_receive(gateway="midtrans", body=unknown_number).outcome,
        gateway_notification_receive(gateway="midtrans", body=unknown_shop).outcome,
        gateway_notification_receive(gateway="paypal", body=notification(order)).outcome,
        gateway_notification_receive(gateway="midtrans", body={"hello": "world"}).outcome,
        gateway_notification_receive(gateway="midtrans", body=["not", "a", "dict"]).outcome,  # type: ignore[arg-type]
    ]

    assert outcomes == ["unknown_order", "unknown_order", "unknown_gateway", "unknown_order", "malformed"]
    assert GatewayNotification.objects.count() == 5
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_a_shop_without_a_server_key_cannot_be_notified(order, shop):
    order_settings_update(business=shop, actor=business_owner(shop), gateway_enabled=False, gateway_server_key="")

    note = gateway_notification_receive(gateway="midtrans", body=notification(order))

    assert note.outcome == "not_configured"
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_another_shops_key_does_not_sign_for_this_shop(order, other_shop):
    order_settings_update(business=other_shop, actor=business_owner(other_shop), gateway_server_key="kopi-key")

    note = gateway_notification_receive(gateway="midtrans", body=notification(order, key="kopi-key"))

    assert note.outcome == "bad_signature"


# --- the sandbox ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_customer_pays_the_rest_in_the_sandbox(order, customer, cashier):
    payment_record(order=order, actor=cashier, method="cash", amount_minor=85_000, confirm=True)

    note = gateway_sandbox_pay(order=order)

    assert (note.gateway, note.outcome) == ("sandbox", "paid")
    assert note.payment is not None
    assert (note.payment.amount_minor, note.payment.gateway) == (300_000, "sandbox")
    assert Order.objects.get(pk=order.pk).is_paid


@pytest.mark.django_db
def test_a_failed_sandbox_payment_records_nothing(order):
    note = gateway_sandbox_pay(order=order, transaction_status="expire")

    assert note.outcome == "failed"
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_checkout_start_leads_to_the_sandbox_payment_page(order, customer):
    from django.urls import reverse

    assert gateway_checkout_start(order=order, user=customer) == reverse(
        "orders:gateway_sandbox", args=[order.receipt_token]
    )


@pytest.mark.django_db
def test_checkout_start_is_only_for_the_customer_with_something_due(order, customer, shop, cashier):
    with pytest.raises(NotFound):
        gateway_checkout_start(order=order, user=UserFactory())
    payment_record(order=order, actor=cashier, method="cash", amount_minor=385_000, confirm=True)
    with pytest.raises(ValidationError) as nothing_due:
        gateway_checkout_start(order=order, user=customer)
    order_settings_update(business=shop, actor=business_owner(shop), gateway_enabled=False)
    with pytest.raises(ValidationError) as disabled:
        gateway_checkout_start(order=order, user=customer)

    assert nothing_due.value.code == "nothing_due"
    assert "method" in disabled.value.fields


def test_the_practice_gateway_is_off_unless_switched_on(settings, shop, customer, product, client_for):
    """Production leaves ETALASE_PAYMENT_SANDBOX off: no page, no checkout, no notifications for it."""
    from django.urls import reverse

    from etalase.orders.models import GatewayNotification, Payment
    from etalase.orders.services.gateway import gateway_checkout_start, gateway_notification_receive

    settings.PAYMENT_SANDBOX = False
    order = checkout_for(customer, [(product, 1)])

    with pytest.raises(ValidationError):
        gateway_checkout_start(order=order, user=customer)
    page = client_for(customer).get(reverse("orders:gateway_sandbox", args=[order.receipt_token]))
    note = gateway_notification_receive(gateway="sandbox", body=signed_notification(order))

    assert page.status_code == 404
    assert note.outcome == "unknown_gateway"
    assert not Payment.objects.filter(order=order).exists()
    assert GatewayNotification.objects.filter(outcome="unknown_gateway").count() == 1
