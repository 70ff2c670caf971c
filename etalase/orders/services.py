"""Order and payment writes: carts, checkout and staff orders, the status journey, cancelling,
payments with their trail, gateway notifications and reviews.

Every service runs in one transaction and records its Activity in it. Callers (pages, API) have
already resolved who may do what (a customer acts on their own orders, staff through a
``BusinessContext`` with the right permission); services check what keeps the data true:

- prices come from the products as they are now, never from the client, and each order line keeps
  a snapshot (title, SKU, unit price); every total is an integer sum, checked again by the database;
- stock is taken with one conditional ``UPDATE … WHERE stock >= quantity``, so it never goes below
  zero whatever runs at the same time, and cancelling gives it back;
- an ``idempotency_key`` makes a retried checkout or payment return what the first one made, even
  when both arrive at once (the unique constraint decides, the loser reads the winner's row);
- every payment names who recorded it, who received the money, who confirmed it and when;
  ``Order.paid_minor`` is always the sum of the confirmed payments, recomputed under the order's
  row lock. Payments waiting for confirmation count as paid when refusing to take more than is due.

Locks are always taken in the same order (cart, then order counter or order, then products), so two
services never wait for each other in a circle.
"""

import datetime as dt
import functools
import hashlib
import io
import logging
import secrets
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from PIL import Image

from etalase.activity.enums import Channel
from etalase.activity.services import activity_record
from etalase.catalog.enums import ProductStatus
from etalase.catalog.models import Product
from etalase.catalog.services import stock_return, stock_take
from etalase.core.errors import Conflict, NotFound, ValidationError
from etalase.core.formats import money_format
from etalase.customers.models import Contact
from etalase.customers.services import contact_for_user, contact_touch
from etalase.directory.enums import BusinessStatus
from etalase.directory.models import Business, Membership
from etalase.orders import gateways
from etalase.orders.enums import Fulfilment, OrderChannel, OrderStatus, PaymentMethod, PaymentStatus, Verb
from etalase.orders.models import (
    Cart,
    CartItem,
    GatewayNotification,
    Order,
    OrderCounter,
    OrderEvent,
    OrderLine,
    OrderSettings,
    Payment,
    Review,
)
from etalase.orders.selectors import CartView, cart_for, order_settings_for, payment_methods_for
from etalase.orders.transitions import order_can_cancel, transition_allowed

logger = logging.getLogger(__name__)

MAX_LINE_QUANTITY = 9999
MAX_ORDER_LINES = 100
ADDRESS_MAX_LENGTH = 300
NOTE_MAX_LENGTH = 500
PREFERRED_TIME_MAX_LENGTH = 80
REASON_MAX_LENGTH = 300
REFERENCE_MAX_LENGTH = 120
REVIEW_MAX_LENGTH = 2000
IDEMPOTENCY_KEY_MAX_LENGTH = 120
PROOF_MAX_BYTES = 5 * 1024 * 1024
PROOF_MAX_PIXELS = 60_000_000
PROOF_IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
MAX_AMOUNT_MINOR = 10**13
DELIVERY_FEE_MAX_MINOR = 10**9
SETTINGS_TEXT_MAX_LENGTH = 500

ACTIVITY_CHANNEL: dict[str, str] = {
    OrderChannel.WEB: Channel.WEB,
    OrderChannel.PHONE: Channel.PHONE,
    OrderChannel.CHAT: Channel.WEB,
    OrderChannel.WHATSAPP: Channel.WHATSAPP,
    OrderChannel.WALK_IN: Channel.COUNTER,
    OrderChannel.SMS: Channel.SMS,
    OrderChannel.API: Channel.API,
}


@dataclass(frozen=True)
class LineRequest:
    product_id: int
    quantity: int


# --- helpers -------------------------------------------------------------------------------------


