"""Orders fixtures, shared by every orders test (services, pages, API, notifications).

Given: Batik Sari (``business``, owned by ``owner`` "Sari Pemilik") taking orders with pickup,
delivery (fee Rp 10.000), cash, transfer, QRIS and the sandbox gateway (``SERVER_KEY``); two
published products with stock (``product`` Batik Parang Rp 150.000 × 5, ``product_two`` Kain Lurik
Rp 85.000 × 10); a ``cashier`` (confirms payments) and a ``sales`` member (records, cannot
confirm); the ``customer`` "Budi Pelanggan"; ``other_shop`` with its ``foreign_product``.

``order`` is Budi's pending pickup order #1 of 2 × Batik Parang + 1 × Kain Lurik = Rp 385.000,
checked out from his cart. ``checkout(user, [(product, quantity), ...], **kwargs)`` places more;
``staff_order(member, contact, [(product, quantity), ...], channel=...)`` takes one for a contact
(``walk_in`` is Ibu Wati, without an account). Module helpers: ``shop_open``, ``product_for_sale``,
``proof_picture``/``proof_pdf`` (uploads), ``signed_notification(order, ...)`` (a gateway body).
"""

import io
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from etalase.accounts.models import User
from etalase.catalog.models import Product
from etalase.catalog.services import product_create
from etalase.customers.models import Contact
from etalase.customers.services import contact_create
from etalase.directory.enums import Role
from etalase.directory.models import Business
from etalase.directory.tenancy import BusinessContext, business_context_resolve
from etalase.orders.enums import Fulfilment, OrderChannel
from etalase.orders.gateways import MidtransLikeGateway, order_reference
from etalase.orders.models import Order, OrderSettings
from etalase.orders.services.carts import cart_add
from etalase.orders.services.order_settings import order_settings_update
from etalase.orders.services.placement import LineRequest, order_checkout, order_place
from tests.factories import business_owner, default_category, registered_business

SERVER_KEY = "SB-Mid-server-etalase-test-key"
BANK_DETAILS = "BCA 123 456 7890 a.n. Sari Pemilik"


def shop_open(business: Business, **overrides: Any) -> OrderSettings:
    """The business takes orders with every method (the sandbox gateway included)."""
    fields: dict[str, Any] = {
        "accepts_orders": True,
        "pickup_enabled": True,
        "delivery_enabled": True,
        "delivery_fee_minor": 10_000,
        "cash_enabled": True,
        "transfer_enabled": True,
        "bank_details": BANK_DETAILS,
        "qris_enabled": True,
        "qris_details": "Scan the QRIS at the counter",
        "gateway_enabled": True,
        "gateway_server_key": SERVER_KEY,
    }
    fields.update(overrides)
    return order_settings_update(business=business, actor=business_owner(business), **fields)


def context_of(user: User, business: Business) -> BusinessContext:
    return business_context_resolve(user=user, slug=business.slug)


def product_for_sale(
    business: Business, title: str = "Batik Parang", *, price_minor: int = 150_000, stock: int | None = 5, **extra: Any
) -> Product:
    """A published product made by the catalog's service (no photo: quicker)."""
    context = context_of(business_owner(business), business)
    return product_create(context=context, title=title, price_minor=price_minor, stock=stock, publish=True, **extra)


