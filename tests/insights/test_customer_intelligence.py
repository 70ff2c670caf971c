"""Customer intelligence: the scoring rules as pure functions, then the recomputation against the database
(nightly pass, the activity handler, the reads behind the pages)."""

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from etalase.accounts.models import User
from etalase.catalog.models import Product
from etalase.customers.enums import RfmSegment
from etalase.customers.models import Contact, ContactTag, Note, Tag
from etalase.customers.scores import SCORE_COLUMNS
from etalase.directory.models import Business
from etalase.engagement.services import comment_add, comment_answer, favourite_add
from etalase.insights.customers import facts, handlers, scoring, services
from etalase.insights.customers.scoring import (
    SEGMENT_GRID,
    CohortRow,
    churn_risk,
    cohort_table,
    fixed_bounds,
    fm_score,
    info_known,
    info_score,
    last_months,
    matrix_quadrant,
    months_between,
    personal_score,
    preference_scores,
    preferences_build,
    quadrant_filters,
    quintile_bounds,
    repeat_rate,
    rfm_bounds,
    rfm_scores,
    rfm_segment,
    score_above,
    score_below,
    usual_gap_days,
)
from etalase.insights.customers.selectors import cohort_retention, info_matrix, loyalty_summary, rfm_grid
from etalase.insights.customers.services import contact_scores_compute, customer_scores_recompute
from etalase.insights.enums import Quadrant
from etalase.orders.enums import Fulfilment, OrderChannel, OrderStatus
from etalase.orders.models import Order, OrderLine
from tests.factories import UserFactory, business_owner

S = RfmSegment
NOW = dt.datetime(2026, 3, 15, 12, 0, tzinfo=dt.UTC)


# --- pure: quintiles and scores -------------------------------------------------------------------


def test_quintile_bounds_cut_ten_distinct_values_into_fifths():
    assert quintile_bounds(list(range(1, 11))) == (2, 4, 6, 8)
    assert [score_above(value, (2, 4, 6, 8)) for value in range(1, 11)] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_equal_values_share_a_score_and_a_value_on_a_bound_stays_below_it():
    values = [1, 1, 1, 1, 1, 1, 1, 2, 3, 9]  # most customers ordered once
    bounds = quintile_bounds(values)
    assert bounds == (1, 1, 1, 2)
    scores = {value: score_above(value, bounds) for value in values}
    assert scores == {1: 1, 2: 4, 3: 5, 9: 5}


@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=200))
def test_quintile_scores_are_1_to_5_monotonic_and_tie_stable(values):
    bounds = quintile_bounds(values)
    scores = [score_above(value, bounds) for value in values]
    assert all(1 <= score <= 5 for score in scores)
    for a, score_a in zip(values, scores, strict=True):
        for b, score_b in zip(values, scores, strict=True):
            if a == b:
                assert score_a == score_b
            if a < b:
                assert score_a <= score_b


@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=5, max_size=200, unique=True))
def test_distinct_values_fill_every_fifth_about_equally(values):
    bounds = quintile_bounds(values)
    counts = [sum(1 for value in values if score_above(value, bounds) == score) for score in range(1, 6)]
    assert max(counts) - min(counts) <= 1


