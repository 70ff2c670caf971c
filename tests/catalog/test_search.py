"""Product search: any case or accent, part of a word, Indonesian or English; only what the public may see."""

import pytest

from etalase.catalog.selectors import product_search
from etalase.catalog.services import product_hide
from etalase.directory.enums import BusinessStatus
from etalase.directory.models import Business
from tests.factories import UserFactory, registered_business
from tests.support.catalog import context_of

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/search/products"


@pytest.fixture
def catalog(business, other_business, make_product):
    solo = registered_business(owner=UserFactory(), name="Batik Solo", city="Surakarta")
    return {
        "gayo": make_product(other_business, title="Kopi Gayo", description="Arabika dari Aceh", sku="KG-1"),
        "toraja": make_product(other_business, title="Kopi Toraja"),
        "cafe": make_product(other_business, title="Café Crème Brûlée"),
        "parang": make_product(business, title="Batik Parang", description="Kain katun"),
        "kawung": make_product(solo, title="Batik Kawung"),
    }


def found(**filters) -> set[str]:
    return {product.title for product in product_search(**filters)}


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("kopi", {"Kopi Gayo", "Kopi Toraja"}),
        ("KOPI gayo", {"Kopi Gayo"}),
        ("coffee", {"Kopi Gayo", "Kopi Toraja"}),
        ("coffee gayo", {"Kopi Gayo"}),
        ("gay", {"Kopi Gayo"}),
        ("creme brulee", {"Café Crème Brûlée"}),
        ("CAFÉ", {"Café Crème Brûlée"}),
        ("aceh", {"Kopi Gayo"}),
        ("kg-1", {"Kopi Gayo"}),
        ("cloth", {"Batik Parang"}),
        ("sepatu", set()),
    ],
)
def test_search_matches_words_in_any_case_accent_or_language(catalog, query, titles):
    assert found(query=query) == titles


def test_search_filters_by_business_field_and_city(catalog):
    assert found(query="batik", city="surakarta") == {"Batik Kawung"}
    assert found(query="", category_slug="coffee-shop") == {"Kopi Gayo", "Kopi Toraja", "Café Crème Brûlée"}
    assert found(query="kopi", category_slug="fashion-batik") == set()


def test_search_leaves_out_drafts_hidden_products_and_suspended_shops(catalog, business, other_business, make_product):
    make_product(other_business, title="Kopi Draf", publish=False)
    product_hide(context=context_of(other_business), product_id=catalog["toraja"].pk)
    Business.objects.filter(pk=business.pk).update(status=BusinessStatus.SUSPENDED)

    assert found(query="kopi") == {"Kopi Gayo"}
    assert found(query="batik") == {"Batik Kawung"}


def test_the_search_api_answers_pages_of_public_products(client_for, catalog):
    response = client_for(None).get(SEARCH, {"q": "COFFEE", "size": 1})

    body = response.json()
    assert response.status_code == 200
    assert len(body["items"]) == 1
    assert body["next_page"] == 2
    assert body["items"][0]["title"] in {"Kopi Gayo", "Kopi Toraja"}
    assert body["items"][0]["url"].startswith("/b/kopi-senja/p/")


def test_the_search_api_refuses_an_overlong_query_clearly(client_for):
    response = client_for(None).get(SEARCH, {"q": "x" * 500})

    assert response.status_code == 422
    assert "q" in response.json()["error"]["fields"]


def test_search_costs_the_same_queries_for_any_number_of_results(
    client_for, business, make_product, django_assert_max_num_queries
):
    for n in range(3):
        make_product(business, title=f"Batik {n}", photos=1)
    with django_assert_max_num_queries(2):
        client_for(None).get(SEARCH, {"q": "batik"})
    for n in range(30):
        make_product(business, title=f"Batik lagi {n}", photos=1)

    with django_assert_max_num_queries(2):
        response = client_for(None).get(SEARCH, {"q": "batik", "size": 50})

    assert len(response.json()["items"]) == 33
