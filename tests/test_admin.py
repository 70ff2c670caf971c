"""The operator works in /admin/: adds users as people type numbers, verifies and suspends shops."""

import pytest
from django.urls import reverse

from etalase.accounts.models import User
from etalase.accounts.services import user_signup
from etalase.activity.models import Activity
from etalase.directory.models import Business
from etalase.directory.services import business_register

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(client):
    User.objects.create_superuser(email="operator@etalase.id", password="operator-pass-1")
    client.login(username="operator@etalase.id", password="operator-pass-1")
    return client


@pytest.fixture
def shop():
    owner = user_signup(phone="081355556666", password="kopi-gayo-88", verified=True)
    return business_register(
        owner=owner, name="Laundry Bersih", category_slug="laundry", city="Bandung", whatsapp="081355556666"
    )


def test_operator_adds_a_user_with_a_local_phone_number(operator_client):
    response = operator_client.post(
        reverse("admin:accounts_user_add"),
        {
            "phone": "0812-7777-8888",
            "email": "",
            "password1": "rahasia-kuat-99",
            "password2": "rahasia-kuat-99",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(phone="+6281277778888")
    assert user.email is None
    assert user.check_password("rahasia-kuat-99")


def test_operator_gets_a_clear_error_for_a_malformed_phone(operator_client):
    response = operator_client.post(
        reverse("admin:accounts_user_add"),
        {"phone": "12ab", "email": "", "password1": "rahasia-kuat-99", "password2": "rahasia-kuat-99"},
    )
    assert response.status_code == 200
    assert "0812-3456-7890" in response.content.decode()
    assert not User.objects.filter(is_superuser=False).exists()


def test_operator_verifies_suspends_and_reinstates_a_business(operator_client, shop, client):
    url = reverse("admin:directory_business_changelist")
    operator_client.post(url, {"action": "verify", "_selected_action": [shop.pk]})
    operator_client.post(url, {"action": "suspend", "_selected_action": [shop.pk]})
    shop.refresh_from_db()
    assert shop.is_verified
    assert shop.status == "suspended"
    # A suspended shop disappears from the public directory and its page.
    assert operator_client.get(reverse("catalog:storefront", args=[shop.slug])).status_code == 404
    assert "Laundry Bersih" not in operator_client.get(reverse("web:discover")).content.decode()
    operator_client.post(url, {"action": "reinstate", "_selected_action": [shop.pk]})
    assert Business.objects.get(pk=shop.pk).status == "active"
    verbs = list(Activity.objects.filter(business=shop).order_by("id").values_list("verb", "channel"))
    assert verbs[-3:] == [
        ("business_verified", "admin"),
        ("business_suspended", "admin"),
        ("business_reinstated", "admin"),
    ]
