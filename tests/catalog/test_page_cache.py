"""Public pages keep what is the same for every visitor in the cache, and never show a stale price,
stock or shop after an edit (``catalog.pages``)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from etalase.catalog.models import Post, Product
from etalase.catalog.pages import SETTLE, parts_cached
from etalase.catalog.services import product_hide, product_reorder, product_update, stock_return, stock_take
from etalase.directory.models import Business
from etalase.directory.services import business_update
from tests.support.catalog import context_of

pytestmark = pytest.mark.django_db

# Discover from the cache: when the public businesses (and products) last changed, nothing else.
DISCOVER_CACHED_QUERIES = 1
DISCOVER_SEARCH_CACHED_QUERIES = 2


def settle(business: Business, *, hours: int) -> None:
    """The shop's rows last changed ``hours`` ago: older than SETTLE, as minutes after an edit."""
    moment = timezone.now() - dt.timedelta(hours=hours)
    Business.objects.filter(pk=business.pk).update(updated_at=moment)
    Product.objects.filter(business=business).update(updated_at=moment)
    Post.objects.filter(business=business).update(updated_at=moment)


@pytest.fixture
def kopi(business, make_product) -> Product:
    product = make_product(business, title="Kopi Gayo", price_minor=85_000, stock=9)
    settle(business, hours=3)
    return product


def storefront(client, business) -> str:
    return client.get(reverse("catalog:storefront", args=[business.slug])).content.decode()


def product_page(client, product) -> str:
    return client.get(reverse("catalog:product", args=[product.business.slug, product.pk])).content.decode()


def test_a_new_price_shows_at_once_and_once_settled(anonymous_client, business, kopi):
    assert "IDR 85,000" in storefront(anonymous_client, business)
    assert "IDR 85,000" in product_page(anonymous_client, kopi)

    product_update(context=context_of(business), product_id=kopi.pk, price_minor=90_000)

    assert "IDR 90,000" in storefront(anonymous_client, business)
    assert "IDR 90,000" in product_page(anonymous_client, kopi)
    settle(business, hours=2)  # minutes later, from the cache again
    assert "IDR 90,000" in storefront(anonymous_client, business)
    assert "IDR 85,000" not in product_page(anonymous_client, kopi)


def test_stock_taken_by_an_order_and_given_back_shows_at_once(anonymous_client, business, kopi):
    assert "In stock" in product_page(anonymous_client, kopi)

    assert stock_take(business=business, product_id=kopi.pk, quantity=5)

    assert "Only 4 left" in product_page(anonymous_client, kopi)
    settle(business, hours=2)
    assert "Only 4 left" in product_page(anonymous_client, kopi)
    assert stock_take(business=business, product_id=kopi.pk, quantity=4)
    settle(business, hours=1)
    assert "Sold out" in storefront(anonymous_client, business)
    assert "Sold out" in product_page(anonymous_client, kopi)
    stock_return(product_id=kopi.pk, quantity=2)
    assert "Only 2 left" in product_page(anonymous_client, kopi)
    assert "Sold out" not in storefront(anonymous_client, business)


def test_a_hidden_product_leaves_the_storefront_at_once(anonymous_client, business, kopi, make_product):
    make_product(business, title="Teh Melati")
    settle(business, hours=3)
    assert "Kopi Gayo" in storefront(anonymous_client, business)

    product_hide(context=context_of(business), product_id=kopi.pk)

    assert "Kopi Gayo" not in storefront(anonymous_client, business)
    assert anonymous_client.get(reverse("catalog:product", args=[business.slug, kopi.pk])).status_code == 404


def test_a_new_order_of_products_shows_at_once(anonymous_client, business, kopi, make_product):
    teh = make_product(business, title="Teh Melati")
    settle(business, hours=3)
    page = storefront(anonymous_client, business)
    assert page.index("Teh Melati") < page.index("Kopi Gayo")

    product_reorder(context=context_of(business), ordered_ids=[kopi.pk, teh.pk])

    settle(business, hours=2)
    page = storefront(anonymous_client, business)
    assert page.index("Kopi Gayo") < page.index("Teh Melati")


def test_the_shop_s_own_edits_show_at_once(anonymous_client, business, kopi):
    assert "Toko Baru" not in storefront(anonymous_client, business)

    business_update(
        context=context_of(business),
        name="Toko Baru",
        category_slug=business.category.slug,
        city=business.city,
        whatsapp=business.whatsapp,
    )

    settle(business, hours=2)
    assert "Toko Baru" in storefront(anonymous_client, business)
    assert "Toko Baru" in product_page(anonymous_client, kopi)


def test_each_language_has_its_own_copy(client_for, business, kopi):
    english = client_for(None, language="en")
    indonesian = client_for(None, language="id")

    assert "In stock" in product_page(english, kopi)
    assert "Stok tersedia" in product_page(indonesian, kopi)
    assert "In stock" in product_page(english, kopi)
    assert "Stok tersedia" in storefront(indonesian, business) or "Produk" in storefront(indonesian, business)


def test_parts_changed_within_the_settling_time_are_rendered_every_time():
    renders: list[int] = []

    def render() -> dict[str, str]:
        renders.append(1)
        return {"body": "<p>x</p>"}

    now = timezone.now()
    for _visit in range(2):
        parts_cached("test", key=(1,), changed=now - SETTLE / 2, read_at=now, render=render)
    assert len(renders) == 2
    for _visit in range(2):
        parts_cached("test", key=(1,), changed=now - SETTLE * 2, read_at=now, render=render)
    assert len(renders) == 3


# --- Discover ------------------------------------------------------------------------------------


def test_discover_from_the_cache_costs_one_query_and_shows_a_new_shop_at_once(
    anonymous_client, business, kopi, django_assert_num_queries
):
    discover = reverse("web:discover")
    anonymous_client.get(discover)

    with django_assert_num_queries(DISCOVER_CACHED_QUERIES):
        assert business.name in anonymous_client.get(discover).content.decode()

    business_update(
        context=context_of(business),
        name="Toko Baru",
        category_slug=business.category.slug,
        city=business.city,
        whatsapp=business.whatsapp,
    )
    assert "Toko Baru" in anonymous_client.get(discover).content.decode()


def test_discover_search_shows_a_new_price_at_once(anonymous_client, business, kopi, django_assert_num_queries):
    search = reverse("web:discover") + "?q=kopi&kind=products"
    anonymous_client.get(search)
    with django_assert_num_queries(DISCOVER_SEARCH_CACHED_QUERIES):
        assert "IDR 85,000" in anonymous_client.get(search).content.decode()

    product_update(context=context_of(business), product_id=kopi.pk, price_minor=90_000)
    settle(business, hours=2)

    assert "IDR 90,000" in anonymous_client.get(search).content.decode()


def test_text_from_the_cache_is_still_escaped(anonymous_client, business, make_product):
    product = make_product(business, title='<script>alert("x")</script>', description="<b>tebal</b>")
    settle(business, hours=3)
    product_page(anonymous_client, product)

    for page in (product_page(anonymous_client, product), storefront(anonymous_client, business)):
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert" in page
    assert "<b>tebal</b>" not in product_page(anonymous_client, product)