def _is_whole_number(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _money(amount_minor: int, currency: str = "IDR") -> str:
    return money_format(int(amount_minor), currency)


def _invalid(message: str | Promise, *, field: str | None = None, code: str | None = None) -> ValidationError:
    return ValidationError(message, code=code, fields={field: message} if field else None)


def _text(value: object, *, limit: int, field: str, label: str | Promise) -> str:
    text = str(value or "").replace("\x00", "").strip()
    if len(text) > limit:
        raise _invalid(
            _("%(label)s can have at most %(count)d characters.") % {"label": label, "count": limit}, field=field
        )
    return text


def _idempotency_key(scope: str, key: str) -> str:
    """The stored key: the caller's key within its scope (a user, a member), bounded in length."""
    key = (key or "").strip()
    if not key:
        return ""
    if len(key) > IDEMPOTENCY_KEY_MAX_LENGTH:
        key = hashlib.sha256(key.encode()).hexdigest()
    return f"{scope}:{key}"


def _retry_when_locked[**P, R](service: Callable[P, R]) -> Callable[P, R]:
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


def _order_locked(order: Order) -> Order:
    """The order row, locked until the transaction ends, read again so its amounts are current."""
    locked = Order.objects.select_for_update(of=("self",)).select_related("business", "contact").get(pk=order.pk)
    return locked


def _order_data(order: Order) -> dict[str, Any]:
    return {"number": order.number, "customer_id": order.customer_id, "contact_id": order.contact_id}


def _event(order: Order, *, from_status: str, to_status: str, actor: Any, note: str = "") -> OrderEvent:
    return OrderEvent.objects.create(
        business_id=order.business_id,
        order=order,
        from_status=from_status,
        to_status=to_status,
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        note=note[:300],
        created_at=timezone.now(),
    )


def _is_member(business: Business, user: Any) -> bool:
    if user is None or not getattr(user, "pk", None):
        return False
    return Membership.objects.filter(business=business, user_id=user.pk).exists()


def _pending_minor(order: Order) -> int:
    total = Payment.objects.filter(order=order, status=PaymentStatus.PENDING).aggregate(total=Sum("amount_minor"))
    return int(total["total"] or 0)


def _paid_recompute(order: Order) -> Order:
    """Set ``paid_minor`` to the sum of confirmed payments; call while holding the order's row lock."""
    total = Payment.objects.filter(order=order, status=PaymentStatus.CONFIRMED).aggregate(total=Sum("amount_minor"))
    order.paid_minor = int(total["total"] or 0)
    Order.objects.filter(pk=order.pk).update(paid_minor=order.paid_minor, updated_at=timezone.now())
    return order


# --- settings ------------------------------------------------------------------------------------

_SETTINGS_FLAGS = (
    "accepts_orders",
    "pickup_enabled",
    "delivery_enabled",
    "cash_enabled",
    "transfer_enabled",
    "qris_enabled",
    "gateway_enabled",
)
_SETTINGS_TEXTS = {"bank_details": SETTINGS_TEXT_MAX_LENGTH, "qris_details": SETTINGS_TEXT_MAX_LENGTH}


@transaction.atomic
def order_settings_update(*, business: Business, actor: Any, **fields: Any) -> OrderSettings:
    """Change how the business takes orders and payments; fields not given stay as they are."""
    settings = order_settings_for(business=business)
    settings = OrderSettings.objects.select_for_update().get(pk=settings.pk)
    unknown = set(fields) - set(_SETTINGS_FLAGS) - set(_SETTINGS_TEXTS) - {"delivery_fee_minor", "gateway_server_key"}
    if unknown:
        raise _invalid(_("Unknown setting: %(name)s.") % {"name": ", ".join(sorted(unknown))})
    errors: dict[str, str | Promise] = {}
    for name in _SETTINGS_FLAGS:
        if name in fields:
            setattr(settings, name, bool(fields[name]))
    for name, limit in _SETTINGS_TEXTS.items():
        if name in fields:
            value = str(fields[name] or "").replace("\x00", "").strip()
            if len(value) > limit:
                errors[name] = _("At most %(count)d characters.") % {"count": limit}
            setattr(settings, name, value)
    if "delivery_fee_minor" in fields:
        fee = fields["delivery_fee_minor"]
        if fee is None:
            fee = 0
        if not _is_whole_number(fee) or fee < 0:
            errors["delivery_fee_minor"] = _("Enter the delivery fee as a whole number, 0 or more.")
        elif fee > DELIVERY_FEE_MAX_MINOR:
            errors["delivery_fee_minor"] = _("The delivery fee is too high.")
        else:
            settings.delivery_fee_minor = fee
    if "gateway_server_key" in fields:
        key = str(fields["gateway_server_key"] or "").strip()
        if len(key) > 128:
            errors["gateway_server_key"] = _("At most %(count)d characters.") % {"count": 128}
        settings.gateway_server_key = key
    if settings.accepts_orders and not (settings.pickup_enabled or settings.delivery_enabled):
        errors["pickup_enabled"] = _("Offer pickup, delivery or both to take orders.")
    if settings.gateway_enabled and not settings.gateway_server_key:
        errors["gateway_server_key"] = _("Enter the payment gateway's server key to take online payments.")
    if errors:
        message = next(iter(errors.values())) if len(errors) == 1 else _("Some fields are not valid.")
        raise ValidationError(message, fields=errors)
    settings.save()
    return settings


# --- carts ---------------------------------------------------------------------------------------

PRODUCT_UNAVAILABLE = _("“%(title)s” is no longer available.")
PRODUCT_NOT_FOUND = _("This product is not available.")


def _quantity_check(quantity: object, *, allow_zero: bool = False) -> int:
    if not isinstance(quantity, int) or isinstance(quantity, bool):
        raise _invalid(_("Enter the quantity as a whole number."), field="quantity")
    if quantity < (0 if allow_zero else 1):
        raise _invalid(_("The quantity must be at least 1."), field="quantity")
    if quantity > MAX_LINE_QUANTITY:
        raise _invalid(_("The quantity is too high."), field="quantity")
    return quantity


def _stock_message(product: Product) -> str:
    if product.stock is not None and product.stock <= 0:
        return str(_("“%(title)s” is sold out.") % {"title": product.title})
    return str(_("Only %(count)d of “%(title)s” left.") % {"count": product.stock or 0, "title": product.title})


def _orderable_product(*, business: Business | None, product_id: int) -> Product:
    """A product a customer may put in a cart now, or a clear error."""
    product = Product.objects.select_related("business").filter(pk=product_id).first()
    if product is None or (business is not None and product.business_id != business.pk):
        raise NotFound(PRODUCT_NOT_FOUND)
    if (
        product.status != ProductStatus.PUBLISHED
        or product.is_hidden
        or product.business.status != BusinessStatus.ACTIVE
    ):
        raise _invalid(PRODUCT_UNAVAILABLE % {"title": product.title}, code="unavailable")
    return product


def _accepting_orders(business: Business) -> OrderSettings:
    settings = order_settings_for(business=business)
    if business.status != BusinessStatus.ACTIVE or not settings.accepts_orders:
        raise _invalid(_("This shop is not taking orders online at the moment."), code="not_accepting_orders")
    return settings


def _cart_locked(*, user: Any, business: Business) -> Cart | None:
    """The user's cart at the business, locked: changes and checkouts of one cart queue here."""
    return Cart.objects.select_for_update().filter(user=user, business=business).first()


def _cart_locked_or_new(*, user: Any, business: Business) -> Cart:
    Cart.objects.get_or_create(user=user, business=business)
    return Cart.objects.select_for_update().get(user=user, business=business)


@transaction.atomic
def cart_add(*, user: Any, product: Product, quantity: int = 1) -> CartView:
    """Put ``quantity`` more of ``product`` in the user's cart at its business.

    The product must be on sale now; the cart never holds more than the stock.
    """
    quantity = _quantity_check(quantity)
    product = _orderable_product(business=None, product_id=product.pk)
    business = product.business
    _accepting_orders(business)
    cart = _cart_locked_or_new(user=user, business=business)
    item = CartItem.objects.filter(cart=cart, product=product).first()
    new_quantity = (item.quantity if item else 0) + quantity
    if new_quantity > MAX_LINE_QUANTITY:
        raise _invalid(_("The quantity is too high."), field="quantity")
    if product.stock is not None and new_quantity > product.stock:
        raise _invalid(_stock_message(product), field="quantity", code="out_of_stock")
    if item is None:
        CartItem.objects.create(cart=cart, product=product, quantity=new_quantity)
    else:
        CartItem.objects.filter(pk=item.pk).update(quantity=new_quantity)
    cart.save(update_fields=["updated_at"])
    return cart_for(business=business, user=user)


@transaction.atomic
def cart_set_quantity(*, user: Any, business: Business, product_id: int, quantity: int) -> CartView:
    """Set how many of a product the cart holds; 0 removes it."""
    quantity = _quantity_check(quantity, allow_zero=True)
    if quantity == 0:
        existing = _cart_locked(user=user, business=business)
        if existing is not None:
            CartItem.objects.filter(cart=existing, product_id=product_id).delete()
            existing.save(update_fields=["updated_at"])
        return cart_for(business=business, user=user)
    cart = _cart_locked_or_new(user=user, business=business)
    product = _orderable_product(business=business, product_id=product_id)
    if product.stock is not None and quantity > product.stock:
        raise _invalid(_stock_message(product), field="quantity", code="out_of_stock")
    updated = CartItem.objects.filter(cart=cart, product=product).update(quantity=quantity)
    if not updated:
        _accepting_orders(business)
        CartItem.objects.create(cart=cart, product=product, quantity=quantity)
    cart.save(update_fields=["updated_at"])
    return cart_for(business=business, user=user)


@transaction.atomic
def cart_clear(*, user: Any, business: Business) -> None:
    CartItem.objects.filter(cart__user=user, cart__business=business).delete()


# --- placing orders ------------------------------------------------------------------------------


def _order_by_key(business: Business, key: str) -> Order | None:
    if not key:
        return None
    return Order.objects.filter(business=business, idempotency_key=key).first()


def _lines_clean(lines: Sequence[LineRequest]) -> dict[int, int]:
    """Quantities per product id, in the order given (the same product twice is added up)."""
    if not lines:
        raise _invalid(_("The order is empty: add at least one product."), code="empty")
    if len(lines) > MAX_ORDER_LINES:
        raise _invalid(_("An order can have at most %(count)d products.") % {"count": MAX_ORDER_LINES})
    quantities: dict[int, int] = {}
    for line in lines:
        if not _is_whole_number(line.product_id):
            raise NotFound(PRODUCT_NOT_FOUND)
        quantities[line.product_id] = quantities.get(line.product_id, 0) + _quantity_check(line.quantity)
        if quantities[line.product_id] > MAX_LINE_QUANTITY:
            raise _invalid(_("The quantity is too high."), field="quantity")
    return quantities


def _products_check(business: Business, quantities: dict[int, int], *, for_customer: bool) -> dict[int, Product]:
    products = {product.pk: product for product in Product.objects.filter(business=business, pk__in=quantities)}
    for product_id, quantity in quantities.items():
        product = products.get(product_id)
        if product is None:
            raise _invalid(
                _("A product in the order is not sold by this shop. Remove it and try again."),
                code="product_not_in_business",
            )
        if product.status != ProductStatus.PUBLISHED or (for_customer and product.is_hidden):
            raise _invalid(PRODUCT_UNAVAILABLE % {"title": product.title}, code="unavailable")
        if product.stock is not None and quantity > product.stock:
            raise _invalid(_stock_message(product), code="out_of_stock")
        if product.currency != business.currency:
            raise _invalid(PRODUCT_UNAVAILABLE % {"title": product.title}, code="unavailable")
    return products


def _stock_take(business: Business, product: Product, quantity: int, *, for_customer: bool) -> None:
    """Take ``quantity`` from the product's stock, or fail when there is not enough *now*."""
    if stock_take(business=business, product_id=product.pk, quantity=quantity, visible_only=for_customer):
        return
    current = Product.objects.filter(pk=product.pk).first()
    if current is None or current.status != ProductStatus.PUBLISHED or (for_customer and current.is_hidden):
        raise _invalid(PRODUCT_UNAVAILABLE % {"title": product.title}, code="unavailable")
    if current.stock is not None and current.stock < quantity:
        raise _invalid(_stock_message(current), code="out_of_stock")


def _next_number(business: Business) -> int:
    OrderCounter.objects.get_or_create(business=business)
    counter = OrderCounter.objects.select_for_update().get(business=business)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


@_retry_when_locked
@transaction.atomic
def order_place(
    *,
    business: Business,
    lines: Sequence[LineRequest],
    fulfilment: str,
    actor: Any,
    contact: Contact,
    customer: Any = None,
    channel: str = OrderChannel.WEB,
    delivery_address: str = "",
    note: str = "",
    preferred_time: str = "",
    idempotency_key: str = "",
    activity_channel: str | None = None,
) -> Order:
    """Place an order at the business for ``contact`` (and the ``customer`` account, if any).

    ``actor`` is whoever places it: the customer at checkout, or the member taking a phone, chat or
    counter order; without ``customer``, a contact with an app account makes that account the
    customer. Prices are read from the products now. The caller scopes ``idempotency_key``
    (``order_checkout`` uses ``u<user id>:<key>``); the same key returns the same order.
    """
    existing = _order_by_key(business, idempotency_key)
    if existing is not None:
        return existing
    if customer is None and contact is not None and contact.user_id and contact.business_id == business.pk:
        customer = contact.user  # the contact's app account sees the order among their own
    for_customer = customer is not None and actor is not None and getattr(actor, "pk", None) == customer.pk
    if business.status != BusinessStatus.ACTIVE:
        raise _invalid(_("This shop is not taking orders at the moment."), code="not_accepting_orders")
    settings = order_settings_for(business=business)
    if for_customer and not settings.accepts_orders:
        raise _invalid(_("This shop is not taking orders online at the moment."), code="not_accepting_orders")
    if channel not in OrderChannel.values:
        raise _invalid(_("Choose where the order was taken."), field="channel")
    if contact is None or contact.business_id != business.pk:
        raise _invalid(_("Choose the customer."), field="contact")
    if fulfilment not in Fulfilment.values:
        raise _invalid(_("Choose pickup or delivery."), field="fulfilment")
    if fulfilment == Fulfilment.PICKUP and not settings.pickup_enabled:
        raise _invalid(_("This shop does not offer pickup."), field="fulfilment", code="fulfilment_not_enabled")
    if fulfilment == Fulfilment.DELIVERY and not settings.delivery_enabled:
        raise _invalid(_("This shop does not deliver."), field="fulfilment", code="fulfilment_not_enabled")
    delivery_address = _text(
        delivery_address, limit=ADDRESS_MAX_LENGTH, field="delivery_address", label=_("The address")
    )
    if fulfilment == Fulfilment.DELIVERY and not delivery_address:
        raise _invalid(_("Enter the delivery address."), field="delivery_address")
    if fulfilment == Fulfilment.PICKUP:
        delivery_address = ""
    note = _text(note, limit=NOTE_MAX_LENGTH, field="note", label=_("The note"))
    preferred_time = _text(
        preferred_time, limit=PREFERRED_TIME_MAX_LENGTH, field="preferred_time", label=_("The preferred time")
    )
    quantities = _lines_clean(lines)
    products = _products_check(business, quantities, for_customer=for_customer)

    try:
        with transaction.atomic():
            # Orders of one business queue here, one at a time, until each commits. A request
            # retried while its first attempt was in flight finds that order once it has the lock.
            number = _next_number(business)
            existing = _order_by_key(business, idempotency_key)
            if existing is not None:
                transaction.set_rollback(True)
                return existing
            for product_id in sorted(quantities):  # always the same order: no deadlock between orders
                _stock_take(business, products[product_id], quantities[product_id], for_customer=for_customer)
            return _order_create(
                business=business,
                settings=settings,
                number=number,
                products=products,
                quantities=quantities,
                fulfilment=fulfilment,
                actor=actor,
                contact=contact,
                customer=customer,
                channel=channel,
                delivery_address=delivery_address,
                note=note,
                preferred_time=preferred_time,
                idempotency_key=idempotency_key,
                activity_channel=activity_channel or ACTIVITY_CHANNEL.get(channel, Channel.WEB),
            )
    except IntegrityError:
        existing = _order_by_key(business, idempotency_key)
        if existing is not None:
            return existing
        raise


def _order_create(
    *,
    business: Business,
    settings: OrderSettings,
    number: int,
    products: dict[int, Product],
    quantities: dict[int, int],
    fulfilment: str,
    actor: Any,
    contact: Contact,
    customer: Any,
    channel: str,
    delivery_address: str,
    note: str,
    preferred_time: str,
    idempotency_key: str,
    activity_channel: str,
) -> Order:
    now = timezone.now()
    lines = [
        OrderLine(
            business=business,
            product=products[product_id],
            title=products[product_id].title,
            sku=products[product_id].sku,
            unit_price_minor=products[product_id].price_minor,
            quantity=quantity,
            total_minor=products[product_id].price_minor * quantity,
        )
        for product_id, quantity in quantities.items()
    ]
    subtotal = sum(line.total_minor for line in lines)
    fee = settings.delivery_fee_minor if fulfilment == Fulfilment.DELIVERY else 0
    order = Order.objects.create(
        business=business,
        number=number,
        customer=customer,
        contact=contact,
        channel=channel,
        status=OrderStatus.PENDING,
        fulfilment=fulfilment,
        delivery_address=delivery_address,
        note=note,
        preferred_time=preferred_time,
        currency=business.currency,
        subtotal_minor=subtotal,
        delivery_fee_minor=fee,
        total_minor=subtotal + fee,
        created_by=actor if actor is not None and getattr(actor, "pk", None) else None,
        placed_at=now,
        idempotency_key=idempotency_key,
    )
    for line in lines:
        line.order = order
    OrderLine.objects.bulk_create(lines)
    _event(order, from_status="", to_status=OrderStatus.PENDING, actor=actor)
    contact_touch(contact=contact)
    activity_record(
        verb=Verb.ORDERED,
        business=business,
        actor=customer,
        target=order,
        channel=activity_channel,
        occurred_at=now,
        data={
            "order_id": order.pk,
            "number": order.number,
            "amount_minor": order.total_minor,
            "product_ids": list(quantities),
            "contact_id": contact.pk,
            "customer_id": order.customer_id,
            "customer_name": contact.display_name,
            "channel": channel,
            "fulfilment": fulfilment,
            "taken_by_id": order.created_by_id if customer is None or order.created_by_id != customer.pk else None,
        },
    )
    logger.info("Order %s #%s placed: %s", business.slug, order.number, order.total_minor)
    return order


@_retry_when_locked
@transaction.atomic
def order_checkout(
    *,
    user: Any,
    business: Business,
    fulfilment: str,
    delivery_address: str = "",
    note: str = "",
    preferred_time: str = "",
    idempotency_key: str = "",
    channel: str = OrderChannel.WEB,
) -> Order:
    """Order what is in the user's cart at ``business``, then empty the cart.

    A retried checkout with the same ``idempotency_key`` returns the first order, even after the
    cart was emptied by it.
    """
    key = _idempotency_key(f"u{user.pk}", idempotency_key)
    _accepting_orders(business)
    # Checkouts of one cart queue here: a retry waits for the first attempt and then finds its order.
    cart = _cart_locked(user=user, business=business)
    existing = _order_by_key(business, key)
    if existing is not None:
        return existing
    items = list(CartItem.objects.filter(cart=cart).order_by("added_at", "pk")) if cart is not None else []
    if not items:
        raise _invalid(_("Your cart is empty."), code="empty")
    contact = contact_for_user(business=business, user=user)
    order = order_place(
        business=business,
        lines=[LineRequest(product_id=item.product_id, quantity=item.quantity) for item in items],
        fulfilment=fulfilment,
        actor=user,
        contact=contact,
        customer=user,
        channel=channel,
        delivery_address=delivery_address,
        note=note,
        preferred_time=preferred_time,
        idempotency_key=key,
    )
    CartItem.objects.filter(cart=cart).delete()
    return order


# --- the status journey --------------------------------------------------------------------------


@transaction.atomic
def order_transition(*, order: Order, actor: Any, to_status: str, note: str = "", channel: str = Channel.WEB) -> Order:
    """Move the order one step along its journey (see ``transitions.ALLOWED``); cancelling goes
    through ``order_cancel`` with ``note`` as the reason."""
    if to_status == OrderStatus.CANCELLED:
        return order_cancel(order=order, actor=actor, reason=note, by_customer=False, channel=channel)
    order = _order_locked(order)
    if order.status == to_status:
        return order  # already there: a repeated tap changes nothing
    if to_status not in OrderStatus.values or not transition_allowed(
        fulfilment=order.fulfilment, from_status=order.status, to_status=to_status
    ):
        target = OrderStatus(to_status).label if to_status in OrderStatus.values else to_status
        raise ValidationError(
            _("An order that is “%(from)s” cannot be marked “%(to)s”.")
            % {"from": order.get_status_display(), "to": target},
            code="transition_not_allowed",
        )
    note = _text(note, limit=REASON_MAX_LENGTH, field="note", label=_("The note"))
    previous = order.status
    now = timezone.now()
    order.status = to_status
    fields = ["status", "updated_at"]
    if to_status == OrderStatus.COMPLETED:
        order.completed_at = now
        fields.append("completed_at")
    order.save(update_fields=fields)
    _event(order, from_status=previous, to_status=to_status, actor=actor, note=note)
    activity_record(
        verb=Verb.ORDER_STATUS_CHANGED,
        business=order.business,
        actor=actor,
        target=order,
        channel=channel,
        data={**_order_data(order), "from": previous, "to": to_status},
    )
    return order


@transaction.atomic
def order_cancel(*, order: Order, actor: Any, reason: str, by_customer: bool, channel: str = Channel.WEB) -> Order:
    """Cancel the order and give its stock back.

    A customer cancels their own order while it waits for confirmation; staff give a reason and
    cannot cancel a completed order. An order with confirmed payments is refunded first, and one
    with payments waiting for confirmation has them confirmed or rejected first, so no money is
    left hanging on a cancelled order.
    """
    order = _order_locked(order)
    if by_customer and (actor is None or order.customer_id != actor.pk):
        raise NotFound(_("Order not found."))
    if order.status == OrderStatus.CANCELLED:
        return order  # cancelled already: a repeated tap changes nothing
    reason = _text(reason, limit=REASON_MAX_LENGTH, field="reason", label=_("The reason"))
    if by_customer:
        if order.status != OrderStatus.PENDING:
            raise ValidationError(
                _("The shop has already confirmed this order. Contact the shop to cancel it."),
                code="transition_not_allowed",
            )
    else:
        if not reason:
            raise _invalid(_("Give the reason for cancelling."), field="reason")
        if not order_can_cancel(order):
            raise ValidationError(
                _("An order that is “%(status)s” cannot be cancelled.") % {"status": order.get_status_display()},
                code="transition_not_allowed",
            )
    if order.paid_minor > 0:
        raise ValidationError(
            _("%(amount)s has been paid for this order. Refund it before cancelling.")
            % {"amount": _money(order.paid_minor, order.currency)},
            code="has_payments",
        )
    if Payment.objects.filter(order=order, status=PaymentStatus.PENDING).exists():
        message = (
            _("A payment for this order is waiting for confirmation. Contact the shop to cancel it.")
            if by_customer
            else _("A payment for this order is waiting for confirmation. Confirm or reject it first.")
        )
        raise ValidationError(message, code="has_payments")
    for product_id, quantity in (
        OrderLine.objects.filter(order=order, product__isnull=False)
        .order_by("product_id")
        .values_list("product_id", "quantity")
    ):
        stock_return(product_id=product_id, quantity=quantity)
    previous = order.status
    now = timezone.now()
    order.status = OrderStatus.CANCELLED
    order.cancel_reason = reason
    order.cancelled_at = now
    order.save(update_fields=["status", "cancel_reason", "cancelled_at", "updated_at"])
    _event(order, from_status=previous, to_status=OrderStatus.CANCELLED, actor=actor, note=reason)
    activity_record(
        verb=Verb.CANCELLED,
        business=order.business,
        actor=actor,
        target=order,
        channel=channel,
        data={
            **_order_data(order),
            "amount_minor": order.total_minor,
            "reason": reason,
            "by_customer": by_customer,
        },
    )
    return order


@transaction.atomic
def order_reorder(*, user: Any, order: Order) -> CartView:
    """Put the lines of one of the user's past orders in the cart again, at today's prices.

    Lines no longer for sale (or sold out) are skipped; a line is cut to the stock left. The
    returned cart's ``skipped`` names what could not be added.
    """
    if order.customer_id != user.pk:
        raise NotFound(_("Order not found."))
    business = order.business
    _accepting_orders(business)
    cart = _cart_locked_or_new(user=user, business=business)
    skipped: list[str] = []
    for line in OrderLine.objects.filter(order=order).select_related("product", "product__business"):
        product = line.product
        if product is None or product.status != ProductStatus.PUBLISHED or product.is_hidden:
            skipped.append(line.title)
            continue
        item = CartItem.objects.filter(cart=cart, product=product).first()
        in_cart = item.quantity if item else 0
        room = MAX_LINE_QUANTITY - in_cart
        if product.stock is not None:
            room = min(room, product.stock - in_cart)
        quantity = min(line.quantity, room)
        if quantity <= 0:
            skipped.append(line.title)
            continue
        if item is None:
            CartItem.objects.create(cart=cart, product=product, quantity=quantity)
        else:
            CartItem.objects.filter(pk=item.pk).update(quantity=in_cart + quantity)
    cart.save(update_fields=["updated_at"])
    view = cart_for(business=business, user=user)
    view.skipped = skipped
    return view


# --- payments ------------------------------------------------------------------------------------


def _amount_check(amount_minor: object) -> int:
    if not isinstance(amount_minor, int) or isinstance(amount_minor, bool):
        raise _invalid(_("Enter the amount as a whole number, for example 50000."), field="amount_minor")
    if amount_minor <= 0:
        raise _invalid(_("The amount must be more than zero."), field="amount_minor")
    if amount_minor > MAX_AMOUNT_MINOR:
        raise _invalid(_("The amount is too high."), field="amount_minor")
    return amount_minor


def _payable_check(order: Order, amount_minor: int) -> None:
    """Refuse taking more than is still due, counting payments waiting for confirmation as paid."""
    if order.status == OrderStatus.CANCELLED:
        raise ValidationError(_("This order was cancelled and cannot be paid."), code="order_cancelled")
    pending = _pending_minor(order)
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
                "amount": _money(payable, order.currency),
                "pending": _money(pending, order.currency),
            }
        else:
            message = _("That is more than is due: at most %(amount)s.") % {"amount": _money(payable, order.currency)}
        raise ValidationError(message, code="overpayment", fields={"amount_minor": message})