def test_recency_scores_fewer_days_higher_and_ties_go_to_the_lower_score():
    bounds = rfm_bounds([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [1] * 10, [100] * 10, currency="IDR")
    assert not bounds.is_fixed
    assert [score_below(days, bounds.recency) for days in range(1, 11)] == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    assert score_below(0, bounds.recency) == 5
    assert score_below(400, bounds.recency) == 1


def test_a_shop_with_fewer_than_five_customers_uses_the_fixed_bounds():
    bounds = rfm_bounds([3, 40], [1, 6], [90_000, 2_500_000], currency="IDR")
    assert bounds.is_fixed
    assert rfm_scores(3, 1, 90_000, bounds) == (5, 1, 1)
    assert rfm_scores(40, 6, 2_500_000, bounds) == (3, 5, 5)
    assert [score_below(days, bounds.recency) for days in (14, 15, 30, 31, 90, 91, 180, 181)] == [
        5,
        4,
        4,
        3,
        3,
        2,
        2,
        1,
    ]
    assert [score_above(orders, bounds.frequency) for orders in range(0, 7)] == [1, 1, 2, 3, 4, 5, 5]
    amounts = (100_000, 100_001, 500_001, 1_000_001, 2_000_001)
    assert [score_above(amount, bounds.monetary) for amount in amounts] == [1, 2, 3, 4, 5]


def test_fixed_money_bounds_follow_the_currency_s_minor_unit():
    assert fixed_bounds("IDR").monetary == (100_000, 500_000, 1_000_000, 2_000_000)
    assert fixed_bounds("USD").monetary == (1_000, 5_000, 10_000, 20_000)  # cents


# --- pure: segments --------------------------------------------------------------------------------


def test_every_cell_of_the_grid_has_a_segment_and_every_segment_a_cell():
    cells = {segment for row in SEGMENT_GRID.values() for segment in row}
    assert cells == set(S.values)
    assert sorted(SEGMENT_GRID) == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    ("scores", "segment"),
    [
        ((5, 5, 5), S.CHAMPIONS),
        ((5, 4, 4), S.CHAMPIONS),
        ((4, 5, 4), S.CHAMPIONS),  # FM = 4.5 rounds up to 5
        ((4, 4, 4), S.LOYAL),
        ((3, 5, 5), S.LOYAL),
        ((5, 2, 3), S.POTENTIAL),
        ((5, 1, 1), S.NEW),
        ((4, 1, 1), S.NEW),
        ((2, 4, 3), S.AT_RISK),
        ((1, 5, 5), S.CANT_LOSE),
        ((3, 1, 2), S.HIBERNATING),
        ((2, 1, 1), S.HIBERNATING),
        ((1, 1, 2), S.LOST),
        ((0, 1, 1), ""),
    ],
)
def test_segment_mapping(scores, segment):
    assert rfm_segment(*scores) == segment


def test_fm_is_the_mean_rounded_up():
    assert [fm_score(1, 1), fm_score(1, 2), fm_score(2, 5), fm_score(5, 5)] == [1, 2, 4, 5]


# --- pure: loyalty ---------------------------------------------------------------------------------


def test_usual_gap_is_the_average_days_between_orders():
    first = NOW - dt.timedelta(days=90)
    assert usual_gap_days(first, NOW, 4) == pytest.approx(30)
    assert usual_gap_days(first, NOW, 1) is None
    assert usual_gap_days(None, None, 0) is None


@pytest.mark.parametrize(
    ("days", "gap", "risk"),
    [(0, 30, 0), (30, 30, 0), (45, 30, 25), (60, 30, 50), (90, 30, 100), (400, 30, 100), (10, 1, 21), (-3, 30, 0)],
)
def test_churn_risk_rises_from_one_usual_gap_to_three(days, gap, risk):
    assert churn_risk(days, gap) == risk


def test_repeat_rate():
    assert repeat_rate(0, 0) is None
    assert repeat_rate(3, 1) == 33


# --- pure: information matrix ----------------------------------------------------------------------


def test_info_score_counts_what_the_business_knows():
    nothing = info_known(name="", phone="", email="", city="", address="", birthday=None, consent={})
    assert info_score(nothing) == 0
    everything = info_known(
        name="Rina",
        phone="+6281299990001",
        email="rina@example.com",
        city="",
        address="Jl. Malioboro 1",
        birthday=dt.date(1990, 5, 1),
        consent={"whatsapp_marketing": False},  # a withdrawal is known information too
    )
    assert info_score(everything) == 100
    assert info_score({"name": True, "phone": True}) == 35


def test_personal_score_adds_documented_signals_up_to_100():
    assert personal_score(notes=0, tags=0, staff_orders=0, answered_questions=0, stage_set_by_staff=False) == 0
    assert personal_score(notes=1, tags=0, staff_orders=0, answered_questions=0, stage_set_by_staff=False) == 25
    assert personal_score(notes=3, tags=2, staff_orders=1, answered_questions=0, stage_set_by_staff=False) == 75
    everything = personal_score(
        notes=5, tags=1, staff_orders=2, answered_questions=1, stage_set_by_staff=True, personal_messages=3
    )
    assert everything == 100


@pytest.mark.parametrize(
    ("info", "personal", "quadrant"),
    [
        (0, 0, Quadrant.LITTLE_ALIKE),
        (49, 49, Quadrant.LITTLE_ALIKE),
        (50, 0, Quadrant.MUCH_ALIKE),
        (10, 50, Quadrant.LITTLE_INDIVIDUAL),
        (100, 100, Quadrant.MUCH_INDIVIDUAL),
    ],
)
def test_matrix_quadrants(info, personal, quadrant):
    assert matrix_quadrant(info, personal) == quadrant


