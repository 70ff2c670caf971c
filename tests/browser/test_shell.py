"""A person on a 360 px phone: signs up, registers a business, switches language, goes offline."""

import re

import pytest
from playwright.sync_api import expect

from etalase.directory.models import Business, Membership
from tests.support.accounts import code_sent_to

pytestmark = pytest.mark.django_db(transaction=True)


def sign_up(page, live_server, *, phone="0812-3456-7890", language="en"):
    page.goto(f"{live_server.url}/accounts/signup/")
    page.get_by_label(re.compile("^(Your name|Nama Anda)")).fill("Sari Wulandari")
    page.get_by_label(re.compile("^(Phone number|Nomor ponsel)")).fill(phone)
    page.get_by_label(re.compile("^(Password|Kata sandi)")).fill("kopi-gayo-88")
    page.get_by_label(re.compile("^(Language|Bahasa)")).select_option(language)
    page.get_by_role("button", name=re.compile("^(Sign up|Daftar)$")).click()
    # The verification page: the code went by SMS (the test's outbox stands in for the console).
    expect(page).to_have_url(re.compile(r"/accounts/verify/"))
    expect(page.get_by_role("status").first).to_be_visible()  # "Welcome…", "We sent a code to…"
    page.get_by_label(re.compile("^(Code|Kode)")).fill(code_sent_to("+62" + phone.replace("-", "")[1:]))
    page.get_by_role("button", name=re.compile("^(Verify|Verifikasi)$")).click()


def test_sign_up_register_business_and_land_on_dashboard(page, live_server, screenshot, sms_outbox):
    sign_up(page, live_server)
    expect(page.get_by_text("Verified. Thank you!")).to_be_visible()

    page.goto(f"{live_server.url}/businesses/new/")
    page.get_by_label("Business name").fill("Batik Sari Jogja")
    page.get_by_label("Business field").select_option("fashion-batik")
    page.get_by_label("City").fill("Yogyakarta")
    page.get_by_label("WhatsApp number").fill("+62 812 3456 7890")
    page.get_by_label("Short description").fill("Batik tulis dari Yogyakarta")
    screenshot("register-business-360")
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(re.compile(r"/manage/batik-sari-jogja/$"))
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_role("navigation", name="Business")).to_be_visible()
    screenshot("dashboard-360")
    # Nothing on the page is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    business = Business.objects.get(slug="batik-sari-jogja")
    assert Membership.objects.get(business=business).role == "owner"

    # The customer side is one tap away, and back.
    page.get_by_role("link", name="Customer side").click()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    page.get_by_role("link", name="My business").click()
    expect(page).to_have_url(re.compile(r"/manage/batik-sari-jogja/$"))


def test_bad_input_shows_translated_errors_and_saves_nothing(page, live_server, sms_outbox):
    sign_up(page, live_server, language="id")
    page.goto(f"{live_server.url}/businesses/new/")
    page.get_by_label("Nama usaha").fill("Kopi Gayo")
    page.get_by_label("Bidang usaha").select_option("coffee-shop")
    page.get_by_label("Kota").fill("Medan")
    page.get_by_label("Nomor WhatsApp").fill("bukan nomor")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_text(re.compile("Masukkan nomor telepon yang benar"))).to_be_visible()
    assert not Business.objects.exists()


def test_switching_language_is_remembered(page, live_server, screenshot):
    page.goto(f"{live_server.url}/me/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.get_by_role("heading", name="Saya", exact=True)).to_be_visible()
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Me", exact=True)).to_be_visible()
    page.goto(f"{live_server.url}/discover/")
    expect(page.get_by_role("heading", name="Discover shops")).to_be_visible()
    screenshot("discover-en-360")
    page.goto(f"{live_server.url}/me/")
    page.get_by_role("button", name="Bahasa Indonesia").click()
    expect(page.locator("html")).to_have_attribute("lang", "id")


def test_offline_page_and_installable_app(page, context, live_server, screenshot):
    page.goto(f"{live_server.url}/")
    # The service worker installs, caches the shell and takes control of the page.
    page.wait_for_function(
        "() => navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=15_000
    )
    manifest = page.evaluate("fetch(document.querySelector('link[rel=manifest]').href).then(r => r.json())")
    assert manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}
    session = context.new_cdp_session(page)
    errors = session.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert [e for e in errors if e["errorId"] != "in-incognito"] == []

    context.set_offline(True)
    page.goto(f"{live_server.url}/discover/")
    offline_heading = page.get_by_role("heading", name=re.compile("^(Anda sedang offline|You are offline)$"))
    expect(offline_heading).to_be_visible()
    screenshot("offline-360")
    context.set_offline(False)
