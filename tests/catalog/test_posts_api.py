"""Showcase posts through the API: a picture, a caption, only this shop's products tagged."""

import pytest

from etalase.activity.models import Activity
from etalase.catalog.enums import Verb
from etalase.catalog.models import Post
from etalase.directory.enums import Role
from tests.support.catalog import picture, text_file

pytestmark = pytest.mark.django_db


def posts_url(business, suffix: str = "") -> str:
    return f"/api/v1/businesses/{business.slug}/catalog/posts{suffix}"


@pytest.fixture
def owner_api(api_client_for, owner):
    return api_client_for(owner)


def test_an_owner_posts_a_picture_tagging_two_products(owner_api, business, owner, make_product):
    first = make_product(business, title="Batik Parang")
    second = make_product(business, title="Batik Kawung")

    response = owner_api.post(
        posts_url(business),
        {
            "image": picture("promo.png", size=(2000, 1000)),
            "caption": "Promo!\nDua motif.",
            "products": [first.pk, second.pk],
        },
    )

    assert response.status_code == 201
    body = response.json()
    assert body["caption"] == "Promo!\nDua motif."
    assert (body["width"], body["height"]) == (1080, 540)
    assert {product["id"] for product in body["products"]} == {first.pk, second.pk}
    post = Post.objects.get()
    assert (post.business, post.author, post.search_text) == (business, owner, "promo dua motif")
    activity = Activity.objects.get(verb=Verb.POST_PUBLISHED)
    assert (activity.actor, activity.target_id, activity.channel) == (owner, str(post.pk), "api")
    public = owner_api.get(f"/api/v1/businesses/{business.slug}/posts").json()["items"]
    assert [item["id"] for item in public] == [post.pk]


def test_tagging_another_shops_product_is_refused(owner_api, business, other_business, make_product):
    mine = make_product(business)
    theirs = make_product(other_business)

    response = owner_api.post(
        posts_url(business), {"image": picture(), "caption": "x", "products": [mine.pk, theirs.pk]}
    )

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid_product",
        "message": "Tag only products of your own shop that are not archived.",
        "fields": {"products": "Tag only products of your own shop that are not archived."},
    }
    assert not Post.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"image": text_file(), "caption": "x"}, "image"),
        ({"image": picture(), "caption": "x" * 2201}, "caption"),
    ],
    ids=["not a picture", "caption too long"],
)
def test_bad_posts_are_refused(owner_api, business, data, field):
    response = owner_api.post(posts_url(business), data)

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not Post.objects.exists()


def test_a_post_without_a_picture_is_refused(owner_api, business):
    response = owner_api.post(posts_url(business), {"caption": "x"})

    assert response.status_code == 422
    assert "image" in response.json()["error"]["fields"]


def test_hiding_a_post_takes_it_off_the_storefront(owner_api, business, make_post):
    post = make_post(business)

    response = owner_api.post(posts_url(business, f"/{post.pk}/hide"))

    assert response.status_code == 200
    assert response.json()["is_hidden"] is True
    assert owner_api.get(f"/api/v1/businesses/{business.slug}/posts").json()["items"] == []
    assert [item["id"] for item in owner_api.get(posts_url(business)).json()["items"]] == [post.pk]
    assert Activity.objects.filter(verb=Verb.POST_HIDDEN, target_id=str(post.pk)).count() == 1


def test_another_shops_post_is_404_and_a_cashier_is_403(
    owner_api, api_client_for, business, other_business, member_of, make_post
):
    theirs = make_post(other_business)
    mine = make_post(business)
    cashier = api_client_for(member_of(business, Role.CASHIER).user)

    assert owner_api.post(posts_url(business, f"/{theirs.pk}/hide")).status_code == 404
    assert cashier.post(posts_url(business, f"/{mine.pk}/hide")).status_code == 403
    assert cashier.post(posts_url(business), {"image": picture()}).status_code == 403
    assert not Post.objects.filter(is_hidden=True).exists()