def test_quadrant_filters_select_exactly_that_quadrant():
    assert quadrant_filters(Quadrant.LITTLE_ALIKE) == {"info_max": 49, "personal_max": 49}
    assert quadrant_filters(Quadrant.MUCH_INDIVIDUAL) == {"info_min": 50, "personal_min": 50}
    assert quadrant_filters(Quadrant.MUCH_ALIKE) == {"info_min": 50, "personal_max": 49}
    assert quadrant_filters(Quadrant.LITTLE_INDIVIDUAL) == {"info_max": 49, "personal_min": 50}


# --- pure: cohorts ---------------------------------------------------------------------------------


def test_last_months_end_with_the_current_month_across_a_new_year():
    months = last_months(dt.date(2026, 2, 17), 4)
    assert months == [dt.date(2025, 11, 1), dt.date(2025, 12, 1), dt.date(2026, 1, 1), dt.date(2026, 2, 1)]
    assert months_between(dt.date(2025, 11, 1), dt.date(2026, 2, 1)) == 3


def test_cohort_table_counts_returning_customers_per_month_since_their_first():
    months = [dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)]
    first = {1: months[0], 2: months[0], 3: months[1], 4: dt.date(2025, 6, 1)}
    active = [
        (1, months[0]),
        (2, months[0]),
        (1, months[1]),
        (1, months[1]),  # two orders in one month count once
        (2, months[2]),
        (3, months[1]),
        (4, months[2]),  # an older customer belongs to no cohort shown
    ]
    rows = cohort_table(first, active, months)
    assert rows == [
        CohortRow(month=months[0], size=2, customers=[2, 1, 1]),
        CohortRow(month=months[1], size=1, customers=[1, 0]),
        CohortRow(month=months[2], size=0, customers=[0]),
    ]
    assert rows[0].percents == [100, 50, 50]
    assert rows[2].percents == [None]


# --- pure: preferences -----------------------------------------------------------------------------


def test_preferences_weigh_orders_over_favourites_over_views_and_cap_views():
    scores = preference_scores({1: 50, 2: 3}, favourites=[2, 3], orders={3: 2})
    assert scores == {1: 10, 2: 7, 3: 14}
    built = preferences_build(scores, {1: "Kain", 2: "Batik", 3: "Kopi"}, {"slug": "fashion-batik"}, limit=2)
    assert built["products"] == [{"id": 3, "title": "Kopi", "score": 14}, {"id": 1, "title": "Kain", "score": 10}]
    assert built["categories"] == [{"slug": "fashion-batik", "score": 31}]


def test_deleted_products_are_left_out_of_preferences():
    assert preferences_build({9: 5}, {}, None) == {"products": [], "categories": []}


# --- database ----------------------------------------------------------------------------------------

PlaceOrder = Callable[..., Order]


@pytest.fixture
def place_order(business: Business) -> PlaceOrder:
    """``place_order(contact, days_ago, total, paid=..., status=..., channel=..., products=...)``: an order row as
    the orders app leaves it (placed in the past, which the service cannot do)."""
    numbers = iter(range(1, 10_000))

    def make(
        contact: Contact,
        days_ago: float,
        total: int = 100_000,
        *,
        paid: int | None = None,
        status: str = OrderStatus.COMPLETED,
        channel: str = OrderChannel.WEB,
        products: list[Product] | None = None,
        shop: Business | None = None,
    ) -> Order:
        shop = shop or business
        order = Order.objects.create(
            business=shop,
            number=next(numbers),
            contact=contact,
            customer_id=contact.user_id,
            channel=channel,
            status=status,
            fulfilment=Fulfilment.PICKUP,
            subtotal_minor=total,
            total_minor=total,
            paid_minor=total if paid is None else paid,
            placed_at=timezone.now() - dt.timedelta(days=days_ago),
        )
        for product in products or []:
            OrderLine.objects.create(
                business=shop,
                order=order,
                product=product,
                title=product.title,
                unit_price_minor=total,
                quantity=1,
                total_minor=total,
            )
        return order

    return make


def contact(business: Business, name: str = "", **fields: Any) -> Contact:
    return Contact.objects.create(business=business, name=name, **fields)


def refreshed(item: Contact) -> Contact:
    item.refresh_from_db()
    return item


pytestmark = pytest.mark.django_db


