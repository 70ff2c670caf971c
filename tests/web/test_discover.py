"""Discover: active shops by business field and city; lists cost the same queries at any length."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from etalase.directory.enums import BusinessStatus
from tests.factories import BusinessFactory, default_category

DISCOVER = reverse("web:discover")


@pytest.fixture
def shops(db):
    batik = default_category("fashion-batik")
    coffee = default_category("coffee-shop")
    return {
        "batik_yogya": BusinessFactory(name="Batik Sari", category=batik, city="Yogyakarta"),
        "batik_solo": BusinessFactory(name="Batik Laweyan", category=batik, city="Solo"),
        "coffee_yogya": BusinessFactory(name="Kopi Klotok", category=coffee, city="Yogyakarta"),
        "suspended": BusinessFactory(
            name="Batik Tutup", category=batik, city="Yogyakarta", status=BusinessStatus.SUSPENDED
        ),
    }


def shown(response) -> set[str]:
    return {business.name for business in response.context["page"].items}


def test_discover_lists_active_shops_and_hides_suspended_ones(anonymous_client, shops):
    response = anonymous_client.get(DISCOVER)

    assert response.status_code == 200
    assert shown(response) == {"Batik Sari", "Batik Laweyan", "Kopi Klotok"}
    page = response.content.decode()
    assert "Kopi Klotok" in page
    assert "Batik Tutup" not in page
    assert reverse("catalog:storefront", args=[shops["batik_solo"].slug]) in page


def test_discover_filters_by_business_field(anonymous_client, shops):
    response = anonymous_client.get(DISCOVER, {"category": "coffee-shop"})

    assert shown(response) == {"Kopi Klotok"}
    assert "Batik Sari" not in response.content.decode()


def test_discover_filters_by_city_whatever_its_case(anonymous_client, shops):
    assert shown(anonymous_client.get(DISCOVER, {"city": "yogyakarta"})) == {"Batik Sari", "Kopi Klotok"}


def test_discover_filters_by_field_and_city_together(anonymous_client, shops):
    response = anonymous_client.get(DISCOVER, {"category": "fashion-batik", "city": "Yogyakarta"})

    assert shown(response) == {"Batik Sari"}


def test_discover_searches_names(anonymous_client, shops):
    assert shown(anonymous_client.get(DISCOVER, {"q": "laweyan"})) == {"Batik Laweyan"}


def test_discover_says_so_when_nothing_is_found(anonymous_client, shops):
    response = anonymous_client.get(DISCOVER, {"city": "Jayapura"})

    assert shown(response) == set()
    assert "No shops found" in response.content.decode()


def test_the_city_list_offers_only_cities_with_active_shops(anonymous_client, shops):
    BusinessFactory(city="Ambon", status=BusinessStatus.SUSPENDED)

    cities = anonymous_client.get(DISCOVER).context["cities"]

    assert list(cities) == ["Solo", "Yogyakarta"]


@pytest.mark.parametrize("page_number", ["abc", "-1", "0", "99999999999999999999"])
def test_a_strange_page_number_is_not_an_error(anonymous_client, shops, page_number):
    assert anonymous_client.get(DISCOVER, {"page": page_number}).status_code == 200


def test_discover_pages_through_many_shops(anonymous_client, db):
    BusinessFactory.create_batch(25, city="Bandung")

    first = anonymous_client.get(DISCOVER)
    second = anonymous_client.get(DISCOVER, {"page": 2})

    assert len(first.context["page"].items) == 20
    assert len(second.context["page"].items) == 5
    assert 'href="?page=2"' in first.content.decode()
    assert not second.context["page"].has_next
    assert {b.pk for b in first.context["page"].items}.isdisjoint({b.pk for b in second.context["page"].items})


def test_the_public_business_page_shows_the_shop(anonymous_client, shops):
    response = anonymous_client.get(reverse("catalog:storefront", args=[shops["batik_yogya"].slug]))

    assert response.status_code == 200
    assert "Batik Sari" in response.content.decode()
    assert "https://wa.me/" + shops["batik_yogya"].whatsapp.lstrip("+") in response.content.decode()


def queries_for(client, url: str, **params: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "url",
    [DISCOVER, "/api/v1/businesses"],
    ids=["discover-page", "directory-api"],
)
def test_a_list_costs_the_same_queries_for_3_or_25_businesses(anonymous_client, db, url):
    BusinessFactory.create_batch(3)
    few = queries_for(anonymous_client, url)

    BusinessFactory.create_batch(22, category=default_category("bakery"))
    many = queries_for(anonymous_client, url)

    assert many == few


def test_discover_query_count_is_pinned(anonymous_client, db, django_assert_max_num_queries):
    BusinessFactory.create_batch(25)

    with django_assert_max_num_queries(4):
        anonymous_client.get(DISCOVER)
