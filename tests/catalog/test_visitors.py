"""The anonymous visitor key: stable per browser, an HMAC of a random cookie, never the address."""

import re

from django.http import HttpResponse
from django.test import RequestFactory

from etalase.core.visitors import COOKIE_NAME, visitor_key, visitor_key_ensure


def request_with(cookie: str | None = None, address: str = "198.51.100.7"):
    request = RequestFactory().get("/", REMOTE_ADDR=address)
    if cookie is not None:
        request.COOKIES[COOKIE_NAME] = cookie
    return request


def test_a_new_browser_gets_a_cookie_and_its_key_stays_the_same_on_the_next_visit():
    first = request_with()
    key = visitor_key(first)
    response = visitor_key_ensure(first, HttpResponse())

    cookie = response.cookies[COOKIE_NAME]
    again = request_with(cookie.value)

    assert re.fullmatch(r"[0-9a-f]{32}", key)
    assert visitor_key(first) == key
    assert visitor_key(again) == key
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert cookie.value != key  # what is stored is a keyed hash of the cookie, not the cookie


def test_a_browser_with_a_valid_cookie_gets_no_new_one():
    request = request_with("a" * 32)

    response = visitor_key_ensure(request, HttpResponse())

    assert COOKIE_NAME not in response.cookies


def test_different_browsers_have_different_keys_whatever_their_address():
    same_address = [request_with(), request_with()]
    same_cookie = [request_with("b" * 32, address="198.51.100.1"), request_with("b" * 32, address="203.0.113.2")]

    assert visitor_key(same_address[0]) != visitor_key(same_address[1])
    assert visitor_key(same_cookie[0]) == visitor_key(same_cookie[1])


def test_a_tampered_cookie_is_replaced():
    request = request_with("<script>")

    key = visitor_key(request)
    response = visitor_key_ensure(request, HttpResponse())

    assert response.cookies[COOKIE_NAME].value != "<script>"
    assert visitor_key(request_with(response.cookies[COOKIE_NAME].value)) == key


def test_the_key_depends_on_the_secret_key(settings):
    before = visitor_key(request_with("c" * 32))
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"

    assert visitor_key(request_with("c" * 32)) != before
