"""Logging in with a phone number in any spelling or an email address; throttled; logging out."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.html import escape

from etalase.activity.models import Activity
from tests.factories import PASSWORD, UserFactory

LOGIN = reverse("accounts:login")
WRONG = "not-the-password"
TOO_MANY = "Too many failed attempts"
NOT_CORRECT = "The phone number/email or password is not correct."


@pytest.fixture
def sari(db):
    return UserFactory(phone="+6281234567890", email="sari@example.com", language="en")


def log_in(browser, identifier: str, password: str = PASSWORD, address: str = "127.0.0.1"):
    return browser.post(LOGIN, {"identifier": identifier, "password": password}, REMOTE_ADDR=address)


def logged_in_user_id(browser) -> str | None:
    return browser.session.get("_auth_user_id")


@pytest.mark.parametrize(
    "identifier",
    ["0812-3456-7890", "+62 812 3456 7890", "6281234567890", "081234567890", "+6281234567890"],
)
def test_log_in_with_the_phone_number_in_any_spelling(anonymous_client, sari, identifier):
    response = log_in(anonymous_client, identifier)

    assert response.status_code == 302
    assert response["Location"] == reverse("web:home")
    assert logged_in_user_id(anonymous_client) == str(sari.pk)
    sari.refresh_from_db()
    assert sari.last_login is not None
    assert Activity.objects.filter(verb="logged_in", actor=sari).count() == 1


@pytest.mark.parametrize("identifier", ["sari@example.com", "  SARI@Example.com "])
def test_log_in_with_the_email_address_in_any_case(anonymous_client, sari, identifier):
    response = log_in(anonymous_client, identifier)

    assert response.status_code == 302
    assert logged_in_user_id(anonymous_client) == str(sari.pk)


@pytest.mark.parametrize("identifier", ["0812-3456-7890", "nobody@example.com", "0813-9999-0000"])
def test_a_wrong_password_or_unknown_account_gets_the_same_answer(anonymous_client, sari, identifier):
    response = log_in(anonymous_client, identifier, WRONG if "3456" in identifier else PASSWORD)

    assert response.status_code == 401
    assert escape(NOT_CORRECT) in response.content.decode()
    assert logged_in_user_id(anonymous_client) is None
    assert not Activity.objects.filter(verb="logged_in").exists()


def test_an_inactive_account_cannot_log_in(anonymous_client, sari):
    sari.is_active = False
    sari.save()

    response = log_in(anonymous_client, "0812-3456-7890")

    assert response.status_code == 401
    assert logged_in_user_id(anonymous_client) is None


def test_after_five_wrong_passwords_even_the_right_one_is_refused(anonymous_client, sari):
    for _attempt in range(5):
        assert log_in(anonymous_client, "0812-3456-7890", WRONG).status_code == 401

    response = log_in(anonymous_client, "0812-3456-7890")

    assert response.status_code == 429
    assert TOO_MANY in response.content.decode()
    assert logged_in_user_id(anonymous_client) is None


def test_four_wrong_passwords_still_allow_the_right_one(anonymous_client, sari):
    for _attempt in range(4):
        log_in(anonymous_client, "0812-3456-7890", WRONG)

    assert log_in(anonymous_client, "0812-3456-7890").status_code == 302


def test_the_account_limit_counts_every_spelling_of_the_same_number(anonymous_client, sari):
    spellings = ["0812-3456-7890", "+62 812 3456 7890", "6281234567890", "081234567890", "+6281234567890"]
    for spelling in spellings:
        assert log_in(anonymous_client, spelling, WRONG).status_code == 401

    response = log_in(anonymous_client, "0812 3456 7890")

    assert response.status_code == 429
    assert TOO_MANY in response.content.decode()
    assert logged_in_user_id(anonymous_client) is None


def test_twenty_failures_from_one_address_block_that_address(anonymous_client, client_for, sari):
    strangers = UserFactory.create_batch(20)
    for stranger in strangers:
        assert stranger.email is not None
        assert log_in(anonymous_client, stranger.email, WRONG, address="203.0.113.7").status_code == 401

    blocked = log_in(anonymous_client, "sari@example.com", address="203.0.113.7")
    elsewhere = log_in(client_for(None), "sari@example.com", address="203.0.113.8")

    assert blocked.status_code == 429
    assert TOO_MANY in blocked.content.decode()
    assert elsewhere.status_code == 302


def test_a_successful_login_sets_the_language_cookie_from_the_saved_language(client_for, sari):
    sari.language = "id"
    sari.save()
    browser = client_for(None, language="en")

    response = log_in(browser, "sari@example.com")

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "id"
    assert '<html lang="id"' in browser.get(reverse("web:me")).content.decode()


def test_a_foreign_next_address_is_ignored(anonymous_client, sari):
    response = anonymous_client.post(
        f"{LOGIN}?next=//evil.example/", {"identifier": "sari@example.com", "password": PASSWORD}
    )

    assert response["Location"] == reverse("web:home")


def test_logging_out_takes_a_post(client_for, sari):
    browser = client_for(sari)

    refused = browser.get(reverse("accounts:logout"))
    assert refused.status_code == 405
    assert logged_in_user_id(browser) == str(sari.pk)

    response = browser.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert logged_in_user_id(browser) is None
    assert browser.get(reverse("accounts:tokens")).status_code == 302
