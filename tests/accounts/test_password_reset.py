"""Forgot password: a one-time code to the account's phone number or email address, then a new
password, logged in. Nobody learns from the answers whether an account exists."""

import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from etalase.accounts.models import ApiToken, OneTimeCode, User
from etalase.activity.models import Activity
from tests.factories import PASSWORD, UserFactory, unverified_user
from tests.support.accounts import code_sent_to, messages_to

FORGOT = reverse("accounts:password_reset")
RESET = reverse("accounts:password_reset_confirm")
NEW_PASSWORD = "teh-tarik-2027"
WRONG_CODE = "The code is not correct or has expired. Ask for a new code."


@pytest.fixture
def sari(db, sms_outbox):
    return UserFactory(phone="+6281234567890", email="sari@example.com", language="en")


def ask(browser, identifier: str, address: str = "127.0.0.1"):
    return browser.post(FORGOT, {"identifier": identifier}, REMOTE_ADDR=address)


def reset(browser, identifier: str, code: str, password: str = NEW_PASSWORD, address: str = "127.0.0.1"):
    form = {"identifier": identifier, "code": code, "password": password}
    return browser.post(RESET, form, REMOTE_ADDR=address)


def wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def test_the_login_page_offers_forgot_password(anonymous_client):
    page = anonymous_client.get(reverse("accounts:login")).content.decode()

    assert f'href="{FORGOT}"' in page
    assert "Forgot password?" in page


def test_a_code_by_sms_and_a_new_password_log_the_owner_in(anonymous_client, sari):
    asked = ask(anonymous_client, "0812-3456-7890")
    form = anonymous_client.get(RESET).content.decode()

    response = reset(anonymous_client, "+6281234567890", code_sent_to("+6281234567890"))

    assert asked.status_code == 302
    assert asked["Location"] == RESET
    assert 'value="+6281234567890"' in form  # the identifier is carried over
    assert response.status_code == 302
    assert anonymous_client.session["_auth_user_id"] == str(sari.pk)
    sari.refresh_from_db()
    assert sari.check_password(NEW_PASSWORD)
    assert not sari.check_password(PASSWORD)
    assert Activity.objects.filter(verb="password_reset", actor=sari).count() == 1
    assert "Your password is changed. Welcome back!" in anonymous_client.get(response["Location"]).content.decode()


def test_a_code_by_email_works_too(anonymous_client, sari):
    ask(anonymous_client, "Sari@Example.com")

    response = reset(anonymous_client, "sari@example.com", code_sent_to("sari@example.com"))

    assert response.status_code == 302
    assert mail.outbox[0].to == ["sari@example.com"]
    sari.refresh_from_db()
    assert sari.check_password(NEW_PASSWORD)


def test_the_answer_is_the_same_whether_an_account_exists(client_for, sari, sms_outbox):
    known, unknown = client_for(None), client_for(None)

    for_sari = ask(known, "0812-3456-7890")
    for_nobody = ask(unknown, "0813-9999-0000")

    assert (for_sari.status_code, for_sari["Location"]) == (for_nobody.status_code, for_nobody["Location"])
    page_sari = known.get(RESET).content.decode().replace("+6281234567890", "X").replace("+62 812-3456-7890", "X")
    page_nobody = unknown.get(RESET).content.decode().replace("+6281399990000", "X").replace("+62 813-9999-0000", "X")
    assert _without_tokens(page_sari) == _without_tokens(page_nobody)
    assert [phone for phone, _text in sms_outbox] == ["+6281234567890"]
    refused_sari = reset(client_for(None), "+6281234567890", "123456", address="198.51.100.1")
    refused_nobody = reset(client_for(None), "+6281399990000", "123456", address="198.51.100.2")
    assert refused_sari.status_code == refused_nobody.status_code == 400
    assert escape(WRONG_CODE) in refused_nobody.content.decode()


