"""Done when: favouriting a product in one browser makes a notification appear live in the owner's
browser (two pages, no reload), with the unread count moving; an act processed late arrives in its
place by time, with its own time."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from etalase.accounts.services import user_signup
from etalase.activity.services import activity_record
from etalase.catalog.services import product_create
from etalase.directory.services import business_register
from etalase.directory.tenancy import business_context_resolve
from tests.browser.test_team_and_tokens import log_in
from tests.support.browser import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shop():
    owner = user_signup(phone="0812-4100-5100", password="kopi-gayo-88", name="Bu Sari", language="en", verified=True)
    business = business_register(
        owner=owner, name="Batik Sari Solo", category_slug="fashion-batik", city="Solo", whatsapp="081241005100"
    )
    context = business_context_resolve(user=owner, slug=business.slug)
    product = product_create(context=context, title="Batik Tulis Parang", price_minor=350_000, publish=True)
    return business, product


def test_a_favourite_appears_live_in_the_owners_notification_centre(browser, live_server, shop):  # noqa: F811
    business, product = shop
    user_signup(phone="0857-2100-3100", password="pembeli-setia-1", name="Budi", language="en")
    options = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "locale": "en-US"}
    owner, customer = browser.new_context(**options), browser.new_context(**options)
    owner_page, customer_page = owner.new_page(), customer.new_page()
    try:
        log_in(owner_page, live_server, "081241005100")
        owner_page.goto(f"{live_server.url}/notifications/")
        expect(owner_page.get_by_role("heading", name="Notifications")).to_be_visible()
        expect(owner_page.get_by_text("No notifications yet")).to_be_visible()
        owner_page.wait_for_timeout(500)  # the stream is open

        log_in(customer_page, live_server, "085721003100", "pembeli-setia-1")
        customer_page.goto(f"{live_server.url}/b/{business.slug}/p/{product.pk}/")
        customer_page.get_by_role("button", name=re.compile("Favourite")).click()
        expect(customer_page.get_by_role("button", name=re.compile("Favourite"))).to_have_attribute(
            "aria-pressed", "true"
        )

        # Without a reload, the owner's centre shows it at the top, unread, and the count moves.
        item = owner_page.locator("[data-notification-list] li").first
        expect(item).to_contain_text("Budi favourited Batik Tulis Parang", timeout=10_000)
        expect(item).to_have_class(re.compile("is-unread"))
        expect(owner_page.locator("[data-unread-count]").first).to_have_text("1")
        expect(owner_page.get_by_text("No notifications yet")).to_be_hidden()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        owner_page.screenshot(path=str(SCREENSHOTS / "notifications-live-360.png"), full_page=True)

        # Tapping it opens the product and marks it read.
        item.get_by_role("link").click()
        expect(owner_page).to_have_url(re.compile(rf"/b/{business.slug}/p/{product.pk}/$"))
        owner_page.goto(f"{live_server.url}/notifications/")
        expect(owner_page.locator("[data-notification-list] li.is-unread")).to_have_count(0)

        # The settings page fits a 360 px phone: no sideways scrolling.
        owner_page.goto(f"{live_server.url}/notifications/preferences/")
        expect(owner_page.get_by_role("heading", name="Notification settings")).to_be_visible()
        assert owner_page.evaluate("document.documentElement.scrollWidth") <= 360
        owner_page.screenshot(path=str(SCREENSHOTS / "notification-settings-360.png"), full_page=True)
    finally:
        owner.close()
        customer.close()


def test_an_act_processed_late_arrives_live_in_its_place_with_its_time(browser, live_server, shop):  # noqa: F811
    """A favourite of two hours ago, processed now (after a backlog), lands below a comment of a
    minute ago and says "2 hours ago", not "just now"."""
    business, product = shop
    budi = user_signup(phone="0857-2100-3100", password="pembeli-setia-1", name="Budi", language="en")
    rina = user_signup(phone="0857-2100-3200", password="pembeli-setia-2", name="Rina", language="en")
    activity_record(
        verb="commented",
        business=business,
        actor=rina,
        data={"product_id": product.pk, "title": product.title, "excerpt": "Bagus"},
        occurred_at=timezone.now() - dt.timedelta(minutes=1),
    )
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, locale="en-US")
    page = context.new_page()
    try:
        log_in(page, live_server, "081241005100")
        page.goto(f"{live_server.url}/notifications/")
        items = page.locator("[data-notification-list] li")
        expect(items).to_have_count(1)
        page.wait_for_timeout(500)  # the stream is open

        activity_record(
            verb="favourited",
            business=business,
            actor=budi,
            target=product,
            data={"title": product.title},
            occurred_at=timezone.now() - dt.timedelta(hours=2),
        )

        expect(items).to_have_count(2, timeout=10_000)
        expect(items.first).to_contain_text("Rina commented on Batik Tulis Parang")
        expect(items.nth(1)).to_contain_text("Budi favourited Batik Tulis Parang")
        expect(items.nth(1).locator("time")).to_have_text("2 hours ago")
    finally:
        context.close()
