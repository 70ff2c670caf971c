"""The business side's order pages: the live list, an order's next steps, cancelling, payments with
their trail (recorded, received, confirmed by whom), new orders by phone or at the counter, the
day's reconciliation and the order settings. Each role sees what its permissions allow; another
business's order or payment is a 404."""

import re

import pytest
from django.urls import reverse

from etalase.catalog.models import Product
from etalase.customers.models import Contact
from etalase.directory.enums import Role
from etalase.orders.enums import OrderChannel, OrderStatus, PaymentMethod, PaymentStatus
from etalase.orders.models import Order, OrderSettings, Payment
from etalase.orders.services.payments import payment_record, payment_submit
from etalase.orders.services.status import order_transition
from tests.factories import UserFactory, registered_business
from tests.support.orders import SERVER_KEY, checkout_for, proof_picture

pytestmark = [pytest.mark.django_db]

HTMX = {"HTTP_HX_REQUEST": "true"}


def manage(name: str, order: Order, **extra: object) -> str:
    return reverse(f"orders:{name}", args=[order.business.slug, order.number])


def list_url(shop) -> str:
    return reverse("orders:manage_list", args=[shop.slug])


def stock_of(product: Product) -> int | None:
    return Product.objects.get(pk=product.pk).stock


def idempotency_key(page: str) -> str:
    match = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', page)
    assert match
    return match.group(1)


@pytest.fixture
def owner_browser(client_for, owner, shop):
    return client_for(owner)


@pytest.fixture
def transfer(order, customer) -> Payment:
    """Budi's transfer of Rp 385.000 with its proof, waiting for the cashier."""
    return payment_submit(
        order=order, user=customer, method=PaymentMethod.TRANSFER, amount_minor=385_000, proof=proof_picture()
    )


# --- the list ------------------------------------------------------------------------------------


def test_the_orders_tab_lists_orders_newest_first(owner_browser, shop, customer, product, order):
    newer = checkout_for(customer, [(product, 1)])

    response = owner_browser.get(list_url(shop))

    page = response.content.decode()
    assert response.status_code == 200
    assert page.index(f"#{newer.number} ·") < page.index(f"#{order.number} ·")
    assert "Budi Pelanggan" in page
    assert "IDR 385,000" in page
    assert "Not paid" in page
    assert reverse("orders:manage_new", args=[shop.slug]) in page
    assert reverse("orders:reconciliation", args=[shop.slug]) in page
    assert f'href="{list_url(shop)}"' in page
    assert 'aria-current="page"' in page


def test_the_list_refreshes_itself_when_a_notification_arrives(owner_browser, shop, order):
    page = owner_browser.get(list_url(shop)).content.decode()

    assert 'hx-trigger="etalase:notification from:body, every 30s"' in page
    assert 'id="orders-live"' in page


def test_the_refresh_answers_the_list_alone_and_announces_new_orders(owner_browser, shop, customer, product, order):
    newer = checkout_for(customer, [(product, 1)])

    response = owner_browser.get(f"{list_url(shop)}?seen={order.pk}", **HTMX, HTTP_HX_TARGET="order-list")

    page = response.content.decode()
    assert page.lstrip().startswith('<div id="order-list"')
    assert "<html" not in page
    assert "1 new order" in page
    assert 'hx-swap-oob="true"' in page
    assert f"seen={newer.pk}" in page


def test_the_list_filters_by_status_and_searches(owner_browser, shop, customer, product, walk_in, staff_order, owner):
    confirmed = checkout_for(customer, [(product, 1)])
    order_transition(order=confirmed, actor=owner, to_status=OrderStatus.CONFIRMED)
    by_phone = staff_order(owner, walk_in, [(product, 1)])

    pending = owner_browser.get(f"{list_url(shop)}?status=pending").content.decode()
    by_name = owner_browser.get(f"{list_url(shop)}?q=wati").content.decode()
    by_number = owner_browser.get(f"{list_url(shop)}?q=%23{confirmed.number}").content.decode()
    nothing = owner_browser.get(f"{list_url(shop)}?q=nobody").content.decode()

    assert f"#{by_phone.number} ·" in pending
    assert f"#{confirmed.number} ·" not in pending
    assert f"#{by_phone.number} · Ibu Wati" in by_name
    assert "Budi" not in by_name.split('id="order-list"')[1]
    assert f"#{confirmed.number} ·" in by_number
    assert f"#{by_phone.number} ·" not in by_number
    assert "No orders here" in nothing