def test_the_nightly_pass_scores_a_small_shop_with_the_fixed_bounds(business, place_order):
    rina = contact(business, "Rina", phone="+6281299990001")
    budi = contact(business, "Budi")
    walk_in = contact(business, "Wati")
    place_order(rina, 3, 1_500_000)
    place_order(rina, 40, 800_000)
    place_order(rina, 70, 100_000, status=OrderStatus.CANCELLED)  # not counted
    place_order(budi, 200, 50_000)
    place_order(budi, 500, 50_000)  # outside the 365 days of frequency and money

    result = customer_scores_recompute(business=business)

    assert (result.contacts, result.with_orders) == (3, 2)
    rina, budi, walk_in = refreshed(rina), refreshed(budi), refreshed(walk_in)
    assert (rina.rfm_recency, rina.rfm_frequency, rina.rfm_monetary) == (5, 2, 5)
    assert rina.rfm_segment == S.CHAMPIONS  # R 5, FM = (2 + 5) / 2 rounded up = 4
    assert (budi.rfm_recency, budi.rfm_frequency, budi.rfm_monetary) == (1, 1, 1)
    assert budi.rfm_segment == S.LOST
    assert (walk_in.rfm_recency, walk_in.rfm_segment, walk_in.churn_risk) == (0, "", None)
    assert rina.scores_at is not None
    assert walk_in.scores_at is not None


def test_quintiles_rank_customers_within_their_business(business, other_business, place_order):
    customers = [contact(business, f"Pelanggan {index}") for index in range(10)]
    for index, customer in enumerate(customers):  # customer 9: most recent, most orders, most money
        for order in range(index + 1):
            place_order(customer, days_ago=100 - 10 * index + order * 0.01, total=10_000 * (index + 1))
    outsider = contact(other_business, "Bayu")
    place_order(outsider, 1, 99_000_000, shop=other_business)

    customer_scores_recompute(business=business)

    scores = [(item.rfm_recency, item.rfm_frequency, item.rfm_monetary) for item in map(refreshed, customers)]
    assert scores == [(1, 1, 1), (1, 1, 1), (2, 2, 2), (2, 2, 2), (3, 3, 3), (3, 3, 3), (4, 4, 4), (4, 4, 4)] + [
        (5, 5, 5),
        (5, 5, 5),
    ]
    assert refreshed(customers[9]).rfm_segment == S.CHAMPIONS
    assert refreshed(customers[0]).rfm_segment == S.LOST
    assert refreshed(outsider).rfm_recency == 0  # the other shop was not scored
    bounds, _gap = facts.business_bounds(business)
    assert not bounds.is_fixed
    assert bounds.frequency == (2, 4, 6, 8)


def test_churn_risk_follows_each_customer_s_own_rhythm(business, place_order):
    weekly = contact(business, "Mingguan")
    for days in (60, 53, 46, 39, 32):  # every 7 days, last one 32 days ago: 4.6 gaps away
        place_order(weekly, days)
    monthly = contact(business, "Bulanan")
    for days in (110, 80, 50, 20):  # every 30 days, last one 20 days ago
        place_order(monthly, days)
    once = contact(business, "Sekali")
    place_order(once, 37)  # the business's median gap: (7 + 30) / 2 = 18.5 days → 2 gaps away

    customer_scores_recompute(business=business)

    assert refreshed(weekly).churn_risk == 100
    assert refreshed(monthly).churn_risk == 0
    assert refreshed(once).churn_risk == 50
    summary = loyalty_summary(business)
    assert (summary.customers, summary.repeat_customers, summary.repeat_rate) == (3, 2, 67)
    assert summary.median_gap_days == 18.5
    assert [bucket.customers for bucket in summary.buckets] == [1, 0, 1, 1]
    assert [item.name for item in summary.at_risk] == ["Mingguan", "Sekali"]


