"""The display window, end to end on 360 px phones: the owner adds a product with a photo, a
customer finds it by search, favourites it and asks a question, and the owner sees the counts move."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from etalase.accounts.services import user_signup
from etalase.activity.models import Activity
from etalase.catalog.models import Product
from etalase.catalog.visits import visits_flush
from etalase.directory.services import business_register
from tests.browser.test_team_and_tokens import log_in
from tests.support.browser import SCREENSHOTS

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shop():
    owner = user_signup(phone="0812-4000-5000", password="kopi-gayo-88", name="Pak Harun", language="en", verified=True)
    return business_register(
        owner=owner, name="Kopi Gayo Harun", category_slug="coffee-shop", city="Medan", whatsapp="081240005000"
    )


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "kopi.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), (111, 78, 55)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def test_owner_adds_product_customer_finds_favourites_and_asks_owner_sees_counts(browser, live_server, shop, photo):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    owner = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, locale="en-US")
    customer = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, locale="en-US")
    owner_page, customer_page = owner.new_page(), customer.new_page()
    try:
        # The owner adds a product with a photo and publishes it.
        log_in(owner_page, live_server, "081240005000")
        owner_page.goto(f"{live_server.url}/manage/{shop.slug}/products/new/")
        owner_page.get_by_label("Name").fill("Kopi Gayo Arabika 250 g")
        owner_page.screenshot(path=str(SCREENSHOTS / "product-form-360.png"), full_page=True)
        owner_page.get_by_label(re.compile(r"^Price( \*)?$")).fill("85.000")
        owner_page.get_by_label("Stock").fill("12")
        owner_page.get_by_label("Description").fill("Biji kopi sangrai medium dari Takengon.")
        owner_page.get_by_label("Photos").set_input_files(str(photo))
        owner_page.get_by_role("button", name=re.compile("^(Save and publish|Publish|Save)")).first.click()
        product = Product.objects.get(business=shop)
        assert product.images.count() == 1
        if product.status != "published":
            owner_page.get_by_role("button", name="Publish").first.click()
        product.refresh_from_db()
        assert product.status == "published"

        # A customer who has never heard of the shop finds the coffee by searching in English.
        user_signup(phone="0857-1000-2000", password="pembeli-setia-1", name="Budi", language="en")
        customer_page.goto(f"{live_server.url}/discover/")
        customer_page.get_by_label("Search shops").fill("coffee arabika")
        customer_page.get_by_role("button", name="Search").click()
        customer_page.get_by_role("link", name=re.compile("Kopi Gayo Arabika 250 g")).first.click()
        expect(customer_page.get_by_role("heading", name="Kopi Gayo Arabika 250 g")).to_be_visible()
        expect(customer_page.locator("meta[property='og:title']")).to_have_attribute(
            "content", re.compile("Kopi Gayo Arabika")
        )

        # Favouriting asks to log in first, then completes the act.
        customer_page.get_by_role("button", name=re.compile("Favourite")).click()
        expect(customer_page).to_have_url(re.compile(r"/accounts/login/"))
        customer_page.get_by_label("Phone number or email").fill("085710002000")
        customer_page.get_by_label("Password").fill("pembeli-setia-1")
        customer_page.get_by_role("button", name="Log in").click()
        expect(customer_page.get_by_role("heading", name="Kopi Gayo Arabika 250 g")).to_be_visible()
        heart = customer_page.get_by_role("button", name=re.compile("Favourite"))
        expect(heart).to_have_attribute("aria-pressed", "true")
        expect(heart).to_contain_text("1")

        # A question, typed with HTML in it, is shown as text.
        customer_page.get_by_role("radio", name="Question").check()
        customer_page.get_by_role("textbox", name="Your comment or question").fill("Masih ada stok? <b>bold</b>")
        customer_page.get_by_role("button", name="Send").click()
        expect(customer_page.get_by_text("Masih ada stok? <b>bold</b>")).to_be_visible()
        customer_page.screenshot(path=str(SCREENSHOTS / "product-favourited-360.png"), full_page=True)

        # The owner sees one favourite and one comment on the product list.
        owner_page.goto(f"{live_server.url}/manage/{shop.slug}/products/")
        expect(owner_page.get_by_test_id(f"counts-{product.pk}")).to_have_text("1 favourite · 1 comment")
        owner_page.screenshot(path=str(SCREENSHOTS / "owner-products-360.png"), full_page=True)
        visits_flush()  # the worker's schedule writes buffered visits to the spine
        verbs = set(Activity.objects.filter(business=shop).values_list("verb", flat=True))
        assert {"product_created", "favourited", "asked", "viewed_product"} <= verbs
    finally:
        owner.close()
        customer.close()
