"""Login throttling cannot lock an owner out: limits hold per address and per (account, address);
many addresses failing on one account only slow it down, by a few seconds at most."""

import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from etalase.accounts.models import ApiToken
from tests.factories import PASSWORD, UserFactory

LOGIN = reverse("accounts:login")
WRONG = "not-the-password"
PHONE = "0812-3456-7890"
ATTACKER = "198.51.100.1"
OWNER_HOME = "198.51.100.2"


@pytest.fixture
def sari(db):
    return UserFactory(phone="+6281234567890", email="sari@example.com", language="en")


def log_in(browser: Client, password: str = PASSWORD, address: str = "127.0.0.1", identifier: str = PHONE, **headers):
    return browser.post(LOGIN, {"identifier": identifier, "password": password}, REMOTE_ADDR=address, **headers)


def token_login(password: str, address: str, language: str = "en"):
    return Client(headers={"accept-language": language}).post(
        "/api/v1/auth/token",
        {"identifier": PHONE, "password": password},
        content_type="application/json",
        REMOTE_ADDR=address,
    )


def wait_named(text: str) -> int:
    found = re.search(r"Try again in (\d+) (second|seconds|minute|minutes)\.", text)
    assert found, text
    return int(found.group(1)) * (60 if found.group(2).startswith("minute") else 1)


def test_failures_from_one_address_do_not_keep_the_owner_out_from_another(client_for, sari):
    for _attempt in range(5):
        assert log_in(client_for(None), WRONG, ATTACKER).status_code == 401
    assert log_in(client_for(None), WRONG, ATTACKER).status_code == 429

    owner = client_for(None)
    response = log_in(owner, PASSWORD, OWNER_HOME)

    assert response.status_code == 302
    assert owner.session["_auth_user_id"] == str(sari.pk)


def test_the_guessing_address_is_told_how_long_to_wait(client_for, sari):
    for _attempt in range(5):
        log_in(client_for(None), WRONG, ATTACKER)

    response = log_in(client_for(None), PASSWORD, ATTACKER)

    assert response.status_code == 429
    page = response.content.decode()
    assert escape("Too many failed attempts. Try again in 15 minutes.") in page
    assert "_auth_user_id" not in client_for(None).session


def test_the_wait_is_told_in_indonesian_too(client_for, sari):
    for _attempt in range(5):
        log_in(client_for(None), WRONG, ATTACKER)

    response = log_in(client_for(None, language="id"), PASSWORD, ATTACKER)

    assert response.status_code == 429
    assert "Terlalu banyak percobaan yang gagal. Coba lagi dalam 15 menit." in response.content.decode()


def test_the_pair_waits_until_its_oldest_failure_leaves_the_window(client_for, sari):
    with time_machine.travel("2026-12-07 10:00 +07:00", tick=False) as clock:
        for _attempt in range(5):
            log_in(client_for(None), WRONG, ATTACKER)
            clock.shift(60)
        held = log_in(client_for(None), PASSWORD, ATTACKER)
        clock.shift(10 * 60)
        free = log_in(client_for(None), PASSWORD, ATTACKER)

    assert held.status_code == 429
    assert wait_named(held.content.decode()) == 10 * 60  # the first failure, 15 minutes after
    assert free.status_code == 302


def test_many_addresses_on_one_account_only_slow_it_down_for_a_few_seconds(client_for, sari):
    with time_machine.travel("2026-12-07 10:00 +07:00", tick=False) as clock:
        for n in range(12):
            assert log_in(client_for(None), WRONG, f"203.0.113.{n}").status_code == 401
        slowed = log_in(client_for(None), WRONG, "203.0.113.0")
        owner = log_in(client_for(None), PASSWORD, OWNER_HOME)
        clock.shift(5)
        after_the_delay = log_in(client_for(None), PASSWORD, "203.0.113.0")

    assert slowed.status_code == 429
    assert 1 <= wait_named(slowed.content.decode()) <= 5
    assert owner.status_code == 302
    assert after_the_delay.status_code == 302


def test_the_account_wide_delay_grows_with_the_failures_and_stops_at_the_cap(client_for, sari):
    waits = []
    with time_machine.travel("2026-12-07 10:00 +07:00", tick=False) as clock:
        for n in range(10):
            log_in(client_for(None), WRONG, f"203.0.113.{n}")
            answer = log_in(client_for(None), WRONG, f"203.0.113.{n}")
            waits.append(wait_named(answer.content.decode()) if answer.status_code == 429 else 0)
            clock.shift(10)

    assert waits[:2] == [0, 0]  # fewer than five failures on the account: no delay
    assert waits == sorted(waits)
    assert max(waits) == 5


