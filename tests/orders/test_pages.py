"""The customer's order pages through the browser's eyes: product page → cart → checkout → order page
→ payment → review → receipt. Errors come back on the form (400) and change nothing; someone else's
order is a 404."""

import re
from urllib.parse import parse_qs, quote, urlparse

import pytest
from django.urls import reverse

from etalase.catalog.models import Product
from etalase.catalog.services import product_hide, product_update
from etalase.orders.enums import OrderStatus, PaymentMethod, PaymentStatus
from etalase.orders.models import CartItem, Order, Payment, Review
from etalase.orders.services.carts import cart_add
from etalase.orders.services.status import order_transition
from tests.factories import PASSWORD, UserFactory, business_owner
from tests.support.orders import BANK_DETAILS, context_of, proof_pdf, proof_picture, shop_open

pytestmark = [pytest.mark.django_db]

HTMX = {"HTTP_HX_REQUEST": "true"}


def product_url(product: Product) -> str:
    return reverse("catalog:product", args=[product.business.slug, product.pk])


def order_url(order: Order) -> str:
    return reverse("orders:my_order", args=[order.business.slug, order.number])


def action_url(name: str, order: Order) -> str:
    return reverse(f"orders:{name}", args=[order.business.slug, order.number])


def quantities(user) -> dict[str, int]:
    return {item.product.title: item.quantity for item in CartItem.objects.filter(cart__user=user)}


def idempotency_key(page: str) -> str:
    match = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', page)
    assert match, "the form carries an idempotency key"
    return match.group(1)


def completed(order: Order) -> Order:
    owner = business_owner(order.business)
    order = order_transition(order=order, actor=owner, to_status=OrderStatus.CONFIRMED)
    return order_transition(order=order, actor=owner, to_status=OrderStatus.COMPLETED)


@pytest.fixture
def browser(client_for, customer):
    return client_for(customer)


# --- the product page and the cart ---------------------------------------------------------------


def test_the_product_page_offers_add_to_cart_buy_now_and_the_cart(browser, product):
    page = browser.get(product_url(product)).content.decode()

    assert reverse("orders:cart_add", args=[product.business.slug]) in page
    assert "Add to cart" in page
    assert 'name="buy"' in page
    assert reverse("orders:cart_badge", args=[product.business.slug]) in page


def test_a_sold_out_product_offers_no_add_to_cart(browser, product):
    product_update(
        context=context_of(business_owner(product.business), product.business),
        product_id=product.pk,
        title=product.title,
        price_minor=product.price_minor,
        compare_at_minor=None,
        stock=0,
        sku=product.sku,
        description="",
    )

    page = browser.get(product_url(product)).content.decode()

    assert "Add to cart" not in page
    assert "Sold out" in page


def test_the_storefront_shows_the_cart_link(browser, shop, product):
    page = browser.get(reverse("catalog:storefront", args=[shop.slug])).content.decode()

    assert reverse("orders:cart_badge", args=[shop.slug]) in page


def test_add_to_cart_puts_the_product_in_the_cart_and_returns_to_the_product(browser, customer, product):
    response = browser.post(
        reverse("orders:cart_add", args=[product.business.slug]),
        {"product_id": product.pk, "quantity": 2, "next": product_url(product)},
    )

    assert response.status_code == 302
    assert response["Location"] == product_url(product)
    assert quantities(customer) == {"Batik Parang": 2}
    assert "Added to your cart." in browser.get(product_url(product)).content.decode()


def test_add_to_cart_by_htmx_answers_a_note_and_tells_the_badge(browser, customer, product):
    response = browser.post(
        reverse("orders:cart_add", args=[product.business.slug]), {"product_id": product.pk, "quantity": 1}, **HTMX
    )

    assert response.status_code == 200
    assert "Added to your cart." in response.content.decode()
    assert response["HX-Trigger"] == "cartChanged"
    badge = browser.get(reverse("orders:cart_badge", args=[product.business.slug])).content.decode()
    assert 'class="cart-count">1<' in badge


