"""Orders helpers: a shop open for orders, products for sale, checkouts and staff orders placed through
the services, payment proofs, and the body a payment gateway posts (``SERVER_KEY`` signs it)."""

import io
from collections.abc import Sequence
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from etalase.accounts.models import User
from etalase.catalog.models import Product
from etalase.catalog.services import product_create
from etalase.customers.models import Contact
from etalase.directory.models import Business
from etalase.directory.tenancy import BusinessContext, business_context_resolve
from etalase.orders.enums import Fulfilment, OrderChannel
from etalase.orders.gateways import MidtransLikeGateway, order_reference
from etalase.orders.models import Order, OrderSettings
from etalase.orders.services.carts import cart_add
from etalase.orders.services.order_settings import order_settings_update
from etalase.orders.services.placement import LineRequest, order_checkout, order_place
from tests.factories import business_owner

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
