"""What other apps and the shop's staff rely on from the catalog services themselves."""

import pytest

from etalase.activity.models import Activity
from etalase.catalog.enums import Verb
from etalase.catalog.models import Product
from etalase.catalog.services import (
    post_create,
    product_counters_adjust,
    product_create,
    product_image_add,
    product_move,
    product_update,
    view_record,
)
from etalase.core.errors import PermissionDenied
from etalase.directory.enums import Role
from tests.support.catalog import context_of, picture

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


def test_a_view_is_one_activity_row_with_the_visitor_key(business, make_product, customer):
    product = make_product(business)
    Activity.objects.all().delete()

    view_record(request_visitor_key="f" * 32, business=business, product=product, user=customer)
    view_record(request_visitor_key="f" * 32, business=business, product=product, user=customer)
    view_record(request_visitor_key="e" * 32, business=business)

    product_view = Activity.objects.get(verb=Verb.VIEWED_PRODUCT)
    assert (product_view.actor, product_view.target_id, product_view.data) == (
        customer,
        str(product.pk),
        {"visitor": "f" * 32},
    )
    business_view = Activity.objects.get(verb=Verb.VIEWED_BUSINESS)
    assert (business_view.actor, business_view.target_id) == (None, str(business.pk))


@pytest.mark.parametrize("role", [Role.CASHIER, Role.SALES, Role.SUPPORT, Role.TECHNICIAN])
def test_every_write_needs_catalog_permission(business, member_of, make_product, role):
    product = make_product(business)
    context = context_of(business, member_of(business, role).user)

    attempts = [
        lambda: product_create(context=context, title="x", price_minor=1),
        lambda: product_update(context=context, product_id=product.pk, title="x"),
        lambda: product_move(context=context, product_id=product.pk, offset=1),
        lambda: product_image_add(context=context, product_id=product.pk, upload=picture()),
        lambda: post_create(context=context, image=picture()),
    ]

    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    assert Product.objects.count() == 1


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
