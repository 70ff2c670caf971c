"""Catalog fixtures: the catalog's URLs, the owner's context, products and pictures made as the app makes them."""

from collections.abc import Callable
from typing import Any

import pytest

from etalase.catalog.models import Post, Product
from etalase.catalog.services import post_create, product_create
from etalase.directory.models import Business
from etalase.directory.tenancy import BusinessContext
from tests.support.catalog import context_of, picture


@pytest.fixture
def owner_context(business) -> BusinessContext:
    return context_of(business)


MakeProduct = Callable[..., Product]


@pytest.fixture
def make_product(db) -> MakeProduct:
    """``make_product(business, title=..., price_minor=..., publish=True, photos=1)``: through the service."""

    def make(business: Business, *, photos: int = 0, publish: bool = True, **fields: Any) -> Product:
        values: dict[str, Any] = {"title": "Batik Parang", "price_minor": 150_000}
        values.update(fields)
        uploads = [picture(f"photo-{n}.png", color=("teal", "navy", "orange")[n % 3]) for n in range(photos)]
        product = product_create(context=context_of(business), images=uploads, publish=publish, **values)
        product.refresh_from_db()
        return product

    return make


@pytest.fixture
def make_post(db) -> Callable[..., Post]:
    def make(business: Business, *, caption: str = "Koleksi baru!", products: tuple[Product, ...] = ()) -> Post:
        return post_create(
            context=context_of(business),
            image=picture("post.jpg", size=(800, 800)),
            caption=caption,
            product_ids=[product.pk for product in products],
        )

    return make
