"""What other apps and the shop's staff rely on from the catalog services themselves."""

import pytest

from etalase.activity.models import Activity
from etalase.catalog.enums import Verb
from etalase.catalog.models import Product
from etalase.catalog.services import (
    product_counters_adjust,
    product_move,
    product_update,
    view_record,
)
from etalase.catalog.visits import visits_flush
from tests.support.catalog import context_of

pytestmark = pytest.mark.django_db


def test_counters_go_up_and_down_but_never_below_zero(business, make_product):
    product = make_product(business)
    untouched = make_product(business)

    product_counters_adjust(product_id=product.pk, favourites=2, comments=1)
    product_counters_adjust(product_id=product.pk, favourites=-5)
    product_counters_adjust(product_id=product.pk, comments=-1)

    product.refresh_from_db()
    untouched.refresh_from_db()
    assert (product.favourite_count, product.comment_count) == (0, 0)
    product_counters_adjust(product_id=product.pk, favourites=3)
    product.refresh_from_db()
    assert product.favourite_count == 3
    assert (untouched.favourite_count, untouched.comment_count) == (0, 0)


def test_a_view_is_one_activity_row_with_the_visitor_key_once_flushed(business, make_product, customer):
    product = make_product(business)
    Activity.objects.all().delete()

    view_record(request_visitor_key="f" * 32, business=business, product=product, user=customer)
    view_record(request_visitor_key="f" * 32, business=business, product=product, user=customer)
    view_record(request_visitor_key="e" * 32, business=business)
    assert not Activity.objects.exists()  # buffered: the worker's ``visits_flush`` writes them
    visits_flush()

    product_view = Activity.objects.get(verb=Verb.VIEWED_PRODUCT)
    assert (product_view.actor, product_view.target_id, product_view.data) == (
        customer,
        str(product.pk),
        {"visitor": "f" * 32},
    )
    business_view = Activity.objects.get(verb=Verb.VIEWED_BUSINESS)
    assert (business_view.actor, business_view.target_id) == (None, str(business.pk))


def test_moving_past_either_end_changes_nothing(business, make_product):
    bottom = make_product(business, title="Lama")  # a new product goes on top of the others
    top = make_product(business, title="Baru")
    context = context_of(business)
    Activity.objects.all().delete()

    product_move(context=context, product_id=top.pk, offset=-1)
    product_move(context=context, product_id=bottom.pk, offset=1)

    assert list(Product.objects.order_by("position").values_list("title", flat=True)) == ["Baru", "Lama"]
    assert not Activity.objects.filter(verb=Verb.PRODUCTS_REORDERED).exists()


def test_an_update_that_changes_nothing_records_nothing(business, make_product):
    product = make_product(business, title="Batik Parang", price_minor=150_000)
    Activity.objects.all().delete()

    product_update(context=context_of(business), product_id=product.pk, title="Batik Parang", price_minor=150_000)

    assert not Activity.objects.exists()


def test_search_text_follows_the_title_description_and_sku(business, make_product):
    product = make_product(business, title="Kopi Gayo", sku="KG-1")

    product_update(context=context_of(business), product_id=product.pk, title="Kopí Aceh", description="Robusta")

    product.refresh_from_db()
    assert product.search_text == "kopi aceh robusta kg 1"
