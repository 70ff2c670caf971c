"""The catalog's stock services the orders app takes and gives back stock through.

Given the shop's Batik Parang with 5 in stock: ``stock_take`` takes what there is and refuses more
without changing anything; unlimited stock is never counted; ``stock_return`` gives stock back.
"""

import pytest

from etalase.catalog.models import Product
from etalase.catalog.services import product_archive, product_hide, stock_return, stock_take
from tests.factories import business_owner
from tests.support.orders import context_of, product_for_sale

pytestmark = pytest.mark.django_db


def _stock(product: Product) -> int | None:
    return Product.objects.get(pk=product.pk).stock


def test_stock_take_takes_what_is_there(shop, product) -> None:
    assert stock_take(business=shop, product_id=product.pk, quantity=2) is True
    assert stock_take(business=shop, product_id=product.pk, quantity=3) is True

    assert _stock(product) == 0


def test_stock_take_never_goes_below_zero(shop, product) -> None:
    assert stock_take(business=shop, product_id=product.pk, quantity=6) is False

    assert _stock(product) == 5


def test_unlimited_stock_is_left_as_it_is(shop) -> None:
    unlimited = product_for_sale(shop, "Kain Tenun", stock=None)

    assert stock_take(business=shop, product_id=unlimited.pk, quantity=1000) is True
    stock_return(product_id=unlimited.pk, quantity=3)

    assert _stock(unlimited) is None


def test_stock_take_refuses_a_product_not_on_sale(shop, product, product_two) -> None:
    owner_context = context_of(business_owner(shop), shop)
    product_archive(context=owner_context, product_id=product.pk)

    assert stock_take(business=shop, product_id=product.pk, quantity=1) is False
    assert _stock(product) == 5
    product_hide(context=owner_context, product_id=product_two.pk)
    assert stock_take(business=shop, product_id=product_two.pk, quantity=1, visible_only=True) is False
    assert _stock(product_two) == 10
    assert stock_take(business=shop, product_id=product_two.pk, quantity=1) is True  # staff may sell it
    assert _stock(product_two) == 9


def test_stock_take_refuses_another_shops_product(shop, foreign_product) -> None:
    before = _stock(foreign_product)

    assert stock_take(business=shop, product_id=foreign_product.pk, quantity=1) is False
    assert stock_take(business=shop, product_id=999_999, quantity=1) is False

    assert _stock(foreign_product) == before


def test_stock_return_gives_stock_back(shop, product) -> None:
    stock_take(business=shop, product_id=product.pk, quantity=4)

    stock_return(product_id=product.pk, quantity=4)

    assert _stock(product) == 5
