"""Discover finds products too: a search shows matching products above the shops, and a products tab."""

import pytest
from django.urls import reverse

from etalase.catalog.services import product_create
from etalase.directory.tenancy import business_context_resolve
from tests.factories import UserFactory, registered_business

pytestmark = pytest.mark.django_db


@pytest.fixture
def shops():
    owner = UserFactory()
    kopi = registered_business(owner=owner, name="Kedai Senja")
    context = business_context_resolve(user=owner, slug=kopi.slug)
    product_create(context=context, title="Kopi Gayo Arabika 200 g", price_minor=85_000, publish=True)
    product_create(context=context, title="Kopi Toraja (draft)", price_minor=90_000, publish=False)
    product_create(context=context, title="Teh Melati", price_minor=20_000, publish=True)
    return kopi


def test_a_search_shows_matching_public_products_above_the_shops(anonymous_client, shops):
    response = anonymous_client.get(reverse("web:discover"), {"q": "COFFEE"})  # English word, any case
    assert response.status_code == 200
    assert [p.title for p in response.context["product_preview"]] == ["Kopi Gayo Arabika 200 g"]
    assert "Kopi Gayo Arabika 200 g" in response.content.decode()
    assert "Kopi Toraja" not in response.content.decode()  # drafts stay private


def test_the_products_tab_lists_and_paginates_products(anonymous_client, shops):
    response = anonymous_client.get(reverse("web:discover"), {"q": "kop", "kind": "products"})
    assert [p.title for p in response.context["page"].items] == ["Kopi Gayo Arabika 200 g"]
    everything = anonymous_client.get(reverse("web:discover"), {"kind": "products"})
    assert {p.title for p in everything.context["page"].items} == {"Kopi Gayo Arabika 200 g", "Teh Melati"}


def test_nearest_shops_first_when_the_phone_shares_its_location(anonymous_client, shops):
    from etalase.directory.models import Business

    far = registered_business(owner=UserFactory(), name="Aaa Toko Jauh")
    Business.objects.filter(pk=far.pk).update(latitude="3.59", longitude="98.67")  # Medan
    Business.objects.filter(pk=shops.pk).update(latitude="-7.80", longitude="110.36")  # Yogyakarta
    near_yogya = anonymous_client.get(reverse("web:discover"), {"lat": "-7.79", "lng": "110.37"})
    names = [business.name for business in near_yogya.context["page"].items]
    assert names.index("Kedai Senja") < names.index("Aaa Toko Jauh")
    # A malformed location is ignored, not an error.
    assert anonymous_client.get(reverse("web:discover"), {"lat": "x", "lng": "1e999"}).status_code == 200
