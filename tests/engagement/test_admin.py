"""The operator moderates comments in /admin/: hides abuse or shows a comment again; counters follow."""

import pytest
from django.urls import reverse

from etalase.accounts.models import User
from etalase.activity.models import Activity
from etalase.catalog.models import Product
from etalase.engagement.models import Comment
from etalase.engagement.services import comment_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(client):
    User.objects.create_superuser(email="operator@etalase.id", password="operator-pass-1")
    client.login(username="operator@etalase.id", password="operator-pass-1")
    return client


def test_operator_hides_and_shows_a_comment_again(operator_client, customer, product):
    comment = comment_add(user=customer, product_id=product.pk, body="Penipu!")
    url = reverse("admin:engagement_comment_changelist")

    listing = operator_client.get(url)
    operator_client.post(url, {"action": "hide", "_selected_action": [comment.pk]})
    operator_client.post(url, {"action": "hide", "_selected_action": [comment.pk]})
    hidden_count = Product.objects.get(pk=product.pk).comment_count
    operator_client.post(url, {"action": "show", "_selected_action": [comment.pk]})

    assert listing.status_code == 200
    assert "Penipu!" in listing.content.decode()
    assert hidden_count == 0
    assert Product.objects.get(pk=product.pk).comment_count == 1
    assert not Comment.objects.get().is_hidden
    verbs = list(Activity.objects.filter(verb__startswith="comment_").order_by("id").values_list("verb", "channel"))
    assert verbs == [("comment_hidden", "admin"), ("comment_shown", "admin")]


def test_operator_cannot_delete_or_edit_comments(operator_client, customer, product):
    comment = comment_add(user=customer, product_id=product.pk, body="Bagus")

    page = operator_client.get(reverse("admin:engagement_comment_change", args=[comment.pk]))

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert operator_client.post(reverse("admin:engagement_comment_delete", args=[comment.pk])).status_code == 403
    assert Comment.objects.exists()


@pytest.mark.parametrize("model", ["follow", "favourite"])
def test_operator_sees_follows_and_favourites(operator_client, model):
    assert operator_client.get(reverse(f"admin:engagement_{model}_changelist")).status_code == 200
