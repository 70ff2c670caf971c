"""The world the privacy tests start from (helpers only; the tests are in the other test_privacy_* files).

Budi (``customer``) is known at two shops. At Batik Sari (``business``, owned by Sari) he has a
full record: city, address, birthday, a tag, a staff note, WhatsApp marketing consent, a follow, a
comment and a question that Sari answered, and a delivery order of Rp 150.000 (with address and
note) paid in cash. At Kopi Senja (``other``) he has a record with his own comment and consent.
Rina, another customer of Batik Sari, must never be touched by Budi's requests.
"""

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from etalase.accounts.models import User
from etalase.activity.models import Activity
from etalase.activity.services import activity_record
from etalase.catalog.models import Product
from etalase.catalog.services import product_create
from etalase.customers.models import Contact
from etalase.customers.privacy.services import (
    privacy_eraser_register,
    privacy_erasers,
    privacy_section_register,
    privacy_sections,
    privacy_unregister,
)
from etalase.customers.services.consent import consent_set
from etalase.customers.services.contacts import contact_create, contact_update
from etalase.customers.services.notes import note_add
from etalase.customers.services.tags import contact_tags_set
from etalase.directory.models import Business
from etalase.directory.tenancy import business_context_resolve
from etalase.orders.models import Order
from etalase.orders.services.carts import cart_add
from etalase.orders.services.order_settings import order_settings_update
from etalase.orders.services.payments import payment_record
from etalase.orders.services.placement import order_checkout
from tests.factories import UserFactory, business_owner, registered_business

ADDRESS = "Jl. Malioboro 12, Yogyakarta"
ORDER_NOTE = "Ring the bell twice"
COMMENT = "Bahannya adem, kak? Budi suka sekali"
QUESTION = "Ada ukuran XL untuk Budi?"
ANSWER = "Ada, kak Budi."
OTHER_COMMENT = "Kopinya mantap, salam dari Budi"
NOTE = "Budi prefers dark colours"


@dataclass
class World:
    business: Business
    owner: User
    other: Business
    customer: User
    contact: Contact
    other_contact: Contact
    rina: Contact
    product: Product
    order: Order


def _shop_selling(business: Business, title: str, price_minor: int) -> Product:
    owner = business_owner(business)
    order_settings_update(business=business, actor=owner, accepts_orders=True, delivery_enabled=True, cash_enabled=True)
    context = business_context_resolve(user=owner, slug=business.slug)
    return product_create(context=context, title=title, price_minor=price_minor, stock=10, publish=True)


def _record_now(**fields: Any) -> Activity:
    """An activity processed at once (handlers run), as after a real commit."""
    from etalase.activity.services import activity_process

    activity = activity_record(**fields)
    activity_process(activity_id=activity.pk)
    return activity


def build_world(business: Business, customer: User) -> World:
    owner = business_owner(business)
    other = registered_business(owner=UserFactory(name="Bayu"), name="Kopi Senja")
    product = _shop_selling(business, "Batik Parang", 150_000)

    _record_now(verb="followed", business=business, actor=customer, target=business)
    contact = Contact.objects.get(business=business, user=customer)
    assert customer.phone is not None
    assert customer.email is not None
    contact = contact_update(
        contact=contact,
        name=customer.name,
        phone=customer.phone,
        email=customer.email,
        city="Yogyakarta",
        address=ADDRESS,
        birthday=dt.date(1990, 4, 2),
        actor=owner,
    )
    contact_tags_set(contact=contact, names=["VIP"], actor=owner)
    note_add(contact=contact, author=owner, body=NOTE)
    consent_set(contact=contact, channel="whatsapp", purpose="marketing", granted=True, source="app", actor=customer)
    _record_now(
        verb="commented",
        business=business,
        actor=customer,
        target=product,
        data={"product_id": product.pk, "title": product.title, "excerpt": COMMENT},
    )
    _record_now(
        verb="asked",
        business=business,
        actor=customer,
        target=product,
        data={"product_id": product.pk, "title": product.title, "excerpt": QUESTION},
    )
    _record_now(
        verb="answered",
        business=business,
        actor=owner,
        target=product,
        data={"product_id": product.pk, "asked_by": customer.pk, "excerpt": ANSWER},
    )
    cart_add(user=customer, product=product, quantity=1)
    order = order_checkout(
        user=customer, business=business, fulfilment="delivery", delivery_address=ADDRESS, note=ORDER_NOTE
    )
    payment_record(order=order, actor=owner, method="cash", amount_minor=order.total_minor, confirm=True)

    _record_now(verb="followed", business=other, actor=customer, target=other)
    other_contact = Contact.objects.get(business=other, user=customer)
    _record_now(verb="commented", business=other, actor=customer, target=other, data={"excerpt": OTHER_COMMENT})
    consent_set(
        contact=other_contact, channel="whatsapp", purpose="marketing", granted=True, source="app", actor=customer
    )

    rina = contact_create(business=business, name="Rina", phone="0813-5555-0101", actor=owner)
    note_add(contact=rina, author=owner, body="Rina orders every Friday")
    order.refresh_from_db()
    return World(
        business=business,
        owner=owner,
        other=other,
        customer=customer,
        contact=Contact.objects.get(pk=contact.pk),
        other_contact=other_contact,
        rina=rina,
        product=product,
        order=order,
    )


def _orders_section(contact: Contact) -> list[dict[str, Any]]:
    orders = Order.objects.filter(business_id=contact.business_id, contact=contact).prefetch_related("lines")
    return [
        {
            "number": order.number,
            "placed_at": order.placed_at,
            "total_minor": order.total_minor,
            "delivery_address": order.delivery_address,
            "note": order.note,
            "lines": [{"title": line.title, "quantity": line.quantity} for line in order.lines.all()],
        }
        for order in orders
    ]


def _orders_eraser(contact: Contact) -> None:
    Order.objects.filter(business_id=contact.business_id, contact=contact).update(
        delivery_address="", note="", preferred_time="", customer=None
    )


def orders_hooks() -> Iterator[None]:
    """The orders app's download section and eraser; a stand-in until the orders app registers its own."""
    if "orders" in privacy_sections() or "orders" in privacy_erasers():
        yield
        return
    privacy_section_register("orders", _orders_section)
    privacy_eraser_register("orders", _orders_eraser)
    yield
    privacy_unregister("orders")


def business_rows_text(business: Business) -> str:
    """Every activity of the business, serialised, to look for personal data in it."""
    rows = Activity.objects.filter(business=business).values("actor_id", "data")
    return json.dumps(list(rows), default=str, ensure_ascii=False)
