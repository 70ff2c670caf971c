"""Carts, checkout and staff orders through the services: what the customer and the shop get, and
what the database holds afterwards. Bad input changes nothing and says why."""

from decimal import Decimal

import pytest

from etalase.accounts.models import User
from etalase.activity.models import Activity
from etalase.catalog.models import Product
from etalase.catalog.services import product_hide, product_update
from etalase.core.errors import Conflict, NotFound, ValidationError
from etalase.customers.models import Contact
from etalase.orders.enums import Fulfilment, OrderChannel, OrderStatus
from etalase.orders.models import Cart, CartItem, Order, OrderCounter, OrderEvent, OrderLine, Review
from etalase.orders.selectors import (
    cart_count,
    cart_for,
    carts_for_user,
    customer_order_get,
    customer_order_list,
    order_get,
    order_list,
    order_receipt_get,
    order_settings_for,
    payment_methods_for,
    product_reviews,
    review_summary,
)
from etalase.orders.services.carts import cart_add, cart_clear, cart_set_quantity, order_reorder
from etalase.orders.services.order_settings import order_settings_update
from etalase.orders.services.placement import LineRequest, order_checkout, order_place
from etalase.orders.services.reviews import review_create
from etalase.orders.services.status import order_cancel, order_transition
from tests.factories import UserFactory, business_owner
from tests.support.orders import context_of, product_for_sale

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def target_of(activity: Activity) -> tuple[str, int]:
    assert activity.target_type is not None
    return activity.target_type.model, int(activity.target_id)


def stock_of(product: Product) -> int | None:
    return Product.objects.get(pk=product.pk).stock


def nothing_ordered() -> bool:
    return (
        not Order.objects.exists()
        and not OrderLine.objects.exists()
        and not Activity.objects.filter(verb="ordered").exists()
    )


# --- settings ------------------------------------------------------------------------------------


def test_a_business_starts_with_cash_and_transfer_and_no_gateway(business):
    settings = order_settings_for(business=business)

    assert (settings.accepts_orders, settings.pickup_enabled, settings.delivery_enabled) == (True, True, True)
    assert payment_methods_for(business=business) == ["cash", "transfer"]


def test_the_gateway_is_offered_only_with_a_server_key(shop):
    assert payment_methods_for(business=shop) == ["cash", "transfer", "qris", "gateway"]

    with pytest.raises(ValidationError) as error:
        order_settings_update(business=shop, actor=business_owner(shop), gateway_server_key="")

    assert "server key" in str(error.value.message)
    assert order_settings_for(business=shop).gateway_server_key != ""


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"delivery_fee_minor": -1}, "delivery_fee_minor"),
        ({"delivery_fee_minor": "5000"}, "delivery_fee_minor"),
        ({"pickup_enabled": False, "delivery_enabled": False}, "pickup_enabled"),
        ({"bank_details": "x" * 501}, "bank_details"),
    ],
)
def test_settings_refuse_bad_values(shop, fields, field):
    with pytest.raises(ValidationError) as error:
        order_settings_update(business=shop, actor=business_owner(shop), **fields)

    assert field in error.value.fields
    assert order_settings_for(business=shop).delivery_fee_minor == 10_000


# --- carts ---------------------------------------------------------------------------------------


def test_a_customer_fills_a_cart_and_sees_the_total(customer, product, product_two):
    cart_add(user=customer, product=product, quantity=2)
    cart = cart_add(user=customer, product=product_two)

    assert [(line.product.title, line.quantity, line.total_minor) for line in cart.lines] == [
        ("Batik Parang", 2, 300_000),
        ("Kain Lurik", 1, 85_000),
    ]
    assert (cart.subtotal_minor, cart.count, cart.is_empty, cart.has_problems) == (385_000, 3, False, False)
    assert cart_count(user=customer) == 3
    assert [view.business for view in carts_for_user(user=customer)] == [product.business]


