"""The orders API for customers: carts, checkout, my orders, payments, reviews and receipts; the
whole journey from the cart to the receipt through the API; idempotent retries; bad input answered
with a clear message and nothing changed; another customer's order is 404."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from etalase.activity.models import Activity
from etalase.catalog.models import Product
from etalase.catalog.services import product_hide
from etalase.orders.enums import OrderStatus, PaymentStatus
from etalase.orders.models import CartItem, Order, OrderLine, Payment, Review
from etalase.orders.services.carts import cart_add
from etalase.orders.services.status import order_transition
from tests.factories import UserFactory, business_owner
from tests.support.api import patch_json, post_json
from tests.support.orders import context_of, product_for_sale, proof_picture

pytestmark = pytest.mark.django_db

API = "/api/v1"


def cart_url(business, suffix: str = "") -> str:
    return f"{API}/businesses/{business.slug}/cart{suffix}"


def my_order_url(order, suffix: str = "") -> str:
    return f"{API}/me/orders/{order.business.slug}/{order.number}{suffix}"


def error_of(response) -> dict[str, Any]:
    return response.json()["error"]


@pytest.fixture
def budi(api_client_for, customer):
    return api_client_for(customer)


@pytest.fixture
def owner_api(api_client_for, owner):
    return api_client_for(owner)


def stock_of(product: Product) -> int | None:
    return Product.objects.get(pk=product.pk).stock


# --- the whole journey ------------------------------------------------------------------------------


def test_the_whole_journey_from_cart_to_receipt_through_the_api(
    budi, owner_api, api_client_for, anonymous_client, shop, product, cashier, customer
):
    # The customer fills the cart (a price sent along is ignored) and checks out for delivery.
    added = post_json(budi, cart_url(shop, "/items"), {"product_id": product.pk, "quantity": 2, "price_minor": 1})
    assert added.status_code == 200
    assert added.json()["cart"]["subtotal_minor"] == 300_000
    placed = post_json(
        budi,
        f"{API}/businesses/{shop.slug}/checkout",
        {"fulfilment": "delivery", "delivery_address": "Jl. Malioboro 1", "total_minor": 5, "note": "Pagi"},
        **{"Idempotency-Key": "journey-1"},
    )
    assert placed.status_code == 201
    order = placed.json()
    assert (order["number"], order["status"], order["subtotal_minor"], order["delivery_fee_minor"]) == (
        1,
        "pending",
        300_000,
        10_000,
    )
    assert (order["total_minor"], order["due_minor"], order["total_formatted"]) == (310_000, 310_000, "IDR 310,000")
    assert order["lines"][0]["title"] == "Batik Parang"
    assert order["can_cancel"] is True
    assert stock_of(product) == 3
    assert not CartItem.objects.exists()

    # The owner sees it among the pending orders and confirms it.
    listed = owner_api.get(f"{API}/businesses/{shop.slug}/orders?status=pending").json()
    assert [(item["number"], item["contact"]["name"]) for item in listed["items"]] == [(1, "Budi Pelanggan")]
    confirmed = post_json(owner_api, f"{API}/businesses/{shop.slug}/orders/1/status", {"status": "confirmed"})
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "confirmed"

    # The customer uploads the transfer proof; the cashier confirms the payment.
    paid = budi.post(
        f"{API}/me/orders/{shop.slug}/1/payments",
        {"method": "transfer", "amount_minor": "310000", "reference": "BCA 0912", "proof": proof_picture()},
    )
    assert paid.status_code == 201
    assert (paid.json()["status"], paid.json()["has_proof"]) == ("pending", True)
    payment_id = paid.json()["id"]
    cashier_api = api_client_for(cashier)
    waiting = cashier_api.get(f"{API}/businesses/{shop.slug}/orders/1").json()
    proof_url = waiting["payments"][0]["proof_url"]
    assert proof_url == f"{API}/businesses/{shop.slug}/payments/{payment_id}/proof"  # the team's, never public media
    assert cashier_api.get(proof_url).status_code == 200
    checked = post_json(cashier_api, f"{API}/businesses/{shop.slug}/payments/{payment_id}/confirm")
    assert checked.status_code == 200
    assert (checked.json()["status"], checked.json()["confirmed_by"]["name"]) == ("confirmed", "Rina Kasir")

    # Both see it paid; the receipt link shows it too, without the customer's phone or email.
    mine = budi.get(f"{API}/me/orders/{shop.slug}/1").json()
    assert (mine["is_paid"], mine["paid_minor"], mine["due_minor"]) == (True, 310_000, 0)
    assert [event["to_status"] for event in mine["events"]] == ["pending", "confirmed"]
    staff_view = owner_api.get(f"{API}/businesses/{shop.slug}/orders/1").json()
    assert (staff_view["is_paid"], staff_view["due_formatted"]) == (True, "IDR 0")
    receipt = anonymous_client.get(f"{API}/receipts/{mine['receipt_token']}")
    assert receipt.status_code == 200
    body = receipt.json()
    assert (body["number"], body["is_paid"], body["customer_name"], body["total_formatted"]) == (
        1,
        True,
        "Budi Pelanggan",
        "IDR 310,000",
    )
    assert body["payments"][0]["status"] == "confirmed"
    text = receipt.content.decode()
    assert customer.phone not in text
    assert customer.email not in text
    assert mine["receipt_url"] == f"/receipt/{mine['receipt_token']}/"

    # Every step was recorded for the timeline, from the API.
    verbs = list(Activity.objects.filter(business=shop).order_by("pk").values_list("verb", "channel"))
    assert [verb for verb in verbs if verb[0] in {"ordered", "order_status_changed", "paid", "payment_confirmed"}] == [
        ("ordered", "api"),
        ("order_status_changed", "api"),
        ("paid", "api"),
        ("payment_confirmed", "api"),
    ]


def test_the_openapi_document_still_builds(anonymous_client):
    response = anonymous_client.get(f"{API}/openapi.json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/businesses/{slug}/checkout" in paths
    assert "/api/v1/payments/gateway/{gateway}/notification" in paths
    checkout = paths["/api/v1/businesses/{slug}/checkout"]["post"]
    assert {"201", "400", "401", "404", "422"} <= set(checkout["responses"])
    assert "Idempotency-Key" in [parameter["name"] for parameter in checkout["parameters"]]


# --- carts ----------------------------------------------------------------------------------------


def test_a_customer_fills_changes_and_empties_a_cart(budi, shop, product, product_two):
    post_json(budi, cart_url(shop, "/items"), {"product_id": product.pk})
    post_json(budi, cart_url(shop, "/items"), {"product_id": product_two.pk, "quantity": 2})
    post_json(budi, cart_url(shop, "/items"), {"product_id": product.pk})

    cart = budi.get(cart_url(shop)).json()
    assert [(line["title"], line["quantity"], line["total_minor"]) for line in cart["cart"]["lines"]] == [
        ("Batik Parang", 2, 300_000),
        ("Kain Lurik", 2, 170_000),
    ]
    assert (cart["cart"]["count"], cart["cart"]["subtotal_minor"], cart["cart"]["subtotal_formatted"]) == (
        4,
        470_000,
        "IDR 470,000",
    )
    assert [method["key"] for method in cart["checkout"]["payment_methods"]] == ["cash", "transfer", "qris", "gateway"]
    assert [fulfilment["key"] for fulfilment in cart["checkout"]["fulfilments"]] == ["pickup", "delivery"]
    assert cart["checkout"]["delivery_fee_minor"] == 10_000

    changed = patch_json(budi, cart_url(shop, f"/items/{product.pk}"), {"quantity": 1})
    assert [line["quantity"] for line in changed.json()["cart"]["lines"]] == [1, 2]
    removed = budi.delete(cart_url(shop, f"/items/{product_two.pk}"))
    assert [line["product_id"] for line in removed.json()["cart"]["lines"]] == [product.pk]
    assert budi.delete(cart_url(shop)).status_code == 204
    assert budi.get(cart_url(shop)).json()["cart"]["is_empty"] is True


def test_my_carts_lists_every_shop_with_items_and_the_badge_count(budi, shop, product, foreign_product, other_shop):
    post_json(budi, cart_url(shop, "/items"), {"product_id": product.pk, "quantity": 2})
    post_json(budi, cart_url(other_shop, "/items"), {"product_id": foreign_product.pk, "quantity": 3})

    body = budi.get(f"{API}/cart").json()

    assert [cart["business"] for cart in body["items"]] == [other_shop.slug, shop.slug]
    assert body["count"] == 5


def test_prices_are_read_from_the_product_whatever_the_client_sends(budi, shop, product):
    response = post_json(
        budi, cart_url(shop, "/items"), {"product_id": product.pk, "unit_price_minor": 1, "total_minor": 1}
    )

    assert response.json()["cart"]["lines"][0]["unit_price_minor"] == 150_000


@pytest.mark.parametrize(
    ("quantity", "status", "field"),
    [
        (0, 400, "quantity"),
        (-2, 400, "quantity"),
        (6, 400, "quantity"),
        (10**6, 422, "quantity"),
        ("2", 422, "quantity"),
        (1.5, 422, "quantity"),
    ],
)
def test_a_bad_quantity_is_refused_and_the_cart_stays_empty(budi, shop, product, quantity, status, field):
    response = post_json(budi, cart_url(shop, "/items"), {"product_id": product.pk, "quantity": quantity})

    assert response.status_code == status
    assert field in error_of(response)["fields"]
    assert error_of(response)["message"]
    assert not CartItem.objects.exists()


def test_a_quantity_above_the_stock_says_how_many_are_left(budi, shop, product):
    response = post_json(budi, cart_url(shop, "/items"), {"product_id": product.pk, "quantity": 6})

    assert error_of(response)["message"] == "Only 5 of “Batik Parang” left."


def test_a_product_of_another_shop_cannot_go_into_this_shops_cart(budi, shop, product, foreign_product):
    response = post_json(budi, cart_url(shop, "/items"), {"product_id": foreign_product.pk})

    assert response.status_code == 400
    assert error_of(response)["fields"] == {"product_id": "This product is not available in this shop."}
    assert not CartItem.objects.exists()


def test_a_product_of_another_shop_cannot_be_set_in_this_shops_cart(budi, shop, foreign_product):
    response = patch_json(budi, cart_url(shop, f"/items/{foreign_product.pk}"), {"quantity": 1})

    assert response.status_code == 404
    assert not CartItem.objects.exists()


def test_a_product_id_too_large_is_422(budi, shop):
    assert post_json(budi, cart_url(shop, "/items"), {"product_id": 2**60}).status_code == 422
    assert patch_json(budi, cart_url(shop, f"/items/{2**60}"), {"quantity": 1}).status_code == 422


def test_a_hidden_product_cannot_be_added(budi, shop, product):
    product_hide(context=context_of(business_owner(shop), shop), product_id=product.pk)

    response = post_json(budi, cart_url(shop, "/items"), {"product_id": product.pk})

    assert response.status_code == 400
    assert not CartItem.objects.exists()


def test_a_cart_of_an_unknown_shop_is_404(budi):
    assert budi.get(f"{API}/businesses/no-such-shop/cart").status_code == 404


def test_carts_need_a_login(anonymous_client, shop):
    response = anonymous_client.get(cart_url(shop))

    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthenticated"


# --- checkout -------------------------------------------------------------------------------------


def checkout_url(business) -> str:
    return f"{API}/businesses/{business.slug}/checkout"


def test_a_retried_checkout_with_the_same_key_returns_the_same_order(budi, shop, product, customer):
    cart_add(user=customer, product=product, quantity=2)
    key = {"Idempotency-Key": "7f1c3a52-checkout"}

    first = post_json(budi, checkout_url(shop), {"fulfilment": "pickup"}, **key)
    again = post_json(budi, checkout_url(shop), {"fulfilment": "pickup"}, **key)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["number"] == first.json()["number"] == 1
    assert again.json()["receipt_token"] == first.json()["receipt_token"]
    assert Order.objects.count() == 1
    assert stock_of(product) == 3
    assert Activity.objects.filter(verb="ordered").count() == 1


def test_an_idempotency_key_belongs_to_one_customer(api_client_for, shop, product, customer):
    other = UserFactory(name="Ani")
    for user in (customer, other):
        cart_add(user=user, product=product, quantity=1)
        response = post_json(
            api_client_for(user), checkout_url(shop), {"fulfilment": "pickup"}, **{"Idempotency-Key": "same-key"}
        )
        assert response.status_code == 201

    assert sorted(Order.objects.values_list("customer__name", flat=True)) == ["Ani", "Budi Pelanggan"]


def test_without_a_key_a_second_checkout_finds_the_cart_empty(budi, shop, product, customer):
    cart_add(user=customer, product=product, quantity=1)
    assert post_json(budi, checkout_url(shop), {"fulfilment": "pickup"}).status_code == 201

    response = post_json(budi, checkout_url(shop), {"fulfilment": "pickup"})

    assert response.status_code == 400
    assert error_of(response) == {"code": "empty", "message": "Your cart is empty.", "fields": {}}
    assert Order.objects.count() == 1


def test_checkout_of_an_empty_cart_is_refused(budi, shop, product):
    response = post_json(budi, checkout_url(shop), {"fulfilment": "pickup"})

    assert response.status_code == 400
    assert error_of(response)["message"] == "Your cart is empty."
    assert not Order.objects.exists()


def test_a_product_unpublished_meanwhile_stops_the_checkout_and_nothing_changes(
    budi, shop, product, product_two, customer
):
    cart_add(user=customer, product=product, quantity=1)
    cart_add(user=customer, product=product_two, quantity=1)
    product_hide(context=context_of(business_owner(shop), shop), product_id=product.pk)

    response = post_json(budi, checkout_url(shop), {"fulfilment": "pickup"})

    assert response.status_code == 400
    assert error_of(response)["message"] == "“Batik Parang” is no longer available."
    assert not Order.objects.exists()
    assert (stock_of(product), stock_of(product_two)) == (5, 10)
    assert CartItem.objects.count() == 2
    cart = budi.get(cart_url(shop)).json()["cart"]
    assert cart["has_problems"] is True
    assert cart["lines"][0]["problem"] == "No longer available."


def test_stock_sold_meanwhile_stops_the_checkout(budi, shop, product, customer, checkout):
    cart_add(user=customer, product=product, quantity=4)
    checkout(UserFactory(), [(product, 3)])

    response = post_json(budi, checkout_url(shop), {"fulfilment": "pickup"})

    assert response.status_code == 400
    assert error_of(response)["message"] == "Only 2 of “Batik Parang” left."
    assert Order.objects.count() == 1
    assert stock_of(product) == 2


def test_delivery_needs_an_address(budi, shop, product, customer):
    cart_add(user=customer, product=product, quantity=1)

    response = post_json(budi, checkout_url(shop), {"fulfilment": "delivery", "delivery_address": "  "})

    assert response.status_code == 400
    assert error_of(response)["fields"] == {"delivery_address": "Enter the delivery address."}
    assert not Order.objects.exists()
    assert stock_of(product) == 5


@pytest.mark.parametrize("body", [{}, {"fulfilment": "teleport"}, {"fulfilment": "pickup", "note": "x" * 501}])
def test_a_malformed_checkout_is_422(budi, shop, product, customer, body):
    cart_add(user=customer, product=product, quantity=1)

    response = post_json(budi, checkout_url(shop), body)

    assert response.status_code == 422
    assert error_of(response)["code"] == "invalid"
    assert not Order.objects.exists()


def test_an_idempotency_key_too_long_is_422(budi, shop, product, customer):
    cart_add(user=customer, product=product, quantity=1)

    response = post_json(budi, checkout_url(shop), {"fulfilment": "pickup"}, **{"Idempotency-Key": "k" * 101})

    assert response.status_code == 422
    assert "header.Idempotency-Key" in error_of(response)["fields"]


# --- my orders ------------------------------------------------------------------------------------


def test_my_orders_lists_mine_at_every_shop_newest_first(budi, customer, order, checkout, foreign_product):
    later = checkout(customer, [(foreign_product, 1)])
    checkout(UserFactory(), [(order.lines.first().product, 1)])  # someone else's

    body = budi.get(f"{API}/me/orders").json()

    assert [(item["business"], item["number"]) for item in body["items"]] == [
        (later.business.slug, 1),
        (order.business.slug, 1),
    ]
    assert body["items"][1]["total_minor"] == 385_000
    assert (body["page"], body["next_page"]) == (1, None)


def test_my_orders_cost_the_same_queries_for_any_length(budi, customer, product, checkout):
    checkout(customer, [(product, 1)])
    budi.get(f"{API}/me/orders")  # the token's first use is written once
    with CaptureQueriesContext(connection) as one:
        budi.get(f"{API}/me/orders")
    for _ in range(3):
        checkout(customer, [(product, 1)])
    with CaptureQueriesContext(connection) as four:
        assert len(budi.get(f"{API}/me/orders").json()["items"]) == 4

    assert len(four) == len(one)


def test_my_order_shows_lines_timeline_payments_and_what_is_due(budi, order):
    body = budi.get(my_order_url(order)).json()

    assert [(line["title"], line["quantity"], line["unit_price_minor"]) for line in body["lines"]] == [
        ("Batik Parang", 2, 150_000),
        ("Kain Lurik", 1, 85_000),
    ]
    assert (body["total_minor"], body["paid_minor"], body["due_minor"], body["is_paid"]) == (385_000, 0, 385_000, False)
    assert [event["label"] for event in body["events"]] == ["Waiting for confirmation"]
    assert (body["payments"], body["can_cancel"], body["can_review"]) == ([], True, False)


def test_money_is_formatted_in_the_requests_language(api_client_for, customer, order):
    body = api_client_for(customer, language="id").get(my_order_url(order)).json()

    assert body["total_formatted"] == "Rp 385.000"
    assert body["lines"][0]["unit_price_formatted"] == "Rp 150.000"


def test_another_customers_order_is_404_everywhere(api_client_for, order):
    stranger = api_client_for(UserFactory(name="Ani"))

    assert stranger.get(my_order_url(order)).status_code == 404
    assert post_json(stranger, my_order_url(order, "/cancel")).status_code == 404
    assert post_json(stranger, my_order_url(order, "/reorder")).status_code == 404
    paid = stranger.post(my_order_url(order, "/payments"), {"method": "qris", "amount_minor": "1000", "reference": "x"})
    assert paid.status_code == 404
    assert error_of(paid)["code"] == "not_found"
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING
    assert not Payment.objects.exists()


def test_an_order_number_that_does_not_exist_or_is_huge_is_404_or_422(budi, order):
    assert budi.get(f"{API}/me/orders/{order.business.slug}/99").status_code == 404
    assert budi.get(f"{API}/me/orders/{order.business.slug}/{2**40}").status_code == 422


def test_a_customer_cancels_a_pending_order_and_the_stock_comes_back(budi, order, product):
    response = post_json(budi, my_order_url(order, "/cancel"), {"reason": "Salah ukuran"})

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["cancel_reason"]) == ("cancelled", "Salah ukuran")
    assert stock_of(product) == 5
    assert Activity.objects.get(verb="cancelled").channel == "api"


def test_a_confirmed_order_cannot_be_cancelled_by_the_customer(budi, order, owner, product):
    order_transition(order=order, actor=owner, to_status=OrderStatus.CONFIRMED)

    response = budi.generic("POST", my_order_url(order, "/cancel"))  # the reason may be left out

    assert response.status_code == 400
    assert error_of(response)["code"] == "transition_not_allowed"
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CONFIRMED
    assert stock_of(product) == 3


def test_reorder_puts_what_is_still_for_sale_back_in_the_cart(budi, order, product, product_two, shop):
    product_hide(context=context_of(business_owner(shop), shop), product_id=product_two.pk)

    response = post_json(budi, my_order_url(order, "/reorder"))

    assert response.status_code == 200
    body = response.json()
    assert [(line["title"], line["quantity"]) for line in body["cart"]["lines"]] == [("Batik Parang", 2)]
    assert body["skipped"] == ["Kain Lurik"]


# --- reviews --------------------------------------------------------------------------------------


def completed(order: Order, owner) -> Order:
    for status in (OrderStatus.CONFIRMED, OrderStatus.COMPLETED):
        order_transition(order=order, actor=owner, to_status=status)
    return order


def test_a_completed_orders_product_is_reviewed_once(budi, order, owner, product):
    completed(order, owner)

    first = post_json(budi, my_order_url(order, "/reviews"), {"product_id": product.pk, "rating": 5, "text": "Bagus"})
    again = post_json(budi, my_order_url(order, "/reviews"), {"product_id": product.pk, "rating": 1})

    assert first.status_code == 201
    assert (first.json()["rating"], first.json()["text"]) == (5, "Bagus")
    assert again.status_code == 409
    assert Review.objects.count() == 1
    assert budi.get(my_order_url(order)).json()["reviews"][0]["product_id"] == product.pk


def test_a_pending_order_cannot_be_reviewed(budi, order, product):
    response = post_json(budi, my_order_url(order, "/reviews"), {"product_id": product.pk, "rating": 4})

    assert response.status_code == 400
    assert error_of(response)["code"] == "not_completed"
    assert not Review.objects.exists()


@pytest.mark.parametrize(("rating", "status"), [(0, 422), (6, 422), ("5", 422)])
def test_a_rating_outside_one_to_five_is_refused(budi, order, owner, product, rating, status):
    completed(order, owner)

    response = post_json(budi, my_order_url(order, "/reviews"), {"product_id": product.pk, "rating": rating})

    assert response.status_code == status
    assert "rating" in error_of(response)["fields"]
    assert not Review.objects.exists()


def test_a_product_not_in_the_order_cannot_be_reviewed(budi, order, owner, shop):
    completed(order, owner)
    other = product_for_sale(shop, "Selendang")

    response = post_json(budi, my_order_url(order, "/reviews"), {"product_id": other.pk, "rating": 4})

    assert response.status_code == 400
    assert error_of(response)["fields"] == {"product_id": "This product is not part of the order."}


# --- customer payments ----------------------------------------------------------------------------


def pay(client, order, key: str = "", **fields):
    data = {"method": "transfer", "amount_minor": "100000", "proof": proof_picture(), **fields}
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(
        my_order_url(order, "/payments"), {k: v for k, v in data.items() if v is not None}, headers=headers
    )


def test_a_retried_payment_with_the_same_key_records_one_payment(budi, order):
    first = pay(budi, order, key="pay-1")
    again = pay(budi, order, key="pay-1")

    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["id"] == again.json()["id"]
    assert Payment.objects.count() == 1
    assert Activity.objects.filter(verb="paid").count() == 1


def test_a_qris_payment_with_its_reference(budi, order):
    response = pay(budi, order, method="qris", reference="QR-889900", proof=None, amount_minor="385000")

    assert response.status_code == 201
    assert (response.json()["method"], response.json()["amount_formatted"]) == ("qris", "IDR 385,000")


@pytest.mark.parametrize(
    ("fields", "status", "field", "message"),
    [
        ({"amount_minor": "385001"}, 400, "amount_minor", "That is more than is due: at most IDR 385,000."),
        ({"amount_minor": "-5000"}, 400, "amount_minor", "The amount must be more than zero."),
        ({"amount_minor": "0"}, 400, "amount_minor", "The amount must be more than zero."),
        ({"amount_minor": "lima ribu"}, 422, "amount_minor", None),
        ({"amount_minor": "15000.50"}, 422, "amount_minor", None),
        ({"amount_minor": None}, 422, "amount_minor", None),
        ({"method": "cash"}, 400, "method", "Cash is paid to the shop at pickup or delivery."),
        ({"method": "bitcoin"}, 422, "method", None),
        ({"proof": None}, 400, "proof", "Upload the transfer proof."),
        (
            {"method": "qris", "proof": None},
            400,
            "reference",
            "Enter the payment reference shown in your app.",
        ),
    ],
)
def test_bad_payment_input_is_refused_and_nothing_is_recorded(budi, order, fields, status, field, message):
    response = pay(budi, order, **fields)

    assert response.status_code == status, response.content
    assert field in error_of(response)["fields"]
    if message:
        assert error_of(response)["fields"][field] == message
    assert not Payment.objects.exists()
    assert Order.objects.get(pk=order.pk).paid_minor == 0


def test_a_proof_that_is_not_a_picture_or_pdf_is_refused(budi, order):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("transfer.png", b"MZ\x90\x00 not a picture", content_type="image/png")

    response = pay(budi, order, proof=fake)

    assert response.status_code == 400
    assert error_of(response)["fields"] == {
        "proof": "Upload the transfer proof as a picture (JPEG, PNG, WebP) or a PDF."
    }
    assert not Payment.objects.exists()


def test_a_cancelled_order_cannot_be_paid(budi, order):
    post_json(budi, my_order_url(order, "/cancel"))

    response = pay(budi, order)

    assert response.status_code == 400
    assert error_of(response)["message"] == "This order was cancelled and cannot be paid."
    assert not Payment.objects.exists()


def test_a_pending_payment_counts_against_what_is_due(budi, order):
    assert pay(budi, order, amount_minor="300000").status_code == 201

    response = pay(budi, order, amount_minor="100000")

    assert response.status_code == 400
    assert error_of(response)["code"] == "overpayment"
    assert Payment.objects.get().status == PaymentStatus.PENDING


# --- receipts -------------------------------------------------------------------------------------


def test_a_receipt_shows_what_the_printed_one_shows_and_no_contact_details(anonymous_client, order, customer):
    response = anonymous_client.get(f"{API}/receipts/{order.receipt_token}")

    body = response.json()
    assert response.status_code == 200
    assert (body["business_name"], body["number"], body["customer_name"]) == ("Batik Sari", 1, "Budi Pelanggan")
    assert [line["total_minor"] for line in body["lines"]] == [300_000, 85_000]
    assert (body["total_minor"], body["due_minor"], body["is_paid"]) == (385_000, 385_000, False)
    assert "customer_id" not in body
    assert "contact" not in body
    assert customer.phone not in response.content.decode()


@pytest.mark.parametrize("token", ["not-a-token", "x" * 65, "%20"])
def test_a_wrong_receipt_token_is_404_or_422(anonymous_client, order, token):
    assert anonymous_client.get(f"{API}/receipts/{token}").status_code in (404, 422)


def test_line_snapshots_keep_the_price_paid(budi, order, product, shop):
    Product.objects.filter(pk=product.pk).update(price_minor=999_000, title="Batik Parang Baru")

    body = budi.get(my_order_url(order)).json()

    assert (body["lines"][0]["title"], body["lines"][0]["unit_price_minor"]) == ("Batik Parang", 150_000)
    assert OrderLine.objects.filter(order=order).count() == 2
