"""Engagement fixtures: shops with published products (with a photo, made by the catalog's own
services), drafts, hidden products and posts; the engagement pages and API wired in."""

import pytest

from etalase.catalog.models import Product
from etalase.directory.models import Business
from tests.factories import default_category, registered_business
from tests.support.engagement import product_made


@pytest.fixture
def product(business) -> Product:
    """Batik Sari's published "Batik Parang", with a photo."""
    return product_made(business)


@pytest.fixture
def other_shop(db) -> Business:
    return registered_business(name="Kopi Senja", category_slug=default_category("coffee-shop").slug)