def test_adding_again_adds_up_and_setting_zero_removes(customer, product, product_two):
    cart_add(user=customer, product=product)
    cart_add(user=customer, product=product, quantity=2)
    cart_add(user=customer, product=product_two)

    cart = cart_set_quantity(user=customer, business=product.business, product_id=product_two.pk, quantity=0)

    assert [(line.product, line.quantity) for line in cart.lines] == [(product, 3)]
    cart_clear(user=customer, business=product.business)
    assert cart_for(business=product.business, user=customer).is_empty
    assert cart_count(user=customer) == 0


@pytest.mark.parametrize("quantity", [0, -1, "2", 2.5, True])
def test_the_cart_refuses_a_quantity_that_is_not_a_positive_whole_number(customer, product, quantity):
    with pytest.raises(ValidationError):
        cart_add(user=customer, product=product, quantity=quantity)

    assert not CartItem.objects.exists()


def test_the_cart_never_holds_more_than_the_stock(customer, product):
    cart_add(user=customer, product=product, quantity=4)

    with pytest.raises(ValidationError) as error:
        cart_add(user=customer, product=product, quantity=2)
    with pytest.raises(ValidationError):
        cart_set_quantity(user=customer, business=product.business, product_id=product.pk, quantity=6)

    assert error.value.message == "Only 5 of “Batik Parang” left."
    assert CartItem.objects.get().quantity == 4


def test_a_draft_or_hidden_product_cannot_go_in_a_cart(customer, shop, product):
    draft = product_for_sale(shop, "Draft", stock=3)
    Product.objects.filter(pk=draft.pk).update(status="draft")
    product_hide(context=context_of(business_owner(shop), shop), product_id=product.pk)

    for item in (draft, product):
        with pytest.raises(ValidationError) as error:
            cart_add(user=customer, product=item)
        assert error.value.code == "unavailable"
    assert not CartItem.objects.exists()


def test_setting_a_quantity_for_another_business_product_is_not_found(customer, shop, foreign_product):
    with pytest.raises(NotFound):
        cart_set_quantity(user=customer, business=shop, product_id=foreign_product.pk, quantity=1)

    assert not CartItem.objects.exists()


def test_a_shop_not_taking_orders_refuses_the_cart(customer, shop, product):
    order_settings_update(business=shop, actor=business_owner(shop), accepts_orders=False)

    with pytest.raises(ValidationError) as error:
        cart_add(user=customer, product=product)

    assert error.value.code == "not_accepting_orders"


def test_the_cart_shows_what_changed_since_it_was_filled(customer, shop, product, product_two):
    cart_add(user=customer, product=product, quantity=3)
    cart_add(user=customer, product=product_two)
    Product.objects.filter(pk=product.pk).update(stock=2, price_minor=160_000)
    product_hide(context=context_of(business_owner(shop), shop), product_id=product_two.pk)

    cart = cart_for(business=shop, user=customer)

    assert [(line.unit_price_minor, line.problem) for line in cart.lines] == [
        (160_000, "Only 2 left."),
        (85_000, "No longer available."),
    ]
    assert cart.has_problems


def test_an_anonymous_visitor_has_an_empty_cart(shop):
    from django.contrib.auth.models import AnonymousUser

    assert cart_for(business=shop, user=AnonymousUser()).is_empty
    assert cart_count(user=AnonymousUser()) == 0


# --- checkout ------------------------------------------------------------------------------------


