"""The customer-intelligence pages and API through their public face: what an owner sees, who may
open them, and that nothing breaks without data or in Indonesian."""

import datetime as dt
import xml.dom.minidom
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from etalase.customers.models import Contact, Note
from etalase.directory.enums import Role
from etalase.insights.customers.services import customer_scores_recompute
from etalase.orders.enums import Fulfilment, OrderChannel, OrderStatus
from etalase.orders.models import Order
from tests.factories import business_owner

pytestmark = pytest.mark.django_db

PAGES = ["customer_insights:rfm", "customer_insights:loyalty", "customer_insights:matrix", "customer_insights:cohorts"]
API = ["rfm", "loyalty", "matrix", "cohorts"]


def parse_svg(svg: str) -> xml.dom.minidom.Document:
    """Our own markup, never untrusted input."""
    return xml.dom.minidom.parseString(svg)  # noqa: S318


def svgs_of(page: str) -> list[str]:
    found, start = [], 0
    while (start := page.find("<svg", start)) != -1:
        end = page.index("</svg>", start) + len("</svg>")
        found.append(page[start:end])
        start = end
    return found


def order_for(contact: Contact, days_ago: float, total: int, *, number: int, **fields: Any) -> Order:
    values: dict[str, Any] = {
        "business": contact.business,
        "number": number,
        "contact": contact,
        "status": OrderStatus.COMPLETED,
        "fulfilment": Fulfilment.PICKUP,
        "subtotal_minor": total,
        "total_minor": total,
        "paid_minor": total,
        "placed_at": timezone.now() - dt.timedelta(days=days_ago),
    }
    values.update(fields)
    return Order.objects.create(**values)


@pytest.fixture
def shop(business):
    """Batik Sari with a champion (Rina, <Script> in her city), a lapsed regular, a one-off buyer and a
    contact without orders; scored by the nightly pass."""
    rina = Contact.objects.create(
        business=business, name="Rina <b>", phone="+6281299990001", city="<script>", birthday=dt.date(1990, 1, 1)
    )
    for number, days in enumerate((1, 8, 15, 22), start=1):
        order_for(rina, days, 750_000, number=number, channel=OrderChannel.WHATSAPP)
    Note.objects.create(business=business, contact=rina, author=business_owner(business), body="VIP")
    lapsed = Contact.objects.create(business=business, name="Joko")
    for number, days in enumerate((200, 190, 180), start=10):
        order_for(lapsed, days, 300_000, number=number)
    once = Contact.objects.create(business=business, name="Sekali", email="sekali@example.com")
    order_for(once, 3, 85_000, number=20)
    Contact.objects.create(business=business, name="Belum pesan")
    customer_scores_recompute(business=business)
    return business


@pytest.mark.parametrize("name", PAGES)
def test_every_page_renders_its_charts_as_well_formed_svg_with_tables_and_no_inline_style(owner_client, shop, name):
    response = owner_client.get(reverse(name, args=[shop.slug]))
    page = response.content.decode()

    assert response.status_code == 200
    assert "style=" not in page
    assert "<script>" not in page  # the contact's city is escaped (and never shown raw)
    for svg in svgs_of(page):
        if "chart" in svg[:200]:
            parse_svg(svg)
    assert "<table" in page
    assert 'aria-current="page"' in page


def test_the_rfm_page_shows_counts_and_money_per_cell_and_links_segments_to_the_contact_list(owner_client, shop):
    page = owner_client.get(reverse("customer_insights:rfm", args=[shop.slug])).content.decode()

    assert 'data-stat="scored"' in page
    assert "IDR 3,985,000" in page  # confirmed money of the last 365 days (3,000,000 + 900,000 + 85,000)
    assert reverse("customers:list", args=[shop.slug]) + "?segment=champions" in page
    assert 'data-segment="champions"' in page
    svg = next(svg for svg in svgs_of(page) if "chart-rfm" in svg)
    document = parse_svg(svg)
    assert len(document.getElementsByTagName("rect")) == 25
    assert "1 customer has not ordered yet" in page
    assert "Scores updated" in page
    assert "Figures as of" in page


def test_the_loyalty_page_shows_repeat_rate_gap_and_who_to_win_back(owner_client, shop):
    page = owner_client.get(reverse("customer_insights:loyalty", args=[shop.slug])).content.decode()

    assert "67%" in page  # 2 of 3 customers ordered again
    assert "8 days" in page  # median of the repeat customers' gaps (7 and 10 days), rounded
    joko = Contact.objects.get(name="Joko")
    assert reverse("customers:detail", args=[shop.slug, joko.pk]) in page
    assert 'data-bucket="75"' in page


def test_the_matrix_page_shows_quadrants_with_suggestions_and_filtered_links(owner_client, shop):
    page = owner_client.get(reverse("customer_insights:matrix", args=[shop.slug])).content.decode()

    assert "Know little, treat alike" in page
    assert "Know much, treat individually" in page
    assert "?info_min=50&amp;personal_min=50" in page
    assert "Ask for their phone number, city and birthday" in page
    assert 'data-missing="birthday"' in page
    assert "Start here:" in page