def test_information_and_individual_service_are_scored_from_the_documented_signals(business, place_order, make_product):
    owner = business_owner(business)
    asker = UserFactory(name="Rina")
    rina = contact(
        business,
        "Rina",
        user=asker,
        phone="+6281299990001",
        city="Sleman",
        birthday=dt.date(1990, 5, 1),
        consent={"whatsapp_marketing": True},
    )
    tag = Tag.objects.create(business=business, name="langganan")
    ContactTag.objects.create(business=business, contact=rina, tag=tag)
    for _ in range(3):
        Note.objects.create(business=business, contact=rina, author=owner, body="Suka motif parang")
    place_order(rina, 5, channel=OrderChannel.WHATSAPP)
    product = make_product(business, title="Batik Parang")
    question = comment_add(user=asker, product_id=product.pk, body="Ada ukuran XL?", kind="question")
    comment_answer(user=owner, comment_id=question.pk, body="Ada, kak.")
    comment_answer(user=owner, comment_id=question.pk, body="Warna biru juga.")  # one question, answered
    nobody = contact(business, "", email="anon@example.com")

    customer_scores_recompute(business=business)

    rina = refreshed(rina)
    assert rina.info_score == 85  # everything but the email
    assert rina.personal_score == 25 + 10 + 15 + 25 + 15
    assert (refreshed(nobody).info_score, refreshed(nobody).personal_score) == (15, 0)
    matrix = info_matrix(business)
    counts = {quadrant.key: quadrant.customers for quadrant in matrix.quadrants}
    assert counts == {
        Quadrant.MUCH_INDIVIDUAL: 1,
        Quadrant.LITTLE_ALIKE: 1,
        Quadrant.MUCH_ALIKE: 0,
        Quadrant.LITTLE_INDIVIDUAL: 0,
    }
    missing = {item.key: item.customers for item in matrix.missing}
    assert missing == {"name": 1, "phone": 1, "email": 1, "place": 1, "birthday": 1, "consent": 1}
    assert (matrix.average_info, matrix.average_personal) == (50, 45)


def test_merged_and_erased_contacts_lose_their_scores_and_preferences(business, place_order):
    kept = contact(business, "Rina")
    merged = contact(
        business,
        "Rina lama",
        merged_into=kept,
        rfm_recency=5,
        rfm_frequency=5,
        rfm_monetary=5,
        rfm_segment=S.CHAMPIONS,
        churn_risk=10,
        info_score=15,
        preferences={"products": [{"id": 1, "title": "x", "score": 3}]},
    )
    erased = contact(business, "", erased_at=timezone.now(), rfm_segment=S.LOST, rfm_recency=1)
    place_order(kept, 2)

    customer_scores_recompute(business=business)

    merged, erased = refreshed(merged), refreshed(erased)
    assert (merged.rfm_segment, merged.rfm_recency, merged.churn_risk, merged.info_score) == ("", 0, None, 0)
    assert merged.preferences == {}
    assert (erased.rfm_segment, erased.rfm_recency) == ("", 0)
    assert rfm_grid(business).scored == 1


def test_a_second_pass_writes_nothing_and_the_query_count_does_not_grow_with_contacts(
    business, place_order, django_assert_max_num_queries
):
    for index in range(30):
        place_order(contact(business, f"P{index}", phone=f"+62812300{index:05d}"), index * 9)

    first = customer_scores_recompute(business=business, preferences="none")
    with django_assert_max_num_queries(12):
        second = customer_scores_recompute(business=business, preferences="none")

    assert (first.changed, second.changed) == (30, 0)


def test_preferences_come_from_views_favourites_and_orders_at_this_shop_only(
    business, other_business, place_order, make_product, record
):
    buyer = UserFactory(name="Rina")
    rina = contact(business, "Rina", user=buyer)
    parang, lurik, kawung = (make_product(business, title=title) for title in ("Parang", "Lurik", "Kawung"))
    elsewhere = make_product(other_business, title="Kopi Gayo")
    for _ in range(12):
        record("viewed_product", business, actor=buyer, target=lurik, data={"visitor": "v"})
    record("viewed_product", other_business, actor=buyer, target=elsewhere, data={"visitor": "v"})
    favourite_add(user=buyer, product_id=kawung.pk)
    favourite_add(user=buyer, product_id=elsewhere.pk)
    place_order(rina, 3, products=[parang, kawung])
    place_order(rina, 4, products=[parang])
    place_order(rina, 5, products=[lurik], status=OrderStatus.CANCELLED)

    customer_scores_recompute(business=business, preferences="all")

    preferences = refreshed(rina).preferences
    assert preferences["products"] == [
        {"id": parang.pk, "title": "Parang", "score": 10},
        {"id": lurik.pk, "title": "Lurik", "score": 10},
        {"id": kawung.pk, "title": "Kawung", "score": 9},
    ]
    assert preferences["categories"] == [
        {"slug": "fashion-batik", "name_id": "Batik & Busana", "name_en": "Batik & Fashion", "score": 29}
    ]