def test_checkout_places_the_order_from_current_prices_and_keeps_a_snapshot(customer, shop, product, product_two):
    cart_add(user=customer, product=product, quantity=2)
    cart_add(user=customer, product=product_two, quantity=1)
    product_update(context=context_of(business_owner(shop), shop), product_id=product.pk, price_minor=155_000)

    order = order_checkout(
        user=customer,
        business=shop,
        fulfilment=Fulfilment.DELIVERY,
        delivery_address="  Jl. Malioboro 1  ",
        note="Bungkus kado",
        preferred_time="Sore",
    )

    assert order.number == 1
    assert (order.subtotal_minor, order.delivery_fee_minor, order.total_minor, order.paid_minor) == (
        395_000,
        10_000,
        405_000,
        0,
    )
    assert (order.status, order.channel, order.delivery_address, order.note) == (
        "pending",
        "web",
        "Jl. Malioboro 1",
        "Bungkus kado",
    )
    lines = list(order.lines.values_list("title", "sku", "unit_price_minor", "quantity", "total_minor"))
    assert lines == [("Batik Parang", "BP-01", 155_000, 2, 310_000), ("Kain Lurik", "", 85_000, 1, 85_000)]
    assert (stock_of(product), stock_of(product_two)) == (3, 9)
    assert cart_for(business=shop, user=customer).is_empty
    contact = Contact.objects.get(business=shop, user=customer)
    assert (order.customer, order.contact, order.created_by) == (customer, contact, customer)
    assert list(OrderEvent.objects.values_list("from_status", "to_status", "actor")) == [("", "pending", customer.pk)]

    # The snapshot stays when the product changes afterwards.
    product_update(context=context_of(business_owner(shop), shop), product_id=product.pk, title="Batik Baru")
    assert OrderLine.objects.filter(order=order, title="Batik Parang").exists()


def test_checkout_records_the_ordered_activity(order, customer, product, product_two):
    activity = Activity.objects.get(verb="ordered")

    assert (activity.actor, target_of(activity), activity.business, activity.channel) == (
        customer,
        ("order", order.pk),
        order.business,
        "web",
    )
    assert activity.data["order_id"] == order.pk
    assert activity.data["number"] == 1
    assert activity.data["amount_minor"] == 385_000
    assert sorted(activity.data["product_ids"]) == sorted([product.pk, product_two.pk])
    assert activity.data["contact_id"] == order.contact_id
    assert activity.data["customer_name"] == "Budi Pelanggan"
    assert activity.data["channel"] == "web"


def test_numbers_count_up_per_business(customer, checkout, product, foreign_product):
    first = checkout(customer, [(product, 1)])
    second = checkout(customer, [(product, 1)])
    elsewhere = checkout(customer, [(foreign_product, 1)])

    assert (first.number, second.number, elsewhere.number) == (1, 2, 1)
    assert OrderCounter.objects.get(business=product.business).last_number == 2


def test_a_retried_checkout_returns_the_same_order(customer, shop, product):
    cart_add(user=customer, product=product, quantity=2)

    first = order_checkout(user=customer, business=shop, fulfilment="pickup", idempotency_key="tap-1")
    again = order_checkout(user=customer, business=shop, fulfilment="pickup", idempotency_key="tap-1")

    assert again.pk == first.pk
    assert Order.objects.count() == 1
    assert stock_of(product) == 3
    assert Activity.objects.filter(verb="ordered").count() == 1


def test_idempotency_keys_belong_to_their_user(customer, checkout, shop, product):
    someone = UserFactory()
    mine = checkout(customer, [(product, 1)], idempotency_key="same-key")
    theirs = checkout(someone, [(product, 1)], idempotency_key="same-key")

    assert mine.pk != theirs.pk


def test_an_empty_cart_cannot_be_checked_out(customer, shop):
    with pytest.raises(ValidationError) as error:
        order_checkout(user=customer, business=shop, fulfilment="pickup")

    assert (error.value.code, error.value.message) == ("empty", "Your cart is empty.")
    assert nothing_ordered()


def test_checkout_refuses_a_product_unpublished_meanwhile(customer, shop, product, product_two):
    cart_add(user=customer, product=product)
    cart_add(user=customer, product=product_two)
    product_hide(context=context_of(business_owner(shop), shop), product_id=product_two.pk)

    with pytest.raises(ValidationError) as error:
        order_checkout(user=customer, business=shop, fulfilment="pickup")

    assert error.value.message == "“Kain Lurik” is no longer available."
    assert nothing_ordered()
    assert (stock_of(product), stock_of(product_two)) == (5, 10)
    assert CartItem.objects.count() == 2  # the cart stays, so the customer can fix it


def test_checkout_refuses_more_than_the_stock_left_now(customer, shop, product, product_two):
    cart_add(user=customer, product=product_two)
    cart_add(user=customer, product=product, quantity=4)
    Product.objects.filter(pk=product.pk).update(stock=3)

    with pytest.raises(ValidationError) as error:
        order_checkout(user=customer, business=shop, fulfilment="pickup")

    assert (error.value.code, error.value.message) == ("out_of_stock", "Only 3 of “Batik Parang” left.")
    assert nothing_ordered()
    assert (stock_of(product), stock_of(product_two)) == (3, 10)


