"""The owner edits the storefront: cover, address, map location, opening hours; shares a QR code."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from etalase.accounts.services import user_signup
from etalase.directory.models import Business
from etalase.directory.selectors import business_opening_status
from etalase.directory.services import business_register

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    owner = user_signup(phone="081366667777", password="kopi-gayo-88", language="en", verified=True)
    return business_register(
        owner=owner, name="Warung Kopi Malam", category_slug="coffee-shop", city="Medan", whatsapp="081366667777"
    )


@pytest.fixture
def owner_browser(client, shop):
    client.login(username="081366667777", password="kopi-gayo-88")
    client.cookies["etalase_language"] = "en"
    return client


def picture(size=(1200, 400)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, "JPEG")
    return SimpleUploadedFile("cover.jpg", buffer.getvalue(), content_type="image/jpeg")


def form(**overrides):
    data = {
        "address": "Jl. Gatot Subroto 12",
        "latitude": "3.595196",
        "longitude": "98.672226",
        "open_mon": "08:00",
        "close_mon": "17:00",
        "open_fri": "18:00",
        "close_fri": "02:00",
    }
    data.update(overrides)
    return data


def test_owner_saves_cover_address_location_and_hours(owner_browser, shop):
    response = owner_browser.post(
        reverse("directory:storefront_edit", args=[shop.slug]), {**form(), "cover": picture()}
    )
    assert response.status_code == 302
    shop.refresh_from_db()
    assert shop.address == "Jl. Gatot Subroto 12"
    assert str(shop.latitude) == "3.595196"
    assert shop.opening_hours == {"mon": [["08:00", "17:00"]], "fri": [["18:00", "02:00"]]}
    assert shop.cover.name.endswith(".webp")
    page = owner_browser.get(reverse("directory:storefront_edit", args=[shop.slug])).content.decode()
    assert "The storefront is saved." in page
    assert 'value="08:00"' in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"latitude": "3.5", "longitude": ""}, "Give both latitude and longitude, or neither."),
        (
            {"latitude": "95", "longitude": "98"},
            "The map location is not valid: latitude goes from -90 to 90, longitude from -180 to 180.",
        ),
        ({"latitude": "abc", "longitude": "98"}, "Enter the map location as numbers."),
        ({"open_mon": "25:00"}, "Monday: use times like 08:00, and a closing time other than the opening time."),
        (
            {"open_mon": "08:00", "close_mon": "08:00"},
            "Monday: use times like 08:00, and a closing time other than the opening time.",
        ),
    ],
)
def test_bad_storefront_input_is_explained_and_saves_nothing(owner_browser, shop, overrides, message):
    response = owner_browser.post(reverse("directory:storefront_edit", args=[shop.slug]), form(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Business.objects.get(pk=shop.pk).address == ""


def test_a_text_file_as_cover_is_refused(owner_browser, shop):
    fake = SimpleUploadedFile("cover.jpg", b"not a picture", content_type="image/jpeg")
    response = owner_browser.post(reverse("directory:storefront_edit", args=[shop.slug]), {**form(), "cover": fake})
    assert response.status_code == 400
    assert "Upload a picture in JPEG, PNG, WebP or GIF format." in response.content.decode()
    assert not Business.objects.get(pk=shop.pk).cover


def test_qr_code_and_print_page(owner_browser, shop):
    qr = owner_browser.get(reverse("directory:storefront_qr", args=[shop.slug]))
    assert qr.status_code == 200
    assert qr["Content-Type"] == "image/svg+xml"
    assert b"<svg" in qr.content
    page = owner_browser.get(reverse("directory:storefront_print", args=[shop.slug])).content.decode()
    assert f"/b/{shop.slug}/" in page
    assert "Warung Kopi Malam" in page


def test_another_business_cannot_reach_the_storefront_editor(client, shop):
    user_signup(phone="081377778888", password="kopi-gayo-88", verified=True)
    client.login(username="081377778888", password="kopi-gayo-88")
    assert client.get(reverse("directory:storefront_edit", args=[shop.slug])).status_code == 404
    assert client.get(reverse("directory:storefront_qr", args=[shop.slug])).status_code == 404


@pytest.mark.parametrize(
    ("moment", "is_open", "label"),
    [
        ("2026-11-30 09:00", True, "Open now · until 17:00"),  # Monday
        ("2026-11-30 17:00", False, "Closed · opens Friday at 18:00"),
        ("2026-12-04 23:30", True, "Open now · until 02:00"),  # Friday night
        ("2026-12-05 01:30", True, "Open now · until 02:00"),  # after midnight, still Friday's range
        ("2026-12-05 02:00", False, "Closed · opens Monday at 08:00"),
    ],
)
def test_opening_status_in_the_business_timezone(shop, moment, is_open, label):
    from django.utils import translation

    shop.opening_hours = {"mon": [["08:00", "17:00"]], "fri": [["18:00", "02:00"]]}
    now = dt.datetime.fromisoformat(moment).replace(tzinfo=ZoneInfo("Asia/Jakarta"))
    with translation.override("en"):
        status = business_opening_status(shop, now)
        assert (status["is_open"], str(status["label"])) == (is_open, label)
    # The same instant is an hour later in Makassar (WITA).
    shop.timezone = "Asia/Makassar"
    assert (
        business_opening_status(shop, dt.datetime(2026, 11, 30, 16, 30, tzinfo=ZoneInfo("Asia/Jakarta")))["is_open"]
        is False
    )
