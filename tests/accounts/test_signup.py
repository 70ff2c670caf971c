"""Signing up on the page: by phone or email; every mistake is named on the page and saves nothing."""

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils.html import escape

import config.settings as production_settings
from etalase.accounts.models import User
from etalase.activity.models import Activity
from tests.factories import UserFactory

SIGNUP = reverse("accounts:signup")


def signup_form(**fields: str) -> dict[str, str]:
    return {"name": "Sari", "phone": "", "email": "", "password": "kopi-gayo-88", "language": "en", **fields}


def page_shows(response, text: str) -> bool:
    return escape(text) in response.content.decode()


@pytest.mark.django_db
def test_the_signup_page_offers_phone_and_email(anonymous_client):
    response = anonymous_client.get(SIGNUP)

    assert response.status_code == 200
    assert 'name="phone"' in response.content.decode()
    assert 'name="email"' in response.content.decode()


@pytest.mark.django_db
def test_signing_up_with_a_phone_number_logs_in_and_stores_it_in_e164(anonymous_client):
    response = anonymous_client.post(SIGNUP, signup_form(phone="0812-3456-7890"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:verify')}?next=%2F"
    user = User.objects.get()
    assert user.phone == "+6281234567890"
    assert user.email is None
    assert user.language == "en"
    assert user.check_password("kopi-gayo-88")
    assert "kopi-gayo-88" not in user.password
    assert anonymous_client.session["_auth_user_id"] == str(user.pk)
    assert Activity.objects.filter(verb="signed_up", actor=user).count() == 1


@pytest.mark.django_db
def test_signing_up_with_an_email_address_keeps_it_in_lower_case(anonymous_client):
    response = anonymous_client.post(SIGNUP, signup_form(email="  Sari@Example.COM "))

    assert response.status_code == 302
    user = User.objects.get()
    assert (user.email, user.phone) == ("sari@example.com", None)


@pytest.mark.django_db
def test_the_chosen_language_is_remembered_in_a_cookie(anonymous_client):
    response = anonymous_client.post(SIGNUP, signup_form(phone="0812-3456-7890", language="id"))

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "id"
    assert User.objects.get().language == "id"


@pytest.mark.django_db
def test_a_safe_next_address_is_followed_and_a_foreign_one_is_not(anonymous_client, client_for):
    # Sign-up goes on to verification, which then continues to the next address.
    response = anonymous_client.post(f"{SIGNUP}?next=/discover/%3Fcity%3DSolo", signup_form(phone="0812-3456-7890"))
    assert response["Location"] == f"{reverse('accounts:verify')}?next=%2Fdiscover%2F%3Fcity%3DSolo"

    response = client_for(None).post(f"{SIGNUP}?next=https://evil.example/steal", signup_form(phone="0812-1111-2222"))
    assert response["Location"] == f"{reverse('accounts:verify')}?next=%2F"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("existing", "typed"),
    [("+6281234567890", "0812-3456-7890"), ("+6281234567890", "62 812 3456 7890")],
)
def test_a_phone_number_already_in_use_is_refused_however_it_is_written(anonymous_client, existing, typed):
    UserFactory(phone=existing)

    response = anonymous_client.post(SIGNUP, signup_form(phone=typed))

    assert response.status_code == 400
    assert page_shows(response, "An account with this phone number already exists.")
    assert User.objects.count() == 1
    assert "_auth_user_id" not in anonymous_client.session


@pytest.mark.django_db
def test_an_email_address_already_in_use_is_refused_whatever_its_case(anonymous_client):
    UserFactory(email="sari@example.com")

    response = anonymous_client.post(SIGNUP, signup_form(email="SARI@Example.com"))

    assert response.status_code == 400
    assert page_shows(response, "An account with this email address already exists.")
    assert User.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"phone": "0812-34"},
            "Enter a valid phone number, for example 0812-3456-7890 or +62 812 3456 7890.",
        ),
        ({"phone": "abc"}, "Enter a valid phone number, for example 0812-3456-7890 or +62 812 3456 7890."),
        ({"email": "sari@"}, "Enter a valid email address."),
        ({}, "Enter a phone number or an email address."),
        ({"phone": "0812-3456-7890", "password": "12345678"}, "This password is entirely numeric."),
        ({"phone": "0812-3456-7890", "password": "password"}, "This password is too common."),
        ({"phone": "0812-3456-7890", "password": "k0p1"}, "This password is too short."),
    ],
    ids=["short-phone", "letters-phone", "bad-email", "no-identifier", "numeric", "common", "short"],
)
def test_bad_input_is_named_on_the_page_and_creates_nobody(anonymous_client, fields, message):
    response = anonymous_client.post(SIGNUP, signup_form(**fields))

    assert response.status_code == 400
    assert page_shows(response, message), response.content.decode()
    assert User.objects.count() == 0
    assert Activity.objects.count() == 0


@pytest.mark.django_db
def test_signup_in_indonesian_names_the_mistake_in_indonesian(client_for):
    browser = client_for(None, language="id")

    response = browser.post(SIGNUP, signup_form(phone="0812-3456-7890", password="12345678", language="id"))

    assert response.status_code == 400
    assert '<html lang="id"' in response.content.decode()
    assert not page_shows(response, "This password is entirely numeric.")
    assert User.objects.count() == 0


def test_production_hashes_passwords_with_argon2():
    assert production_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


@pytest.mark.django_db
def test_a_password_stored_under_the_production_hashers_is_an_argon2_hash(anonymous_client):
    with override_settings(PASSWORD_HASHERS=production_settings.PASSWORD_HASHERS):
        response = anonymous_client.post(SIGNUP, signup_form(phone="0812-3456-7890"))
        user = User.objects.get()

        assert response.status_code == 302
        assert user.password.startswith("argon2$")
        assert user.check_password("kopi-gayo-88")
