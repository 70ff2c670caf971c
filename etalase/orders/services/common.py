"""What the order services share: checks of what people type, the row locks taken in one order,
the SQLite retry, the status timeline's rows and the payment pieces the gateway and staff share.

Not for callers outside ``etalase.orders.services``: they call the services.
"""

import functools
import hashlib
import logging
import secrets
import time
from collections.abc import Callable
from typing import Any

from django.core.files.base import ContentFile
from django.db import OperationalError, connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from etalase.accounts.models import User
from etalase.catalog.models import Product
from etalase.core.errors import Conflict, ValidationError
from etalase.core.formats import money_format
from etalase.core.numbers import is_whole_number
from etalase.directory.enums import BusinessStatus
from etalase.directory.models import Business
from etalase.orders.enums import OrderStatus, PaymentStatus
from etalase.orders.models import Cart, Order, OrderEvent, OrderSettings, Payment
from etalase.orders.selectors import order_pending_minor, order_settings_for

logger = logging.getLogger(__name__)

MAX_LINE_QUANTITY = 9999
REASON_MAX_LENGTH = 300
REFERENCE_MAX_LENGTH = 120
IDEMPOTENCY_KEY_MAX_LENGTH = 120

PRODUCT_UNAVAILABLE = _("“%(title)s” is no longer available.")
PRODUCT_NOT_FOUND = _("This product is not available.")


def money(amount_minor: int, currency: str = "IDR") -> str:
    return money_format(int(amount_minor), currency)


def invalid(message: str | Promise, *, field: str | None = None, code: str | None = None) -> ValidationError:
    return ValidationError(message, code=code, fields={field: message} if field else None)


def text_clean(value: object, *, limit: int, field: str, label: str | Promise) -> str:
    text = str(value or "").replace("\x00", "").strip()
    if len(text) > limit:
        raise invalid(
            _("%(label)s can have at most %(count)d characters.") % {"label": label, "count": limit}, field=field
        )
    return text


def idempotency_key_scoped(scope: str, key: str) -> str:
    """The stored key: the caller's key within its scope (a user, a member), bounded in length."""
    key = (key or "").strip()
    if not key:
        return ""
    if len(key) > IDEMPOTENCY_KEY_MAX_LENGTH:
        key = hashlib.sha256(key.encode()).hexdigest()
    return f"{scope}:{key}"


def retry_when_locked[**P, R](service: Callable[P, R]) -> Callable[P, R]:
    """On SQLite a write waits for the one writer at a time (busy_timeout); when it waited too long,
    try the whole transaction again a few times, then answer "busy" instead of failing.

    Only an outermost call retries: inside a caller's transaction the caller owns the retry.
    """

    @functools.wraps(service)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if connection.in_atomic_block or connection.vendor != "sqlite":
            return service(*args, **kwargs)
        for attempt in range(4):
            try:
                return service(*args, **kwargs)
            except OperationalError as exc:
                if "locked" not in str(exc).lower():
                    raise
                logger.warning("Database busy in %s (attempt %d)", service.__name__, attempt + 1)
                time.sleep(0.05 * (attempt + 1) + secrets.randbelow(50) / 1000)
        raise Conflict(_("The shop is very busy right now. Please try again in a moment."), code="busy")

    return wrapper


def order_locked(order: Order) -> Order:
    """The order row, locked until the transaction ends, read again so its amounts are current."""
    locked = Order.objects.select_for_update(of=("self",)).select_related("business", "contact").get(pk=order.pk)
    return locked


def order_data(order: Order) -> dict[str, Any]:
    return {"number": order.number, "customer_id": order.customer_id, "contact_id": order.contact_id}


def order_event_add(
    order: Order, *, from_status: str, to_status: str, actor: User | None, note: str = ""
) -> OrderEvent:
    return OrderEvent.objects.create(
        business_id=order.business_id,
        order=order,
        from_status=from_status,
        to_status=to_status,
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        note=note[:300],
        created_at=timezone.now(),
    )


def paid_recompute(order: Order) -> Order:
    """Set ``paid_minor`` to the sum of confirmed payments; call while holding the order's row lock."""
    total = Payment.objects.filter(order=order, status=PaymentStatus.CONFIRMED).aggregate(total=Sum("amount_minor"))
    order.paid_minor = int(total["total"] or 0)
    Order.objects.filter(pk=order.pk).update(paid_minor=order.paid_minor, updated_at=timezone.now())
    return order


# --- carts -----------------------------------------------------------------------------------------


def quantity_check(quantity: object, *, allow_zero: bool = False) -> int:
    if not is_whole_number(quantity):
        raise invalid(_("Enter the quantity as a whole number."), field="quantity")
    if quantity < (0 if allow_zero else 1):
        raise invalid(_("The quantity must be at least 1."), field="quantity")
    if quantity > MAX_LINE_QUANTITY:
        raise invalid(_("The quantity is too high."), field="quantity")
    return quantity


def stock_message(product: Product) -> str:
    if product.stock is not None and product.stock <= 0:
        return str(_("“%(title)s” is sold out.") % {"title": product.title})
    return str(_("Only %(count)d of “%(title)s” left.") % {"count": product.stock or 0, "title": product.title})


def accepting_orders(business: Business) -> OrderSettings:
    settings = order_settings_for(business=business)
    if business.status != BusinessStatus.ACTIVE or not settings.accepts_orders:
        raise invalid(_("This shop is not taking orders online at the moment."), code="not_accepting_orders")
    return settings


def cart_locked(*, user: User, business: Business) -> Cart | None:
    """The user's cart at the business, locked: changes and checkouts of one cart queue here."""
    return Cart.objects.select_for_update().filter(user=user, business=business).first()


# --- payments --------------------------------------------------------------------------------------


def payable_check(order: Order, amount_minor: int) -> None:
    """Refuse taking more than is still due, counting payments waiting for confirmation as paid."""
    if order.status == OrderStatus.CANCELLED:
        raise ValidationError(_("This order was cancelled and cannot be paid."), code="order_cancelled")
    pending = order_pending_minor(order)
    payable = order.total_minor - order.paid_minor - pending
    message: str | Promise
    if payable <= 0:
        message = (
            _("Nothing is left to pay: the payments waiting for confirmation cover the rest.")
            if pending
            else _("This order is fully paid.")
        )
        raise ValidationError(message, code="nothing_due", fields={"amount_minor": message})
    if amount_minor > payable:
        if pending:
            message = _("That is more than is due: at most %(amount)s (%(pending)s is waiting for confirmation).") % {
                "amount": money(payable, order.currency),
                "pending": money(pending, order.currency),
            }
        else:
            message = _("That is more than is due: at most %(amount)s.") % {"amount": money(payable, order.currency)}
        raise ValidationError(message, code="overpayment", fields={"amount_minor": message})


def payment_save(payment: Payment, proof: ContentFile[bytes] | None) -> Payment:
    if proof is not None:
        payment.proof.save(proof.name or "proof", proof, save=False)
    with transaction.atomic():
        payment.save()
    return payment


def payment_data(payment: Payment, order: Order) -> dict[str, Any]:
    return {
        **order_data(order),
        "payment_id": payment.pk,
        "amount_minor": payment.amount_minor,
        "method": payment.method,
    }
