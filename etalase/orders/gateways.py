"""Payment-gateway adapters: check a notification's signature and read what it says.

A gateway posts an HTTP notification for every change of a transaction. An adapter answers two
questions and nothing else: is this really from the gateway (``verify``), and what does it say
(``parse``). What happens to the order is decided by ``services.gateway_notification_receive``.

``MidtransLikeGateway`` reads the notification shape of Midtrans, a common Indonesian gateway::

    {"order_id": "batik-sari-12", "status_code": "200", "gross_amount": "150000.00",
     "signature_key": sha512(order_id + status_code + gross_amount + server_key),
     "transaction_status": "settlement", "fraud_status": "accept",
     "transaction_id": "…", "payment_type": "bank_transfer"}

The ``order_id`` Etalase sends to the gateway is ``f"{business.slug}-{order.number}"``
(``order_reference``), so a notification names its business (whose server key checks the
signature) and its order without any other lookup. The built-in ``sandbox`` gateway speaks the same
protocol with the business's own server key, for the demo and the tests (no internet needed).
"""

import hashlib
import hmac
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from etalase.orders.models import Order

PAID = "paid"
PENDING = "pending"
FAILED = "failed"
REFUNDED = "refunded"


class MalformedNotification(ValueError):
    """The body lacks a field the gateway always sends, or a field has an impossible value."""


@dataclass(frozen=True)
class GatewayResult:
    order_reference: str
    transaction_id: str
    state: str  # PAID, PENDING, FAILED (or REFUNDED: logged, changes nothing)
    amount_minor: int
    method_label: str
    status: str = ""  # the gateway's own word, for the log


class PaymentGateway(Protocol):
    name: str

    def verify(self, body: dict[str, Any], server_key: str) -> bool: ...

    def parse(self, body: dict[str, Any]) -> GatewayResult: ...


def order_reference(order: Order) -> str:
    """The ``order_id`` sent to the gateway for ``order``."""
    return f"{order.business.slug}-{order.number}"


def order_reference_split(reference: str) -> tuple[str, int] | None:
    """``("batik-sari", 12)`` from ``"batik-sari-12"``; None when it cannot be one of ours."""
    slug, separator, number = (reference or "").rpartition("-")
    if not separator or not slug or not number.isdigit() or len(number) > 9:
        return None
    return slug, int(number)


def amount_text(amount_minor: int) -> str:
    """The ``gross_amount`` a Midtrans-like gateway sends for whole rupiah: ``"150000.00"``."""
    return f"{amount_minor}.00"


def _text(body: dict[str, Any], key: str) -> str:
    value = body.get(key, "")
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise MalformedNotification(key)
    return str(value)


class MidtransLikeGateway:
    """Midtrans' HTTP notification: SHA-512 signature, ``transaction_status`` and ``fraud_status``."""

    PAID_STATUSES = frozenset({"settlement"})
    FAILED_STATUSES = frozenset({"deny", "cancel", "expire", "failure"})
    REFUND_STATUSES = frozenset({"refund", "partial_refund", "chargeback", "partial_chargeback"})

    def __init__(self, name: str = "midtrans") -> None:
        self.name = name

    @staticmethod
    def signature(*, order_id: str, status_code: str, gross_amount: str, server_key: str) -> str:
        text = f"{order_id}{status_code}{gross_amount}{server_key}"
        return hashlib.sha512(text.encode()).hexdigest()

    def verify(self, body: dict[str, Any], server_key: str) -> bool:
        if not server_key or not isinstance(body, dict):
            return False
        try:
            expected = self.signature(
                order_id=_text(body, "order_id"),
                status_code=_text(body, "status_code"),
                gross_amount=_text(body, "gross_amount"),
                server_key=server_key,
            )
            given = _text(body, "signature_key")
        except MalformedNotification:
            return False
        return bool(given) and hmac.compare_digest(expected.encode(), given.lower().encode())

    def parse(self, body: dict[str, Any]) -> GatewayResult:
        reference = _text(body, "order_id")
        transaction_id = _text(body, "transaction_id")
        status = _text(body, "transaction_status").lower()
        fraud = _text(body, "fraud_status").lower()
        if not reference or not transaction_id or not status:
            raise MalformedNotification("order_id, transaction_id and transaction_status are required")
        try:
            amount = Decimal(_text(body, "gross_amount"))
        except InvalidOperation as exc:
            raise MalformedNotification("gross_amount") from exc
        if not amount.is_finite() or amount != amount.to_integral_value():
            raise MalformedNotification("gross_amount")
        if status == "capture":
            # A card capture is money only when the fraud check accepted it; "challenge" waits.
            state = PAID if fraud in ("accept", "") else (PENDING if fraud == "challenge" else FAILED)
        elif status in self.PAID_STATUSES:
            state = PAID
        elif status == "pending":
            state = PENDING
        elif status in self.FAILED_STATUSES:
            state = FAILED
        elif status in self.REFUND_STATUSES:
            state = REFUNDED
        else:
            raise MalformedNotification("transaction_status")
        return GatewayResult(
            order_reference=reference,
            transaction_id=transaction_id,
            state=state,
            amount_minor=int(amount),
            method_label=_text(body, "payment_type"),
            status=status,
        )

    def notification_build(
        self,
        *,
        order_id: str,
        amount_minor: int,
        server_key: str,
        transaction_id: str,
        transaction_status: str = "settlement",
        fraud_status: str = "accept",
        payment_type: str = "qris",
    ) -> dict[str, Any]:
        """A notification exactly as the gateway would post it (the sandbox and the tests use it)."""
        status_code = {"settlement": "200", "capture": "200", "pending": "201"}.get(transaction_status, "202")
        gross_amount = amount_text(amount_minor)
        return {
            "transaction_time": "",
            "transaction_status": transaction_status,
            "transaction_id": transaction_id,
            "status_message": "midtrans payment notification",
            "status_code": status_code,
            "signature_key": self.signature(
                order_id=order_id, status_code=status_code, gross_amount=gross_amount, server_key=server_key
            ),
            "payment_type": payment_type,
            "order_id": order_id,
            "merchant_id": "ETALASE-SANDBOX",
            "gross_amount": gross_amount,
            "fraud_status": fraud_status,
            "currency": "IDR",
        }


SANDBOX = "sandbox"

GATEWAYS: dict[str, MidtransLikeGateway] = {
    "midtrans": MidtransLikeGateway("midtrans"),
    SANDBOX: MidtransLikeGateway(SANDBOX),
}


def gateway_get(name: str) -> MidtransLikeGateway | None:
    return GATEWAYS.get(name)