def test_the_nightly_pass_updates_preferences_only_for_recently_active_contacts(
    business, place_order, make_product, record
):
    product = make_product(business, title="Parang")
    active_user, quiet_user = UserFactory(), UserFactory()
    active = contact(business, "Aktif", user=active_user)
    quiet = contact(business, "Diam", user=quiet_user)
    record("viewed_product", business, actor=active_user, target=product, data={"visitor": "a"})
    record(
        "viewed_product",
        business,
        actor=quiet_user,
        target=product,
        data={"visitor": "q"},
        at=timezone.now() - dt.timedelta(days=3),
    )

    result = customer_scores_recompute(business=business)

    assert result.preferences == 1
    assert refreshed(active).preferences["products"][0]["id"] == product.pk
    assert refreshed(quiet).preferences == {}
    customer_scores_recompute(business=business, preferences="all")
    assert refreshed(quiet).preferences["products"][0]["score"] == 1


def test_the_grid_counts_customers_and_confirmed_money_per_cell(business, place_order):
    big = contact(business, "Besar")
    place_order(big, 2, 3_000_000)
    place_order(big, 9, 3_000_000, paid=1_000_000)
    place_order(big, 12, 500_000, status=OrderStatus.CANCELLED, paid=0)
    small = contact(business, "Kecil")
    place_order(small, 400, 20_000)  # older than a year: no money in the grid
    contact(business, "Belum")

    customer_scores_recompute(business=business)
    grid = rfm_grid(business)

    cells = {(cell.recency, cell.fm): cell for cell in grid.cells}
    assert len(grid.cells) == 25
    assert (cells[(5, 4)].customers, cells[(5, 4)].money_minor) == (1, 4_000_000)
    assert (cells[(1, 1)].customers, cells[(1, 1)].money_minor) == (1, 0)
    assert (grid.scored, grid.without_orders, grid.money_minor) == (2, 1, 4_000_000)
    segments = {segment.key: segment for segment in grid.segments}
    assert [segment.key for segment in grid.segments][:2] == [S.CHAMPIONS, S.LOYAL]
    assert (segments[S.CHAMPIONS].customers, segments[S.CHAMPIONS].percent) == (1, 50)
    assert segments[S.LOST].customers == 1
    assert grid.bounds.is_fixed


def test_cohorts_count_customers_by_first_order_month(business, place_order):
    now = dt.datetime(2026, 3, 15, 5, 0, tzinfo=dt.UTC)  # 15 March in Jakarta

    def ordered(customer: Contact, when: dt.datetime, **kwargs: Any) -> None:
        Order.objects.filter(pk=place_order(customer, 0, **kwargs).pk).update(placed_at=when)

    january, february = dt.datetime(2026, 1, 10, tzinfo=dt.UTC), dt.datetime(2026, 2, 10, tzinfo=dt.UTC)
    early, late, old = contact(business, "Awal"), contact(business, "Akhir"), contact(business, "Lama")
    ordered(early, january)
    ordered(early, now)  # came back in month 2
    ordered(late, february)
    ordered(late, now, status=OrderStatus.CANCELLED)  # a cancelled order is not a return
    ordered(old, dt.datetime(2024, 1, 5, tzinfo=dt.UTC))
    ordered(old, february)  # an older customer: in no cohort shown

    cohorts = cohort_retention(business, now=now)

    assert cohorts.months[0] == dt.date(2025, 4, 1)
    assert cohorts.months[-1] == dt.date(2026, 3, 1)
    rows = {row.month: row for row in cohorts.rows}
    assert rows[dt.date(2026, 1, 1)] == CohortRow(month=dt.date(2026, 1, 1), size=1, customers=[1, 0, 1])
    assert rows[dt.date(2026, 2, 1)] == CohortRow(month=dt.date(2026, 2, 1), size=1, customers=[1, 0])
    assert rows[dt.date(2025, 4, 1)].customers == [0] * 12
    assert sum(row.size for row in cohorts.rows) == 2


def test_cohort_months_follow_the_business_timezone(business, place_order):
    business.timezone = "Asia/Jayapura"  # UTC+9
    business.save(update_fields=["timezone"])
    customer = contact(business, "Rina")
    order = place_order(customer, 0)
    now = dt.datetime(2026, 3, 31, 20, 0, tzinfo=dt.UTC)  # already 1 April in Jayapura
    Order.objects.filter(pk=order.pk).update(placed_at=now)

    cohorts = cohort_retention(business, now=now)

    assert cohorts.months[-1] == dt.date(2026, 4, 1)
    assert cohorts.rows[-1].size == 1


def test_the_command_scores_one_business_or_all(business, other_business, place_order, capsys):
    place_order(contact(business, "Rina"), 3)

    call_command("customer_scores", "--business", business.slug)
    one = capsys.readouterr().out
    call_command("customer_scores", "--preferences", "none")
    every = capsys.readouterr().out

    assert f"{business.slug}: 1 contacts, 1 with orders, 1 changed" in one
    assert "Scored 1 contacts of 2 businesses (0 changed)" in every


