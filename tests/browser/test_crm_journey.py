"""Done when (issue #6): the owner imports a CSV at 360 px (map the columns, preview, start, the
progress bar runs to the end), sees the customers in the list, opens a customer's timeline, filters
the list and saves the filters as a segment that shows its live count."""

import re

import pytest
from playwright.sync_api import expect

from etalase.accounts.services import user_signup
from etalase.catalog.services import product_create
from etalase.customers.enums import ImportStatus
from etalase.customers.io.importer import import_run
from etalase.customers.models import Contact, ImportJob, Segment
from etalase.directory.services import business_register
from etalase.directory.tenancy import business_context_resolve
from etalase.engagement.services import favourite_add, follow_add
from tests.browser.test_team_and_tokens import log_in
from tests.support.browser import SCREENSHOTS

pytestmark = pytest.mark.django_db(transaction=True)

# As Excel saves it in Indonesia: ";" between cells, Windows-1252, an accented name, one bad number.
CSV = (
    "Nama;No HP;Email;Kota;Tag\r\n"
    "Budi Santoso;0813-2000-4000;;Medan;Langganan\r\n"
    "Rina Wati;0812 1111 0001;rina@contoh.id;Sleman;VIP\r\n"
    "Sari Dewi;+62 812 1111 0002;;Sleman;Langganan\r\n"
    "José Ñañez;0813 2222 0003;;Solo;\r\n"
    "Tanpa Nomor;12345;;;\r\n"
).encode("cp1252")