def test_delivery_needs_an_address_and_must_be_offered(customer, shop, product):
    cart_add(user=customer, product=product)

    with pytest.raises(ValidationError) as no_address:
        order_checkout(user=customer, business=shop, fulfilment=Fulfilment.DELIVERY, delivery_address="  ")
    order_settings_update(business=shop, actor=business_owner(shop), delivery_enabled=False)
    with pytest.raises(ValidationError) as not_offered:
        order_checkout(user=customer, business=shop, fulfilment=Fulfilment.DELIVERY, delivery_address="Jl. A")
    with pytest.raises(ValidationError) as unknown:
        order_checkout(user=customer, business=shop, fulfilment="drone")

    assert "delivery_address" in no_address.value.fields
    assert not_offered.value.code == "fulfilment_not_enabled"
    assert "fulfilment" in unknown.value.fields
    assert nothing_ordered()


def test_a_shop_that_stopped_taking_orders_refuses_checkout(customer, shop, product):
    cart_add(user=customer, product=product)
    order_settings_update(business=shop, actor=business_owner(shop), accepts_orders=False)

    with pytest.raises(ValidationError) as error:
        order_checkout(user=customer, business=shop, fulfilment="pickup")

    assert error.value.code == "not_accepting_orders"
    assert nothing_ordered()


def test_unlimited_stock_stays_unlimited(customer, checkout, shop):
    bread = product_for_sale(shop, "Roti", price_minor=12_000, stock=None)

    order = checkout(customer, [(bread, 40)])

    assert order.total_minor == 480_000
    assert stock_of(bread) is None


# --- staff orders --------------------------------------------------------------------------------


def test_staff_take_a_phone_order_for_a_walk_in_contact(sales, walk_in, staff_order, product):
    order = staff_order(sales, walk_in, [(product, 2)], channel=OrderChannel.PHONE, note="Ambil jam 5")

    assert (order.customer, order.contact, order.created_by, order.channel) == (None, walk_in, sales, "phone")
    assert order.total_minor == 300_000
    assert stock_of(product) == 3
    activity = Activity.objects.get(verb="ordered")
    assert (activity.actor, activity.channel, activity.data["customer_name"], activity.data["channel"]) == (
        None,
        "phone",
        "Ibu Wati",
        "phone",
    )


@pytest.mark.parametrize(
    ("channel", "activity_channel"),
    [("walk_in", "counter"), ("whatsapp", "whatsapp"), ("sms", "sms"), ("api", "api"), ("chat", "web")],
)
def test_the_order_channel_becomes_the_activity_channel(
    sales, walk_in, staff_order, product, channel, activity_channel
):
    staff_order(sales, walk_in, [(product, 1)], channel=channel)

    assert Activity.objects.get(verb="ordered").channel == activity_channel


def test_a_staff_order_for_a_customer_with_an_account_names_them(sales, shop, customer, staff_order, product):
    from etalase.customers.services.contacts import contact_for_user

    contact = contact_for_user(business=shop, user=customer)

    order = staff_order(sales, contact, [(product, 1)], channel=OrderChannel.WHATSAPP)

    assert (order.customer, order.created_by) == (customer, sales)
    assert Activity.objects.get(verb="ordered").actor == customer
    assert customer_order_list(user=customer).get() == order


def test_a_staff_order_for_a_contact_with_an_account_shows_among_their_orders(sales, shop, customer, product):
    from etalase.customers.services.contacts import contact_for_user

    contact = contact_for_user(business=shop, user=customer)

    order = order_place(
        business=shop,
        lines=[LineRequest(product.pk, 1)],
        fulfilment="pickup",
        actor=sales,
        contact=contact,
        channel="chat",
    )

    assert order.customer == customer
    assert list(customer_order_list(user=customer)) == [order]


