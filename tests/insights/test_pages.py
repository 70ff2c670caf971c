"""The insights pages and API through their public face: who may open them, what they show, bad input."""

import datetime as dt
import xml.dom.minidom
from typing import Any
from xml.dom.minidom import Text

import pytest
from django.urls import reverse
from django.utils import timezone

from etalase.directory.enums import Role
from etalase.insights.charts import bar_chart, line_chart, nice_ceiling, sparkline


def parse_svg(svg: Any) -> xml.dom.minidom.Document:
    """Our own markup, never untrusted input."""
    return xml.dom.minidom.parseString(str(svg))  # noqa: S318


pytestmark = pytest.mark.django_db


@pytest.fixture
def shop_activity(business, make_product, record):
    kopi = make_product(business, title="Kopi Gayo")
    for visitor in ("a", "b"):
        record("viewed_product", business, target=kopi, data={"visitor": visitor})
    record("favourited", business, target=kopi, data={"product_id": kopi.pk})
    record("ordered", business, data={"amount_minor": 125_000, "product_ids": [kopi.pk]})
    return kopi


def test_the_owner_sees_the_numbers_charts_tables_and_top_products(owner_client, business, shop_activity):
    response = owner_client.get(reverse("insights:page", args=[business.slug]) + "?period=30d")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-stat="visitors"' in page
    assert "IDR 125,000" in page  # revenue, formatted by the money filter
    assert page.count("<svg") >= 5
    assert page.count("<table") >= 5
    assert "Show as a table" in page
    assert "Kopi Gayo" in page
    assert 'aria-current="true">30 days' in page
    assert "style=" not in page


@pytest.mark.parametrize("name", ["insights:page", "insights:panel"])
def test_a_cashier_without_dashboard_access_is_refused(client_for, member_of, business, name):
    cashier = member_of(business, Role.CASHIER).user
    assert client_for(cashier).get(reverse(name, args=[business.slug])).status_code == 403


def test_another_business_s_member_gets_404(client_for, other_business, business, shop_activity):
    stranger = other_business.memberships.get().user
    browser = client_for(stranger)
    assert browser.get(reverse("insights:page", args=[business.slug])).status_code == 404
    assert browser.get(reverse("insights:product", args=[other_business.slug, shop_activity.pk])).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(anonymous_client, business):
    assert anonymous_client.get(reverse("insights:page", args=[business.slug])).status_code == 302


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?period=custom&start=2026-02-01&end=2026-01-01", "The start date is after the end date."),
        ("?period=custom&start=2020-01-01&end=2026-01-01", "A range can be at most two years long."),
        ("?period=custom&start=nonsense&end=2026-01-01", "Enter a valid date."),
        ("?period=forever", "Select a valid choice."),
    ],
)
def test_a_bad_range_shows_a_clear_error_not_a_500(owner_client, business, query, message):
    response = owner_client.get(reverse("insights:page", args=[business.slug]) + query)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_custom_range_is_shown(owner_client, business, shop_activity):
    today = timezone.localdate()
    start = today - dt.timedelta(days=89)
    response = owner_client.get(
        reverse("insights:page", args=[business.slug]) + f"?period=custom&start={start}&end={today}"
    )
    assert response.status_code == 200
    assert response.content.decode().count("<tr>") >= 90