def test_buy_now_adds_and_goes_to_checkout(browser, customer, product):
    response = browser.post(
        reverse("orders:cart_add", args=[product.business.slug]), {"product_id": product.pk, "quantity": 1, "buy": "1"}
    )

    assert response["Location"] == reverse("orders:checkout", args=[product.business.slug])
    assert quantities(customer) == {"Batik Parang": 1}


@pytest.mark.parametrize(
    ("quantity", "message"),
    [("6", "Only 5"), ("0", "at least 1"), ("abc", "whole number"), ("-1", "at least 1")],
)
def test_add_to_cart_refuses_bad_quantities_and_adds_nothing(browser, customer, product, quantity, message):
    response = browser.post(
        reverse("orders:cart_add", args=[product.business.slug]),
        {"product_id": product.pk, "quantity": quantity, "next": product_url(product)},
        follow=True,
    )

    assert message in response.content.decode()
    assert quantities(customer) == {}


def test_add_to_cart_of_a_product_of_another_shop_is_a_404(browser, customer, shop, foreign_product):
    response = browser.post(reverse("orders:cart_add", args=[shop.slug]), {"product_id": foreign_product.pk})

    assert response.status_code == 404
    assert quantities(customer) == {}


def test_add_to_cart_while_logged_out_completes_after_logging_in(client_for, customer, product):
    visitor = client_for(None)

    response = visitor.post(
        reverse("orders:cart_add", args=[product.business.slug]),
        {"product_id": product.pk, "quantity": 2, "next": product_url(product)},
    )

    login = urlparse(response["Location"])
    assert login.path == reverse("accounts:login")
    next_url = parse_qs(login.query)["next"][0]
    assert next_url == reverse("orders:cart_resume")
    logged_in = visitor.post(
        f"{reverse('accounts:login')}?next={quote(next_url)}",
        {"identifier": customer.email, "password": PASSWORD, "next": next_url},
    )
    assert logged_in["Location"] == next_url
    resumed = visitor.get(next_url)
    assert resumed["Location"] == product_url(product)
    assert quantities(customer) == {"Batik Parang": 2}
    assert visitor.get(next_url)["Location"] == reverse("orders:cart_list")  # done once only
    assert quantities(customer) == {"Batik Parang": 2}


def test_add_to_cart_by_htmx_while_logged_out_redirects_the_page_to_log_in(client_for, product):
    response = client_for(None).post(
        reverse("orders:cart_add", args=[product.business.slug]), {"product_id": product.pk}, **HTMX
    )

    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("accounts:login"))


