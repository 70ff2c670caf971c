"""Favourites: the heart on a product, Me → Favourites, the API; only public products; counters right."""

import pytest
from django.urls import reverse

from etalase.activity.models import Activity
from etalase.catalog.models import Product
from etalase.engagement.models import Favourite
from tests.factories import PASSWORD
from tests.support.engagement import product_hidden, product_made

HTMX = {"HTTP_HX_REQUEST": "true"}


def heart_url(product: Product) -> str:
    return reverse("engagement:favourite_button", args=[product.pk])


def count_of(product: Product) -> int:
    return Product.objects.get(pk=product.pk).favourite_count


def verbs() -> list[str]:
    return list(
        Activity.objects.filter(verb__in=["favourited", "unfavourited"]).order_by("id").values_list("verb", flat=True)
    )


def test_the_heart_shows_the_count_and_whether_it_is_pressed(client_for, customer, product):
    response = client_for(customer).get(heart_url(product), **HTMX)

    page = response.content.decode()
    assert response.status_code == 200
    assert 'aria-pressed="false"' in page
    assert '<span class="engage-count">0</span>' in page
    assert "engagement/engagement.css" in page  # the first load brings the fragment's styles


def test_a_tap_favourites_swaps_the_heart_and_counts(client_for, customer, product):
    response = client_for(customer).post(heart_url(product), {"favourite": "1"}, **HTMX)

    page = response.content.decode()
    assert 'aria-pressed="true"' in page
    assert '<span class="engage-count">1</span>' in page
    assert "engagement.css" not in page  # a swap keeps the styles already on the page
    assert count_of(product) == 1
    activity = Activity.objects.get(verb="favourited")
    assert (activity.business_id, activity.actor, activity.target_id) == (
        product.business_id,
        customer,
        str(product.pk),
    )


def test_repeated_taps_favourite_once(client_for, customer, product):
    browser = client_for(customer)

    for _tap in range(3):
        browser.post(heart_url(product), {"favourite": "1"}, **HTMX)

    assert Favourite.objects.count() == 1
    assert count_of(product) == 1
    assert verbs() == ["favourited"]


def test_two_customers_count_two_and_removing_counts_down_once(client_for, customer, product):
    from tests.factories import UserFactory

    other = client_for(UserFactory())
    mine = client_for(customer)
    other.post(heart_url(product), {"favourite": "1"}, **HTMX)
    mine.post(heart_url(product), {"favourite": "1"}, **HTMX)

    response = mine.post(heart_url(product), {"favourite": "0"}, **HTMX)
    mine.post(heart_url(product), {"favourite": "0"}, **HTMX)

    assert 'aria-pressed="false"' in response.content.decode()
    assert '<span class="engage-count">1</span>' in response.content.decode()
    assert count_of(product) == 1
    assert verbs() == ["favourited", "favourited", "unfavourited"]


def test_favouriting_another_shops_draft_is_not_found(client_for, customer, other_shop):
    draft = product_made(other_shop, "Kopi Rahasia", publish=False)

    page = client_for(customer).post(heart_url(draft), {"favourite": "1"}, **HTMX)

    assert page.status_code == 404
    assert "Kopi Rahasia" not in page.content.decode()
    assert not Favourite.objects.exists()
    assert count_of(draft) == 0
    assert not Activity.objects.filter(verb="favourited").exists()


def test_a_hidden_product_cannot_be_favourited(client_for, customer, product):
    product_hidden(product)

    assert client_for(customer).post(heart_url(product), {"favourite": "1"}, **HTMX).status_code == 404
    assert client_for(customer).get(heart_url(product), **HTMX).status_code == 404
    assert not Favourite.objects.exists()


def test_logged_out_heart_asks_to_log_in_then_favourites(anonymous_client, customer, product):
    product_page = f"http://testserver/b/{product.business.slug}/p/{product.pk}/"

    tap = anonymous_client.post(heart_url(product), {"favourite": "1"}, HTTP_HX_CURRENT_URL=product_page, **HTMX)
    login = anonymous_client.post(
        tap["HX-Redirect"], {"identifier": customer.email, "password": PASSWORD, "next": "/engage/resume/"}
    )
    resumed = anonymous_client.get(login["Location"])

    assert tap["HX-Redirect"].startswith(reverse("accounts:login"))
    assert resumed["Location"] == f"/b/{product.business.slug}/p/{product.pk}/"
    assert Favourite.objects.filter(user=customer, product=product).exists()
    assert count_of(product) == 1


