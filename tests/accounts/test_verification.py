"""Verifying a phone number or email address with a one-time code before joining a team or acting
for a shop: sign-up sends the code, the code is short-lived, limited and single use."""

import importlib

import pytest
import time_machine
from django.apps import apps
from django.core import mail
from django.urls import reverse
from django.utils.html import escape

from etalase.accounts.models import OneTimeCode, User
from etalase.activity.models import Activity
from etalase.directory.models import Business
from tests.factories import MembershipFactory, UserFactory, unverified_user
from tests.support.accounts import code_sent_to, messages_to

SIGNUP = reverse("accounts:signup")
VERIFY = reverse("accounts:verify")
WRONG_CODE = "The code is not correct or has expired. Ask for a new code."


def sign_up(browser, **fields: str):
    form = {"name": "Sari", "phone": "", "email": "", "password": "kopi-gayo-88", "language": "en", **fields}
    return browser.post(SIGNUP, form)


def enter(browser, code: str):
    return browser.post(VERIFY, {"code": code})


def wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


@pytest.fixture
def newcomer(client_for, sms_outbox):
    """Someone who just signed up with 0812-3456-7890: logged in, a code on its way, unverified."""
    browser = client_for(None)
    sign_up(browser, phone="0812-3456-7890")
    return browser


def sari() -> User:
    return User.objects.get(phone="+6281234567890")


def test_signing_up_sends_a_code_by_sms_and_leaves_the_account_unverified(client_for, sms_outbox):
    browser = client_for(None)

    response = sign_up(browser, phone="0812-3456-7890")

    assert response["Location"] == f"{VERIFY}?next=%2F"
    [(phone, text)] = sms_outbox
    assert phone == "+6281234567890"
    assert "Your Etalase code is" in text
    assert "expires in 10 minutes" in text
    user = sari()
    assert not user.is_verified
    assert (user.phone_verified_at, user.email_verified_at) == (None, None)
    page = browser.get(response["Location"]).content.decode()
    assert "We sent a code to +62 812-3456-7890." in page
    assert escape("Enter the code we sent to") in page


def test_signing_up_with_an_email_sends_the_code_by_email(client_for):
    sign_up(client_for(None), email="sari@example.com")

    [message] = mail.outbox
    assert message.to == ["sari@example.com"]
    assert message.subject.startswith("Your Etalase code:")
    assert code_sent_to("sari@example.com") in message.subject


def test_the_code_is_sent_in_the_language_of_the_account(client_for, sms_outbox):
    sign_up(client_for(None, language="id"), phone="0812-3456-7890", language="id")

    assert "Kode Etalase Anda" in sms_outbox[0][1]


def test_the_right_code_verifies_the_number(newcomer):
    response = newcomer.post(f"{VERIFY}?next=/discover/", {"code": code_sent_to("+6281234567890")})

    assert response.status_code == 302
    assert response["Location"] == "/discover/"
    user = sari()
    assert user.phone_verified
    assert user.is_verified
    assert Activity.objects.filter(verb="phone_verified", actor=user).count() == 1
    assert "Verified. Thank you!" in newcomer.get("/discover/").content.decode()


def test_the_code_is_stored_only_as_a_digest(newcomer):
    code = code_sent_to("+6281234567890")

    row = OneTimeCode.objects.get()
    assert row.digest != code
    assert len(row.digest) == 64
    assert code not in {str(value) for value in OneTimeCode.objects.values().get().values()}


def test_a_wrong_code_is_refused_and_verifies_nothing(newcomer):
    response = enter(newcomer, wrong(code_sent_to("+6281234567890")))

    assert response.status_code == 400
    assert escape(WRONG_CODE) in response.content.decode()
    assert not sari().is_verified
    assert OneTimeCode.objects.get().attempts == 1


def test_after_five_wrong_codes_even_the_right_one_is_refused(newcomer):
    code = code_sent_to("+6281234567890")
    for _attempt in range(5):
        enter(newcomer, wrong(code))

    response = enter(newcomer, code)

    assert response.status_code == 400
    assert not sari().is_verified


def test_a_code_expires_after_ten_minutes(client_for, sms_outbox):
    browser = client_for(None)
    with time_machine.travel("2026-12-07 10:00 +07:00", tick=False) as clock:
        sign_up(browser, phone="0812-3456-7890")
        clock.shift(10 * 60 + 1)
        response = enter(browser, code_sent_to("+6281234567890"))

    assert response.status_code == 400
    assert not sari().is_verified


def test_a_code_works_once(newcomer):
    code = code_sent_to("+6281234567890")
    enter(newcomer, code)
    User.objects.filter(pk=sari().pk).update(phone_verified_at=None)

    response = enter(newcomer, code)

    assert response.status_code == 400
    assert not sari().is_verified


def test_another_code_waits_a_minute_and_replaces_the_first(client_for, sms_outbox):
    browser = client_for(None)
    with time_machine.travel("2026-12-07 10:00 +07:00", tick=False) as clock:
        sign_up(browser, phone="0812-3456-7890")
        first = code_sent_to("+6281234567890")
        clock.shift(30)
        too_soon = browser.post(f"{VERIFY}?next=/", {"send": "phone"}, follow=True).content.decode()
        clock.shift(31)
        browser.post(VERIFY, {"send": "phone"})
        second = code_sent_to("+6281234567890")
        replaced = enter(browser, first)
        verified = enter(browser, second)

    assert "Please wait 30 seconds before asking for another code." in too_soon
    assert messages_to("+6281234567890") == 2
    assert replaced.status_code == 400 or first == second
    assert verified.status_code == 302
    assert sari().is_verified


