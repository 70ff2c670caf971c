"""Operators find products and posts in /admin/ and hide what breaks the rules."""

import pytest
from django.urls import reverse

from etalase.accounts.models import User
from etalase.activity.models import Activity
from etalase.catalog.enums import Verb
from etalase.catalog.models import Post, Product

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client):
    user = User.objects.create_superuser(email="operator@etalase.id", password="operator-pass-1")
    client.force_login(user)
    client.user = user
    return client


def test_an_operator_hides_a_product_and_the_public_no_longer_sees_it(operator, client_for, business, make_product):
    product = make_product(business, title="Barang terlarang", photos=1)

    changelist = operator.get(reverse("admin:catalog_product_changelist"))
    change = operator.get(reverse("admin:catalog_product_change", args=[product.pk]))
    operator.post(reverse("admin:catalog_product_changelist"), {"action": "hide", "_selected_action": [product.pk]})

    assert changelist.status_code == change.status_code == 200
    assert "Barang terlarang" in changelist.content.decode()
    product.refresh_from_db()
    assert product.is_hidden
    activity = Activity.objects.get(verb=Verb.PRODUCT_HIDDEN)
    assert (activity.actor, activity.channel, activity.data) == (operator.user, "admin", {"moderation": True})
    assert client_for(None).get(reverse("catalog:product", args=[business.slug, product.pk])).status_code == 404


def test_an_operator_hides_a_post(operator, business, make_post):
    post = make_post(business, caption="Spam")

    operator.post(reverse("admin:catalog_post_changelist"), {"action": "hide", "_selected_action": [post.pk]})

    assert Post.objects.get(pk=post.pk).is_hidden
    assert Activity.objects.filter(verb=Verb.POST_HIDDEN, channel="admin").count() == 1
    assert Product.objects.count() == 0
