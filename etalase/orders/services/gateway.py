"""Online payment through a payment gateway: its notifications, the customer's way to the payment
page and the built-in sandbox (see ``gateways.py`` for the adapters)."""

import logging
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings as django_settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from etalase.accounts.models import User
from etalase.activity.enums import Channel
from etalase.activity.services import activity_record
from etalase.core.errors import NotFound
from etalase.directory.models import Business
from etalase.orders import gateways
from etalase.orders.enums import OrderStatus, PaymentMethod, PaymentStatus, Verb
from etalase.orders.models import GatewayNotification, Order, Payment
from etalase.orders.selectors import order_settings_for, payment_methods_for
from etalase.orders.services.common import (
    REFERENCE_MAX_LENGTH,
    invalid,
    order_locked,
    paid_recompute,
    payable_check,
    payment_data,
    payment_save,
)

logger = logging.getLogger(__name__)


@dataclass
class _NotificationLog:
    """What is known so far about one gateway notification; ``write`` keeps it with its outcome."""

    gateway: str
    body: Any
    reference: str = ""
    transaction_id: str = ""
    business: Business | None = None
    signature_valid: bool = False

    def write(self, outcome: str, detail: str = "", payment: Payment | None = None) -> GatewayNotification:
        log = logger.info if outcome in ("paid", "pending", "duplicate") else logger.warning
        log(
            "Gateway %s notification for %r (transaction %r): %s %s",
            self.gateway,
            self.reference,
            self.transaction_id,
            outcome,
            detail,
        )
        return GatewayNotification.objects.create(
            business=self.business,
            gateway=self.gateway[:32],
            order_reference=self.reference[:120],
            transaction_id=self.transaction_id[:120],
            body=self.body if isinstance(self.body, dict) else {"raw": str(self.body)[:2000]},
            signature_valid=self.signature_valid,
            outcome=outcome,
            detail=detail[:300],
            payment=payment,
        )


@transaction.atomic
def gateway_notification_receive(*, gateway: str, body: dict[str, Any]) -> GatewayNotification:
    """Act on a payment gateway's notification and keep it for audit; never raises for bad input.

    The signature is checked with the server key of the business the ``order_id`` names. Only a
    genuine "paid" notification for at most what is due records a payment (confirmed, by the
    gateway). The same transaction notified twice records one payment. Anything else (forged
    signature, unknown order, wrong amount, cancelled order, pending or failed payment) changes
    nothing but the log; ``outcome`` says which: paid, duplicate, pending, failed, ignored,
    bad_signature, amount_mismatch, order_cancelled, unknown_order, unknown_gateway, not_configured,
    malformed.
    """
    note = _NotificationLog(gateway=str(gateway), body=body)
    checked = _notification_check(note, gateway, body)
    if isinstance(checked, GatewayNotification):
        return checked  # refused, and logged
    adapter, found, result = checked
    order = order_locked(found)  # two deliveries of one notification queue here
    existing = Payment.objects.filter(gateway=adapter.name, gateway_transaction_id=result.transaction_id).first()
    if existing is not None:
        return note.write("duplicate", payment=existing)
    if result.state == gateways.PENDING:
        return note.write("pending", result.status)
    if result.state == gateways.FAILED:
        return note.write("failed", result.status)
    if result.state != gateways.PAID:
        return note.write("ignored", f"{result.status}: to be handled by hand")
    if order.status == OrderStatus.CANCELLED:
        return note.write("order_cancelled", "paid after cancelling: refund by hand")
    if result.amount_minor <= 0 or result.amount_minor > order.due_minor:
        return note.write("amount_mismatch", f"notified {result.amount_minor}, due {order.due_minor}")
    now = timezone.now()
    payment = Payment(
        business=order.business,
        order=order,
        amount_minor=result.amount_minor,
        method=PaymentMethod.GATEWAY,
        status=PaymentStatus.CONFIRMED,
        reference=f"{result.method_label} {result.transaction_id}".strip()[:REFERENCE_MAX_LENGTH],
        paid_at=now,
        confirmed_at=now,
        gateway=adapter.name,
        gateway_transaction_id=result.transaction_id,
    )
    try:
        payment_save(payment, None)
    except IntegrityError:
        existing = Payment.objects.filter(gateway=adapter.name, gateway_transaction_id=result.transaction_id).first()
        return note.write("duplicate", payment=existing)
    paid_recompute(order)
    activity_record(
        verb=Verb.PAID,
        business=order.business,
        actor=order.customer,
        target=order,
        channel=Channel.SYSTEM,
        data={**payment_data(payment, order), "confirmed": True, "order_paid": order.is_paid, "gateway": adapter.name},
    )
    return note.write("paid", payment=payment)


