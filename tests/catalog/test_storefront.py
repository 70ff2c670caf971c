"""The storefront /b/<slug>/ and product pages /b/<slug>/p/<id>/ as customers (and link previews) see them."""

import datetime as dt
import re
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from etalase.activity.models import Activity
from etalase.catalog.enums import Verb
from etalase.catalog.models import Post, Product, ProductImage
from etalase.catalog.services import product_archive, product_hide
from etalase.catalog.visits import visits_flush
from etalase.core.visitors import COOKIE_NAME
from etalase.directory.enums import BusinessStatus
from etalase.directory.models import Business
from tests.support.catalog import context_of

pytestmark = pytest.mark.django_db


def storefront_url(business) -> str:
    return reverse("catalog:storefront", args=[business.slug])


def product_url(business, product) -> str:
    return reverse("catalog:product", args=[business.slug, product.pk])


def meta(page: str, prop: str) -> str | None:
    match = re.search(rf'<meta (?:property|name)="{re.escape(prop)}" content="([^"]*)"', page)
    return match.group(1) if match else None


@pytest.fixture
def visitor(client_for):
    return client_for(None)


@pytest.fixture
def shop(business) -> Business:
    """Batik Sari with a full profile: verified, address, opening hours every day."""
    every_day = {day: [["08:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    Business.objects.filter(pk=business.pk).update(
        is_verified=True,
        address="Jl. Malioboro 12, Yogyakarta",
        description="Batik tulis dari Yogyakarta",
        opening_hours=every_day,
    )
    business.refresh_from_db()
    return business


# --- what the storefront shows -------------------------------------------------------------------


def test_the_storefront_shows_the_shop_its_products_and_posts(visitor, shop, make_product, make_post):
    parang = make_product(shop, title="Batik Parang", price_minor=150_000, photos=1)
    make_product(shop, title="Batik Mega", price_minor=95_000, stock=0)
    make_post(shop, caption="Koleksi baru minggu ini", products=(parang,))

    response = visitor.get(storefront_url(shop))

    page = response.content.decode()
    assert response.status_code == 200
    assert '<h1 id="shop-name">Batik Sari</h1>' in page
    assert "Batik &amp; Fashion · Yogyakarta" in page
    assert "✓ Verified" in page
    assert "Batik tulis dari Yogyakarta" in page
    assert "Jl. Malioboro 12, Yogyakarta" in page
    assert re.search(r'class="(open-now|closed-now)">(Open now|Closed)', page)
    assert "Batik Parang" in page
    assert "IDR 150,000" in page
    assert ProductImage.objects.get(product=parang).thumbnail.url in page
    assert 'badge badge-soldout">Sold out<' in page
    assert "Koleksi baru minggu ini" in page
    assert product_url(shop, parang) in page
    assert "data-share" in page


def test_the_whatsapp_link_opens_a_chat_with_a_message_naming_the_shop(visitor, shop):
    page = visitor.get(storefront_url(shop)).content.decode()

    found = re.search(r'href="(https://wa\.me/[^"]+)"', page)
    assert found is not None
    link = found.group(1).replace("&amp;", "&")
    parsed = urlparse(link)
    assert parsed.path == "/6281234567890"
    text = parse_qs(parsed.query)["text"][0]
    assert "Batik Sari" in text
    assert "http://testserver/b/batik-sari/" in text


def test_a_closed_shop_says_so(visitor, shop):
    today = timezone.localtime(timezone.now(), ZoneInfo("Asia/Jakarta")).weekday()
    another_day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[(today + 3) % 7]
    Business.objects.filter(pk=shop.pk).update(opening_hours={another_day: [["08:00", "17:00"]]})

    page = visitor.get(storefront_url(shop)).content.decode()

    assert 'class="closed-now">Closed' in page


def test_a_shop_without_opening_hours_shows_no_open_line(visitor, business):
    page = visitor.get(storefront_url(business)).content.decode()

    assert "open-now" not in page
    assert "closed-now" not in page


def test_link_previews_get_a_title_description_and_an_absolute_picture(visitor, shop, make_product):
    make_product(shop, title="Batik Parang", photos=1)

    page = visitor.get(storefront_url(shop)).content.decode()

    assert "<title>Batik Sari · Etalase</title>" in page
    assert meta(page, "description") == "Batik tulis dari Yogyakarta"
    assert meta(page, "og:title") == "Batik Sari"
    assert meta(page, "og:description") == "Batik tulis dari Yogyakarta"
    assert meta(page, "og:type") == "website"
    assert meta(page, "og:url") == "http://testserver/b/batik-sari/"
    assert (meta(page, "og:image") or "").startswith("http://testserver/media/products/")


def test_a_product_page_has_its_own_preview(visitor, shop, make_product):
    product = make_product(shop, title="Batik Parang", price_minor=150_000, description="Katun.\nTulis.", photos=2)
    cover = ProductImage.objects.filter(product=product).order_by("position").first()
    assert cover is not None

    page = visitor.get(product_url(shop, product)).content.decode()

    assert "<title>Batik Parang · Batik Sari · Etalase</title>" in page
    assert meta(page, "og:title") == "Batik Parang · IDR 150,000"
    assert meta(page, "og:description") == "Katun. Tulis."
    assert meta(page, "og:type") == "product"
    assert meta(page, "og:url") == f"http://testserver{product_url(shop, product)}"
    assert meta(page, "og:image") == f"http://testserver{cover.detail.url}"


def test_the_product_page_shows_photos_price_stock_and_description(visitor, shop, make_product):
    product = make_product(
        shop,
        title="Batik Parang",
        price_minor=150_000,
        compare_at_minor=200_000,
        stock=3,
        description="Katun primisima.\n<b>Tulis</b> tangan.",
        photos=3,
    )

    page = visitor.get(product_url(shop, product)).content.decode()

    assert page.count('class="gallery-slide"') == 3
    assert '<span class="price">IDR 150,000</span>' in page
    assert re.search(r"<s class=\"price-before\">.*IDR 200,000</s>", page)
    assert "Only 3 left" in page
    assert '<p class="text-pre">Katun primisima.\n&lt;b&gt;Tulis&lt;/b&gt; tangan.</p>' in page
    assert "swipe to see more" in page


@pytest.mark.parametrize(("stock", "label"), [(None, "Available"), (0, "Sold out"), (50, "In stock")])
def test_the_stock_state(visitor, business, make_product, stock, label):
    product = make_product(business, stock=stock)

    assert f">{label}</span>" in visitor.get(product_url(business, product)).content.decode()


def test_html_in_a_title_is_shown_as_text_everywhere(visitor, business, make_product):
    product = make_product(business, title='<script>alert("x")</script><img src=x onerror=alert(1)>')

    pages = [visitor.get(storefront_url(business)), visitor.get(product_url(business, product))]

    for response in pages:
        page = response.content.decode()
        assert "<script>alert" not in page
        assert "<img src=x" not in page
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


# --- what the public may not see -----------------------------------------------------------------


def test_drafts_hidden_and_archived_products_are_not_on_the_storefront_and_404(visitor, business, make_product):
    shown = make_product(business, title="Dijual")
    draft = make_product(business, title="Draf", publish=False)
    hidden = make_product(business, title="Disembunyikan")
    archived = make_product(business, title="Diarsipkan")
    product_hide(context=context_of(business), product_id=hidden.pk)
    product_archive(context=context_of(business), product_id=archived.pk)

    storefront = visitor.get(storefront_url(business))

    assert [product.title for product in storefront.context["page"].items] == ["Dijual"]
    assert visitor.get(product_url(business, shown)).status_code == 200
    for product in (draft, hidden, archived):
        assert visitor.get(product_url(business, product)).status_code == 404


def test_a_suspended_shop_is_404_with_its_products(visitor, business, make_product):
    product = make_product(business)
    Business.objects.filter(pk=business.pk).update(status=BusinessStatus.SUSPENDED)

    assert visitor.get(storefront_url(business)).status_code == 404
    assert visitor.get(product_url(business, product)).status_code == 404


def test_another_shops_product_is_404_under_this_shops_address(visitor, business, other_business, make_product):
    theirs = make_product(other_business)

    assert visitor.get(reverse("catalog:product", args=[business.slug, theirs.pk])).status_code == 404
    assert visitor.get(reverse("catalog:product", args=["no-such-shop", theirs.pk])).status_code == 404


def test_a_hidden_post_and_a_tagged_draft_are_not_shown(visitor, business, make_product, make_post, owner_client):
    draft = make_product(business, title="Belum dijual", publish=False)
    make_post(business, caption="Ada yang baru", products=(draft,))
    hidden = make_post(business, caption="Salah posting")
    owner_client.post(reverse("catalog:post_hide", args=[business.slug, hidden.pk]))

    page = visitor.get(storefront_url(business)).content.decode()

    assert "Ada yang baru" in page
    assert "Belum dijual" not in page
    assert "Salah posting" not in page


def test_products_are_paginated_in_the_shops_order(visitor, business, make_product):
    for n in range(25):
        make_product(business, title=f"Produk {n:02d}")

    first = visitor.get(storefront_url(business))
    second = visitor.get(storefront_url(business), {"page": 2})

    assert len(first.context["page"].items) == 20
    assert first.context["page"].items[0].title == "Produk 24"
    assert [product.title for product in second.context["page"].items] == [f"Produk {n:02d}" for n in range(4, -1, -1)]
    assert 'href="?page=2"' in first.content.decode()


def test_all_posts_have_their_own_paginated_page(visitor, business, make_post):
    for n in range(7):
        make_post(business, caption=f"Kabar {n}")

    storefront = visitor.get(storefront_url(business))
    posts = visitor.get(reverse("catalog:posts", args=[business.slug]))

    assert len(storefront.context["posts"]) == 6
    assert reverse("catalog:posts", args=[business.slug]) in storefront.content.decode()
    assert len(posts.context["page"].items) == 7


# --- engagement fragments loaded by htmx ---------------------------------------------------------


def test_the_follow_favourite_and_comments_fragments_are_loaded_by_htmx(visitor, business, make_product, settings):
    product = make_product(business)

    storefront = visitor.get(storefront_url(business)).content.decode()
    page = visitor.get(product_url(business, product)).content.decode()

    follow = reverse("engagement:follow_button", args=[business.slug])
    assert f'hx-get="{follow}" hx-trigger="load" hx-swap="outerHTML"' in storefront
    assert f'hx-get="{reverse("engagement:favourite_button", args=[product.pk])}" hx-trigger="load"' in page
    assert f'hx-get="{reverse("engagement:comments", args=[product.pk])}" hx-trigger="load"' in page


def test_no_inline_script_or_style_on_catalog_pages(visitor, owner_client, business, make_product):
    product = make_product(business, photos=1)
    pages = [
        visitor.get(storefront_url(business)),
        visitor.get(product_url(business, product)),
        owner_client.get(reverse("catalog:product_list", args=[business.slug])),
        owner_client.get(reverse("catalog:product_edit", args=[business.slug, product.pk])),
    ]

    for response in pages:
        page = response.content.decode()
        assert " style=" not in page
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), "an inline script"
        assert "/static/catalog/catalog.js" in page


# --- counting visits -----------------------------------------------------------------------------


def test_a_storefront_visit_is_recorded_with_a_visitor_key_and_no_address(client_for, business):
    browser = client_for(None)

    response = browser.get(storefront_url(business), REMOTE_ADDR="203.0.113.9")
    visits_flush()

    cookie = response.cookies[COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) >= 365 * 24 * 3600
    view = Activity.objects.get(verb=Verb.VIEWED_BUSINESS)
    assert (view.business, view.actor, view.channel, view.target_id) == (business, None, "web", str(business.pk))
    assert re.fullmatch(r"[0-9a-f]{32}", view.data["visitor"])
    assert view.data["visitor"] != cookie.value
    assert "203.0.113.9" not in str(view.data)
    assert "203.0.113.9" not in (view.idempotency_key or "")


def test_the_same_visitor_reloading_is_one_view_and_another_visitor_is_another(client_for, business):
    first, second = client_for(None), client_for(None)

    first.get(storefront_url(business))
    first.get(storefront_url(business))
    second.get(storefront_url(business))
    visits_flush()

    views = Activity.objects.filter(verb=Verb.VIEWED_BUSINESS)
    assert views.count() == 2
    assert len({view.data["visitor"] for view in views}) == 2


def test_a_product_view_names_the_product_and_the_signed_in_customer(client_for, customer, business, make_product):
    product = make_product(business)

    client_for(customer).get(product_url(business, product))
    visits_flush()

    view = Activity.objects.get(verb=Verb.VIEWED_PRODUCT)
    assert (view.business, view.actor, view.target_id) == (business, customer, str(product.pk))


def test_link_preview_robots_are_not_counted_as_visitors(client_for, business):
    client_for(None).get(storefront_url(business), HTTP_USER_AGENT="WhatsApp/2.24.6 A")
    visits_flush()

    assert not Activity.objects.filter(verb=Verb.VIEWED_BUSINESS).exists()


def test_a_404_records_nothing(client_for, business, make_product):
    draft = make_product(business, publish=False)

    client_for(None).get(product_url(business, draft))
    visits_flush()

    assert not Activity.objects.filter(verb__in=[Verb.VIEWED_PRODUCT, Verb.VIEWED_BUSINESS]).exists()


# --- query counts --------------------------------------------------------------------------------

# Rendered: the business with when its products and posts last changed; the products and their
# covers; the posts and their tagged products. A visit is buffered, not written (``catalog.visits``).
STOREFRONT_QUERIES = 5
# From the cache (the same for every visitor): the business with its field and change stamps.
STOREFRONT_CACHED_QUERIES = 1
# Rendered: the business (as the storefront reads it), the product, its photos. From the cache: the
# business and the product.
PRODUCT_PAGE_QUERIES = 3
PRODUCT_PAGE_CACHED_QUERIES = 2


def settled(business) -> None:
    """Make the shop's last changes older than ``catalog.pages.SETTLE``, as minutes after an edit."""
    an_hour_ago = timezone.now() - dt.timedelta(hours=1)
    Business.objects.filter(pk=business.pk).update(updated_at=an_hour_ago)
    Product.objects.filter(business=business).update(updated_at=an_hour_ago)
    Post.objects.filter(business=business).update(updated_at=an_hour_ago)


def test_the_storefront_costs_the_same_queries_with_2_or_20_products(
    client_for, business, make_product, make_post, django_assert_num_queries
):
    for n in range(2):
        make_post(business, products=(make_product(business, title=f"P{n}", photos=1),))
    with django_assert_num_queries(STOREFRONT_QUERIES):
        client_for(None).get(storefront_url(business))
    for n in range(18):
        make_post(business, products=(make_product(business, title=f"Q{n}", photos=2),))

    with django_assert_num_queries(STOREFRONT_QUERIES):
        response = client_for(None).get(storefront_url(business))

    page = response.content.decode()
    assert page.count('class="product-card"') == 20
    assert page.count('class="post-card"') == 6


def test_a_settled_storefront_comes_from_the_cache_for_every_visitor(
    client_for, business, make_product, make_post, django_assert_num_queries
):
    make_post(business, products=(make_product(business, title="Batik Parang", photos=1),))
    settled(business)
    first = client_for(None).get(storefront_url(business)).content.decode()

    with django_assert_num_queries(STOREFRONT_CACHED_QUERIES):
        again = client_for(None).get(storefront_url(business)).content.decode()

    assert "Batik Parang" in again
    assert again.count('class="post-card"') == 1
    assert re.sub(r'(?:value|nonce)="[^"]+"|"X-CSRFToken": "[^"]+"', "", again) == re.sub(
        r'(?:value|nonce)="[^"]+"|"X-CSRFToken": "[^"]+"', "", first
    )


def test_the_product_page_costs_a_fixed_number_of_queries(
    client_for, business, make_product, django_assert_num_queries
):
    product = make_product(business, photos=8)

    with django_assert_num_queries(PRODUCT_PAGE_QUERIES):
        response = client_for(None).get(product_url(business, product))

    assert response.content.decode().count('class="gallery-slide"') == 8
    settled(business)
    client_for(None).get(product_url(business, product))
    with django_assert_num_queries(PRODUCT_PAGE_CACHED_QUERIES):
        response = client_for(None).get(product_url(business, product))
    assert response.content.decode().count('class="gallery-slide"') == 8


def test_a_head_request_answers_without_counting_a_visit(client_for, business):
    response = client_for(None).head(storefront_url(business))
    visits_flush()

    assert response.status_code == 200
    assert not Activity.objects.filter(verb=Verb.VIEWED_BUSINESS).exists()