def test_a_product_hidden_while_logging_in_is_not_favourited(anonymous_client, customer, product):
    tap = anonymous_client.post(heart_url(product), {"favourite": "1"}, **HTMX)
    product_hidden(product)
    anonymous_client.post(tap["HX-Redirect"], {"identifier": customer.email, "password": PASSWORD})

    resumed = anonymous_client.get(reverse("engagement:resume"))

    assert resumed.status_code == 302
    assert not Favourite.objects.exists()
    page = anonymous_client.get(resumed["Location"]).content.decode()
    assert "This product is not available" in page


def test_me_favourites_lists_public_favourites_newest_first(client_for, customer, business):
    first = product_made(business, "Batik Kawung")
    second = product_made(business, "Batik Truntum")
    gone = product_made(business, "Batik Lama")
    browser = client_for(customer)
    for product in (first, second, gone):
        browser.post(heart_url(product), {"favourite": "1"}, **HTMX)
    product_hidden(gone)

    response = browser.get(reverse("engagement:my_favourites"))

    page = response.content.decode()
    assert [product.title for product in response.context["page"].items] == ["Batik Truntum", "Batik Kawung"]
    assert "Batik Lama" not in page
    assert page.count('aria-pressed="true"') == 2
    assert "IDR 150,000" in page
    assert f"/b/{business.slug}/p/{first.pk}/" in page


def test_me_favourites_is_paginated(client_for, customer, business):
    browser = client_for(customer)
    for number in range(21):
        Favourite.objects.create(user=customer, business=business, product=product_made(business, f"Batik {number}"))

    first = browser.get(reverse("engagement:my_favourites"))
    second = browser.get(reverse("engagement:my_favourites"), {"page": 2})

    assert len(first.context["page"].items) == 20
    assert "?page=2" in first.content.decode()
    assert len(second.context["page"].items) == 1


def test_me_favourites_costs_the_same_queries_for_any_length(client_for, customer, business, django_assert_num_queries):
    browser = client_for(customer)
    Favourite.objects.create(user=customer, business=business, product=product_made(business, "Satu"))
    browser.get(reverse("engagement:my_favourites"))
    with django_assert_num_queries(4) as few:
        browser.get(reverse("engagement:my_favourites"))
    for number in range(6):
        Favourite.objects.create(user=customer, business=business, product=product_made(business, f"Batik {number}"))

    with django_assert_num_queries(len(few.captured_queries)):
        browser.get(reverse("engagement:my_favourites"))


# --- API -------------------------------------------------------------------------------------------


def test_api_favourite_is_idempotent_and_counts(api_client_for, customer, product):
    api = api_client_for(customer)
    url = f"/api/v1/products/{product.pk}/favourite"

    api.put(url)
    again = api.put(url)
    listed = api.get("/api/v1/me/favourites").json()
    removed = api.delete(url)
    api.delete(url)

    assert again.json() == {"product_id": product.pk, "favourite": True, "favourite_count": 1}
    assert [item["id"] for item in listed["items"]] == [product.pk]
    assert listed["items"][0]["cover"]["thumbnail_url"].endswith(".webp")
    assert listed["items"][0]["business"] == product.business.slug
    assert removed.json() == {"product_id": product.pk, "favourite": False, "favourite_count": 0}
    assert verbs() == ["favourited", "unfavourited"]


def test_api_favourite_of_a_draft_is_404(api_client_for, customer, other_shop):
    draft = product_made(other_shop, "Kopi Rahasia", publish=False)

    response = api_client_for(customer).put(f"/api/v1/products/{draft.pk}/favourite")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert not Favourite.objects.exists()


@pytest.mark.parametrize("product_id", ["0", "-1", "99999999999999999999", "abc"])
def test_api_strange_product_ids_are_not_errors(api_client_for, customer, product_id):
    response = api_client_for(customer).put(f"/api/v1/products/{product_id}/favourite")

    assert response.status_code in (404, 422)
    assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_api_favourites_need_a_token(api_client_for, product):
    assert api_client_for(None).put(f"/api/v1/products/{product.pk}/favourite").status_code == 401
    assert api_client_for(None).get("/api/v1/me/favourites").status_code == 401