def test_the_list_is_paginated(owner_browser, shop, walk_in, staff_order, owner):
    from tests.support.orders import product_for_sale

    item = product_for_sale(shop, "Kopi", price_minor=1_000, stock=None)
    for _number in range(21):
        staff_order(owner, walk_in, [(item, 1)])

    first = owner_browser.get(list_url(shop)).content.decode()
    second = owner_browser.get(f"{list_url(shop)}?page=2").content.decode()

    assert first.count('class="order-row"') == 20
    assert "page=2" in first
    assert second.count('class="order-row"') == 1


def test_the_list_costs_the_same_queries_for_5_or_20_orders(
    client_for, owner, shop, walk_in, staff_order, django_assert_max_num_queries
):
    from tests.support.orders import product_for_sale

    item = product_for_sale(shop, "Kopi", price_minor=1_000, stock=None)
    for _number in range(5):
        staff_order(owner, walk_in, [(item, 1)])
    browser = client_for(owner)
    browser.get(list_url(shop))  # the session and the settings rows exist from here on

    # session, user, membership, the orders with their contacts, the session saved (3 with its savepoint)
    with django_assert_max_num_queries(7) as few:
        assert browser.get(list_url(shop)).status_code == 200
    for _number in range(15):
        staff_order(owner, walk_in, [(item, 1)])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert browser.get(list_url(shop)).content.decode().count('class="order-row"') == 20


# --- one order -----------------------------------------------------------------------------------


def test_the_order_page_offers_the_next_steps(owner_browser, order):
    response = owner_browser.get(manage("manage_detail", order))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Budi Pelanggan" in page
    assert "Batik Parang" in page
    assert "IDR 385,000" in page
    assert 'value="confirmed"' in page
    assert "Confirm the order" in page
    assert 'value="completed"' not in page  # not from pending
    assert "Cancel the order" in page
    assert "Record a payment" in page
    assert reverse("orders:receipt", args=[order.receipt_token]) in page
    assert "https://wa.me/" in page


def test_confirming_then_the_next_steps_follow_pickup(owner_browser, order):
    response = owner_browser.post(manage("manage_status", order), {"to_status": "confirmed"})

    assert response["Location"] == manage("manage_detail", order)
    page = owner_browser.get(manage("manage_detail", order)).content.decode()
    assert "Order #1: Confirmed." in page
    assert 'value="ready_for_pickup"' in page
    assert 'value="completed"' in page
    assert 'value="out_for_delivery"' not in page  # a pickup order is never out for delivery


def test_a_status_jump_that_is_not_allowed_is_explained(owner_browser, order):
    response = owner_browser.post(manage("manage_status", order), {"to_status": "completed"})

    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert Order.objects.get().status == OrderStatus.PENDING


def test_an_unknown_status_is_refused(owner_browser, order):
    response = owner_browser.post(manage("manage_status", order), {"to_status": "shipped"})

    assert response.status_code == 400
    assert Order.objects.get().status == OrderStatus.PENDING


def test_cancelling_needs_a_reason_and_gives_the_stock_back(owner_browser, order, product):
    assert stock_of(product) == 3

    without = owner_browser.post(manage("manage_cancel", order), {"reason": ""})
    assert without.status_code == 400
    assert "Say why the order is cancelled." in without.content.decode()
    assert Order.objects.get().status == OrderStatus.PENDING

    with_reason = owner_browser.post(manage("manage_cancel", order), {"reason": "Out of fabric"})
    assert with_reason.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == (OrderStatus.CANCELLED, "Out of fabric")
    assert stock_of(product) == 5


def test_an_order_with_confirmed_payments_is_not_cancelled(owner_browser, order, cashier):
    payment_record(order=order, actor=cashier, method=PaymentMethod.CASH, amount_minor=100_000, confirm=True)

    response = owner_browser.post(manage("manage_cancel", order), {"reason": "Changed mind"})

    assert response.status_code == 400
    assert Order.objects.get().status == OrderStatus.PENDING


