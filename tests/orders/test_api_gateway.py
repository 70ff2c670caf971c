"""The payment gateway's notification callback over HTTP: a genuine notification records one
payment however often it comes; a forged signature or a wrong amount changes nothing but the log
and still answers 200 so the gateway stops retrying; a body that is not JSON is 400; an unknown
gateway is 404."""

import json
from typing import Any

import pytest

from etalase.orders.gateways import GATEWAYS, order_reference
from etalase.orders.models import GatewayNotification, Order, Payment
from tests.support.orders import SERVER_KEY

pytestmark = pytest.mark.django_db


def callback_url(gateway: str = "midtrans") -> str:
    return f"/api/v1/payments/gateway/{gateway}/notification"


def notification(order: Order, *, amount_minor: int | None = None, key: str = SERVER_KEY, **changes) -> dict[str, Any]:
    body = GATEWAYS["midtrans"].notification_build(
        order_id=order_reference(order),
        amount_minor=order.total_minor if amount_minor is None else amount_minor,
        server_key=key,
        transaction_id=changes.pop("transaction_id", "tx-0001"),
        **changes,
    )
    return body


def deliver(client, body, gateway: str = "midtrans"):
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(callback_url(gateway), raw, content_type="application/json")


@pytest.fixture
def gateway_client(client_for):
    """The gateway's servers: no session, no cookie, no CSRF token."""
    return client_for(None, enforce_csrf_checks=True)


def test_a_genuine_notification_records_a_confirmed_payment(gateway_client, order):
    response = deliver(gateway_client, notification(order))

    assert response.status_code == 200
    assert response.json() == {"outcome": "paid"}
    payment = Payment.objects.get()
    assert (payment.method, payment.status, payment.amount_minor) == ("gateway", "confirmed", 385_000)
    assert Order.objects.get().is_paid


def test_the_sandbox_gateway_speaks_the_same_protocol(gateway_client, order):
    response = deliver(gateway_client, notification(order), gateway="sandbox")

    assert response.json() == {"outcome": "paid"}


def test_the_same_notification_twice_records_one_payment(gateway_client, order):
    body = notification(order)

    first = deliver(gateway_client, body)
    second = deliver(gateway_client, body)

    assert (first.status_code, second.status_code) == (200, 200)
    assert (first.json()["outcome"], second.json()["outcome"]) == ("paid", "duplicate")
    assert Payment.objects.count() == 1
    assert Order.objects.get().paid_minor == 385_000


def test_a_forged_signature_changes_nothing_but_the_log(gateway_client, order):
    response = deliver(gateway_client, notification(order, key="guessed-key"))

    assert response.status_code == 200
    assert response.json() == {"outcome": "bad_signature"}
    assert not Payment.objects.exists()
    assert Order.objects.get().paid_minor == 0
    logged = GatewayNotification.objects.get()
    assert (logged.outcome, logged.signature_valid, logged.business) == ("bad_signature", False, order.business)


def test_an_amount_changed_after_signing_is_a_forgery(gateway_client, order):
    body = notification(order, amount_minor=1000)
    body["gross_amount"] = "385000.00"

    assert deliver(gateway_client, body).json() == {"outcome": "bad_signature"}
    assert not Payment.objects.exists()


def test_a_signed_amount_above_what_is_due_changes_nothing(gateway_client, order):
    response = deliver(gateway_client, notification(order, amount_minor=385_001))

    assert response.status_code == 200
    assert response.json() == {"outcome": "amount_mismatch"}
    assert not Payment.objects.exists()
    assert Order.objects.get().paid_minor == 0


def test_an_unknown_order_is_logged_and_answered_200(gateway_client, order):
    body = notification(order)
    body["order_id"] = "no-such-shop-9"

    assert deliver(gateway_client, body).json() == {"outcome": "unknown_order"}
    assert not Payment.objects.exists()


def test_a_pending_notification_records_nothing_yet(gateway_client, order):
    response = deliver(gateway_client, notification(order, transaction_status="pending"))

    assert response.json() == {"outcome": "pending"}
    assert not Payment.objects.exists()


@pytest.mark.parametrize("raw", ["{not json", "", "[1, 2]", '"settlement"', "null", b"\xff\xfe"])
def test_a_body_that_is_not_a_json_object_is_400(gateway_client, order, raw):
    response = deliver(gateway_client, raw)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed"
    assert not Payment.objects.exists()


def test_an_unknown_gateway_is_404(gateway_client, order):
    response = deliver(gateway_client, notification(order), gateway="paypal")

    assert response.status_code == 404
    assert not Payment.objects.exists()