def test_each_quadrant_link_opens_the_list_of_exactly_that_quadrant_s_customers(owner_client, shop):
    from etalase.insights.customers.selectors import info_matrix

    counted = 0
    for quadrant in info_matrix(shop).quadrants:
        response = owner_client.get(reverse("customers:list", args=[shop.slug]), quadrant.filters)
        page = response.content.decode()
        assert response.status_code == 200
        assert "Some filters were left out" not in page
        assert page.count('class="contact-row') == quadrant.customers, quadrant.key
        counted += quadrant.customers
    assert counted == Contact.objects.filter(business=shop, merged_into__isnull=True).count()


def test_the_cohort_page_shows_this_month_s_first_orders(owner_client, shop):
    page = owner_client.get(reverse("customer_insights:cohorts", args=[shop.slug])).content.decode()

    assert "Month 0" in page
    assert page.count("data-cohort=") == 12
    svg = next(svg for svg in svgs_of(page) if "chart-cohorts" in svg)
    parse_svg(svg)


@pytest.mark.parametrize("name", PAGES)
def test_pages_without_any_customer_say_so_without_error(owner_client, business, name):
    response = owner_client.get(reverse(name, args=[business.slug]))
    assert response.status_code == 200


@pytest.mark.parametrize("name", PAGES)
def test_pages_render_in_indonesian(client_for, owner, shop, name):
    response = client_for(owner, language="id").get(reverse(name, args=[shop.slug]))
    assert response.status_code == 200
    assert 'lang="id"' in response.content.decode()


@pytest.mark.parametrize(("role", "status"), [(Role.CASHIER, 200), (Role.SUPPORT, 200), (Role.TECHNICIAN, 403)])
@pytest.mark.parametrize("name", PAGES)
def test_members_need_customers_view(client_for, member_of, business, name, role, status):
    member = member_of(business, role).user
    assert client_for(member).get(reverse(name, args=[business.slug])).status_code == status


@pytest.mark.parametrize("name", PAGES)
def test_another_business_s_member_gets_404_and_anonymous_visitors_log_in(
    client_for, anonymous_client, other_business, business, name
):
    stranger = other_business.memberships.get().user
    url = reverse(name, args=[business.slug])
    assert client_for(stranger).get(url).status_code == 404
    response = anonymous_client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", PAGES)
def test_page_query_counts_do_not_grow_with_customers(owner_client, shop, name, django_assert_max_num_queries):
    for index in range(20):
        customer = Contact.objects.create(business=shop, name=f"P{index}")
        order_for(customer, index * 17, 50_000, number=100 + index)
    customer_scores_recompute(business=shop)
    with django_assert_max_num_queries(16):
        assert owner_client.get(reverse(name, args=[shop.slug])).status_code == 200


# --- API ---------------------------------------------------------------------------------------------


def api_url(business, what: str) -> str:
    return f"/api/v1/businesses/{business.slug}/insights/customers/{what}"


def test_api_rfm(api_client_for, owner, shop):
    body = api_client_for(owner).get(api_url(shop, "rfm")).json()

    assert (body["currency"], body["scored"], body["without_orders"]) == ("IDR", 3, 1)
    assert body["money_minor"] == 3_985_000
    assert len(body["cells"]) == 25
    assert body["mapping"]["5"][4] == "champions"
    assert {segment["segment"] for segment in body["segments"]} >= {"champions", "lost", "new"}
    assert body["bounds"]["is_fixed"] is True
    champions = next(segment for segment in body["segments"] if segment["segment"] == "champions")
    assert (champions["customers"], champions["money_minor"]) == (1, 3_000_000)


def test_api_loyalty_matrix_and_cohorts(api_client_for, owner, shop):
    client = api_client_for(owner)
    loyalty = client.get(api_url(shop, "loyalty")).json()
    matrix = client.get(api_url(shop, "matrix")).json()
    cohorts = client.get(api_url(shop, "cohorts")).json()

    assert (loyalty["customers"], loyalty["repeat_customers"], loyalty["repeat_rate"]) == (3, 2, 67)
    assert loyalty["median_gap_days"] == 8.5
    assert [item["name"] for item in loyalty["at_risk"]] == ["Joko"]
    assert matrix["customers"] == 4
    assert {quadrant["quadrant"] for quadrant in matrix["quadrants"]} == {
        "little_alike",
        "much_alike",
        "little_individual",
        "much_individual",
    }
    assert sum(quadrant["customers"] for quadrant in matrix["quadrants"]) == 4
    assert (len(cohorts["months"]), len(cohorts["cohorts"])) == (12, 12)
    assert sum(row["customers"] for row in cohorts["cohorts"]) >= 2


@pytest.mark.parametrize("what", API)
def test_api_permissions(api_client_for, member_of, other_business, business, what):
    technician = member_of(business, Role.TECHNICIAN).user
    refused = api_client_for(technician).get(api_url(business, what))
    assert refused.status_code == 403
    assert set(refused.json()["error"]) == {"code", "message", "fields"}
    stranger = other_business.memberships.get().user
    assert api_client_for(stranger).get(api_url(business, what)).status_code == 404
    assert api_client_for(None).get(api_url(business, what)).status_code == 401
    cashier = member_of(business, Role.CASHIER).user
    assert api_client_for(cashier).get(api_url(business, what)).status_code == 200
