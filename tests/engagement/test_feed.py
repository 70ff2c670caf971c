"""The customer's feed: "Following" (new products and posts of followed shops, keyset-paginated) and
"For you" (recent products ranked by taste), as a page with infinite scroll and through the API."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from etalase.catalog.models import Product
from etalase.engagement.models import Favourite, Follow
from etalase.engagement.selectors import (
    Candidate,
    FeedCursor,
    Taste,
    feed_following,
    feed_for_you,
    for_you_rank,
    for_you_score,
)
from etalase.engagement.services import favourite_add, follow_add
from tests.factories import UserFactory, default_category, registered_business
from tests.support.engagement import minutes_ago, post_made, product_hidden, product_made

FEED = reverse("engagement:feed")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def bakery(db):
    return registered_business(name="Roti Enak", category_slug=default_category("bakery").slug)


@pytest.fixture
def world(customer, business, other_shop, bakery):
    """Budi follows Batik Sari and Kopi Senja, not Roti Enak."""
    follow_add(user=customer, business=business)
    follow_add(user=customer, business=other_shop)
    batik = product_made(business, "Batik Kawung", published_at=minutes_ago(50))
    items = {
        "batik": batik,
        "batik_post": post_made(business, "Koleksi kawung", products=(batik,), published_at=minutes_ago(40)),
        "kopi": product_made(other_shop, "Kopi Gayo", price_minor=85_000, published_at=minutes_ago(30)),
        "roti": product_made(bakery, "Roti Sobek", published_at=minutes_ago(20)),
        "draft": product_made(business, "Batik Draf", publish=False),
        "hidden": product_hidden(product_made(other_shop, "Kopi Rahasia", published_at=minutes_ago(15))),
        "kopi_post": post_made(other_shop, "Promo pagi", published_at=minutes_ago(10)),
    }
    return items


def titles(items) -> list[str]:
    return [item.object.title if item.is_product else item.object.caption for item in items]


# --- Following: the selector -------------------------------------------------------------------------


def test_following_shows_followed_shops_newest_first_products_and_posts_merged(customer, world):
    page = feed_following(customer)

    assert titles(page.items) == ["Promo pagi", "Kopi Gayo", "Koleksi kawung", "Batik Kawung"]
    assert page.next_cursor is None


def test_following_walks_every_item_once_through_the_cursor(customer, world):
    seen, before = [], None
    for _page in range(10):
        page = feed_following(customer, before=before, size=1)
        seen += titles(page.items)
        before = page.next_cursor
        if before is None:
            break

    assert seen == ["Promo pagi", "Kopi Gayo", "Koleksi kawung", "Batik Kawung"]


def test_items_published_at_the_same_instant_are_neither_lost_nor_repeated(customer, business):
    follow_add(user=customer, business=business)
    instant = minutes_ago(5)
    products = [product_made(business, f"Batik {n}", published_at=instant) for n in range(3)]
    posts = [post_made(business, f"Pos {n}", published_at=instant) for n in range(2)]

    seen, before = [], None
    while True:
        page = feed_following(customer, before=before, size=2)
        seen += [(item.kind, item.object.pk) for item in page.items]
        if page.next_cursor is None:
            break
        before = page.next_cursor

    expected = [("product", p.pk) for p in reversed(products)] + [("post", p.pk) for p in reversed(posts)]
    assert seen == expected


def test_an_iso_time_cursor_shows_what_is_strictly_older(customer, world):
    before = world["kopi"].published_at.isoformat()

    assert titles(feed_following(customer, before=before).items) == ["Koleksi kawung", "Batik Kawung"]


@pytest.mark.parametrize("cursor", ["nonsense", "12-shoe-3", "99999999999999999999-post-1", "-1-post-1"])
def test_a_bad_cursor_is_a_validation_error(customer, cursor):
    from etalase.core.errors import ValidationError

    with pytest.raises(ValidationError):
        feed_following(customer, before=cursor)


def test_a_cursor_survives_encoding(customer):
    moment = dt.datetime(2026, 11, 27, 8, 30, 15, 123456, tzinfo=dt.UTC)
    cursor = FeedCursor(moment, "post", 42)

    assert FeedCursor.decode(cursor.encode()) == cursor


def test_following_costs_the_same_queries_for_5_or_20_items(customer, business, other_shop):
    follow_add(user=customer, business=business)
    follow_add(user=customer, business=other_shop)
    for number in range(12):
        shop = business if number % 2 else other_shop
        product = product_made(shop, f"Produk {number}", published_at=minutes_ago(100 - number))
        post_made(shop, f"Pos {number}", products=(product,), published_at=minutes_ago(99 - number))

    with CaptureQueriesContext(connection) as small:
        assert len(feed_following(customer, size=5).items) == 5
    with CaptureQueriesContext(connection) as large:
        assert len(feed_following(customer, size=20).items) == 20

    assert len(small) == len(large) <= 6


def test_visitors_have_no_following_feed_and_cost_nothing(anonymous_client, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    with django_assert_num_queries(0):
        assert feed_following(AnonymousUser()).items == []


# --- Following: the page ---------------------------------------------------------------------------


def test_the_feed_page_shows_cards_with_picture_shop_title_and_price(client_for, customer, world):
    response = client_for(customer).get(FEED)

    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["nav"] == "feed"
    assert response.context["tab"] == "following"
    assert f'href="{FEED}?tab=following" aria-current="page"' in page
    kopi = world["kopi"]
    assert kopi.cover.thumbnail.url in page
    assert f'href="/b/{kopi.business.slug}/"' in page
    assert f'href="/b/{kopi.business.slug}/p/{kopi.pk}/"' in page
    assert "IDR 85,000" in page
    assert world["batik_post"].thumbnail.url in page
    assert "Koleksi kawung" in page
    assert f"/b/{world['batik'].business.slug}/p/{world['batik'].pk}/" in page  # the tagged product
    for absent in ("Roti Sobek", "Batik Draf", "Kopi Rahasia"):
        assert absent not in page
    assert "<script>" not in page.split("</head>")[1]  # no inline scripts in the body
    assert 'src="/static/engagement/engagement.js" defer' in page
    assert "style=" not in page


def test_the_feed_scrolls_on_with_htmx_and_has_a_more_link(client_for, customer, business):
    follow_add(user=customer, business=business)
    for number in range(14):
        product_made(business, f"Batik {number:02d}", published_at=minutes_ago(100 - number))
    browser = client_for(customer)

    first = browser.get(FEED, {"tab": "following"})
    next_url = first.context["next_url"]
    more = browser.get(FEED + next_url, **HTMX)
    plain = browser.get(FEED + next_url)

    page = first.content.decode()
    assert f'hx-get="{FEED}{next_url.replace("&", "&amp;")}" hx-trigger="revealed" hx-swap="afterend"' in page
    assert f'href="{FEED}{next_url.replace("&", "&amp;")}"' in page
    assert page.count('hx-trigger="revealed"') == 1
    partial = more.content.decode()
    assert "<html" not in partial
    assert partial.count('class="engage-feed-item"') == 2
    assert "Batik 01" in partial
    assert "Batik 00" in partial
    assert 'id="feed-more"' in partial
    assert 'hx-swap-oob="true"' in partial
    assert "You are all caught up." in partial
    assert "<html" in plain.content.decode()  # without JavaScript the link opens the next page
    assert more["Vary"]
    assert "HX-Request" in more["Vary"]


def test_a_bad_cursor_on_the_page_starts_from_the_top(client_for, customer, world):
    response = client_for(customer).get(FEED, {"tab": "following", "before": "garbage"})

    assert response.status_code == 200
    assert titles(response.context["items"])[0] == "Promo pagi"


def test_the_feed_page_costs_the_same_queries_for_any_amount(client_for, customer, business):
    follow_add(user=customer, business=business)
    browser = client_for(customer)
    product_made(business, "Batik pertama")
    post_made(business, "Pos pertama")
    browser.get(FEED)
    with CaptureQueriesContext(connection) as few:
        browser.get(FEED, {"tab": "following"})
    for number in range(8):
        product = product_made(business, f"Batik {number}")
        post_made(business, f"Pos {number}", products=(product,))
        favourite_add(user=customer, product_id=product.pk)

    with CaptureQueriesContext(connection) as many:
        response = browser.get(FEED, {"tab": "following"})

    assert len(response.context["items"]) == 12
    assert len(many) == len(few)


def test_empty_following_tab_for_a_visitor_asks_to_log_in(anonymous_client):
    page = anonymous_client.get(FEED, {"tab": "following"}).content.decode()

    assert "Log in to see the shops you follow" in page
    assert reverse("web:discover") in page


def test_empty_following_tab_for_a_customer_points_to_discover(client_for, customer):
    page = client_for(customer).get(FEED, {"tab": "following"}).content.decode()

    assert "You do not follow any shop yet" in page
    assert f'href="{reverse("web:discover")}"' in page


def test_following_shops_without_news_says_so(client_for, customer, business):
    follow_add(user=customer, business=business)

    page = client_for(customer).get(FEED, {"tab": "following"}).content.decode()

    assert "Nothing new yet" in page


def test_the_default_tab_is_for_you_without_follows_and_following_with_them(client_for, customer, business):
    browser = client_for(customer)
    assert browser.get(FEED).context["tab"] == "for-you"
    follow_add(user=customer, business=business)
    assert browser.get(FEED).context["tab"] == "following"


def test_the_heart_on_feed_cards_shows_the_customers_favourites(client_for, customer, world):
    favourite_add(user=customer, product_id=world["kopi"].pk)

    page = client_for(customer).get(FEED, {"tab": "following"}).content.decode()

    kopi_card = page.split(f'id="product-title-{world["kopi"].pk}"')[1].split("</article>")[0]
    batik_card = page.split(f'id="product-title-{world["batik"].pk}"')[1].split("</article>")[0]
    assert 'aria-pressed="true"' in kopi_card
    assert 'aria-pressed="false"' in batik_card


# --- For you: the scoring function -------------------------------------------------------------------

NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)


def candidate(id: int, *, shop: int = 1, field: int = 1, days: float = 0, favourites: int = 0) -> Candidate:
    return Candidate(id, shop, field, NOW - dt.timedelta(days=days), favourites, 0)


def test_the_score_adds_taste_follows_freshness_and_popularity():
    taste = Taste(field_share={7: 0.5}, followed=frozenset({3}), favourited=frozenset())

    fresh = for_you_score(candidate(1, days=0), Taste.none(), now=NOW, popularity_ceiling=0)
    week_old = for_you_score(candidate(1, days=7), Taste.none(), now=NOW, popularity_ceiling=0)
    liked_field = for_you_score(candidate(1, field=7, days=7), taste, now=NOW, popularity_ceiling=0)
    followed = for_you_score(candidate(1, shop=3, days=7), taste, now=NOW, popularity_ceiling=0)
    popular = for_you_score(candidate(1, days=7, favourites=9), Taste.none(), now=NOW, popularity_ceiling=9)

    assert fresh == pytest.approx(1.0)
    assert week_old == pytest.approx(0.5)
    assert liked_field == pytest.approx(0.5 + 3.0 * 0.5)
    assert followed == pytest.approx(0.5 + 2.0)
    assert popular == pytest.approx(0.5 + 1.0)


def test_a_product_already_favourited_goes_down():
    taste = Taste(field_share={}, followed=frozenset(), favourited=frozenset({1}))

    assert for_you_score(candidate(1), taste, now=NOW, popularity_ceiling=0) == pytest.approx(1.0 - 1.5)


def test_the_ranking_is_deterministic_and_ties_go_to_the_newer_then_higher_id():
    candidates = [candidate(1, shop=1), candidate(2, shop=2), candidate(3, shop=3, days=1)]

    assert for_you_rank(candidates, Taste.none(), now=NOW) == [2, 1, 3]
    assert for_you_rank(list(reversed(candidates)), Taste.none(), now=NOW) == [2, 1, 3]


def test_one_busy_shop_cannot_fill_the_top():
    busy = [candidate(n, shop=1, days=n * 0.01) for n in range(1, 5)]
    quiet = candidate(9, shop=2, days=1)

    ranked = for_you_rank([*busy, quiet], Taste.none(), now=NOW)

    assert ranked[:2] == [1, 9]


# --- For you: through the selector, page and API ----------------------------------------------------


@pytest.fixture
def shelves(business, other_shop, bakery):
    """Products of three business fields at known ages."""
    now = timezone.now()

    def made(shop, title, days):
        return product_made(shop, title, published_at=now - dt.timedelta(days=days))

    return {
        "batik_new": made(business, "Batik Baru", 0.1),
        "kopi_old": made(other_shop, "Kopi Lama", 20),
        "kopi_mid": made(other_shop, "Kopi Tengah", 10),
        "roti_mid": made(bakery, "Roti Tengah", 10),
        "ancient": made(business, "Batik Kuno", 90),
    }


def for_you_titles(user, **kwargs) -> list[str]:
    return [product.title for product in feed_for_you(user, **kwargs).items]


def test_for_you_for_a_visitor_is_popular_and_new(shelves):
    from django.contrib.auth.models import AnonymousUser

    fans = UserFactory.create_batch(4)
    for fan in fans:
        favourite_add(user=fan, product_id=shelves["kopi_mid"].pk)

    ranked = for_you_titles(AnonymousUser())

    assert ranked[:2] == ["Kopi Tengah", "Batik Baru"]
    assert "Batik Kuno" not in ranked  # older than 60 days while newer ones exist


def test_for_you_follows_the_customers_favourite_business_fields(customer, shelves):
    favourite_add(user=customer, product_id=shelves["kopi_old"].pk)

    ranked = for_you_titles(customer)

    assert ranked[0] == "Kopi Tengah"  # coffee, like what Budi favourited
    assert ranked.index("Kopi Tengah") < ranked.index("Batik Baru")
    assert ranked.index("Kopi Lama") > ranked.index("Kopi Tengah")  # already a favourite


def test_for_you_lifts_followed_shops(customer, shelves, bakery):
    follow_add(user=customer, business=bakery)

    ranked = for_you_titles(customer)

    assert ranked[0] == "Roti Tengah"


def test_for_you_falls_back_to_older_products_in_a_quiet_season(customer, business):
    product_made(business, "Batik Kuno", published_at=timezone.now() - dt.timedelta(days=200))

    assert for_you_titles(customer) == ["Batik Kuno"]


def test_for_you_pages_do_not_overlap(customer, shelves):
    first = feed_for_you(customer, page=1, size=2)
    second = feed_for_you(customer, page=2, size=2)

    assert first.has_next
    assert second.number == 2
    assert not {p.pk for p in first.items} & {p.pk for p in second.items}
    assert [p.pk for p in first.items + second.items] == [p.pk for p in feed_for_you(customer, size=4).items]


def test_for_you_costs_the_same_queries_for_5_or_20(customer, business, other_shop):
    for number in range(22):
        product_made(business if number % 3 else other_shop, f"Produk {number}")
    first = Product.objects.first()
    assert first is not None
    favourite_add(user=customer, product_id=first.pk)
    follow_add(user=customer, business=other_shop)

    with CaptureQueriesContext(connection) as small:
        assert len(feed_for_you(customer, size=5).items) == 5
    with CaptureQueriesContext(connection) as large:
        assert len(feed_for_you(customer, size=20).items) == 20

    assert len(small) == len(large) <= 6


def test_the_for_you_tab_scrolls_by_page(client_for, customer, business):
    for number in range(14):
        product_made(business, f"Batik {number}")

    first = client_for(customer).get(FEED, {"tab": "for-you"})
    more = client_for(customer).get(FEED, {"tab": "for-you", "page": 2}, **HTMX)

    assert f'href="{FEED}?tab=for-you" aria-current="page"' in first.content.decode()
    assert first.context["next_url"] == "?tab=for-you&page=2"
    assert more.content.decode().count('class="engage-feed-item"') == 2


def test_visitors_get_the_for_you_feed(anonymous_client, shelves):
    response = anonymous_client.get(FEED)

    assert response.context["tab"] == "for-you"
    assert "Batik Baru" in response.content.decode()


# --- API -------------------------------------------------------------------------------------------


def test_api_following_feed_with_cursor(api_client_for, customer, world):
    api = api_client_for(customer)

    first = api.get("/api/v1/feed", {"size": 3}).json()
    rest = api.get("/api/v1/feed", {"size": 3, "before": first["next_cursor"]}).json()

    assert [item["kind"] for item in first["items"]] == ["post", "product", "post"]
    assert first["items"][0]["post"]["caption"] == "Promo pagi"
    assert first["items"][1]["product"]["title"] == "Kopi Gayo"
    assert first["items"][2]["post"]["products"][0]["title"] == "Batik Kawung"
    assert [item["product"]["title"] for item in rest["items"]] == ["Batik Kawung"]
    assert rest["next_cursor"] is None


def test_api_feed_bad_cursor_is_400(api_client_for, customer):
    response = api_client_for(customer).get("/api/v1/feed", {"before": "garbage"})

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"before": "Not a feed position."}


def test_api_for_you(api_client_for, customer, shelves):
    response = api_client_for(customer).get("/api/v1/feed/for-you", {"size": 2})

    body = response.json()
    assert response.status_code == 200
    assert len(body["items"]) == 2
    assert body["next_page"] == 2


def test_api_feeds_need_a_token(api_client_for):
    assert api_client_for(None).get("/api/v1/feed").status_code == 401
    assert api_client_for(None).get("/api/v1/feed/for-you").status_code == 401


def test_follows_and_favourites_of_others_do_not_leak_into_my_feed(customer, world, business):
    other = UserFactory()
    Follow.objects.filter(user=customer).delete()
    follow_add(user=other, business=business)
    Favourite.objects.all().delete()

    assert feed_following(customer).items == []