def test_the_same_product_twice_is_one_line(sales, walk_in, product):
    order = order_place(
        business=walk_in.business,
        lines=[LineRequest(product.pk, 1), LineRequest(product.pk, 2)],
        fulfilment="pickup",
        actor=sales,
        contact=walk_in,
        channel="phone",
    )

    assert list(order.lines.values_list("quantity", "total_minor")) == [(3, 450_000)]


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([], "The order is empty: add at least one product."),
        ([("product", 0)], "The quantity must be at least 1."),
        ([("product", -3)], "The quantity must be at least 1."),
        ([("product", 6)], "Only 5 of “Batik Parang” left."),
        ([("foreign", 1)], "A product in the order is not sold by this shop. Remove it and try again."),
    ],
)
def test_bad_staff_orders_change_nothing(sales, walk_in, product, foreign_product, lines, message):
    products = {"product": product, "foreign": foreign_product}

    with pytest.raises(ValidationError) as error:
        order_place(
            business=walk_in.business,
            lines=[LineRequest(products[name].pk, quantity) for name, quantity in lines],
            fulfilment="pickup",
            actor=sales,
            contact=walk_in,
            channel="phone",
        )

    assert error.value.message == message
    assert nothing_ordered()
    assert (stock_of(product), stock_of(foreign_product)) == (5, 20)


def test_a_contact_of_another_business_is_refused(sales, shop, other_shop, product):
    from etalase.customers.services.contacts import contact_create

    stranger = contact_create(business=other_shop, name="Orang Lain")

    with pytest.raises(ValidationError) as error:
        order_place(
            business=shop,
            lines=[LineRequest(product.pk, 1)],
            fulfilment="pickup",
            actor=sales,
            contact=stranger,
            channel="phone",
        )

    assert "contact" in error.value.fields
    assert nothing_ordered()


def test_staff_may_take_orders_when_the_storefront_does_not(sales, shop, walk_in, staff_order, product):
    order_settings_update(business=shop, actor=business_owner(shop), accepts_orders=False)

    order = staff_order(sales, walk_in, [(product, 1)], channel=OrderChannel.WALK_IN)

    assert order.status == OrderStatus.PENDING


# --- reading orders ------------------------------------------------------------------------------


def test_staff_find_orders_by_number_name_or_phone(sales, shop, walk_in, staff_order, order, product):
    phone_order = staff_order(sales, walk_in, [(product, 1)])

    assert list(order_list(business=shop)) == [phone_order, order]
    assert list(order_list(business=shop, query="#2")) == [phone_order]
    assert list(order_list(business=shop, query="wati")) == [phone_order]
    assert list(order_list(business=shop, query="0813 1111")) == [phone_order]
    assert list(order_list(business=shop, query="budi")) == [order]
    assert list(order_list(business=shop, status="completed")) == []


def test_order_list_costs_the_same_few_queries_however_long(
    sales, shop, walk_in, staff_order, product_two, django_assert_num_queries
):
    for _ in range(4):
        staff_order(sales, walk_in, [(product_two, 1)])

    with django_assert_num_queries(1):
        rows = [(order.number, order.contact.display_name) for order in order_list(business=shop)]

    assert len(rows) == 4


def test_another_business_or_customer_cannot_read_an_order(order, customer, other_shop):
    stranger = UserFactory()

    with pytest.raises(NotFound):
        order_get(business=other_shop, number=order.number)
    with pytest.raises(NotFound):
        customer_order_get(user=stranger, business=order.business, number=order.number)
    assert customer_order_get(user=customer, business=order.business, number=order.number) == order
    assert order_receipt_get(token=order.receipt_token) == order
    with pytest.raises(NotFound):
        order_receipt_get(token="not-a-token")


# --- cancelling by the customer and reordering -----------------------------------------------------


def test_a_customer_cancels_a_pending_order_and_the_stock_comes_back(order, customer, product, product_two):
    cancelled = order_cancel(order=order, actor=customer, reason="", by_customer=True)

    assert cancelled.status == OrderStatus.CANCELLED
    assert (stock_of(product), stock_of(product_two)) == (5, 10)
    activity = Activity.objects.get(verb="cancelled")
    assert activity.data == {
        "number": 1,
        "customer_id": customer.pk,
        "contact_id": order.contact_id,
        "amount_minor": 385_000,
        "reason": "",
        "by_customer": True,
    }


