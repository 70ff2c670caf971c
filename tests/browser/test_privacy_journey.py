"""A customer downloads what a shop holds about them, changes marketing consent and erases their data."""

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from etalase.accounts.services import user_signup
from etalase.activity.services import activity_record
from etalase.customers.models import Contact
from etalase.customers.services.notes import note_add
from etalase.directory.services import business_register

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, live_server, identifier, password="kopi-gayo-88"):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label(re.compile("^(Phone number or email|Nomor ponsel atau email)")).fill(identifier)
    page.get_by_label(re.compile("^(Password|Kata sandi)")).fill(password)
    page.get_by_role("button", name=re.compile("^(Log in|Masuk)$")).click()


def test_a_customer_downloads_and_erases_their_data(page, live_server, screenshot):
    owner = user_signup(phone="0812-1000-2000", password="kopi-gayo-88", name="Bu Wati", language="en", verified=True)
    shop = business_register(
        owner=owner, name="Kopi Gayo Wati", category_slug="coffee-shop", city="Medan", whatsapp="081210002000"
    )
    other = business_register(
        owner=user_signup(
            phone="0812-1000-3000", password="kopi-gayo-88", name="Pak Joko", language="en", verified=True
        ),
        name="Batik Joko",
        category_slug="fashion-batik",
        city="Solo",
        whatsapp="081210003000",
    )
    budi = user_signup(phone="0813-2000-4000", password="kopi-gayo-88", name="Budi Santoso", language="en")
    activity_record(verb="followed", business=shop, actor=budi, target=shop)
    activity_record(verb="followed", business=other, actor=budi, target=other)
    contact = Contact.objects.get(business=shop, user=budi)
    note_add(contact=contact, author=owner, body="Likes his coffee strong")

    log_in(page, live_server, "081320004000")
    page.goto(f"{live_server.url}/me/privacy/")
    expect(page.get_by_role("heading", name="My data at shops")).to_be_visible()
    page.get_by_role("link", name=re.compile("Kopi Gayo Wati")).click()
    expect(page.get_by_text("Budi Santoso")).to_be_visible()
    screenshot("privacy-shop-360")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download all my data (JSON)").click()
    document = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    assert document["contact"]["name"] == "Budi Santoso"
    assert document["notes"][0]["body"] == "Likes his coffee strong"

    page.get_by_label("SMS").check()
    page.get_by_role("button", name="Save my choices").click()
    expect(page.get_by_text("Your choices are saved.")).to_be_visible()
    assert Contact.objects.get(pk=contact.pk).consent["sms_marketing"] is True

    page.get_by_role("link", name="Erase my data…").click()
    expect(page.get_by_text("This cannot be undone.")).to_be_visible()
    screenshot("privacy-erase-360")
    page.get_by_role("button", name="Erase my data").click()
    expect(page.get_by_text("Tick the box to confirm the erasure.")).to_be_visible()
    page.get_by_label("I understand that this cannot be undone").check()
    page.get_by_role("button", name="Erase my data").click()

    expect(page.get_by_text("Kopi Gayo Wati no longer holds personal data about you.")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Kopi Gayo Wati"))).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("Batik Joko"))).to_be_visible()
    erased = Contact.objects.get(pk=contact.pk)
    assert (erased.name, erased.phone, erased.user_id) == ("Erased customer", "", None)
    assert Contact.objects.get(business=other, user=budi).name == "Budi Santoso"