# --- payments ------------------------------------------------------------------------------------


def test_the_record_form_is_prefilled_with_what_is_due_and_me(client_for, sales, order):
    page = client_for(sales).get(manage("manage_detail", order)).content.decode()

    assert re.search(r'name="amount_minor" value="385000"', page)
    assert re.search(rf'<option value="{sales.pk}" selected>', page)
    assert "A cashier or the owner confirms it." in page


def test_sales_records_cash_that_waits_for_the_cashier(client_for, sales, cashier, order):
    browser = client_for(sales)
    key = idempotency_key(browser.get(manage("manage_detail", order)).content.decode())
    form = {"amount_minor": "200.000", "method": "cash", "received_by": sales.pk, "idempotency_key": key}

    browser.post(manage("manage_payment_record", order), form)
    browser.post(manage("manage_payment_record", order), form)  # a double tap

    payment = Payment.objects.get()
    assert (payment.amount_minor, payment.status, payment.recorded_by, payment.received_by) == (
        200_000,
        PaymentStatus.PENDING,
        sales,
        sales,
    )
    assert Order.objects.get().paid_minor == 0
    assert (
        client_for(sales).post(reverse("orders:payment_confirm", args=[order.business.slug, payment.pk])).status_code
        == 403
    )


def test_the_cashier_records_and_confirms_at_once_for_a_colleague(client_for, cashier, sales, order):
    browser = client_for(cashier)
    response = browser.post(
        manage("manage_payment_record", order),
        {"amount_minor": "385000", "method": "cash", "received_by": sales.pk, "reference": "Kas 1"},
    )

    assert response.status_code == 302
    payment = Payment.objects.get()
    assert (payment.status, payment.received_by, payment.confirmed_by) == (PaymentStatus.CONFIRMED, sales, cashier)
    page = browser.get(manage("manage_detail", order)).content.decode()
    assert "IDR 385,000 recorded and confirmed." in page
    assert "received by Joko Sales" in page
    assert "confirmed by Rina Kasir" in page


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"amount_minor": "400000", "method": "cash"}, "more than"),
        ({"amount_minor": "-1", "method": "cash"}, "more than zero"),
        ({"amount_minor": "sepuluh", "method": "cash"}, "Enter an amount"),
        ({"amount_minor": "1000", "method": "gateway"}, "Choose the method."),
        ({"amount_minor": "", "method": "cash"}, "Enter the amount."),
    ],
)
def test_bad_recorded_payments_are_refused(client_for, cashier, order, form, message):
    response = client_for(cashier).post(manage("manage_payment_record", order), {**form, "received_by": cashier.pk})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Payment.objects.exists()


def test_money_received_by_someone_outside_the_team_is_refused(client_for, cashier, order):
    outsider = UserFactory()

    response = client_for(cashier).post(
        manage("manage_payment_record", order), {"amount_minor": "1000", "method": "cash", "received_by": outsider.pk}
    )

    assert response.status_code == 400
    assert "Choose who received it." in response.content.decode()
    assert not Payment.objects.exists()


def test_the_cashier_confirms_a_transfer(client_for, cashier, order, transfer):
    browser = client_for(cashier)
    page = browser.get(manage("manage_detail", order)).content.decode()
    assert "See the proof of payment" in page
    assert reverse("orders:payment_confirm", args=[order.business.slug, transfer.pk]) in page

    response = browser.post(reverse("orders:payment_confirm", args=[order.business.slug, transfer.pk]))

    assert response["Location"] == manage("manage_detail", order)
    order.refresh_from_db()
    assert order.is_paid
    transfer.refresh_from_db()
    assert (transfer.status, transfer.confirmed_by) == (PaymentStatus.CONFIRMED, cashier)


def test_rejecting_needs_a_reason(client_for, cashier, order, transfer):
    url = reverse("orders:payment_reject", args=[order.business.slug, transfer.pk])
    browser = client_for(cashier)

    without = browser.post(url, {"reason": ""})
    assert without.status_code == 400
    assert "Say why the payment is rejected." in without.content.decode()
    assert Payment.objects.get().status == PaymentStatus.PENDING

    browser.post(url, {"reason": "Not on the statement"})
    transfer.refresh_from_db()
    assert (transfer.status, transfer.rejected_reason) == (PaymentStatus.REJECTED, "Not on the statement")


