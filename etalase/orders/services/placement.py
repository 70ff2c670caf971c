"""Placing orders: at checkout from the customer's cart, or taken by a member by phone, chat or at
the counter.

Prices come from the products as they are now, never from the client; each order line keeps a
snapshot (title, SKU, unit price). Stock is taken through the catalog's ``stock_take``, so it never
goes below zero whatever runs at the same time. An ``idempotency_key`` makes a retry return what
the first attempt made, even when both arrive at once.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from etalase.accounts.models import User
from etalase.activity.enums import Channel
from etalase.activity.services import activity_record
from etalase.catalog.enums import ProductStatus
from etalase.catalog.models import Product
from etalase.catalog.services import stock_take
from etalase.core.errors import NotFound
from etalase.core.numbers import is_whole_number
from etalase.customers.enums import ContactSource
from etalase.customers.models import Contact
from etalase.customers.services.contacts import contact_create, contact_for_user, contact_touch
from etalase.directory.enums import BusinessStatus
from etalase.directory.models import Business
from etalase.orders.enums import Fulfilment, OrderChannel, OrderStatus, Verb
from etalase.orders.models import CartItem, Order, OrderCounter, OrderLine, OrderSettings
from etalase.orders.selectors import fulfilments_for, order_settings_for
from etalase.orders.services.common import (
    MAX_LINE_QUANTITY,
    PRODUCT_NOT_FOUND,
    PRODUCT_UNAVAILABLE,
    accepting_orders,
    cart_locked,
    idempotency_key_scoped,
    invalid,
    order_event_add,
    quantity_check,
    retry_when_locked,
    stock_message,
    text_clean,
)

logger = logging.getLogger(__name__)

MAX_ORDER_LINES = 100
ADDRESS_MAX_LENGTH = 300
NOTE_MAX_LENGTH = 500
PREFERRED_TIME_MAX_LENGTH = 80

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


def _order_by_key(business: Business, key: str) -> Order | None:
    if not key:
        return None
    return Order.objects.filter(business=business, idempotency_key=key).first()


def _lines_clean(lines: Sequence[LineRequest]) -> dict[int, int]:
    """Quantities per product id, in the order given (the same product twice is added up)."""
    if not lines:
        raise invalid(_("The order is empty: add at least one product."), code="empty")
    if len(lines) > MAX_ORDER_LINES:
        raise invalid(_("An order can have at most %(count)d products.") % {"count": MAX_ORDER_LINES})
    quantities: dict[int, int] = {}
    for line in lines:
        if not is_whole_number(line.product_id):
            raise NotFound(PRODUCT_NOT_FOUND)
        quantities[line.product_id] = quantities.get(line.product_id, 0) + quantity_check(line.quantity)
        if quantities[line.product_id] > MAX_LINE_QUANTITY:
            raise invalid(_("The quantity is too high."), field="quantity")
    return quantities


def _products_check(business: Business, quantities: dict[int, int], *, for_customer: bool) -> dict[int, Product]:
    products = {product.pk: product for product in Product.objects.filter(business=business, pk__in=quantities)}
    for product_id, quantity in quantities.items():
        product = products.get(product_id)
        if product is None:
            raise invalid(
                _("A product in the order is not sold by this shop. Remove it and try again."),
                code="product_not_in_business",
            )
        if product.status != ProductStatus.PUBLISHED or (for_customer and product.is_hidden):
            raise invalid(PRODUCT_UNAVAILABLE % {"title": product.title}, code="unavailable")
        if product.stock is not None and quantity > product.stock:
            raise invalid(stock_message(product), code="out_of_stock")
        if product.currency != business.currency:
            raise invalid(PRODUCT_UNAVAILABLE % {"title": product.title}, code="unavailable")
    return products


def _stock_take(business: Business, product: Product, quantity: int, *, for_customer: bool) -> None:
    """Take ``quantity`` from the product's stock, or fail when there is not enough *now*."""
    if stock_take(business=business, product_id=product.pk, quantity=quantity, visible_only=for_customer):
        return
    current = Product.objects.filter(pk=product.pk).first()
    if current is None or current.status != ProductStatus.PUBLISHED or (for_customer and current.is_hidden):
        raise invalid(PRODUCT_UNAVAILABLE % {"title": product.title}, code="unavailable")
    if current.stock is not None and current.stock < quantity:
        raise invalid(stock_message(current), code="out_of_stock")


