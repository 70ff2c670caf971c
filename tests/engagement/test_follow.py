"""Following a shop: the button on the storefront, Me → Following, the API; repeated taps count once."""

import pytest
from django.urls import reverse

from etalase.activity.models import Activity
from etalase.directory.enums import BusinessStatus
from etalase.directory.models import Business
from etalase.engagement.models import Follow
from tests.factories import PASSWORD, UserFactory

HTMX = {"HTTP_HX_REQUEST": "true"}
RESUME = reverse("engagement:resume")
LOGIN_THEN_RESUME = f"{reverse('accounts:login')}?next={RESUME.replace('/', '%2F')}"


def follow_url(business: Business) -> str:
    return reverse("engagement:follow_button", args=[business.slug])


def verbs(business: Business) -> list[str]:
    return list(
        Activity.objects.filter(business=business, verb__in=["followed", "unfollowed"])
        .order_by("id")
        .values_list("verb", flat=True)
    )


def test_the_button_shows_follow_and_the_follower_count(client_for, customer, business):
    Follow.objects.create(user=UserFactory(), business=business)

    response = client_for(customer).get(follow_url(business), **HTMX)

    page = response.content.decode()
    assert response.status_code == 200
    assert 'aria-pressed="false"' in page
    assert ">Follow<" in page
    assert "1 follower" in page
    assert f'hx-post="{follow_url(business)}"' in page


def test_following_by_tap_swaps_the_button_and_records_one_activity(client_for, customer, business):
    browser = client_for(customer)

    response = browser.post(follow_url(business), {"following": "1"}, **HTMX)

    page = response.content.decode()
    assert response.status_code == 200
    assert ">Following<" in page
    assert 'aria-pressed="true"' in page
    assert "1 follower" in page
    assert Follow.objects.filter(user=customer, business=business).exists()
    activity = Activity.objects.get(verb="followed")
    assert (activity.business, activity.actor, activity.target_id) == (business, customer, str(business.pk))


def test_repeated_taps_follow_once_and_record_once(client_for, customer, business):
    browser = client_for(customer)

    for _tap in range(3):
        response = browser.post(follow_url(business), {"following": "1"}, **HTMX)

    assert ">Following<" in response.content.decode()
    assert Follow.objects.filter(business=business).count() == 1
    assert verbs(business) == ["followed"]


def test_unfollowing_twice_unfollows_once(client_for, customer, business):
    browser = client_for(customer)
    browser.post(follow_url(business), {"following": "1"}, **HTMX)

    first = browser.post(follow_url(business), {"following": "0"}, **HTMX)
    browser.post(follow_url(business), {"following": "0"}, **HTMX)

    assert ">Follow<" in first.content.decode()
    assert "0 followers" in first.content.decode()
    assert not Follow.objects.exists()
    assert verbs(business) == ["followed", "unfollowed"]


def test_a_post_without_a_wanted_state_toggles(client_for, customer, business):
    browser = client_for(customer)

    browser.post(follow_url(business), **HTMX)
    assert Follow.objects.filter(user=customer).exists()
    browser.post(follow_url(business), **HTMX)
    assert not Follow.objects.filter(user=customer).exists()


def test_without_javascript_the_form_comes_back_to_the_page(client_for, customer, business):
    response = client_for(customer).post(follow_url(business), {"following": "1", "next": "/b/batik-sari/"})

    assert response.status_code == 302
    assert response["Location"] == "/b/batik-sari/"
    assert Follow.objects.filter(user=customer).exists()


def test_next_pointing_elsewhere_is_ignored(client_for, customer, business):
    response = client_for(customer).post(follow_url(business), {"following": "1", "next": "https://evil.example/"})

    assert response["Location"] == f"/b/{business.slug}/"


@pytest.mark.parametrize("slug", ["no-such-shop", "suspended"])
def test_a_missing_or_suspended_shop_cannot_be_followed(client_for, customer, business, slug):
    if slug == "suspended":
        Business.objects.filter(pk=business.pk).update(status=BusinessStatus.SUSPENDED)
        slug = business.slug

    response = client_for(customer).post(reverse("engagement:follow_button", args=[slug]), **HTMX)

    assert response.status_code == 404
    assert not Follow.objects.exists()