# --- who may do what -----------------------------------------------------------------------------


def test_support_sees_orders_but_changes_nothing(client_for, member_of, shop, order, transfer):
    support = client_for(member_of(shop, Role.SUPPORT).user)

    assert support.get(list_url(shop)).status_code == 200
    page = support.get(manage("manage_detail", order)).content.decode()
    assert "Confirm the order" not in page
    assert "Record a payment" not in page
    assert "Cancel the order" not in page
    assert reverse("orders:payment_confirm", args=[shop.slug, transfer.pk]) not in page
    assert support.post(manage("manage_status", order), {"to_status": "confirmed"}).status_code == 403
    assert support.post(manage("manage_cancel", order), {"reason": "x"}).status_code == 403
    assert (
        support.post(manage("manage_payment_record", order), {"amount_minor": "1", "method": "cash"}).status_code == 403
    )
    assert support.get(reverse("orders:manage_new", args=[shop.slug])).status_code == 403
    assert support.get(reverse("orders:reconciliation", args=[shop.slug])).status_code == 403
    assert Order.objects.get().status == OrderStatus.PENDING


def test_sales_takes_orders_but_does_not_confirm_payments_or_reconcile(client_for, sales, shop, order, transfer):
    browser = client_for(sales)

    page = browser.get(manage("manage_detail", order)).content.decode()

    assert "Confirm the order" in page
    assert "Record a payment" in page
    assert reverse("orders:payment_confirm", args=[shop.slug, transfer.pk]) not in page
    assert browser.get(reverse("orders:reconciliation", args=[shop.slug])).status_code == 403
    assert browser.get(reverse("orders:settings", args=[shop.slug])).status_code == 403


def test_another_business_order_and_payment_are_404(client_for, other_shop, shop, order, transfer):
    from etalase.directory.models import Membership

    stranger = client_for(Membership.objects.get(business=other_shop).user)

    assert stranger.get(manage("manage_detail", order)).status_code == 404
    assert stranger.get(reverse("orders:manage_detail", args=[other_shop.slug, order.number])).status_code == 404
    assert stranger.post(reverse("orders:payment_confirm", args=[other_shop.slug, transfer.pk])).status_code == 404
    assert stranger.post(reverse("orders:payment_confirm", args=[shop.slug, transfer.pk])).status_code == 404
    assert Payment.objects.get().status == PaymentStatus.PENDING


def test_a_missing_order_number_is_404(owner_browser, shop, order):
    assert owner_browser.get(reverse("orders:manage_detail", args=[shop.slug, 999])).status_code == 404
    assert owner_browser.get(f"/manage/{shop.slug}/orders/99999999999999999/").status_code == 404


# --- a new order by phone, chat or at the counter ------------------------------------------------


def new_url(shop) -> str:
    return reverse("orders:manage_new", args=[shop.slug])


def test_the_new_order_page_renders_products_and_rows(client_for, sales, shop, product, product_two):
    page = client_for(sales).get(new_url(shop)).content.decode()

    assert "Batik Parang · IDR 150,000" in page
    assert len(re.findall(r"data-order-line[ >]", page)) == 10
    assert reverse("orders:contact_picker", args=[shop.slug]) in page
    assert "Walk-in" in page
    assert "WhatsApp" in page


def test_the_contact_picker_finds_customers_by_name_or_phone(client_for, sales, shop, walk_in):
    browser = client_for(sales)

    by_name = browser.get(reverse("orders:contact_picker", args=[shop.slug]), {"q": "wati"}, **HTMX)
    by_phone = browser.get(reverse("orders:contact_picker", args=[shop.slug]), {"q": "0813-1111"}, **HTMX)
    nobody = browser.get(reverse("orders:contact_picker", args=[shop.slug]), {"q": "zzz"}, **HTMX)

    assert f'name="contact" value="{walk_in.pk}"' in by_name.content.decode()
    assert f'name="contact" value="{walk_in.pk}"' in by_phone.content.decode()
    assert "No customer matches" in nobody.content.decode()