def _next_number(business: Business) -> int:
    OrderCounter.objects.get_or_create(business=business)
    counter = OrderCounter.objects.select_for_update().get(business=business)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


@dataclass(frozen=True)
class _Placement:
    """An order ``order_place`` has checked, cleaned and priced, ready to be written."""

    business: Business
    settings: OrderSettings
    contact: Contact
    customer: Any
    for_customer: bool
    channel: str
    fulfilment: str
    delivery_address: str
    note: str
    preferred_time: str
    quantities: dict[int, int]
    products: dict[int, Product]


def _placement_check(
    *,
    business: Business,
    lines: Sequence[LineRequest],
    fulfilment: str,
    actor: User | None,
    contact: Contact | None,
    customer: Any,
    channel: str,
    delivery_address: str,
    note: str,
    preferred_time: str,
) -> _Placement:
    """Everything ``order_place`` refuses before writing (ValidationError, NotFound), or the order to write."""
    if customer is None and contact is not None and contact.user_id and contact.business_id == business.pk:
        customer = contact.user  # the contact's app account sees the order among their own
    for_customer = customer is not None and actor is not None and getattr(actor, "pk", None) == customer.pk
    if business.status != BusinessStatus.ACTIVE:
        raise invalid(_("This shop is not taking orders at the moment."), code="not_accepting_orders")
    settings = order_settings_for(business=business)
    if for_customer and not settings.accepts_orders:
        raise invalid(_("This shop is not taking orders online at the moment."), code="not_accepting_orders")
    if channel not in OrderChannel.values:
        raise invalid(_("Choose where the order was taken."), field="channel")
    if contact is None or contact.business_id != business.pk:
        raise invalid(_("Choose the customer."), field="contact")
    _fulfilment_check(business, settings, fulfilment)
    delivery_address = text_clean(
        delivery_address, limit=ADDRESS_MAX_LENGTH, field="delivery_address", label=_("The address")
    )
    if fulfilment == Fulfilment.DELIVERY and not delivery_address:
        raise invalid(_("Enter the delivery address."), field="delivery_address")
    note = text_clean(note, limit=NOTE_MAX_LENGTH, field="note", label=_("The note"))
    preferred_time = text_clean(
        preferred_time, limit=PREFERRED_TIME_MAX_LENGTH, field="preferred_time", label=_("The preferred time")
    )
    quantities = _lines_clean(lines)
    return _Placement(
        business=business,
        settings=settings,
        contact=contact,
        customer=customer,
        for_customer=for_customer,
        channel=channel,
        fulfilment=fulfilment,
        delivery_address="" if fulfilment == Fulfilment.PICKUP else delivery_address,
        note=note,
        preferred_time=preferred_time,
        quantities=quantities,
        products=_products_check(business, quantities, for_customer=for_customer),
    )


def _fulfilment_check(business: Business, settings: OrderSettings, fulfilment: str) -> None:
    if fulfilment not in Fulfilment.values:
        raise invalid(_("Choose pickup or delivery."), field="fulfilment")
    if fulfilment not in fulfilments_for(business=business, settings=settings):
        message = (
            _("This shop does not offer pickup.")
            if fulfilment == Fulfilment.PICKUP
            else _("This shop does not deliver.")
        )
        raise invalid(message, field="fulfilment", code="fulfilment_not_enabled")


