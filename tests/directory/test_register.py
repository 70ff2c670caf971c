"""Registering a business on the page and on the API: the registrant becomes its owner."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape
from PIL import Image

from etalase.activity.models import Activity
from etalase.directory.enums import Role
from etalase.directory.models import Business, Membership
from tests.factories import BusinessFactory, UserFactory, default_category, registered_business

REGISTER = reverse("directory:business_register")


def business_form(**fields: object) -> dict[str, object]:
    return {
        "name": "Batik Sari",
        "category": default_category("fashion-batik").slug,
        "city": "Yogyakarta",
        "whatsapp": "0812-3456-7890",
        "description": "Batik tulis",
        "timezone": "Asia/Jakarta",
        **fields,
    }


def png_upload(size: tuple[int, int] = (300, 300), name: str = "logo.png", padding: int = 0):
    buffer = io.BytesIO()
    Image.new("RGB", size, "navy").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue() + b"\0" * padding, content_type="image/png")


def media_files(settings) -> list[str]:
    from pathlib import Path

    root = Path(settings.MEDIA_ROOT)
    return [str(path) for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.fixture
def sari(db):
    return UserFactory(name="Sari")


def test_registering_a_business_makes_the_registrant_its_owner(client_for, sari):
    browser = client_for(sari)

    response = browser.post(REGISTER, business_form())

    business = Business.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("directory:dashboard", args=[business.slug])
    assert (business.name, business.slug, business.city) == ("Batik Sari", "batik-sari", "Yogyakarta")
    assert business.whatsapp == "+6281234567890"
    assert business.created_by == sari
    assert Membership.objects.get().user == sari
    assert Membership.objects.get().role == Role.OWNER
    activity = Activity.objects.get(verb="business_registered")
    assert (activity.business, activity.actor, activity.channel) == (business, sari, "web")
    dashboard = browser.get(response["Location"])
    assert dashboard.status_code == 200
    assert "Batik Sari" in dashboard.content.decode()


def test_a_logo_is_stored_as_a_small_webp(client_for, sari, settings):
    response = client_for(sari).post(REGISTER, business_form(logo=png_upload((1500, 1500))))

    assert response.status_code == 302
    business = Business.objects.get()
    assert (business.logo.name or "").endswith(".webp")
    with Image.open(business.logo.path) as stored:
        assert stored.format == "WEBP"
        assert max(stored.size) <= 512


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"category": "no-such-field"}, "category", "Select a valid choice."),
        (
            {"whatsapp": "0812"},
            "whatsapp",
            "Enter a valid phone number, for example 0812-3456-7890 or +62 812 3456 7890.",
        ),
        ({"whatsapp": "call me"}, "whatsapp", "Enter a valid phone number"),
        ({"name": ""}, "name", "This field is required."),
        ({"name": "    "}, "name", "This field is required."),
        ({"city": ""}, "city", "This field is required."),
    ],
    ids=["unknown-category", "short-whatsapp", "words-whatsapp", "empty-name", "blank-name", "empty-city"],
)
def test_bad_input_is_named_on_the_page_and_nothing_is_saved(client_for, sari, fields, field, message):
    response = client_for(sari).post(REGISTER, business_form(**fields))

    assert response.status_code == 400
    assert escape(message) in response.content.decode()
    assert f'id="id_{field}_error"' in response.content.decode()
    assert Business.objects.count() == 0
    assert Membership.objects.count() == 0
    assert Activity.objects.count() == 0


def test_a_text_file_as_logo_is_refused_and_nothing_is_saved(client_for, sari, settings):
    notes = SimpleUploadedFile("logo.png", b"just some text, not a picture", content_type="image/png")

    response = client_for(sari).post(REGISTER, business_form(logo=notes))

    assert response.status_code == 400
    assert escape("Upload a picture in JPEG, PNG, WebP or GIF format.") in response.content.decode()
    assert Business.objects.count() == 0
    assert media_files(settings) == []


def test_an_oversized_logo_is_refused_and_nothing_is_saved(client_for, sari, settings):
    oversized = png_upload(padding=settings.LOGO_MAX_BYTES)

    response = client_for(sari).post(REGISTER, business_form(logo=oversized))

    assert response.status_code == 400
    assert "The picture is too large: at most 2 MB." in response.content.decode()
    assert Business.objects.count() == 0
    assert media_files(settings) == []


def test_two_businesses_with_the_same_name_get_different_addresses(db):
    first = registered_business(name="Kopi Kenangan Senja")
    second = registered_business(name="Kopi Kenangan Senja")
    third = registered_business(name="kopi kenangan   SENJA!")

    assert first.slug == "kopi-kenangan-senja"
    assert second.slug == "kopi-kenangan-senja-2"
    assert third.slug == "kopi-kenangan-senja-3"


@pytest.mark.parametrize(("name", "slug"), [("Admin", "admin-2"), ("API", "api-2"), ("☕☕☕", "toko")])
def test_reserved_and_unwritable_names_get_a_usable_address(db, name, slug):
    assert registered_business(name=name).slug == slug


def test_a_business_with_a_taken_address_gets_the_next_number(db):
    BusinessFactory(name="Laundry Bersih", slug="laundry-bersih")

    assert registered_business(name="Laundry Bersih").slug == "laundry-bersih-2"


def test_anonymous_visitors_are_sent_to_log_in_first(anonymous_client):
    response = anonymous_client.post(REGISTER, business_form())

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert Business.objects.count() == 0


# --- the API -------------------------------------------------------------------------------------


def api_body(**fields: object) -> dict[str, object]:
    body = business_form()
    body.pop("timezone")
    return {**body, **fields}


def test_registering_on_the_api(api_client_for, sari):
    response = api_client_for(sari).post("/api/v1/businesses", api_body(), content_type="application/json")

    assert response.status_code == 201
    body = response.json()
    assert body["slug"] == "batik-sari"
    assert body["whatsapp"] == "+6281234567890"
    assert body["category"] == "fashion-batik"
    business = Business.objects.get()
    assert Membership.objects.get(business=business).user == sari
    assert Membership.objects.get(business=business).role == Role.OWNER
    assert Activity.objects.get(verb="business_registered").channel == "api"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"category": "no-such-field"}, "category", "Choose a business field from the list."),
        (
            {"whatsapp": "12"},
            "whatsapp",
            "Enter a valid phone number, for example 0812-3456-7890 or +62 812 3456 7890.",
        ),
        ({"name": "   "}, "name", "Enter the business name (at most 120 characters)."),
        ({"city": ""}, "city", "Enter the city (at most 80 characters)."),
        ({"timezone": "Mars/Olympus"}, "timezone", "Choose a time zone from the list."),
    ],
    ids=["unknown-category", "bad-whatsapp", "blank-name", "empty-city", "unknown-timezone"],
)
def test_bad_input_on_the_api_is_named_per_field(api_client_for, sari, fields, field, message):
    response = api_client_for(sari).post("/api/v1/businesses", api_body(**fields), content_type="application/json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"][field] == message
    assert Business.objects.count() == 0


def test_a_logo_upload_on_the_api(api_client_for, sari):
    business = registered_business(owner=sari)

    response = api_client_for(sari).post(f"/api/v1/businesses/{business.slug}/logo", {"logo": png_upload()})

    assert response.status_code == 200
    assert response.json()["logo_url"].endswith(".webp")
    business.refresh_from_db()
    assert (business.logo.name or "").endswith(".webp")


def test_a_non_picture_logo_on_the_api_is_refused(api_client_for, sari, settings):
    business = registered_business(owner=sari)
    notes = SimpleUploadedFile("logo.jpg", b"%PDF-1.4 not a picture", content_type="image/jpeg")

    response = api_client_for(sari).post(f"/api/v1/businesses/{business.slug}/logo", {"logo": notes})

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["logo"] == "Upload a picture in JPEG, PNG, WebP or GIF format."
    business.refresh_from_db()
    assert not business.logo
    assert media_files(settings) == []
