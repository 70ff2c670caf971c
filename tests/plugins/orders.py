"""Orders fixtures (a plugin, registered in ``tests/conftest.py``): orders tests use them by name, and so
do the notifications and insights tests about orders.

Given: Batik Sari (``business``, owned by ``owner`` "Sari Pemilik") taking orders with pickup,
delivery (fee Rp 10.000), cash, transfer, QRIS and the sandbox gateway (``SERVER_KEY``); two
published products with stock (``product`` Batik Parang Rp 150.000 × 5, ``product_two`` Kain Lurik
Rp 85.000 × 10); a ``cashier`` (confirms payments) and a ``sales`` member (records, cannot
confirm); the ``customer`` "Budi Pelanggan"; ``other_shop`` with its ``foreign_product``.

``order`` is Budi's pending pickup order #1 of 2 × Batik Parang + 1 × Kain Lurik = Rp 385.000,
checked out from his cart. ``checkout(user, [(product, quantity), ...], **kwargs)`` places more;
``staff_order(member, contact, [(product, quantity), ...], channel=...)`` takes one for a contact
(``walk_in`` is Ibu Wati, without an account). The helpers they use (``shop_open``,
``product_for_sale``, ``proof_picture``/``proof_pdf``, ``signed_notification(order, ...)``) are in
``tests.support.orders``.
"""

from collections.abc import Callable

import pytest

from etalase.accounts.models import User
from etalase.catalog.models import Product
from etalase.customers.models import Contact
from etalase.customers.services.contacts import contact_create
from etalase.directory.enums import Role
from etalase.directory.models import Business
from etalase.orders.models import Order, OrderSettings
from tests.factories import default_category, registered_business
from tests.support.orders import checkout_for, product_for_sale, shop_open, staff_order_for


@pytest.fixture
def order_settings(business) -> OrderSettings:
    return shop_open(business)


@pytest.fixture
def shop(business, order_settings) -> Business:
    """Batik Sari, taking orders with every method."""
    return business


@pytest.fixture
def product(shop) -> Product:
    """Batik Parang, Rp 150.000, 5 in stock."""
    return product_for_sale(shop, "Batik Parang", price_minor=150_000, stock=5, sku="BP-01")


@pytest.fixture
def product_two(shop) -> Product:
    """Kain Lurik, Rp 85.000, 10 in stock."""
    return product_for_sale(shop, "Kain Lurik", price_minor=85_000, stock=10)


@pytest.fixture
def other_shop(db) -> Business:
    business = registered_business(name="Kopi Senja", category_slug=default_category("coffee-shop").slug)
    shop_open(business)
    return business


@pytest.fixture
def foreign_product(other_shop) -> Product:
    return product_for_sale(other_shop, "Kopi Gayo", price_minor=60_000, stock=20)


@pytest.fixture
def cashier(shop, member_of) -> User:
    """Member with ``payments.confirm``."""
    return member_of(shop, Role.CASHIER, name="Rina Kasir").user


@pytest.fixture
def sales(shop, member_of) -> User:
    """Member who takes orders and records payments, without ``payments.confirm``."""
    return member_of(shop, Role.SALES, name="Joko Sales").user


@pytest.fixture
def walk_in(shop) -> Contact:
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
def order(customer, product, product_two) -> Order:
    """Budi's pending pickup order: 2 × Batik Parang + 1 × Kain Lurik = Rp 385.000."""
    return checkout_for(customer, [(product, 2), (product_two, 1)])