def picture_bytes(format: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(buffer, format=format)
    return buffer.getvalue()


def proof_picture(name: str = "transfer.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, picture_bytes("PNG"), content_type="image/png")


def proof_pdf(name: str = "transfer.pdf") -> SimpleUploadedFile:
    content = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def checkout_for(
    user: User,
    items: Sequence[tuple[Product, int]],
    *,
    fulfilment: str = Fulfilment.PICKUP,
    **kwargs: Any,
) -> Order:
    """``user`` puts ``items`` in the cart and checks out (the business is the first product's)."""
    business = items[0][0].business
    for product, quantity in items:
        cart_add(user=user, product=product, quantity=quantity)
    if fulfilment == Fulfilment.DELIVERY:
        kwargs.setdefault("delivery_address", "Jl. Malioboro 1, Yogyakarta")
    return order_checkout(user=user, business=business, fulfilment=fulfilment, **kwargs)


def staff_order_for(
    member: User,
    contact: Contact,
    items: Sequence[tuple[Product, int]],
    *,
    channel: str = OrderChannel.PHONE,
    fulfilment: str = Fulfilment.PICKUP,
    **kwargs: Any,
) -> Order:
    """An order a member takes for ``contact`` (by phone unless said otherwise)."""
    return order_place(
        business=contact.business,
        lines=[LineRequest(product_id=product.pk, quantity=quantity) for product, quantity in items],
        fulfilment=fulfilment,
        actor=member,
        contact=contact,
        customer=contact.user,
        channel=channel,
        **kwargs,
    )


def signed_notification(
    order: Order,
    *,
    key: str = SERVER_KEY,
    transaction_id: str = "tx-1",
    amount_minor: int | None = None,
    transaction_status: str = "settlement",
    **fields: Any,
) -> dict[str, Any]:
    """The JSON body a Midtrans-like gateway posts for ``order`` (by default: settled, for all that
    is due, signed with the shop's ``SERVER_KEY``). POST it to the notification endpoint as is."""
    return MidtransLikeGateway().notification_build(
        order_id=order_reference(order),
        amount_minor=order.total_minor - order.paid_minor if amount_minor is None else amount_minor,
        server_key=key,
        transaction_id=transaction_id,
        transaction_status=transaction_status,
        **fields,
    )


@pytest.fixture
def order_settings(business) -> OrderSettings:  # type: ignore[no-untyped-def]
    return shop_open(business)


@pytest.fixture
def shop(business, order_settings) -> Business:  # type: ignore[no-untyped-def]
    """Batik Sari, taking orders with every method."""
    return business


@pytest.fixture
def product(shop) -> Product:  # type: ignore[no-untyped-def]
    """Batik Parang, Rp 150.000, 5 in stock."""
    return product_for_sale(shop, "Batik Parang", price_minor=150_000, stock=5, sku="BP-01")


@pytest.fixture
def product_two(shop) -> Product:  # type: ignore[no-untyped-def]
    """Kain Lurik, Rp 85.000, 10 in stock."""
    return product_for_sale(shop, "Kain Lurik", price_minor=85_000, stock=10)


@pytest.fixture
def other_shop(db) -> Business:  # type: ignore[no-untyped-def]
    business = registered_business(name="Kopi Senja", category_slug=default_category("coffee-shop").slug)
    shop_open(business)
    return business


@pytest.fixture
def foreign_product(other_shop) -> Product:  # type: ignore[no-untyped-def]
    return product_for_sale(other_shop, "Kopi Gayo", price_minor=60_000, stock=20)


@pytest.fixture
def cashier(shop, member_of) -> User:  # type: ignore[no-untyped-def]
    """Member with ``payments.confirm``."""
    return member_of(shop, Role.CASHIER, name="Rina Kasir").user


@pytest.fixture
def sales(shop, member_of) -> User:  # type: ignore[no-untyped-def]
    """Member who takes orders and records payments, without ``payments.confirm``."""
    return member_of(shop, Role.SALES, name="Joko Sales").user


@pytest.fixture
def walk_in(shop) -> Contact:  # type: ignore[no-untyped-def]
    """A customer without an account, known by phone."""
    return contact_create(business=shop, name="Ibu Wati", phone="0813-1111-2222")


@pytest.fixture
def checkout() -> Callable[..., Order]:
    """``checkout(user, [(product, quantity), ...], fulfilment=..., **order_checkout kwargs)``."""
    return checkout_for


@pytest.fixture
def staff_order() -> Callable[..., Order]:
    """``staff_order(member, contact, [(product, quantity), ...], channel=..., **order_place kwargs)``."""
    return staff_order_for


@pytest.fixture
def order(customer, product, product_two) -> Order:  # type: ignore[no-untyped-def]
    """Budi's pending pickup order: 2 × Batik Parang + 1 × Kain Lurik = Rp 385.000."""
    return checkout_for(customer, [(product, 2), (product_two, 1)])
