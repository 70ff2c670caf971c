"""The public catalog API: a shop's storefront, products and posts, for native apps and integrators."""

import pytest

from etalase.catalog.services import product_hide
from etalase.directory.enums import BusinessStatus
from etalase.directory.models import Business
from tests.support.catalog import context_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client_for):
    return client_for(None)


def shop_api(business, suffix: str = "") -> str:
    return f"/api/v1/businesses/{business.slug}{suffix}"


def test_the_storefront_gives_the_shop_its_first_products_and_latest_posts(api, business, make_product, make_post):
    parang = make_product(business, title="Batik Parang", price_minor=150_000, photos=1, stock=0)
    make_post(business, caption="Koleksi baru", products=(parang,))

    response = api.get(shop_api(business, "/storefront"))

    body = response.json()
    assert response.status_code == 200
    assert body["business"]["name"] == "Batik Sari"
    assert body["business"]["url"] == "/b/batik-sari/"
    assert body["business"]["opening"] == {"is_open": None, "label": ""}
    assert body["products"]["items"][0]["title"] == "Batik Parang"
    assert body["products"]["items"][0]["price_minor"] == 150_000
    assert body["products"]["items"][0]["is_in_stock"] is False
    assert body["products"]["items"][0]["cover"]["thumbnail_url"].endswith(".webp")
    assert body["products"]["next_page"] is None
    assert body["posts"][0]["caption"] == "Koleksi baru"
    assert body["posts"][0]["products"] == [
        {"id": parang.pk, "title": "Batik Parang", "price_minor": parang.price_minor, "currency": "IDR"}
    ]


def test_products_are_paginated(api, business, make_product):
    for n in range(3):
        make_product(business, title=f"Produk {n}")

    first = api.get(shop_api(business, "/products"), {"size": 2}).json()
    second = api.get(shop_api(business, "/products"), {"size": 2, "page": 2}).json()

    assert [item["title"] for item in first["items"]] == ["Produk 2", "Produk 1"]
    assert first["next_page"] == 2
    assert [item["title"] for item in second["items"]] == ["Produk 0"]
    assert second["next_page"] is None


def test_a_product_comes_with_all_its_photos(api, business, make_product):
    product = make_product(business, photos=3, description="Katun")

    body = api.get(shop_api(business, f"/products/{product.pk}")).json()

    assert [photo["position"] for photo in body["photos"]] == [0, 1, 2]
    assert body["cover"]["id"] == body["photos"][0]["id"]
    assert (body["description"], body["business"], body["business_name"]) == ("Katun", "batik-sari", "Batik Sari")
    assert "sku" not in body
    assert "status" not in body


def test_what_the_public_may_not_see_is_404(api, business, other_business, make_product):
    draft = make_product(business, publish=False)
    hidden = make_product(business)
    product_hide(context=context_of(business), product_id=hidden.pk)
    theirs = make_product(other_business)

    answers = [
        api.get(shop_api(business, f"/products/{draft.pk}")),
        api.get(shop_api(business, f"/products/{hidden.pk}")),
        api.get(shop_api(business, f"/products/{theirs.pk}")),
        api.get("/api/v1/businesses/no-such-shop/storefront"),
    ]

    assert [answer.status_code for answer in answers] == [404] * 4
    assert answers[0].json() == {"error": {"code": "not_found", "message": "Not found.", "fields": {}}}
    assert api.get(shop_api(business, "/products")).json()["items"] == []


def test_a_suspended_shop_is_404_everywhere(api, business, make_product):
    product = make_product(business)
    Business.objects.filter(pk=business.pk).update(status=BusinessStatus.SUSPENDED)

    for suffix in ("/storefront", "/products", f"/products/{product.pk}", "/posts"):
        assert api.get(shop_api(business, suffix)).status_code == 404
    assert api.get("/api/v1/search/products", {"q": "batik"}).json()["items"] == []


def test_bad_paging_is_a_clear_error(api, business):
    response = api.get(shop_api(business, "/products"), {"size": 1000, "page": 0})

    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"size", "page"}


def test_the_public_lists_cost_the_same_queries_at_any_length(
    api, business, make_product, make_post, django_assert_max_num_queries
):
    for n in range(25):
        make_post(business, products=(make_product(business, title=f"P{n}", photos=1),))

    with django_assert_max_num_queries(5):  # business, products, covers, posts, tagged products
        storefront = api.get(shop_api(business, "/storefront"))
    with django_assert_max_num_queries(3):
        products = api.get(shop_api(business, "/products"), {"size": 100})
    with django_assert_max_num_queries(3):
        posts = api.get(shop_api(business, "/posts"), {"size": 100})

    assert len(storefront.json()["products"]["items"]) == 20
    assert len(products.json()["items"]) == 25
    assert len(posts.json()["items"]) == 25