def test_logged_out_tap_asks_to_log_in_then_follows_and_returns_to_the_shop(anonymous_client, customer, business):
    storefront = f"http://testserver/b/{business.slug}/"

    tap = anonymous_client.post(follow_url(business), {"following": "1"}, HTTP_HX_CURRENT_URL=storefront, **HTMX)

    assert tap.status_code == 200
    assert tap["HX-Redirect"] == LOGIN_THEN_RESUME
    assert not Follow.objects.exists()
    login_page = anonymous_client.get(tap["HX-Redirect"])
    assert "Log in to follow Batik Sari" in login_page.content.decode()

    logged_in = anonymous_client.post(
        tap["HX-Redirect"], {"identifier": customer.email, "password": PASSWORD, "next": RESUME}
    )
    assert logged_in["Location"] == RESUME
    resumed = anonymous_client.get(RESUME)

    assert resumed.status_code == 302
    assert resumed["Location"] == f"/b/{business.slug}/"
    assert Follow.objects.filter(user=customer, business=business).exists()
    assert verbs(business) == ["followed"]
    assert "You follow Batik Sari now." in anonymous_client.get(resumed["Location"]).content.decode()
    # The act is done once: opening the resume page again does nothing more.
    anonymous_client.get(RESUME)
    assert verbs(business) == ["followed"]


def test_logged_out_plain_form_redirects_to_log_in(anonymous_client, business):
    response = anonymous_client.post(follow_url(business), {"following": "1"})

    assert response.status_code == 302
    assert response["Location"] == LOGIN_THEN_RESUME


def test_a_stale_pending_act_is_forgotten(client_for, customer, business):
    browser = client_for(customer)
    session = browser.session
    session["engagement_pending_act"] = {"act": "follow", "slug": business.slug, "next": "/", "at": 1}
    session.save()

    response = browser.get(RESUME)

    assert response.status_code == 302
    assert not Follow.objects.exists()


def test_me_following_lists_the_followed_active_shops(client_for, customer, business, other_shop):
    browser = client_for(customer)
    browser.post(follow_url(business), {"following": "1"}, **HTMX)
    browser.post(follow_url(other_shop), {"following": "1"}, **HTMX)
    Business.objects.filter(pk=other_shop.pk).update(status=BusinessStatus.SUSPENDED)

    response = browser.get(reverse("engagement:my_following"))

    page = response.content.decode()
    assert response.status_code == 200
    assert [shop.name for shop in response.context["page"].items] == ["Batik Sari"]
    assert "Kopi Senja" not in page
    assert ">Following<" in page
    assert response.context["nav"] == "me"


def test_me_following_says_so_when_empty(client_for, customer):
    page = client_for(customer).get(reverse("engagement:my_following")).content.decode()

    assert "You do not follow any shop yet" in page
    assert reverse("web:discover") in page


def test_me_pages_send_visitors_to_log_in(anonymous_client):
    for name in ["engagement:my_following", "engagement:my_favourites"]:
        response = anonymous_client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_me_following_costs_the_same_queries_for_any_length(client_for, customer, django_assert_num_queries):
    from tests.factories import BusinessFactory

    browser = client_for(customer)
    for business in BusinessFactory.create_batch(3):
        Follow.objects.create(user=customer, business=business)
    browser.get(reverse("engagement:my_following"))  # warm the session
    with django_assert_num_queries(3) as few:
        browser.get(reverse("engagement:my_following"))
    for business in BusinessFactory.create_batch(12):
        Follow.objects.create(user=customer, business=business)
    with django_assert_num_queries(len(few.captured_queries)):
        response = browser.get(reverse("engagement:my_following"))
    assert len(response.context["page"].items) == 15


# --- API -------------------------------------------------------------------------------------------


def test_api_follow_and_unfollow_are_idempotent(api_client_for, customer, business):
    api = api_client_for(customer)
    url = f"/api/v1/businesses/{business.slug}/follow"

    first = api.put(url)
    again = api.put(url)
    listed = api.get("/api/v1/me/following")
    gone = api.delete(url)
    gone_again = api.delete(url)

    assert first.status_code == again.status_code == 200
    assert again.json() == {"business": business.slug, "following": True, "follower_count": 1}
    assert [shop["slug"] for shop in listed.json()["items"]] == [business.slug]
    assert listed.json()["items"][0]["url"] == f"/b/{business.slug}/"
    assert gone_again.json() == {"business": business.slug, "following": False, "follower_count": 0}
    assert gone.status_code == 200
    assert verbs(business) == ["followed", "unfollowed"]
    assert set(Activity.objects.filter(verb__in=["followed", "unfollowed"]).values_list("channel", flat=True)) == {
        "api"
    }


def test_api_follow_needs_a_token_and_an_existing_shop(api_client_for, customer):
    assert api_client_for(None).put("/api/v1/businesses/batik-sari/follow").status_code == 401
    missing = api_client_for(customer).put("/api/v1/businesses/no-such-shop/follow")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    assert api_client_for(customer).put("/api/v1/businesses/bad%20slug!/follow").status_code in (404, 422)