def _notification_check(
    note: _NotificationLog, gateway: str, body: Any
) -> GatewayNotification | tuple[gateways.PaymentGateway, Order, gateways.GatewayResult]:
    """The gateway, the order and what the notification says, or the log of why it was refused
    (unknown gateway or order, not configured, bad signature, malformed)."""
    adapter = gateways.gateway_get(gateway)
    if gateway == gateways.SANDBOX and not django_settings.PAYMENT_SANDBOX:
        adapter = None  # the practice gateway exists only where it is switched on (never by default in production)
    if adapter is None:
        return note.write("unknown_gateway")
    if not isinstance(body, dict):
        return note.write("malformed")
    note.reference = str(body.get("order_id") or "")[:120]
    note.transaction_id = str(body.get("transaction_id") or "")[:120]
    parts = gateways.order_reference_split(note.reference)
    if parts is None:
        return note.write("unknown_order", "not an order reference of ours")
    slug, number = parts
    business = Business.objects.filter(slug=slug).first()
    if business is None:
        return note.write("unknown_order", "no such business")
    note.business = business
    settings = order_settings_for(business=business)
    if not settings.gateway_server_key:
        return note.write("not_configured")
    if not adapter.verify(body, settings.gateway_server_key):
        return note.write("bad_signature")
    note.signature_valid = True
    try:
        result = adapter.parse(body)
    except gateways.MalformedNotification as exc:
        return note.write("malformed", str(exc))
    found = Order.objects.filter(business=business, number=number).first()
    if found is None:
        return note.write("unknown_order")
    return adapter, found, result


def gateway_checkout_start(*, order: Order, user: User) -> str:
    """Where the customer pays the rest of the order online: the sandbox payment page here."""
    if user is None or order.customer_id != user.pk:
        raise NotFound(_("Order not found."))
    order = Order.objects.select_related("business").get(pk=order.pk)
    if PaymentMethod.GATEWAY not in payment_methods_for(business=order.business):
        raise invalid(_("This shop does not take online payments."), field="method")
    if not django_settings.PAYMENT_SANDBOX:
        raise invalid(_("Online payment is not available yet. Please choose another method."), field="method")
    payable_check(order, 1)
    return reverse("orders:gateway_sandbox", args=[order.receipt_token])


def gateway_sandbox_pay(
    *, order: Order, transaction_status: str = "settlement", amount_minor: int | None = None
) -> GatewayNotification:
    """Pay ``order`` in the built-in sandbox: build the notification exactly as the gateway would
    post it, signed with the business's server key, and receive it (the demo and tests' path)."""
    if not django_settings.PAYMENT_SANDBOX:
        raise NotFound()
    order = Order.objects.select_related("business").get(pk=order.pk)
    settings = order_settings_for(business=order.business)
    adapter = gateways.GATEWAYS[gateways.SANDBOX]
    body = adapter.notification_build(
        order_id=gateways.order_reference(order),
        amount_minor=amount_minor if amount_minor is not None else order.due_minor,
        server_key=settings.gateway_server_key,
        transaction_id=f"sandbox-{secrets.token_hex(8)}",
        transaction_status=transaction_status,
    )
    return gateway_notification_receive(gateway=gateways.SANDBOX, body=body)
