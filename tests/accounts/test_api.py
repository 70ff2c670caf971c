"""The accounts API: signing up, the signed-in person, their profile and language."""

import pytest
from django.test import Client

from etalase.accounts.models import User
from tests.factories import UserFactory


@pytest.fixture
def api(db) -> Client:
    return Client(headers={"accept-language": "en"})


def test_signing_up_on_the_api(api):
    response = api.post(
        "/api/v1/auth/signup",
        {"phone": "0812-3456-7890", "password": "kopi-gayo-88", "name": "Sari", "language": "en"},
        content_type="application/json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["phone"] == "+6281234567890"
    assert body["language"] == "en"
    assert "password" not in body
    user = User.objects.get()
    assert (user.pk, user.name) == (body["id"], "Sari")


def test_a_duplicate_signup_on_the_api_names_the_field(api):
    UserFactory(email="sari@example.com")

    response = api.post(
        "/api/v1/auth/signup",
        {"email": "Sari@Example.com", "password": "kopi-gayo-88"},
        content_type="application/json",
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "duplicate"
    assert error["fields"]["email"] == "An account with this email address already exists."
    assert User.objects.count() == 1


def test_me_answers_who_the_token_belongs_to(api_client_for):
    sari = UserFactory(name="Sari", phone="+6281234567890", email=None, language="id")

    response = api_client_for(sari).get("/api/v1/me")

    assert response.status_code == 200
    assert response.json() == {
        "id": sari.pk,
        "name": "Sari",
        "phone": "+6281234567890",
        "email": None,
        "language": "id",
        "phone_verified": True,
        "email_verified": False,
    }


def test_me_changes_name_and_language(api_client_for):
    sari = UserFactory(name="Sari", language="id")

    response = api_client_for(sari).patch(
        "/api/v1/me", {"name": "Sari Dewi", "language": "en"}, content_type="application/json"
    )

    assert response.status_code == 200
    assert (response.json()["name"], response.json()["language"]) == ("Sari Dewi", "en")
    sari.refresh_from_db()
    assert (sari.name, sari.language) == ("Sari Dewi", "en")


def test_a_bad_language_on_me_changes_nothing(api_client_for):
    sari = UserFactory(name="Sari", language="id")

    response = api_client_for(sari).patch(
        "/api/v1/me", {"name": "Someone Else", "language": "fr"}, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_language"
    assert response.json()["error"]["message"] == "Choose Bahasa Indonesia or English."
    sari.refresh_from_db()
    assert (sari.name, sari.language) == ("Sari", "id")