@retry_when_locked
@transaction.atomic
def order_place(
    *,
    business: Business,
    lines: Sequence[LineRequest],
    fulfilment: str,
    actor: User | None,
    contact: Contact | None,
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
    (``order_checkout`` uses ``u<user id>:<key>``, ``order_take`` ``m<member id>:<key>``); the same
    key returns the same order.
    """
    existing = _order_by_key(business, idempotency_key)
    if existing is not None:
        return existing
    placement = _placement_check(
        business=business,
        lines=lines,
        fulfilment=fulfilment,
        actor=actor,
        contact=contact,
        customer=customer,
        channel=channel,
        delivery_address=delivery_address,
        note=note,
        preferred_time=preferred_time,
    )
    try:
        with transaction.atomic():
            # Orders of one business queue here, one at a time, until each commits. A request
            # retried while its first attempt was in flight finds that order once it has the lock.
            number = _next_number(business)
            existing = _order_by_key(business, idempotency_key)
            if existing is not None:
                transaction.set_rollback(True)
                return existing
            for product_id in sorted(placement.quantities):  # always the same order: no deadlock between orders
                _stock_take(
                    business,
                    placement.products[product_id],
                    placement.quantities[product_id],
                    for_customer=placement.for_customer,
                )
            return _order_create(
                placement,
                number=number,
                actor=actor,
                idempotency_key=idempotency_key,
                activity_channel=activity_channel or ACTIVITY_CHANNEL.get(channel, Channel.WEB),
            )
    except IntegrityError:
        existing = _order_by_key(business, idempotency_key)
        if existing is not None:
            return existing
        raise


def _order_create(
    placement: _Placement, *, number: int, actor: User | None, idempotency_key: str, activity_channel: str
) -> Order:
    business, products, customer, contact = (
        placement.business,
        placement.products,
        placement.customer,
        placement.contact,
    )
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
        for product_id, quantity in placement.quantities.items()
    ]
    subtotal = sum(line.total_minor for line in lines)
    fee = placement.settings.delivery_fee_minor if placement.fulfilment == Fulfilment.DELIVERY else 0
    order = Order.objects.create(
        business=business,
        number=number,
        customer=customer,
        contact=contact,
        channel=placement.channel,
        status=OrderStatus.PENDING,
        fulfilment=placement.fulfilment,
        delivery_address=placement.delivery_address,
        note=placement.note,
        preferred_time=placement.preferred_time,
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
    order_event_add(order, from_status="", to_status=OrderStatus.PENDING, actor=actor)
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
            "product_ids": list(placement.quantities),
            "contact_id": contact.pk,
            "customer_id": order.customer_id,
            "customer_name": contact.display_name,
            "channel": placement.channel,
            "fulfilment": placement.fulfilment,
            "taken_by_id": order.created_by_id if customer is None or order.created_by_id != customer.pk else None,
        },
    )
    logger.info("Order %s #%s placed: %s", business.slug, order.number, order.total_minor)
    return order


@retry_when_locked
@transaction.atomic
def order_checkout(
    *,
    user: User,
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
    key = idempotency_key_scoped(f"u{user.pk}", idempotency_key)
    accepting_orders(business)
    # Checkouts of one cart queue here: a retry waits for the first attempt and then finds its order.
    cart = cart_locked(user=user, business=business)
    existing = _order_by_key(business, key)
    if existing is not None:
        return existing
    items = list(CartItem.objects.filter(cart=cart).order_by("added_at", "pk")) if cart is not None else []
    if not items:
        raise invalid(_("Your cart is empty."), code="empty")
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


@dataclass(frozen=True)
class NewContact:
    """A customer the shop does not know yet, as a member typed them while taking an order."""

    name: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""


@retry_when_locked
@transaction.atomic
def order_take(
    *,
    business: Business,
    actor: User,
    lines: Sequence[LineRequest],
    fulfilment: str,
    channel: str,
    contact: Contact | None = None,
    new_contact: NewContact | None = None,
    delivery_address: str = "",
    note: str = "",
    preferred_time: str = "",
    idempotency_key: str = "",
) -> Order:
    """An order a member (``actor``) takes by phone, chat, WhatsApp or at the counter, for a
    ``contact`` of the business or a ``new_contact``, added to the customers only with the order.

    A contact with an app account sees the order among their own. The member's
    ``idempotency_key`` is scoped to them (``m<member id>:<key>``, like ``payment_record``).
    """
    key = idempotency_key_scoped(f"m{actor.pk}", idempotency_key)
    existing = _order_by_key(business, key)
    if existing is not None:
        return existing
    if contact is None and new_contact is not None:
        contact = contact_create(
            business=business,
            name=new_contact.name,
            phone=new_contact.phone,
            email=new_contact.email,
            address=new_contact.address,
            source=ContactSource.STAFF,
        )
    return order_place(
        business=business,
        lines=lines,
        fulfilment=fulfilment,
        actor=actor,
        contact=contact,  # None: order_place asks to choose the customer
        channel=channel,
        delivery_address=delivery_address,
        note=note,
        preferred_time=preferred_time,
        idempotency_key=key,
    )