def test_the_cart_shows_lines_totals_and_problems(browser, customer, product, product_two):
    cart_add(user=customer, product=product, quantity=3)
    cart_add(user=customer, product=product_two, quantity=1)
    owner_context = context_of(business_owner(product.business), product.business)
    product_update(
        context=owner_context,
        product_id=product.pk,
        title=product.title,
        price_minor=product.price_minor,
        compare_at_minor=None,
        stock=2,
        sku=product.sku,
        description="",
    )
    product_hide(context=owner_context, product_id=product_two.pk)

    response = browser.get(reverse("orders:cart", args=[product.business.slug]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Batik Parang" in page
    assert "Kain Lurik" in page
    assert "Only 2 left." in page
    assert "No longer available." in page
    assert "IDR 535,000" in page  # 3 × 150.000 + 85.000
    assert "cannot be ordered as they are" in page


def test_the_steppers_change_the_quantity_and_remove(browser, customer, product):
    cart_add(user=customer, product=product, quantity=1)
    url = reverse("orders:cart_update", args=[product.business.slug])

    more = browser.post(url, {"product_id": product.pk, "quantity": 2}, **HTMX)
    assert more.status_code == 200
    assert 'id="cart-body"' in more.content.decode()
    assert more["HX-Trigger"] == "cartChanged"
    assert quantities(customer) == {"Batik Parang": 2}

    too_many = browser.post(url, {"product_id": product.pk, "quantity": 6}, **HTMX)
    assert "Only 5" in too_many.content.decode()
    assert quantities(customer) == {"Batik Parang": 2}

    removed = browser.post(url, {"product_id": product.pk, "quantity": 0})
    assert removed.status_code == 302
    assert quantities(customer) == {}


def test_all_carts_lists_one_cart_per_shop(browser, customer, product, foreign_product):
    cart_add(user=customer, product=product, quantity=1)
    cart_add(user=customer, product=foreign_product, quantity=2)

    page = browser.get(reverse("orders:cart_list")).content.decode()

    assert "Batik Sari" in page
    assert "Kopi Senja" in page
    assert reverse("orders:checkout", args=[foreign_product.business.slug]) in page


def test_cart_pages_ask_anonymous_visitors_to_log_in(client_for, shop):
    visitor = client_for(None)

    for url in (reverse("orders:cart", args=[shop.slug]), reverse("orders:cart_list"), reverse("orders:my_orders")):
        assert visitor.get(url)["Location"].startswith(reverse("accounts:login")), url


# --- checkout ------------------------------------------------------------------------------------


def test_checkout_offers_only_the_enabled_options_and_a_fresh_key_each_time(browser, customer, shop, product):
    shop_open(shop, delivery_enabled=False)
    cart_add(user=customer, product=product, quantity=1)
    url = reverse("orders:checkout", args=[shop.slug])

    first = browser.get(url).content.decode()
    second = browser.get(url).content.decode()

    assert 'value="pickup"' in first
    assert 'value="delivery"' not in first
    assert idempotency_key(first) != idempotency_key(second)


def test_checkout_places_the_order_and_a_double_submit_gives_the_same_order(browser, customer, shop, product):
    cart_add(user=customer, product=product, quantity=2)
    url = reverse("orders:checkout", args=[shop.slug])
    page = browser.get(url).content.decode()
    assert "IDR 310,000" in page  # with delivery: 2 × 150.000 + 10.000
    form = {
        "fulfilment": "delivery",
        "delivery_address": "Jl. Malioboro 1",
        "note": "Gift wrap",
        "preferred_time": "after 4 pm",
        "idempotency_key": idempotency_key(page),
        "subtotal_minor": "1",  # a price sent by the client is ignored
    }

    first = browser.post(url, form)
    second = browser.post(url, form)

    order = Order.objects.get()
    assert first["Location"] == second["Location"] == order_url(order)
    assert (order.total_minor, order.delivery_fee_minor, order.fulfilment) == (310_000, 10_000, "delivery")
    assert (order.note, order.preferred_time, order.delivery_address) == ("Gift wrap", "after 4 pm", "Jl. Malioboro 1")
    assert quantities(customer) == {}
    assert f"Your order #{order.number} is placed." in browser.get(order_url(order)).content.decode()


def test_checkout_refuses_delivery_without_an_address(browser, customer, shop, product):
    cart_add(user=customer, product=product, quantity=1)

    response = browser.post(reverse("orders:checkout", args=[shop.slug]), {"fulfilment": "delivery"})

    assert response.status_code == 400
    assert "Enter the address to deliver to." in response.content.decode()
    assert not Order.objects.exists()


def test_checkout_of_an_empty_cart_says_so(browser, shop):
    response = browser.post(reverse("orders:checkout", args=[shop.slug]), {"fulfilment": "pickup"})

    assert response.status_code == 400
    assert "Your cart is empty." in response.content.decode()


def test_checkout_with_a_line_above_stock_explains_and_orders_nothing(browser, customer, shop, product):
    cart_add(user=customer, product=product, quantity=5)
    Product.objects.filter(pk=product.pk).update(stock=3)

    response = browser.post(reverse("orders:checkout", args=[shop.slug]), {"fulfilment": "pickup"})

    assert response.status_code == 400
    assert "Only 3" in response.content.decode()
    assert not Order.objects.exists()


def test_checkout_when_the_shop_takes_no_orders(browser, customer, shop, product):
    cart_add(user=customer, product=product, quantity=1)
    shop_open(shop, accepts_orders=False)

    page = browser.get(reverse("orders:checkout", args=[shop.slug])).content.decode()
    refused = browser.post(reverse("orders:checkout", args=[shop.slug]), {"fulfilment": "pickup"})

    assert "does not take orders online" in page
    assert 'name="fulfilment"' not in page
    assert refused.status_code == 400
    assert not Order.objects.exists()


# --- my orders -----------------------------------------------------------------------------------


def test_my_orders_lists_the_customers_orders(browser, order):
    page = browser.get(reverse("orders:my_orders")).content.decode()

    assert f"#{order.number}" in page
    assert order_url(order) in page
    assert "Waiting for confirmation" in page


def test_the_order_page_shows_number_status_lines_totals_and_how_to_pay(browser, order):
    response = browser.get(order_url(order))

    page = response.content.decode()
    assert response.status_code == 200
    assert f"Order #{order.number}" in page
    assert "Waiting for confirmation" in page  # the status and its timeline
    assert "Batik Parang" in page
    assert "Kain Lurik" in page
    assert "IDR 385,000" in page
    assert BANK_DETAILS in page
    assert "Scan the QRIS at the counter" in page
    assert action_url("my_order_gateway", order) in page
    assert "Pay in cash when you pick up" in page
    assert "Cancel the order" in page
    assert reverse("orders:receipt", args=[order.receipt_token]) in page
    assert idempotency_key(page)


def test_the_order_page_offers_only_the_enabled_payment_methods(browser, shop, order):
    shop_open(shop, qris_enabled=False, gateway_enabled=False, gateway_server_key="")

    page = browser.get(order_url(order)).content.decode()

    assert BANK_DETAILS in page
    assert "Scan the QRIS" not in page
    assert action_url("my_order_gateway", order) not in page


def test_someone_elses_order_is_a_404(client_for, order, owner):
    stranger = client_for(UserFactory())

    assert stranger.get(order_url(order)).status_code == 404
    assert client_for(owner).get(order_url(order)).status_code == 404  # staff use the business side
    assert stranger.post(action_url("my_order_cancel", order)).status_code == 404
    assert stranger.post(action_url("my_order_pay", order), {"method": "qris"}).status_code == 404
    assert Order.objects.get().status == OrderStatus.PENDING


def test_an_order_number_of_another_shop_is_a_404(browser, order, other_shop):
    assert browser.get(reverse("orders:my_order", args=[other_shop.slug, order.number])).status_code == 404


def test_the_customer_cancels_a_pending_order(browser, order, product):
    response = browser.post(action_url("my_order_cancel", order), {"reason": "Ordered twice"})

    assert response["Location"] == order_url(order)
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert Product.objects.get(pk=product.pk).stock == 5  # given back
    page = browser.get(order_url(order)).content.decode()
    assert "is cancelled" in page
    assert "Cancel the order" not in page


def test_a_confirmed_order_cannot_be_cancelled_by_the_customer(browser, order, owner):
    order_transition(order=order, actor=owner, to_status=OrderStatus.CONFIRMED)

    page = browser.get(order_url(order)).content.decode()
    response = browser.post(action_url("my_order_cancel", order), {"reason": ""})

    assert "Cancel the order" not in page
    assert response.status_code == 400
    assert Order.objects.get().status == OrderStatus.CONFIRMED


def test_reorder_fills_the_cart_again(browser, customer, order):
    response = browser.post(action_url("my_order_reorder", order))

    assert response["Location"] == reverse("orders:cart", args=[order.business.slug])
    assert quantities(customer) == {"Batik Parang": 2, "Kain Lurik": 1}


def test_reorder_says_which_products_are_gone(browser, customer, order, product_two):
    product_hide(context=context_of(business_owner(order.business), order.business), product_id=product_two.pk)

    response = browser.post(action_url("my_order_reorder", order), follow=True)

    assert "were not added: Kain Lurik" in response.content.decode()
    assert quantities(customer) == {"Batik Parang": 2}


# --- paying --------------------------------------------------------------------------------------


def test_a_transfer_with_its_proof_waits_for_the_shop(browser, order):
    response = browser.post(
        action_url("my_order_pay", order),
        {"method": "transfer", "amount_minor": "385.000", "reference": "BCA 991", "proof": proof_picture()},
    )

    assert response["Location"] == order_url(order)
    payment = Payment.objects.get()
    assert (payment.method, payment.amount_minor, payment.status) == ("transfer", 385_000, PaymentStatus.PENDING)
    assert payment.proof
    page = browser.get(order_url(order)).content.decode()
    assert "waiting for the shop" in page.lower()


def test_a_pdf_proof_is_accepted(browser, order):
    browser.post(
        action_url("my_order_pay", order), {"method": "transfer", "amount_minor": "100000", "proof": proof_pdf()}
    )

    assert Payment.objects.get().amount_minor == 100_000


def test_the_same_payment_form_sent_twice_records_one_payment(browser, order):
    key = idempotency_key(browser.get(order_url(order)).content.decode())
    form = {"method": "qris", "amount_minor": "50000", "reference": "QR-1", "idempotency_key": key}

    browser.post(action_url("my_order_pay", order), form)
    browser.post(action_url("my_order_pay", order), form)

    assert Payment.objects.count() == 1


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"method": "transfer", "amount_minor": "385000"}, "Attach the proof of the transfer."),
        ({"method": "transfer", "amount_minor": "500000", "proof": "picture"}, "more than"),
        ({"method": "transfer", "amount_minor": "-5000", "proof": "picture"}, "more than zero"),
        ({"method": "transfer", "amount_minor": "lima ribu", "proof": "picture"}, "Enter an amount"),
        ({"method": "transfer", "amount_minor": "1000", "proof": "not-a-picture"}, "(JPEG, PNG, WebP) or a PDF"),
        ({"method": "qris", "amount_minor": "1000"}, "Enter the reference number"),
        ({"method": "cash", "amount_minor": "1000"}, "Choose how you paid."),
    ],
)
def test_bad_payments_are_refused_with_a_reason(browser, order, form, message):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = dict(form)
    if data.get("proof") == "picture":
        data["proof"] = proof_picture()
    elif data.get("proof") == "not-a-picture":
        data["proof"] = SimpleUploadedFile("proof.png", b"MZ not an image", content_type="image/png")

    response = browser.post(action_url("my_order_pay", order), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Payment.objects.exists()


def test_a_cancelled_order_cannot_be_paid(browser, order):
    browser.post(action_url("my_order_cancel", order))

    page = browser.get(order_url(order)).content.decode()
    response = browser.post(
        action_url("my_order_pay", order), {"method": "qris", "amount_minor": "1000", "reference": "X"}
    )

    assert "How would you like to pay?" not in page
    assert response.status_code == 400
    assert not Payment.objects.exists()


def test_online_payment_through_the_sandbox_gateway(browser, order):
    start = browser.post(action_url("my_order_gateway", order))
    sandbox_url = reverse("orders:gateway_sandbox", args=[order.receipt_token])
    assert start["Location"] == sandbox_url

    gateway_page = browser.get(sandbox_url).content.decode()
    assert "Test payment gateway" in gateway_page
    assert "IDR 385,000" in gateway_page
    assert 'class="tabbar"' not in gateway_page

    paid = browser.post(sandbox_url, {"action": "pay"})

    assert paid["Location"].startswith(order_url(order))
    order.refresh_from_db()
    assert order.is_paid
    assert Payment.objects.get().status == PaymentStatus.CONFIRMED
    assert "Paid in full" in browser.get(order_url(order)).content.decode()


def test_the_sandbox_gateway_asks_only_what_is_not_waiting_for_confirmation(browser, customer, order):
    from etalase.orders.services.payments import payment_submit

    payment_submit(order=order, user=customer, method=PaymentMethod.QRIS, amount_minor=85_000, reference="QR-9")
    url = reverse("orders:gateway_sandbox", args=[order.receipt_token])

    assert "IDR 300,000" in browser.get(url).content.decode()
    browser.post(url, {"action": "pay"})

    order.refresh_from_db()
    assert order.paid_minor == 300_000
    assert Payment.objects.get(status=PaymentStatus.CONFIRMED).amount_minor == 300_000


def test_cancelling_on_the_sandbox_gateway_pays_nothing(browser, order):
    response = browser.post(reverse("orders:gateway_sandbox", args=[order.receipt_token]), {"action": "cancel"})

    assert response["Location"].startswith(order_url(order))
    assert not Payment.objects.exists()


def test_the_sandbox_gateway_is_only_for_the_orders_customer(client_for, order, owner):
    url = reverse("orders:gateway_sandbox", args=[order.receipt_token])

    assert client_for(None).get(url)["Location"].startswith(reverse("accounts:login"))
    assert client_for(owner).post(url, {"action": "pay"}).status_code == 404
    assert not Payment.objects.exists()


# --- reviews -------------------------------------------------------------------------------------


def test_reviews_open_once_the_order_is_completed_and_each_product_once(browser, order, product):
    assert "Rate your products" not in browser.get(order_url(order)).content.decode()
    completed(order)
    assert "Rate your products" in browser.get(order_url(order)).content.decode()
    url = action_url("my_order_review", order)

    first = browser.post(url, {"product_id": product.pk, "rating": "5", "text": "Halus sekali"})
    again = browser.post(url, {"product_id": product.pk, "rating": "4"})

    assert first["Location"] == order_url(order)
    assert again.status_code == 400
    assert "already reviewed" in again.content.decode()
    review = Review.objects.get()
    assert (review.rating, review.text, review.product_id) == (5, "Halus sekali", product.pk)
    assert "you reviewed this product" in browser.get(order_url(order)).content.decode()


def test_a_review_needs_stars_and_a_pending_order_cannot_be_reviewed(browser, order, product):
    pending = browser.post(action_url("my_order_review", order), {"product_id": product.pk, "rating": "5"})
    completed(order)
    no_stars = browser.post(action_url("my_order_review", order), {"product_id": product.pk, "rating": ""})

    assert pending.status_code == 400
    assert "once the order is completed" in pending.content.decode()
    assert no_stars.status_code == 400
    assert "Choose 1 to 5 stars." in no_stars.content.decode()
    assert not Review.objects.exists()


# --- the receipt ---------------------------------------------------------------------------------


def test_the_receipt_is_a_clean_printable_page_with_a_whatsapp_link(client_for, order):
    url = reverse("orders:receipt", args=[order.receipt_token])

    response = client_for(None).get(url)

    page = response.content.decode()
    assert response.status_code == 200
    assert f"order #{order.number}" in page
    assert "Batik Parang" in page
    assert "IDR 385,000" in page
    assert "Still due: IDR 385,000" in page
    assert 'class="tabbar"' not in page
    assert 'class="topbar"' not in page
    assert "data-receipt-print" in page
    assert "orders/orders.js" in page
    link = re.search(r'href="(https://wa\.me/\?text=[^"]+)"', page)
    assert link, "a plain WhatsApp link"
    assert quote(f"http://testserver{url}", safe="") in link.group(1)
    assert "<script>" not in page
    assert "style=" not in page


def test_an_unknown_receipt_is_a_404(client_for):
    assert client_for(None).get(reverse("orders:receipt", args=["no-such-token"])).status_code == 404


def test_the_receipt_shows_payments_and_paid_in_full(client_for, order, cashier):
    from etalase.orders.services.payments import payment_record

    payment_record(order=order, actor=cashier, method=PaymentMethod.CASH, amount_minor=385_000, confirm=True)

    page = client_for(None).get(reverse("orders:receipt", args=[order.receipt_token])).content.decode()

    assert "Paid in full" in page
    assert "Cash" in page


# --- links into the orders pages -----------------------------------------------------------------


def test_me_links_to_my_orders_and_carts(browser):
    page = browser.get(reverse("web:me")).content.decode()

    assert reverse("orders:my_orders") in page
    assert reverse("orders:cart_list") in page