def snap(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"crm-journey-{name}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, name  # no sideways scrolling


@pytest.fixture
def shop():
    owner = user_signup(phone="0812-1000-2000", password="kopi-gayo-88", name="Bu Wati", language="en", verified=True)
    business = business_register(
        owner=owner, name="Batik Wati", category_slug="fashion-batik", city="Yogyakarta", whatsapp="081210002000"
    )
    context = business_context_resolve(user=owner, slug=business.slug)
    product = product_create(context=context, title="Batik Tulis Parang", price_minor=350_000, publish=True)
    # A customer who already uses the app: following and a favourite made him a contact.
    budi = user_signup(phone="0813-2000-4000", password="kopi-gayo-88", name="Budi Santoso", language="en")
    follow_add(user=budi, business=business)
    favourite_add(user=budi, product_id=product.pk)
    return business


def test_owner_imports_a_csv_opens_a_timeline_and_saves_a_segment(page, live_server, shop, settings, tmp_path):
    # The import runs in the background: a worker (this test, below) picks the task up later.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in(page, live_server, "081210002000")
    page.goto(f"{live_server.url}/manage/{shop.slug}/customers/")
    expect(page.get_by_role("heading", name="Customers")).to_be_visible()
    snap(page, "1-list-before")

    # Upload, check the mapping and the preview, start.
    page.get_by_role("link", name="Import", exact=True).click()
    expect(page.get_by_role("heading", name="Import customers")).to_be_visible()
    path = tmp_path / "pelanggan.csv"
    path.write_bytes(CSV)
    page.get_by_label("File").set_input_files(str(path))
    page.get_by_role("button", name="Upload and continue").click()
    expect(page.get_by_role("heading", name="pelanggan.csv")).to_be_visible()
    expect(page.get_by_label("No HP")).to_have_value("phone")
    expect(page.get_by_label("Kota")).to_have_value("city")
    expect(page.get_by_text("+62 812-1111-0001")).to_be_visible()
    expect(page.get_by_text("The phone number “12345” is not valid.")).to_be_visible()
    expect(page.get_by_text("Completes an existing customer")).to_be_visible()  # Budi, by his phone
    snap(page, "2-mapping-preview")
    page.get_by_role("button", name="Start the import").click()

    # The progress bar shows, then runs to the end while the page is open.
    progress = page.get_by_role("progressbar")
    expect(progress).to_be_visible()
    expect(progress).to_have_attribute("aria-valuenow", "0")
    snap(page, "3-progress")
    job = ImportJob.objects.get(business=shop)
    assert job.status == ImportStatus.RUNNING
    import_run(job_id=job.pk)  # what the task worker does
    expect(page.get_by_text("The import is finished.")).to_be_visible(timeout=5000)
    expect(progress).to_have_count(0)
    results = page.locator(".stat")
    expect(results.filter(has_text="new customers")).to_contain_text("3")
    expect(results.filter(has_text="existing customers completed")).to_contain_text("1")
    expect(results.filter(has_text="rows rejected")).to_contain_text("1")
    snap(page, "4-import-done")

    # The customers are in the list.
    page.get_by_role("link", name="See the customers").click()
    for name in ("Budi Santoso", "Rina Wati", "Sari Dewi", "José Ñañez"):
        expect(page.get_by_role("link", name=name)).to_be_visible()
    snap(page, "5-list-after-import")

    # Budi's timeline: what he did in the app, and what the import added to his record.
    page.get_by_role("link", name="Budi Santoso").click()
    expect(page.get_by_role("heading", name="Budi Santoso")).to_be_visible()
    timeline = page.locator("section[aria-labelledby=timeline-heading]")
    expect(timeline.get_by_role("heading", name="Timeline")).to_be_visible()
    expect(timeline.get_by_text(re.compile("followed the shop", re.IGNORECASE))).to_be_visible()
    expect(timeline.get_by_text(re.compile("favourite", re.IGNORECASE)).first).to_be_visible()
    expect(page.get_by_text("Medan").first).to_be_visible()  # the city came from the file
    snap(page, "6-timeline")

    # Filter the list by city and tag, then save the filters as a segment.
    page.go_back()
    expect(page.get_by_role("link", name="Rina Wati")).to_be_visible()
    page.get_by_text("Filters and sort").click()
    page.get_by_label("City", exact=True).fill("sleman")
    page.locator("#contact-filters").get_by_label("Tag", exact=True).select_option("Langganan")
    page.get_by_role("button", name="Show customers").click()
    expect(page.get_by_role("link", name="Rina Wati")).to_have_count(0)
    expect(page.get_by_role("link", name="Sari Dewi")).to_be_visible()
    expect(page.get_by_role("link", name="Budi Santoso")).to_have_count(0)
    snap(page, "7-filtered")
    page.get_by_label("Save these filters as a segment").fill("Langganan di Sleman")
    page.get_by_role("button", name="Save segment").click()
    expect(page.get_by_text("Segment “Langganan di Sleman” saved.")).to_be_visible()
    expect(page.get_by_role("heading", name="Langganan di Sleman")).to_be_visible()
    segment = Segment.objects.get(business=shop)
    assert segment.filters == {"tag": "Langganan", "city": "sleman"}

    # The segment keeps a live count: tag one more customer from the list, and the count follows.
    page.get_by_role("link", name="Saved segments").click()
    expect(page.get_by_role("link", name="Langganan di Sleman")).to_be_visible()
    expect(page.get_by_text("1 customer", exact=True)).to_be_visible()
    snap(page, "8-segments")
    page.get_by_role("link", name="Customers").first.click()
    page.get_by_label("Choose Rina Wati").check()
    page.get_by_placeholder("Tag name").fill("Langganan")
    page.get_by_role("button", name="Tag chosen").click()
    expect(page.get_by_text("1 customer tagged “Langganan”.")).to_be_visible()
    page.get_by_role("link", name="Saved segments").click()
    expect(page.get_by_text("2 customers", exact=True)).to_be_visible()
    page.get_by_role("link", name="Langganan di Sleman").click()
    expect(page.get_by_role("link", name="Rina Wati")).to_be_visible()
    expect(page.get_by_role("link", name="Sari Dewi")).to_be_visible()
    snap(page, "9-segment-list")
    assert Contact.objects.filter(business=shop, tags__name="Langganan").count() == 3
    assert not [e for e in errors if "Content Security Policy" in e], errors