def test_an_ipv6_client_is_counted_by_its_64_network(client_for, sari):
    for n in range(5):
        log_in(client_for(None), WRONG, f"2001:db8:1:2::{n + 1}")

    same_network = log_in(client_for(None), PASSWORD, "2001:db8:1:2::99")
    other_network = log_in(client_for(None), PASSWORD, "2001:db8:1:3::1")

    assert same_network.status_code == 429
    assert other_network.status_code == 302


def test_token_login_follows_the_same_rules(sari):
    for _attempt in range(5):
        assert token_login(WRONG, ATTACKER).status_code == 401

    held = token_login(PASSWORD, ATTACKER)
    elsewhere = token_login(PASSWORD, OWNER_HOME)

    assert held.status_code == 429
    assert held.json()["error"]["code"] == "throttled"
    assert held.json()["error"]["message"] == "Too many failed attempts. Try again in 15 minutes."
    assert elsewhere.status_code == 201
    assert ApiToken.objects.filter(user=sari).count() == 1


# -- the client's address behind a proxy -----------------------------------------------------------


def test_a_forwarded_address_from_an_untrusted_peer_is_ignored(client_for, sari, settings):
    settings.FORWARDED_ALLOW_IPS = ["127.0.0.1"]
    for n in range(5):
        # The attacker writes a new "client address" every time; the peer is what counts.
        log_in(client_for(None), WRONG, ATTACKER, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")

    response = log_in(client_for(None), PASSWORD, ATTACKER, HTTP_X_FORWARDED_FOR="192.0.2.200")

    assert response.status_code == 429


def test_a_trusted_proxy_names_the_client_right_most_untrusted_first(client_for, sari, settings):
    settings.FORWARDED_ALLOW_IPS = ["10.0.0.0/8"]
    for n in range(5):
        # The client prepends its own guesses; the proxy appends the address it really saw.
        log_in(client_for(None), WRONG, "10.0.0.5", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, {ATTACKER}")

    attacker = log_in(client_for(None), PASSWORD, "10.0.0.5", HTTP_X_FORWARDED_FOR=f"192.0.2.77, {ATTACKER}")
    owner = log_in(client_for(None), PASSWORD, "10.0.0.5", HTTP_X_FORWARDED_FOR=f"{OWNER_HOME}, 10.0.0.9")

    assert attacker.status_code == 429
    assert owner.status_code == 302


def test_star_trusts_every_peer(client_for, sari, settings):
    settings.FORWARDED_ALLOW_IPS = ["*"]
    for _attempt in range(5):
        log_in(client_for(None), WRONG, "192.0.2.1", HTTP_X_FORWARDED_FOR=ATTACKER)

    held = log_in(client_for(None), PASSWORD, "192.0.2.2", HTTP_X_FORWARDED_FOR=ATTACKER)

    assert held.status_code == 429


@pytest.mark.parametrize(
    ("peer", "forwarded", "allowed", "client"),
    [
        ("198.51.100.1", "192.0.2.1", ["127.0.0.1"], "198.51.100.1"),
        ("127.0.0.1", "192.0.2.1", ["127.0.0.1"], "192.0.2.1"),
        ("127.0.0.1", "192.0.2.1:5123", ["127.0.0.1"], "192.0.2.1"),
        ("127.0.0.1", "[2001:db8::1]:443", ["127.0.0.1"], "2001:db8::1"),
        ("127.0.0.1", "", ["127.0.0.1"], "127.0.0.1"),
        ("127.0.0.1", "not-an-address, 10.0.0.2", ["127.0.0.1", "10.0.0.0/8"], "10.0.0.2"),
        ("127.0.0.1", "192.0.2.9, 10.0.0.2", ["127.0.0.1", "10.0.0.0/8"], "192.0.2.9"),
        ("::ffff:127.0.0.1", "192.0.2.1", ["127.0.0.1"], "192.0.2.1"),
        ("198.51.100.1", "192.0.2.1", ["*"], "192.0.2.1"),
        ("198.51.100.1", "192.0.2.1", ["not a network"], "198.51.100.1"),
    ],
)
def test_client_address(rf, settings, peer, forwarded, allowed, client):
    from etalase.accounts.addresses import client_address

    settings.FORWARDED_ALLOW_IPS = allowed
    request = rf.get("/", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded)

    assert client_address(request) == client


@pytest.mark.parametrize(
    ("wait", "language", "message"),
    [
        (1, "en", "Too many failed attempts. Try again in 1 second."),
        (4, "en", "Too many failed attempts. Try again in 4 seconds."),
        (61, "en", "Too many failed attempts. Try again in 2 minutes."),
        (4, "id", "Terlalu banyak percobaan yang gagal. Coba lagi dalam 4 detik."),
    ],
)
def test_the_wait_is_named_in_seconds_or_minutes(wait, language, message):
    from django.utils import translation

    from etalase.accounts.services import throttled_error

    with translation.override(language):
        assert str(throttled_error(wait).message) == message