def test_a_customer_cannot_cancel_a_confirmed_order_or_someone_elses(order, customer, owner):
    with pytest.raises(NotFound):
        order_cancel(order=order, actor=UserFactory(), reason="", by_customer=True)
    order_transition(order=order, actor=owner, to_status=OrderStatus.CONFIRMED)

    with pytest.raises(ValidationError) as error:
        order_cancel(order=order, actor=customer, reason="", by_customer=True)

    assert error.value.code == "transition_not_allowed"
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CONFIRMED


def test_reorder_puts_what_is_still_for_sale_back_in_the_cart(order, customer, shop, product, product_two):
    product_hide(context=context_of(business_owner(shop), shop), product_id=product_two.pk)
    Product.objects.filter(pk=product.pk).update(price_minor=170_000)

    cart = order_reorder(user=customer, order=order)

    assert [(line.product, line.quantity, line.unit_price_minor) for line in cart.lines] == [(product, 2, 170_000)]
    assert cart.skipped == ["Kain Lurik"]


def test_reorder_cuts_a_line_to_the_stock_left(order, customer, product):
    Product.objects.filter(pk=product.pk).update(stock=1)

    cart = order_reorder(user=customer, order=order)

    assert [(line.product, line.quantity) for line in cart.lines if line.product == product] == [(product, 1)]


def test_reorder_of_someone_elses_order_is_not_found(order):
    with pytest.raises(NotFound):
        order_reorder(user=UserFactory(), order=order)

    assert not Cart.objects.exclude(user=order.customer).exists()


# --- reviews -------------------------------------------------------------------------------------


def completed(order: Order, actor: User) -> Order:
    order_transition(order=order, actor=actor, to_status=OrderStatus.CONFIRMED)
    return order_transition(order=order, actor=actor, to_status=OrderStatus.COMPLETED)


def test_a_customer_reviews_each_product_of_a_completed_order_once(order, customer, owner, product):
    completed(order, owner)

    review = review_create(order=order, user=customer, product_id=product.pk, rating=5, text=" Bagus sekali ")

    assert (review.rating, review.text, review.business) == (5, "Bagus sekali", order.business)
    assert list(product_reviews(product=product)) == [review]
    assert review_summary(product=product) == (1, Decimal(5))
    activity = Activity.objects.get(verb="reviewed")
    assert (activity.actor, target_of(activity), activity.data["rating"], activity.data["order_id"]) == (
        customer,
        ("product", product.pk),
        5,
        order.pk,
    )
    with pytest.raises(Conflict) as again:
        review_create(order=order, user=customer, product_id=product.pk, rating=1)
    assert again.value.code == "already_reviewed"
    assert Review.objects.count() == 1


def test_review_summary_averages_to_one_decimal(order, checkout, customer, owner, product):
    from decimal import Decimal

    second = checkout(customer, [(product, 1)])
    completed(order, owner)
    completed(second, owner)
    review_create(order=order, user=customer, product_id=product.pk, rating=5)
    review_create(order=second, user=customer, product_id=product.pk, rating=4)

    assert review_summary(product=product) == (2, Decimal("4.5"))


@pytest.mark.parametrize("rating", [0, 6, "5", None])
def test_reviews_refuse_bad_ratings_pending_orders_and_other_products(
    order, customer, owner, product, foreign_product, rating
):
    with pytest.raises(ValidationError) as pending:
        review_create(order=order, user=customer, product_id=product.pk, rating=5)
    completed(order, owner)
    with pytest.raises(ValidationError) as bad_rating:
        review_create(order=order, user=customer, product_id=product.pk, rating=rating)
    with pytest.raises(ValidationError) as other_product:
        review_create(order=order, user=customer, product_id=foreign_product.pk, rating=4)

    assert pending.value.code == "not_completed"
    assert "rating" in bad_rating.value.fields
    assert "product_id" in other_product.value.fields
    assert not Review.objects.exists()
