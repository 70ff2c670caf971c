"""An owner invites a cashier who signs up and joins; an integrator creates an API token and uses it."""

import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from etalase.accounts.services import user_signup
from etalase.directory.models import Membership
from etalase.directory.services import business_register
from tests.support.accounts import code_sent_to

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, live_server, identifier, password="kopi-gayo-88"):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label(re.compile("^(Phone number or email|Nomor ponsel atau email)")).fill(identifier)
    page.get_by_label(re.compile("^(Password|Kata sandi)")).fill(password)
    page.get_by_role("button", name=re.compile("^(Log in|Masuk)$")).click()


@pytest.fixture
def business():
    owner = user_signup(phone="0812-1000-2000", password="kopi-gayo-88", name="Bu Wati", language="en", verified=True)
    return business_register(
        owner=owner, name="Kopi Gayo Wati", category_slug="coffee-shop", city="Medan", whatsapp="081210002000"
    )


def test_owner_invites_cashier_who_signs_up_and_joins(page, live_server, business, screenshot, sms_outbox):
    log_in(page, live_server, "+62 812 1000 2000")
    page.goto(f"{live_server.url}/manage/{business.slug}/team/")
    page.get_by_label("Phone number or email").fill("0857 1234 5678")
    page.get_by_label("Role").select_option("cashier")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent.")).to_be_visible()
    expect(page.get_by_text("+62 857-1234-5678 · Cashier")).to_be_visible()
    screenshot("team-360")

    # Inviting the same number again is refused with a clear message.
    page.get_by_label("Phone number or email").fill("+6285712345678")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("This person has already been invited.").first).to_be_visible()

    # The cashier signs up with the number written another way, verifies it and lands in the team.
    page.get_by_role("link", name="Customer side").click()
    page.get_by_role("link", name="Me", exact=True).click()
    page.get_by_role("button", name="Log out").click()
    page.goto(f"{live_server.url}/accounts/signup/")
    page.get_by_label(re.compile("^(Phone number|Nomor ponsel)")).fill("6285712345678")
    page.get_by_label(re.compile("^(Password|Kata sandi)")).fill("kasir-jujur-77")
    page.get_by_label(re.compile("^(Language|Bahasa)")).select_option("en")
    page.get_by_role("button", name=re.compile("^(Sign up|Daftar)$")).click()
    assert not Membership.objects.filter(business=business, user__phone="+6285712345678").exists()
    page.get_by_label(re.compile("^Code")).fill(code_sent_to("+6285712345678"))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("Verified. Thank you!")).to_be_visible()
    page.get_by_role("banner").get_by_role("link", name="My business").click()
    expect(page).to_have_url(re.compile(rf"/manage/{business.slug}/$"))
    expect(page.get_by_role("banner")).to_contain_text("Kopi Gayo Wati")
    assert Membership.objects.get(business=business, user__phone="+6285712345678").role == "cashier"
    # A cashier sees orders but may not invite anyone.
    page.goto(f"{live_server.url}/manage/{business.slug}/team/")
    expect(page.get_by_role("button", name="Send invitation")).to_have_count(0)


def test_api_token_is_shown_once_and_works(page, live_server, business, screenshot):
    log_in(page, live_server, "081210002000")
    page.goto(f"{live_server.url}/accounts/tokens/")
    page.get_by_label("Token name").fill("Cash register tablet")
    page.get_by_role("button", name="Create token").click()
    secret = page.get_by_test_id("token-secret").inner_text().strip()
    assert secret.startswith("etl_")
    screenshot("token-created-360")
    page.goto(f"{live_server.url}/accounts/tokens/")
    expect(page.get_by_test_id("token-secret")).to_have_count(0)

    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    response = api.get("/api/v1/me/businesses")
    assert response.status_code == 200
    assert response.json()[0]["business"] == business.slug

    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("Revoked", exact=True)).to_be_visible()
    assert api.get("/api/v1/me/businesses").status_code == 401
