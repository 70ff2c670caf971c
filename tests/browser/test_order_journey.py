"""Done when (issue #5): the full journey on 360 px phones. A customer orders (cart, checkout); the
owner sees it arrive live in the already open orders list and confirms it; the customer uploads a
transfer proof; the cashier, in a third browser, confirms the payment; both see it paid; the receipt
says so."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from etalase.accounts.services import user_signup
from etalase.catalog.services import product_create
from etalase.directory.enums import Role
from etalase.directory.models import Membership
from etalase.directory.services import business_register
from etalase.directory.tenancy import business_context_resolve
from etalase.orders.enums import OrderStatus, PaymentStatus
from etalase.orders.models import Order, Payment
from etalase.orders.services.order_settings import order_settings_update
from tests.browser.test_team_and_tokens import log_in
from tests.support.browser import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "locale": "en-US"}


@pytest.fixture
def shop():
    owner = user_signup(phone="0812-4200-5200", password="kopi-gayo-88", name="Bu Sari", language="en", verified=True)
    business = business_register(
        owner=owner, name="Batik Sari Solo", category_slug="fashion-batik", city="Solo", whatsapp="081242005200"
    )
    order_settings_update(
        business=business,
        actor=owner,
        pickup_enabled=True,
        delivery_enabled=True,
        delivery_fee_minor=15_000,
        transfer_enabled=True,
        bank_details="BCA 0123 456 789 a.n. Sari",
    )
    context = business_context_resolve(user=owner, slug=business.slug)
    product = product_create(context=context, title="Batik Tulis Parang", price_minor=350_000, stock=5, publish=True)
    cashier = user_signup(
        phone="0812-4200-5201", password="kasir-rajin-22", name="Rina Kasir", language="en", verified=True
    )
    Membership.objects.create(business=business, user=cashier, role=Role.CASHIER)
    user_signup(phone="0857-2200-3200", password="pembeli-setia-1", name="Budi Pembeli", language="en")
    return business, product


@pytest.fixture
def proof(tmp_path):
    """A transfer proof as a phone saves it: a small PNG screenshot."""
    path = tmp_path / "bukti-transfer.png"
    buffer = io.BytesIO()
    Image.new("RGB", (360, 640), (0, 94, 184)).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def snap(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"order-journey-{name}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, name  # no sideways scrolling


def test_order_confirm_pay_by_transfer_cashier_confirms_both_see_it_paid(browser, live_server, shop, proof):
    business, product = shop
    owner, customer, cashier = (browser.new_context(**PHONE) for _ in range(3))
    owner_page, customer_page, cashier_page = owner.new_page(), customer.new_page(), cashier.new_page()
    try:
        # The owner keeps the orders list open.
        log_in(owner_page, live_server, "081242005200")
        owner_page.goto(f"{live_server.url}/manage/{business.slug}/orders/")
        expect(owner_page.get_by_role("heading", name="Orders")).to_be_visible()
        expect(owner_page.get_by_text("No orders yet")).to_be_visible()
        owner_page.wait_for_timeout(500)  # the notification stream is open
        snap(owner_page, "1-owner-empty-list")

        # The customer puts two in the cart and checks out, to pick them up.
        log_in(customer_page, live_server, "085722003200", "pembeli-setia-1")
        customer_page.goto(f"{live_server.url}/b/{business.slug}/p/{product.pk}/")
        customer_page.get_by_label("Quantity").fill("2")
        customer_page.get_by_role("button", name="Add to cart").click()
        expect(customer_page.locator("#cart-added")).not_to_be_empty()
        snap(customer_page, "2-customer-added-to-cart")
        customer_page.goto(f"{live_server.url}/b/{business.slug}/cart/")
        expect(customer_page.locator(".cart-subtotal")).to_contain_text("700")
        snap(customer_page, "3-customer-cart")
        customer_page.get_by_role("link", name="Continue to checkout").click()
        customer_page.get_by_role("radio", name="Pickup").check()
        snap(customer_page, "4-customer-checkout")
        customer_page.get_by_role("button", name="Place order").click()
        expect(customer_page.get_by_role("heading", name="Order #1")).to_be_visible()
        order = Order.objects.get(business=business)
        assert (order.total_minor, order.status) == (700_000, OrderStatus.PENDING)
        snap(customer_page, "5-customer-order-placed")

        # Without a reload, the owner's list shows the new order; the owner opens it and confirms.
        row = owner_page.locator("#order-list .order-row").first
        expect(row).to_contain_text("#1 · Budi Pembeli", timeout=15_000)
        expect(row).to_contain_text("Not paid")
        snap(owner_page, "6-owner-sees-new-order-live")
        row.click()
        expect(owner_page.get_by_role("heading", name="Order #1")).to_be_visible()
        owner_page.get_by_role("button", name="Confirm the order").click()
        expect(owner_page.locator(".order-head")).to_contain_text("Confirmed")
        snap(owner_page, "7-owner-confirmed")

        # The customer sees it confirmed, and sends the transfer proof.
        customer_page.reload()
        expect(customer_page.locator(".order-head")).to_contain_text("Confirmed")
        customer_page.get_by_text("Bank transfer", exact=True).click()
        expect(customer_page.get_by_text("BCA 0123 456 789 a.n. Sari")).to_be_visible()
        customer_page.get_by_label("Amount you paid").fill("700.000")
        customer_page.get_by_label("Proof of payment").set_input_files(str(proof))
        snap(customer_page, "8-customer-transfer-form")
        customer_page.get_by_role("button", name="Send the proof").click()
        expect(customer_page.get_by_text("Your payment is waiting for the shop's confirmation.")).to_be_visible()
        payment = Payment.objects.get(order=order)
        assert (payment.status, payment.amount_minor, bool(payment.proof)) == (PaymentStatus.PENDING, 700_000, True)
        snap(customer_page, "9-customer-payment-waiting")

        # The cashier, on another phone, confirms the payment.
        log_in(cashier_page, live_server, "081242005201", "kasir-rajin-22")
        cashier_page.goto(f"{live_server.url}/notifications/")
        expect(cashier_page.locator("[data-notification-list] li").first).to_contain_text(
            "A payment from Budi Pembeli is waiting for your confirmation"
        )
        snap(cashier_page, "10-cashier-notification")
        cashier_page.goto(f"{live_server.url}/manage/{business.slug}/orders/1/")
        expect(cashier_page.get_by_role("link", name="See the proof of payment")).to_be_visible()
        snap(cashier_page, "11-cashier-payment-to-confirm")
        cashier_page.get_by_role("button", name=re.compile("^Confirm the payment of")).click()
        expect(cashier_page.locator(f"#payment-{payment.pk}")).to_contain_text("Confirmed")
        expect(cashier_page.locator(f"#payment-{payment.pk} .payment-trail")).to_contain_text("confirmed by Rina Kasir")
        snap(cashier_page, "12-cashier-confirmed")
        order.refresh_from_db()
        assert order.paid_minor == order.total_minor

        # Both see it paid.
        customer_page.reload()
        expect(customer_page.get_by_text("Paid in full. Thank you!")).to_be_visible()
        snap(customer_page, "13-customer-paid")
        owner_page.goto(f"{live_server.url}/manage/{business.slug}/orders/")
        expect(owner_page.locator("#order-list .order-row").first).to_contain_text("Paid")
        snap(owner_page, "14-owner-list-paid")

        # The receipt, from the customer's order page.
        customer_page.get_by_role("link", name="Receipt").click()
        expect(customer_page.get_by_role("heading", name="Receipt · order #1")).to_be_visible()
        expect(customer_page.locator(".receipt-stamp")).to_have_text("Paid in full")
        expect(customer_page.locator(".receipt")).to_contain_text("Budi Pembeli")
        snap(customer_page, "15-receipt")
    finally:
        for context in (owner, customer, cashier):
            context.close()