def _without_tokens(page: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"|nonce="[^"]*"|"X-CSRFToken": "[^"]*"', "", page)


def test_asking_again_too_soon_is_refused_the_same_way_for_an_unknown_identifier(client_for, sari):
    ask(client_for(None), "0812-3456-7890")
    ask(client_for(None), "0813-9999-0000")

    again_sari = ask(client_for(None), "0812-3456-7890", address="198.51.100.7")
    again_nobody = ask(client_for(None), "0813-9999-0000", address="198.51.100.7")

    assert again_sari.status_code == again_nobody.status_code == 429
    assert "before asking for another code." in again_sari.content.decode()
    assert "before asking for another code." in again_nobody.content.decode()
    assert messages_to("+6281234567890") == 1


def test_codes_for_one_identifier_are_capped_per_hour(client_for, sari):
    with time_machine.travel("2026-12-07 10:00 +07:00", tick=False) as clock:
        for _attempt in range(7):
            ask(client_for(None), "0812-3456-7890", address="198.51.100.7")
            clock.shift(61)

    assert messages_to("+6281234567890") == 5


def test_a_wrong_code_changes_nothing_and_five_kill_the_code(anonymous_client, sari):
    ask(anonymous_client, "0812-3456-7890")
    code = code_sent_to("+6281234567890")

    first = reset(anonymous_client, "+6281234567890", wrong(code))
    for _attempt in range(4):
        reset(anonymous_client, "+6281234567890", wrong(code))
    right_too_late = reset(anonymous_client, "+6281234567890", code)

    assert first.status_code == 400
    assert escape(WRONG_CODE) in first.content.decode()
    assert right_too_late.status_code == 400
    sari.refresh_from_db()
    assert sari.check_password(PASSWORD)
    assert "_auth_user_id" not in anonymous_client.session


def test_a_code_expires_after_ten_minutes(anonymous_client, sari):
    with time_machine.travel("2026-12-07 10:00 +07:00", tick=False) as clock:
        ask(anonymous_client, "0812-3456-7890")
        clock.shift(10 * 60 + 1)
        response = reset(anonymous_client, "+6281234567890", code_sent_to("+6281234567890"))

    assert response.status_code == 400
    sari.refresh_from_db()
    assert sari.check_password(PASSWORD)


def test_a_code_works_once(client_for, sari):
    ask(client_for(None), "0812-3456-7890")
    code = code_sent_to("+6281234567890")
    reset(client_for(None), "+6281234567890", code)

    again = reset(client_for(None), "+6281234567890", code, password="another-pass-99")

    assert again.status_code == 400
    sari.refresh_from_db()
    assert sari.check_password(NEW_PASSWORD)


def test_a_weak_new_password_is_named_and_the_code_still_works(anonymous_client, sari):
    ask(anonymous_client, "0812-3456-7890")
    code = code_sent_to("+6281234567890")

    weak = reset(anonymous_client, "+6281234567890", code, password="12345678")
    strong = reset(anonymous_client, "+6281234567890", code)

    assert weak.status_code == 400
    assert "This password is entirely numeric." in weak.content.decode()
    assert strong.status_code == 302


def test_wrong_codes_are_limited_per_address_across_accounts(client_for, sari):
    others = UserFactory.create_batch(20)
    for other in others:
        assert other.email is not None
        reset(client_for(None), other.email, "123456", address="203.0.113.5")
    ask(client_for(None), "0812-3456-7890", address="203.0.113.99")

    held = reset(client_for(None), "+6281234567890", code_sent_to("+6281234567890"), address="203.0.113.5")

    assert held.status_code == 429
    assert "Too many wrong codes." in held.content.decode()
    sari.refresh_from_db()
    assert sari.check_password(PASSWORD)


def test_resetting_by_sms_proves_the_number(anonymous_client, sms_outbox):
    squatted = unverified_user(phone="+6281234567890", email=None)
    ask(anonymous_client, "0812-3456-7890")

    reset(anonymous_client, "+6281234567890", code_sent_to("+6281234567890"))

    squatted.refresh_from_db()
    assert squatted.phone_verified


@pytest.mark.parametrize(
    ("identifier", "message"),
    [
        ("0812-34", "Enter a valid phone number"),
        ("sari", "Enter your phone number or email address."),
    ],
)
def test_an_identifier_that_is_neither_is_named(anonymous_client, sari, identifier, message):
    response = ask(anonymous_client, identifier)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert OneTimeCode.objects.count() == 0


def test_the_api_resets_and_answers_with_a_token(sari):
    api = Client(headers={"accept-language": "en"})

    asked = api.post("/api/v1/auth/password-reset", {"identifier": "0812-3456-7890"}, content_type="application/json")
    nobody = Client(headers={"accept-language": "en"}).post(
        "/api/v1/auth/password-reset",
        {"identifier": "0813-9999-0000"},
        content_type="application/json",
        REMOTE_ADDR="198.51.100.3",
    )
    done = api.post(
        "/api/v1/auth/password-reset/confirm",
        {"identifier": "+6281234567890", "code": code_sent_to("+6281234567890"), "password": NEW_PASSWORD},
        content_type="application/json",
    )

    assert asked.status_code == nobody.status_code == 202
    assert asked.json() == nobody.json()
    assert done.status_code == 201
    assert ApiToken.objects.get(user=sari).prefix == done.json()["prefix"]
    me = Client(headers={"authorization": f"Bearer {done.json()['token']}"}).get("/api/v1/me")
    assert me.json()["id"] == sari.pk
    assert User.objects.get(pk=sari.pk).check_password(NEW_PASSWORD)


def test_the_api_names_a_wrong_code(sari):
    response = Client(headers={"accept-language": "en"}).post(
        "/api/v1/auth/password-reset/confirm",
        {"identifier": "+6281234567890", "code": "123456", "password": NEW_PASSWORD},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_code"
    assert ApiToken.objects.count() == 0