def test_codes_are_limited_per_address_whoever_they_are_for(client_for, sms_outbox):
    for n in range(21):
        client_for(None).post(
            SIGNUP,
            {"phone": f"0812-5555-{n:04d}", "password": "kopi-gayo-88", "language": "en"},
            REMOTE_ADDR="198.51.100.9",
        )

    assert len(sms_outbox) == 20


def test_an_email_can_be_verified_after_the_phone(newcomer, sms_outbox):
    user = sari()
    User.objects.filter(pk=user.pk).update(email="sari@example.com")
    enter(newcomer, code_sent_to("+6281234567890"))

    page = newcomer.get(VERIFY).content.decode()
    newcomer.post(VERIFY, {"send": "email"})
    enter(newcomer, code_sent_to("sari@example.com"))

    assert "Send a code by email" in page
    user.refresh_from_db()
    assert user.phone_verified
    assert user.email_verified


def test_asking_for_a_code_for_what_is_verified_is_refused_clearly(client_for):
    browser = client_for(UserFactory(phone="+6281234567890", email=None))

    response = browser.post(VERIFY, {"send": "phone"}, follow=True)

    assert "This is already verified." in response.content.decode()
    assert "Your phone number and email address are verified." in response.content.decode()


def test_me_offers_verification_to_an_unverified_account_only(client_for):
    unverified = client_for(unverified_user()).get(reverse("web:me")).content.decode()
    verified = client_for(UserFactory()).get(reverse("web:me")).content.decode()

    assert "Verify your number" in unverified
    assert VERIFY in unverified
    assert "Verify your number" not in verified


# -- acting for a shop needs a verified account --------------------------------------------------------


def test_registering_a_business_sends_an_unverified_account_to_verify(client_for):
    browser = client_for(unverified_user())

    response = browser.get(reverse("directory:business_register"))

    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2Fbusinesses%2Fnew%2F"
    page = browser.get(response["Location"]).content.decode()
    assert "Verify your phone number or email address first" in page


def test_the_api_refuses_an_unverified_account_a_business(api_client_for, english):
    response = api_client_for(unverified_user()).post(
        "/api/v1/businesses",
        {"name": "Batik Palsu", "category": "fashion-batik", "city": "Solo", "whatsapp": "081234567890"},
        content_type="application/json",
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "verification_required"
    assert "Verify your phone number or email address first" in response.json()["error"]["message"]
    assert not Business.objects.exists()


def test_a_member_whose_account_is_unverified_verifies_before_acting(client_for, api_client_for, business):
    member = MembershipFactory(business=business, user=unverified_user()).user

    page = client_for(member).get(reverse("directory:dashboard", args=[business.slug]))
    api = api_client_for(member).get(f"/api/v1/businesses/{business.slug}/members")

    assert page.status_code == 302
    assert page["Location"].startswith(VERIFY)
    assert api.status_code == 403
    assert api.json()["error"]["code"] == "verification_required"


def test_a_stranger_still_gets_404_not_a_verification_prompt(api_client_for, business):
    response = api_client_for(unverified_user()).get(f"/api/v1/businesses/{business.slug}/members")

    assert response.status_code == 404


# -- the API ----------------------------------------------------------------------------------------------


def test_the_api_signs_up_sends_a_code_and_verifies_with_it(api_client_for, sms_outbox):
    from django.test import Client

    created = Client().post(
        "/api/v1/auth/signup",
        {"phone": "0812-3456-7890", "password": "kopi-gayo-88"},
        content_type="application/json",
    )
    assert created.json()["phone_verified"] is False
    api = api_client_for(sari())

    again = api.post("/api/v1/me/verification", {}, content_type="application/json")
    confirmed = api.post(
        "/api/v1/me/verification/confirm", {"code": code_sent_to("+6281234567890")}, content_type="application/json"
    )

    assert again.status_code == 429
    assert again.json()["error"]["code"] == "throttled"
    assert confirmed.status_code == 200
    assert confirmed.json()["phone_verified"] is True


def test_the_api_sends_a_code_on_request_and_names_a_wrong_one(api_client_for, sms_outbox):
    api = api_client_for(unverified_user(phone="+6281234567890", email=None))

    sent = api.post("/api/v1/me/verification", {"channel": "phone"}, content_type="application/json")
    refused = api.post(
        "/api/v1/me/verification/confirm",
        {"code": wrong(code_sent_to("+6281234567890"))},
        content_type="application/json",
    )
    no_email = api.post("/api/v1/me/verification", {"channel": "email"}, content_type="application/json")

    assert sent.status_code == 202
    assert sent.json() == {"channel": "phone", "destination": "+6281234567890", "expires_in_seconds": 600}
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "invalid_code"
    assert refused.json()["error"]["fields"] == {"code": WRONG_CODE}
    assert no_email.status_code == 400
    assert no_email.json()["error"]["code"] == "no_destination"


# -- accounts made before verification -------------------------------------------------------------------


def test_the_migration_counts_existing_accounts_as_verified(db):
    phone_only = unverified_user(phone="+6281234567890", email=None)
    both = unverified_user()
    migration = importlib.import_module("etalase.accounts.migrations.0002_verification_and_one_time_codes")

    migration.existing_accounts_verified(apps, None)

    phone_only.refresh_from_db()
    both.refresh_from_db()
    assert phone_only.phone_verified
    assert phone_only.email_verified_at is None
    assert both.phone_verified
    assert both.email_verified