def test_the_command_refuses_an_unknown_business(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No business with the web address 'nope'"):
        call_command("customer_scores", "--business", "nope")


# --- as activity arrives -----------------------------------------------------------------------------


@pytest.fixture
def handler_registered():
    """The handler is registered by etalase/insights/apps.py for every verb."""
    from etalase.activity.registry import handlers_for

    assert handlers.customer_scores_on_activity in handlers_for("ordered")


def test_an_order_rescores_its_contact_at_once_with_the_cached_bounds(
    business, handler_registered, django_capture_on_commit_callbacks
):
    from etalase.orders.services.placement import LineRequest, order_place
    from tests.support.orders import product_for_sale, shop_open

    shop_open(business)
    product = product_for_sale(business, price_minor=150_000, stock=None)
    owner = business_owner(business)
    walk_in = contact(business, "Ibu Wati")

    with django_capture_on_commit_callbacks(execute=True):
        order_place(
            business=business,
            lines=[LineRequest(product_id=product.pk, quantity=1)],
            fulfilment=Fulfilment.PICKUP,
            actor=owner,
            contact=walk_in,
            channel=OrderChannel.WALK_IN,
        )

    walk_in = refreshed(walk_in)
    assert (walk_in.rfm_recency, walk_in.rfm_frequency, walk_in.rfm_monetary) == (5, 1, 1)  # nothing paid yet
    assert walk_in.rfm_segment == S.NEW
    assert walk_in.churn_risk == 0
    assert walk_in.personal_score == 25  # an order taken by a member
    assert walk_in.preferences["products"] == [{"id": product.pk, "title": product.title, "score": 5}]
    assert walk_in.scores_at is not None


def test_a_favourite_updates_preferences_and_the_handler_is_idempotent(
    business, make_product, handler_registered, django_capture_on_commit_callbacks
):
    buyer = UserFactory(name="Rina")
    product = make_product(business, title="Parang")

    with django_capture_on_commit_callbacks(execute=True):
        favourite_add(user=buyer, product_id=product.pk)

    rina = Contact.objects.get(business=business, user=buyer)
    assert rina.preferences["products"] == [{"id": product.pk, "title": "Parang", "score": 4}]
    before = (rina.preferences, rina.rfm_segment, rina.info_score)
    from etalase.activity.models import Activity

    handlers.customer_scores_on_activity(Activity.objects.get(verb="favourited"))
    rina = refreshed(rina)
    assert (rina.preferences, rina.rfm_segment, rina.info_score) == before


def test_one_order_does_not_reshuffle_the_bounds_until_the_night(business, place_order):
    customers = [contact(business, f"P{index}") for index in range(6)]
    for index, customer in enumerate(customers):
        place_order(customer, 10 * (index + 1))
    customer_scores_recompute(business=business)
    bounds_before = facts.business_bounds(business)

    newcomer = contact(business, "Baru")
    place_order(newcomer, 0, 9_000_000)
    scores = contact_scores_compute(contact=newcomer)

    assert facts.business_bounds(business) == bounds_before
    assert (scores["rfm_recency"], scores["rfm_monetary"]) == (5, 5)
    cache.clear()  # a cold cache computes and stores the bounds again
    assert facts.business_bounds(business)[0] != bounds_before[0]


def test_an_activity_about_nobody_known_changes_nothing(business, record):
    stranger: User = UserFactory()
    activity = record("favourited", business, actor=stranger, data={"product_id": 1})
    Contact.objects.filter(user=stranger).delete()

    handlers.customer_scores_on_activity(activity)  # no contact: nothing to do, no error
    record_without_contact = record("ordered", business, data={"contact_id": "not a number"})
    handlers.customer_scores_on_activity(record_without_contact)
    assert not Contact.objects.filter(business=business, scores_at__isnull=False).exists()


def test_the_nightly_pass_is_due_once_a_night_in_the_business_s_timezone(business):
    night = dt.datetime(2026, 3, 14, 19, 30, tzinfo=dt.UTC)  # 02:30 in Jakarta
    day = dt.datetime(2026, 3, 14, 5, 0, tzinfo=dt.UTC)  # 12:00 in Jakarta

    assert not services.nightly_due(business, now=day)
    assert services.nightly_due(business, now=night)
    customer_scores_recompute(business=business, now=night)
    assert not services.nightly_due(business, now=night + dt.timedelta(hours=1))
    assert services.nightly_due(business, now=night + dt.timedelta(days=1))


def test_the_command_with_due_skips_businesses_where_it_is_day(business, capsys, monkeypatch):
    monkeypatch.setattr(services, "NIGHT_HOURS", range(0, 0))
    call_command("customer_scores", "--due")
    assert "Scored 0 contacts of 0 businesses" in capsys.readouterr().out


@given(
    st.integers(min_value=1, max_value=40),
    st.floats(min_value=0, max_value=800),
    st.floats(min_value=0, max_value=800),
    st.integers(min_value=0, max_value=40),
    st.integers(min_value=0, max_value=10**9),
    st.sampled_from([None, 12.5]),
    st.booleans(),
)
def test_the_nightly_fast_path_scores_exactly_like_the_one_contact_path(
    orders, since_last, span, recent, paid, median_gap, small
):
    last = NOW - dt.timedelta(days=since_last)
    fact = scoring.OrderFacts(orders, last - dt.timedelta(days=span), last, recent, paid, 0)
    bounds = (
        fixed_bounds("IDR")
        if small
        else rfm_bounds([1, 5, 9, 30, 200], [1, 1, 2, 3, 8], [0, 10, 20, 30, 40], currency="IDR")
    )
    expected = scoring.order_scores(fact, now=NOW, bounds=bounds, median_gap=median_gap)
    assert scoring.order_scores_row(fact, NOW, bounds, median_gap) == tuple(
        expected[name] for name in SCORE_COLUMNS[:5]
    )


def test_the_database_computes_the_information_score_like_the_pure_function(business):
    people = [
        contact(business, "Rina", phone="+6281299990001", consent={"sms_marketing": False}),
        contact(business, "", email="a@example.com", address="Jl. Kaliurang 5", birthday=dt.date(2000, 2, 29)),
        contact(business, "Joko", city="Solo"),
    ]
    computed = dict(
        Contact.objects.filter(business=business)
        .annotate(info=scoring.info_score_expression())
        .values_list("pk", "info")
    )
    for person in people:
        known = info_known(
            name=person.name,
            phone=person.phone,
            email=person.email,
            city=person.city,
            address=person.address,
            birthday=person.birthday,
            consent=person.consent,
        )
        assert computed[person.pk] == info_score(known)
    assert sorted(computed.values()) == [30, 45, 55]


def test_summaries_are_cached_until_the_nightly_pass_forgets_them(business, place_order):
    rina = contact(business, "Rina")
    place_order(rina, 2)
    customer_scores_recompute(business=business)
    assert rfm_grid(business).scored == 1

    place_order(contact(business, "Joko"), 1)
    assert rfm_grid(business).scored == 1  # cached for a while
    customer_scores_recompute(business=business)
    assert rfm_grid(business).scored == 2


def test_the_win_back_list_drops_an_erased_customer_at_once(business, place_order):
    joko = contact(business, "Joko")
    for days in (300, 290, 280):
        place_order(joko, days)
    customer_scores_recompute(business=business)
    assert [item.pk for item in loyalty_summary(business).at_risk] == [joko.pk]

    Contact.objects.filter(pk=joko.pk).update(erased_at=timezone.now(), name="")

    assert loyalty_summary(business).at_risk == []


def test_a_note_and_a_consent_rescore_only_the_profile_at_once(
    business, handler_registered, django_capture_on_commit_callbacks
):
    from etalase.customers.enums import ConsentChannel, ConsentPurpose, ConsentSource
    from etalase.customers.services.consent import consent_set
    from etalase.customers.services.notes import note_add

    owner = business_owner(business)
    rina = contact(business, "Rina", phone="+6281299990001", rfm_segment=S.LOYAL, rfm_recency=4)

    with django_capture_on_commit_callbacks(execute=True):
        note_add(contact=rina, author=owner, body="Suka motif parang")
    with django_capture_on_commit_callbacks(execute=True):
        consent_set(
            contact=refreshed(rina),
            channel=ConsentChannel.WHATSAPP,
            purpose=ConsentPurpose.MARKETING,
            granted=True,
            source=ConsentSource.STAFF,
            actor=owner,
        )

    rina = refreshed(rina)
    assert (rina.personal_score, rina.info_score) == (25, 15 + 20 + 20)
    assert (rina.rfm_segment, rina.rfm_recency) == (S.LOYAL, 4)  # orders were not read again