def test_an_order_for_a_known_customer_by_phone(client_for, sales, shop, product, product_two, walk_in):
    response = client_for(sales).post(
        new_url(shop),
        {
            "contact": walk_in.pk,
            "channel": "phone",
            "fulfilment": "pickup",
            "product_1": product.pk,
            "quantity_1": "2",
            "product_2": product_two.pk,
            "quantity_2": "1",
            "product_3": product.pk,
            "quantity_3": "1",
        },
    )

    order = Order.objects.get()
    assert response["Location"] == manage("manage_detail", order)
    assert (order.contact, order.channel, order.created_by, order.total_minor) == (
        walk_in,
        OrderChannel.PHONE,
        sales,
        3 * 150_000 + 85_000,
    )
    assert stock_of(product) == 2


def test_an_order_for_a_new_walk_in_customer(client_for, sales, shop, product):
    response = client_for(sales).post(
        new_url(shop),
        {
            "contact_name": "Pak Bayu",
            "contact_phone": "0857 1234 5678",
            "channel": "walk_in",
            "fulfilment": "delivery",
            "delivery_address": "Jl. Kaliurang 5",
            "product_1": product.pk,
            "quantity_1": "1",
        },
    )

    assert response.status_code == 302
    order = Order.objects.get()
    assert order.contact.name == "Pak Bayu"
    assert order.contact.phone == "+6285712345678"
    assert (order.channel, order.total_minor) == (OrderChannel.WALK_IN, 160_000)


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"channel": "phone", "fulfilment": "pickup", "product_1": "P", "quantity_1": "1"}, "Choose a customer"),
        ({"contact_name": "Ani", "channel": "phone", "fulfilment": "pickup"}, "Add at least one product."),
        (
            {"contact_name": "Ani", "channel": "phone", "fulfilment": "pickup", "product_1": "P", "quantity_1": "9"},
            "Only 5",
        ),
        ({"contact_name": "Ani", "channel": "phone", "fulfilment": "delivery", "product_1": "P"}, "Enter the address"),
        ({"contact_phone": "12", "channel": "phone", "fulfilment": "pickup", "product_1": "P"}, "phone"),
        ({"contact_name": "Ani", "channel": "web", "fulfilment": "pickup", "product_1": "P"}, "Choose a channel."),
    ],
)
def test_bad_staff_orders_are_explained_and_change_nothing(client_for, sales, shop, product, form, message):
    data = {key: (product.pk if value == "P" else value) for key, value in form.items()}

    response = client_for(sales).post(new_url(shop), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Order.objects.exists()
    assert not Contact.objects.filter(name="Ani").exists()
    assert stock_of(product) == 5


def test_a_product_of_another_shop_cannot_be_ordered(client_for, sales, shop, walk_in, foreign_product):
    response = client_for(sales).post(
        new_url(shop),
        {"contact": walk_in.pk, "channel": "chat", "fulfilment": "pickup", "product_1": foreign_product.pk},
    )

    assert response.status_code == 400
    assert not Order.objects.exists()


def test_a_contact_of_another_shop_cannot_be_chosen(client_for, sales, shop, other_shop, product):
    from etalase.customers.services.contacts import contact_create

    foreign = contact_create(business=other_shop, name="Orang Lain", phone="0813-5555-6666")

    response = client_for(sales).post(
        new_url(shop), {"contact": foreign.pk, "channel": "chat", "fulfilment": "pickup", "product_1": product.pk}
    )

    assert response.status_code == 400
    assert "Choose a customer from the list." in response.content.decode()
    assert not Order.objects.exists()


# --- the day's payments --------------------------------------------------------------------------


def test_reconciliation_shows_totals_per_method_and_staff_and_what_to_check(
    client_for, cashier, sales, shop, customer, product, order, transfer
):
    another = checkout_for(customer, [(product, 1)])
    payment_record(order=another, actor=sales, method=PaymentMethod.CASH, amount_minor=50_000, confirm=False)

    response = client_for(cashier).get(reverse("orders:reconciliation", args=[shop.slug]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Bank transfer" in page
    assert "Cash" in page
    assert "Joko Sales" in page
    assert "Customer (online)" in page
    assert "is not confirmed" in page  # Joko's cash
    assert "waiting for confirmation" in page  # Budi's transfer
    assert reverse("orders:payment_confirm", args=[shop.slug, transfer.pk]) in page


def test_a_quiet_day_and_a_bad_date(client_for, cashier, shop):
    browser = client_for(cashier)

    quiet = browser.get(reverse("orders:reconciliation", args=[shop.slug]), {"date": "2024-01-02"})
    bad = browser.get(reverse("orders:reconciliation", args=[shop.slug]), {"date": "kemarin"})

    assert "No payments on this day." in quiet.content.decode()
    assert "Everything adds up" in quiet.content.decode()
    assert bad.status_code == 400
    assert "Enter a date such as" in bad.content.decode()


def test_confirming_from_the_reconciliation_comes_back_to_it(client_for, cashier, shop, transfer):
    back = reverse("orders:reconciliation", args=[shop.slug]) + "?date=" + transfer.paid_at.date().isoformat()

    response = client_for(cashier).post(
        reverse("orders:payment_confirm", args=[shop.slug, transfer.pk]), {"next": back}
    )

    assert response["Location"] == back
    assert Payment.objects.get().status == PaymentStatus.CONFIRMED


# --- settings ------------------------------------------------------------------------------------


def test_the_owner_changes_the_order_settings(owner_browser, shop):
    url = reverse("orders:settings", args=[shop.slug])
    page = owner_browser.get(url).content.decode()
    assert "A server key is saved." in page
    assert SERVER_KEY not in page  # never shown again

    response = owner_browser.post(
        url,
        {
            "accepts_orders": "on",
            "pickup_enabled": "on",
            "delivery_fee_minor": "15.000",
            "transfer_enabled": "on",
            "bank_details": "BRI 0001",
            "gateway_enabled": "on",
        },
    )

    assert response["Location"] == url
    settings = OrderSettings.objects.get(business=shop)
    assert (settings.delivery_enabled, settings.delivery_fee_minor, settings.cash_enabled) == (False, 15_000, False)
    assert settings.bank_details == "BRI 0001"
    assert settings.gateway_server_key == SERVER_KEY  # kept when left empty


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"accepts_orders": "on"}, "Offer pickup, delivery or both"),
        ({"accepts_orders": "on", "pickup_enabled": "on", "delivery_fee_minor": "-1"}, "cannot be negative"),
        (
            {
                "accepts_orders": "on",
                "pickup_enabled": "on",
                "gateway_enabled": "on",
                "gateway_server_key_remove": "on",
            },
            "server key",
        ),
    ],
)
def test_bad_settings_are_refused(owner_browser, shop, form, message):
    response = owner_browser.post(reverse("orders:settings", args=[shop.slug]), form)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert OrderSettings.objects.get(business=shop).delivery_enabled