def test_the_product_page(owner_client, business, shop_activity):
    response = owner_client.get(reverse("insights:product", args=[business.slug, shop_activity.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-rate="favourite">50%' in page
    assert 'data-rate="order">50%' in page


def test_the_panel_fragment(owner_client, business, shop_activity):
    response = owner_client.get(reverse("insights:panel", args=[business.slug]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert 'class="chart sparkline"' in page
    assert reverse("insights:page", args=[business.slug]) in page


@pytest.mark.parametrize("more", [0, 12])
def test_the_dashboard_and_its_panel_take_a_fixed_number_of_queries(
    owner_client, business, make_product, record, more, django_assert_num_queries
):
    kopi = make_product(business, title="Kopi Gayo")
    for number in range(3 + more):
        record("viewed_product", business, target=kopi, data={"visitor": f"v{number}"})
    dashboard = reverse("directory:dashboard", args=[business.slug])
    panel = reverse("insights:panel", args=[business.slug])
    owner_client.get(dashboard)  # the first business page remembers the business in the session
    # session, user, membership; the latest activities with their actors; the team's size. The
    # session, unchanged, is not saved again.
    with django_assert_num_queries(5):
        assert owner_client.get(dashboard).status_code == 200
    # session, user, membership; the panel's numbers; how long activities have waited (the delay notice).
    with django_assert_num_queries(5):
        assert owner_client.get(panel).status_code == 200


# --- API ----------------------------------------------------------------------------------------


def test_the_api_gives_the_same_numbers(api_client_for, owner, business, shop_activity):
    response = api_client_for(owner).get(f"/api/v1/businesses/{business.slug}/insights?period=7d")
    body = response.json()
    assert response.status_code == 200
    assert body["totals"]["visitors"] == 2
    assert body["totals"]["revenue"] == 125_000
    assert body["change"]["visitors"] == {"percent": None, "direction": "up"}
    assert [step["value"] for step in body["funnel"]] == [2, 1, 1, 0]
    assert body["top_products"]["product_views"][0]["title"] == "Kopi Gayo"
    assert len(body["series"]["views"]) == 7


def test_the_api_for_one_product(api_client_for, owner, business, shop_activity):
    response = api_client_for(owner).get(f"/api/v1/businesses/{business.slug}/insights/products/{shop_activity.pk}")
    assert response.status_code == 200
    assert response.json()["favourite_rate"] == 50


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?period=custom&start=2026-02-01&end=2026-01-01", "start"),
        ("?period=custom&start=2020-01-01&end=2026-01-01", "end"),
        ("?period=custom", "start"),
        ("?period=forever", "period"),
        ("?period=custom&start=2026-13-01&end=2026-01-01", "start"),
    ],
)
def test_the_api_refuses_a_bad_range_with_422(api_client_for, owner, business, query, field):
    response = api_client_for(owner).get(f"/api/v1/businesses/{business.slug}/insights{query}")
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]


def test_the_api_answers_404_for_another_business_and_its_products(
    api_client_for, owner, business, other_business, make_product
):
    foreign = make_product(other_business)
    client = api_client_for(owner)
    assert client.get(f"/api/v1/businesses/{other_business.slug}/insights").status_code == 404
    assert client.get(f"/api/v1/businesses/{business.slug}/insights/products/{foreign.pk}").status_code == 404


def test_the_api_refuses_a_member_without_dashboard_access(api_client_for, member_of, business):
    cashier = member_of(business, Role.CASHIER).user
    assert api_client_for(cashier).get(f"/api/v1/businesses/{business.slug}/insights").status_code == 403
    assert api_client_for(None).get(f"/api/v1/businesses/{business.slug}/insights").status_code == 401


# --- the SVG module -------------------------------------------------------------------------------


@pytest.mark.parametrize("chart", [line_chart, bar_chart])
def test_charts_are_valid_xml_even_with_awkward_labels(chart):
    svg = chart(['<Batik & "Kopi">', "Teh's"], [3, 0], chart_id="c1", title="A & B", description="<x>")
    document = parse_svg(str(svg))
    assert document.documentElement is not None
    assert document.documentElement.getAttribute("role") == "img"
    title = document.getElementsByTagName("title")[0].firstChild
    assert isinstance(title, Text)
    assert title.data == "A & B"
    assert "style=" not in svg


@pytest.mark.parametrize("chart", [line_chart, bar_chart])
def test_an_empty_series_says_so(chart):
    svg = chart([], [], chart_id="c2", title="Nothing", empty_message="No data for this period.")
    parse_svg(str(svg))
    assert "No data for this period." in svg


def test_a_single_point_and_a_sparkline_are_valid():
    parse_svg(str(line_chart(["1 Mar"], [4], chart_id="c3", title="One")))
    parse_svg(str(sparkline([1, 5, 0], chart_id="s", title="Views")))
    parse_svg(str(sparkline([], chart_id="s", title="Views")))


@pytest.mark.parametrize(("value", "ceiling"), [(0, 1), (1, 1), (3, 5), (7, 10), (12, 20), (180, 200), (1001, 2000)])
def test_the_axis_top_is_round(value, ceiling):
    assert nice_ceiling(value) == ceiling