def proof_clean(upload: Any) -> ContentFile[bytes]:
    """The transfer proof as stored: a real picture (JPEG, PNG, WebP, GIF) or a PDF, at most 5 MB,
    judged by its content, not its name. Raises ValidationError for anything else."""
    too_large = _("The proof is too large: at most %(megabytes)d MB.") % {"megabytes": PROOF_MAX_BYTES // 1024 // 1024}
    not_allowed = _("Upload the transfer proof as a picture (JPEG, PNG, WebP) or a PDF.")
    size = getattr(upload, "size", None)
    if size is not None and size > PROOF_MAX_BYTES:
        raise _invalid(too_large, field="proof", code="proof_too_large")
    if hasattr(upload, "seek"):
        upload.seek(0)
    raw = upload.read(PROOF_MAX_BYTES + 1)
    if len(raw) > PROOF_MAX_BYTES:
        raise _invalid(too_large, field="proof", code="proof_too_large")
    if not raw:
        raise _invalid(not_allowed, field="proof", code="proof_invalid")
    if raw.startswith(b"%PDF-"):
        extension = "pdf"
    else:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(io.BytesIO(raw)) as probe:
                    image_format = probe.format or ""
                    if image_format not in PROOF_IMAGE_FORMATS or probe.width * probe.height > PROOF_MAX_PIXELS:
                        raise _invalid(not_allowed, field="proof", code="proof_invalid")
                    probe.verify()
        except ValidationError:
            raise
        except Exception as exc:  # Pillow raises many kinds of errors for a file that is not a picture
            raise _invalid(not_allowed, field="proof", code="proof_invalid") from exc
        extension = PROOF_IMAGE_FORMATS[image_format]
    return ContentFile(raw, name=f"proof-{secrets.token_urlsafe(12)}.{extension}")


def _payment_by_key(business: Business, key: str) -> Payment | None:
    if not key:
        return None
    return Payment.objects.filter(business=business, idempotency_key=key).first()


def _payment_create(payment: Payment, proof: ContentFile[bytes] | None) -> Payment:
    if proof is not None:
        payment.proof.save(proof.name or "proof", proof, save=False)
    with transaction.atomic():
        payment.save()
    return payment


def _payment_data(payment: Payment, order: Order) -> dict[str, Any]:
    return {
        **_order_data(order),
        "payment_id": payment.pk,
        "amount_minor": payment.amount_minor,
        "method": payment.method,
    }


@_retry_when_locked
@transaction.atomic
def payment_submit(
    *,
    order: Order,
    user: Any,
    method: str,
    amount_minor: int,
    reference: str = "",
    proof: Any = None,
    idempotency_key: str = "",
    channel: str = Channel.WEB,
) -> Payment:
    """The customer tells the shop they paid (a transfer with its proof, or a QRIS/e-wallet
    reference). It waits for the cashier's confirmation; until then it counts against what is due."""
    if user is None or order.customer_id != user.pk:
        raise NotFound(_("Order not found."))
    key = _idempotency_key(f"u{user.pk}", idempotency_key)
    existing = _payment_by_key(order.business, key)
    if existing is not None:
        return existing
    if method == PaymentMethod.CASH:
        raise _invalid(_("Cash is paid to the shop at pickup or delivery."), field="method")
    if method == PaymentMethod.GATEWAY:
        raise _invalid(_("Pay online through the payment page."), field="method")
    if method not in payment_methods_for(business=order.business):
        raise _invalid(_("This shop does not take this payment method."), field="method")
    amount_minor = _amount_check(amount_minor)
    reference = _text(reference, limit=REFERENCE_MAX_LENGTH, field="reference", label=_("The reference"))
    order = _order_locked(order)
    existing = _payment_by_key(order.business, key)  # a retry that waited for the first attempt's lock
    if existing is not None:
        return existing
    _payable_check(order, amount_minor)
    stored_proof = None
    if method == PaymentMethod.TRANSFER:
        if proof is None:
            raise _invalid(_("Upload the transfer proof."), field="proof", code="proof_required")
        stored_proof = proof_clean(proof)
    elif proof is not None:
        stored_proof = proof_clean(proof)
    if method == PaymentMethod.QRIS and not reference:
        raise _invalid(_("Enter the payment reference shown in your app."), field="reference")
    payment = Payment(
        business=order.business,
        order=order,
        amount_minor=amount_minor,
        method=method,
        status=PaymentStatus.PENDING,
        reference=reference,
        paid_at=timezone.now(),
        recorded_by=user,
        idempotency_key=key,
    )
    try:
        _payment_create(payment, stored_proof)
    except IntegrityError:
        existing = _payment_by_key(order.business, key)
        if existing is not None:
            return existing
        raise
    activity_record(
        verb=Verb.PAID,
        business=order.business,
        actor=user,
        target=order,
        channel=channel,
        data={**_payment_data(payment, order), "confirmed": False},
    )
    return payment


@_retry_when_locked
@transaction.atomic
def payment_record(
    *,
    order: Order,
    actor: Any,
    method: str,
    amount_minor: int,
    reference: str = "",
    proof: Any = None,
    received_by: Any = None,
    confirm: bool,
    idempotency_key: str = "",
    paid_at: dt.datetime | None = None,
    channel: str = Channel.WEB,
) -> Payment:
    """A member records money received for the order: by whom (``received_by``, the actor unless
    said otherwise), when, how. With ``confirm`` (the caller holds ``payments.confirm``) it is
    confirmed at once by the actor; otherwise it waits for the cashier."""
    key = _idempotency_key(f"m{actor.pk}", idempotency_key)
    existing = _payment_by_key(order.business, key)
    if existing is not None:
        return existing
    if method not in (PaymentMethod.CASH, PaymentMethod.TRANSFER, PaymentMethod.QRIS):
        raise _invalid(_("Choose cash, bank transfer or QRIS / e-wallet."), field="method")
    amount_minor = _amount_check(amount_minor)
    reference = _text(reference, limit=REFERENCE_MAX_LENGTH, field="reference", label=_("The reference"))
    now = timezone.now()
    if paid_at is None:
        paid_at = now
    elif timezone.is_naive(paid_at) or paid_at > now + dt.timedelta(minutes=5):
        raise _invalid(_("The time of payment cannot be in the future."), field="paid_at")
    receiver = received_by if received_by is not None else actor
    if not _is_member(order.business, receiver):
        raise _invalid(_("Choose a member of the team who received the money."), field="received_by")
    stored_proof = proof_clean(proof) if proof is not None else None
    order = _order_locked(order)
    existing = _payment_by_key(order.business, key)
    if existing is not None:
        return existing
    _payable_check(order, amount_minor)
    payment = Payment(
        business=order.business,
        order=order,
        amount_minor=amount_minor,
        method=method,
        status=PaymentStatus.CONFIRMED if confirm else PaymentStatus.PENDING,
        reference=reference,
        paid_at=paid_at,
        recorded_by=actor,
        received_by=receiver,
        confirmed_by=actor if confirm else None,
        confirmed_at=now if confirm else None,
        idempotency_key=key,
    )
    try:
        _payment_create(payment, stored_proof)
    except IntegrityError:
        existing = _payment_by_key(order.business, key)
        if existing is not None:
            return existing
        raise
    if confirm:
        _paid_recompute(order)
    activity_record(
        verb=Verb.PAID,
        business=order.business,
        actor=actor,
        target=order,
        channel=channel,
        data={
            **_payment_data(payment, order),
            "confirmed": bool(confirm),
            "order_paid": order.is_paid,
            "received_by_id": receiver.pk,
        },
    )
    return payment


def _payment_locked(payment: Payment) -> tuple[Payment, Order]:
    order = _order_locked(payment.order)  # the order first, like every payment service
    locked = Payment.objects.select_for_update().get(pk=payment.pk)
    return locked, order


@transaction.atomic
def payment_confirm(*, payment: Payment, actor: Any, channel: str = Channel.WEB) -> Payment:
    """The cashier has checked the money arrived: the payment counts as paid."""
    payment, order = _payment_locked(payment)
    if payment.status == PaymentStatus.CONFIRMED:
        return payment  # confirmed already: a repeated tap changes nothing
    if payment.status == PaymentStatus.REJECTED:
        raise ValidationError(_("This payment was rejected and cannot be confirmed."), code="payment_rejected")
    if order.status == OrderStatus.CANCELLED:
        raise ValidationError(_("This order was cancelled and cannot be paid."), code="order_cancelled")
    if order.paid_minor + payment.amount_minor > order.total_minor:
        raise ValidationError(
            _("Confirming this payment would take more than is due (%(amount)s). Reject it instead.")
            % {"amount": _money(order.due_minor, order.currency)},
            code="overpayment",
        )
    payment.status = PaymentStatus.CONFIRMED
    payment.confirmed_by = actor
    payment.confirmed_at = timezone.now()
    payment.save(update_fields=["status", "confirmed_by", "confirmed_at", "updated_at"])
    _paid_recompute(order)
    activity_record(
        verb=Verb.PAYMENT_CONFIRMED,
        business=order.business,
        actor=actor,
        target=order,
        channel=channel,
        data={**_payment_data(payment, order), "order_paid": order.is_paid},
    )
    return payment


@transaction.atomic
def payment_reject(*, payment: Payment, actor: Any, reason: str, channel: str = Channel.WEB) -> Payment:
    """The money did not arrive (or the proof is wrong): the payment no longer counts."""
    reason = _text(reason, limit=REASON_MAX_LENGTH, field="reason", label=_("The reason"))
    if not reason:
        raise _invalid(_("Give the reason for rejecting the payment."), field="reason")
    payment, order = _payment_locked(payment)
    if payment.status == PaymentStatus.REJECTED:
        return payment
    if payment.status == PaymentStatus.CONFIRMED:
        raise ValidationError(_("This payment is already confirmed and cannot be rejected."), code="payment_confirmed")
    payment.status = PaymentStatus.REJECTED
    payment.rejected_reason = reason
    payment.confirmed_by = actor  # who decided, with ``confirmed_at`` as when: the trail of the decision
    payment.confirmed_at = timezone.now()
    payment.save(update_fields=["status", "rejected_reason", "confirmed_by", "confirmed_at", "updated_at"])
    activity_record(
        verb=Verb.PAYMENT_REJECTED,
        business=order.business,
        actor=actor,
        target=order,
        channel=channel,
        data={**_payment_data(payment, order), "order_paid": order.is_paid, "reason": reason},
    )
    return payment


# --- payment gateway -----------------------------------------------------------------------------


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
    order = _order_locked(found)  # two deliveries of one notification queue here
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
        business=business,
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
        _payment_create(payment, None)
    except IntegrityError:
        existing = Payment.objects.filter(gateway=adapter.name, gateway_transaction_id=result.transaction_id).first()
        return note.write("duplicate", payment=existing)
    _paid_recompute(order)
    activity_record(
        verb=Verb.PAID,
        business=business,
        actor=order.customer,
        target=order,
        channel=Channel.SYSTEM,
        data={**_payment_data(payment, order), "confirmed": True, "order_paid": order.is_paid, "gateway": adapter.name},
    )
    return note.write("paid", payment=payment)


def gateway_checkout_start(*, order: Order, user: Any) -> str:
    """Where the customer pays the rest of the order online: the sandbox payment page here."""
    if user is None or order.customer_id != user.pk:
        raise NotFound(_("Order not found."))
    order = Order.objects.select_related("business").get(pk=order.pk)
    if PaymentMethod.GATEWAY not in payment_methods_for(business=order.business):
        raise _invalid(_("This shop does not take online payments."), field="method")
    if not django_settings.PAYMENT_SANDBOX:
        raise _invalid(_("Online payment is not available yet. Please choose another method."), field="method")
    _payable_check(order, 1)
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


# --- reviews -------------------------------------------------------------------------------------


@transaction.atomic
def review_create(
    *, order: Order, user: Any, product_id: int, rating: int, text: str = "", channel: str = Channel.WEB
) -> Review:
    """The customer rates a product of one of their completed orders, once per order and product."""
    if user is None or order.customer_id != user.pk:
        raise NotFound(_("Order not found."))
    order = Order.objects.select_related("business").get(pk=order.pk)  # its status now, not when it was read
    if order.status != OrderStatus.COMPLETED:
        raise ValidationError(_("You can review the products once the order is completed."), code="not_completed")
    if not _is_whole_number(rating) or not 1 <= rating <= 5:
        raise _invalid(_("Choose a rating from 1 to 5 stars."), field="rating")
    text = _text(text, limit=REVIEW_MAX_LENGTH, field="text", label=_("The review"))
    line = OrderLine.objects.filter(order=order, product_id=product_id).select_related("product").first()
    if line is None or line.product is None:
        raise _invalid(_("This product is not part of the order."), field="product_id")
    if Review.objects.filter(order=order, product_id=product_id).exists():
        raise Conflict(_("You have already reviewed this product for this order."), code="already_reviewed")
    try:
        with transaction.atomic():
            review = Review.objects.create(
                business_id=order.business_id, order=order, product=line.product, user=user, rating=rating, text=text
            )
    except IntegrityError as exc:
        raise Conflict(_("You have already reviewed this product for this order."), code="already_reviewed") from exc
    activity_record(
        verb=Verb.REVIEWED,
        business=order.business,
        actor=user,
        target=line.product,
        channel=channel,
        data={
            "number": order.number,
            "order_id": order.pk,
            "product_id": line.product_id,
            "rating": rating,
            "contact_id": order.contact_id,
        },
    )
    return review