def test_a_cashier_cannot_change_the_settings(client_for, cashier, shop):
    assert client_for(cashier).post(reverse("orders:settings", args=[shop.slug]), {}).status_code == 403


def test_a_proof_of_payment_is_shown_only_to_the_team_and_the_paying_customer(
    shop, owner, customer, product, client_for, member_of
):
    order = checkout_for(customer, [(product, 1)])
    payment = payment_submit(order=order, user=customer, method="transfer", amount_minor=1_000, proof=proof_picture())
    staff_url = reverse("orders:payment_proof", args=[shop.slug, payment.pk])
    mine_url = reverse("orders:my_payment_proof", args=[shop.slug, order.number, payment.pk])

    seen_by_owner = client_for(owner).get(staff_url)
    seen_by_customer = client_for(customer).get(mine_url)

    assert seen_by_owner.status_code == 200
    assert seen_by_owner["Cache-Control"] == "private, no-store"
    assert b"".join(seen_by_owner.streaming_content).startswith(b"\x89PNG")
    assert seen_by_customer.status_code == 200
    assert client_for(UserFactory()).get(mine_url).status_code == 404
    assert client_for(UserFactory()).get(staff_url).status_code == 404
    assert client_for(member_of(registered_business()).user).get(staff_url).status_code == 404
    page = client_for(owner).get(reverse("orders:manage_detail", args=[shop.slug, order.number]))
    assert staff_url in page.content.decode()
    assert str(payment.proof.name) not in page.content.decode()
