"""Orders and payments notify: one rule at a time, through the orders app's own services.

The team hears of new orders (a customer's first apart), of payments received or waiting for
confirmation (urgent, for those who confirm) and of orders the customer cancelled; the customer hears
of their order's progress, a cancellation by the shop, and of their payments confirmed or rejected.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from etalase.activity.models import Activity
from etalase.activity.services import activity_process, activity_record
from etalase.directory.enums import Role
from etalase.notifications import rules
from etalase.notifications.enums import Kind, Priority
from etalase.notifications.models import Notification, NotificationPreference
from etalase.notifications.services import notification_preference_update
from etalase.orders.enums import OrderStatus, PaymentMethod, PaymentStatus
from etalase.orders.services.gateway import gateway_sandbox_pay
from etalase.orders.services.payments import payment_confirm, payment_record, payment_reject, payment_submit
from etalase.orders.services.reviews import review_create
from etalase.orders.services.status import order_cancel, order_transition
from tests.factories import UserFactory
from tests.support.orders import checkout_for, proof_picture, staff_order_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(customer, product, product_two, committed):
    """Budi's pending pickup order #1 (Rp 385.000), its own notifications already made."""
    with committed():
        return checkout_for(customer, [(product, 2), (product_two, 1)])


@pytest.fixture
def support(shop, member_of):
    return member_of(shop, Role.SUPPORT, name="Dewi Support").user


def of(user, **filters):
    return list(Notification.objects.filter(recipient=user, **filters).order_by("id"))


def kinds(user) -> list[str]:
    return [note.kind for note in of(user)]


def staff_url(order) -> str:
    return reverse("orders:manage_detail", args=[order.business.slug, order.number])


def customer_url(order) -> str:
    return reverse("orders:my_order", args=[order.business.slug, order.number])


def pending_transfer(order, customer, committed, amount_minor=None):
    with committed():
        return payment_submit(
            order=order,
            user=customer,
            method=PaymentMethod.TRANSFER,
            amount_minor=amount_minor or order.total_minor,
            proof=proof_picture(),
        )


# --- who hears what: the rules on their own -----------------------------------------------------------


@pytest.mark.parametrize(
    ("verb", "data", "team", "customer"),
    [
        ("ordered", {}, Kind.ORDERED, None),
        ("paid", {"confirmed": False}, Kind.PAYMENT_WAITING, None),
        ("paid", {"confirmed": True}, Kind.PAID, Kind.ORDER_PAYMENT),
        ("payment_confirmed", {"order_paid": True}, Kind.PAID, Kind.ORDER_PAYMENT),
        ("payment_confirmed", {"order_paid": False}, None, Kind.ORDER_PAYMENT),
        ("payment_rejected", {"reason": "no money"}, None, Kind.ORDER_PAYMENT),
        ("order_status_changed", {"to": "packed"}, None, Kind.ORDER_STATUS),
        ("cancelled", {"by_customer": True}, Kind.ORDER_CANCELLED, None),
        ("cancelled", {"by_customer": False}, None, Kind.ORDER_STATUS),
        ("reviewed", {"rating": 5}, None, None),
    ],
)
def test_which_kind_an_order_activity_gives_the_team_and_the_customer(verb, data, team, customer):
    assert rules.order_team_kind(verb, data) == team
    assert rules.order_customer_kind(verb, data) == customer


@pytest.mark.parametrize(
    ("kind", "hears", "does_not_hear"),
    [
        (Kind.ORDERED, [Role.OWNER, Role.MANAGER, Role.SALES, Role.CASHIER, Role.SUPPORT, Role.TECHNICIAN], []),
        (Kind.ORDER_CANCELLED, [Role.OWNER, Role.SALES, Role.CASHIER, Role.SUPPORT], []),
        (Kind.PAID, [Role.OWNER, Role.SALES, Role.CASHIER], []),
        (Kind.PAYMENT_WAITING, [Role.OWNER, Role.MANAGER, Role.CASHIER], [Role.SALES, Role.SUPPORT]),
    ],
)
def test_order_kinds_reach_the_roles_that_see_orders_or_confirm_payments(kind, hears, does_not_hear):
    assert all(rules.member_hears(kind, role) for role in hears)
    assert not any(rules.member_hears(kind, role) for role in does_not_hear)


def test_only_a_payment_waiting_is_urgent():
    assert rules.priority_for(Kind.PAYMENT_WAITING) == Priority.HIGH
    for kind in (Kind.ORDERED, Kind.PAID, Kind.ORDER_CANCELLED, Kind.ORDER_STATUS, Kind.ORDER_PAYMENT):
        assert rules.priority_for(kind) == Priority.NORMAL


def test_the_customer_is_not_told_of_what_they_did_but_is_told_of_an_online_payment():
    act = Activity(verb="payment_confirmed", actor_id=7, data={"customer_id": 8})
    assert rules.order_customer_id(act) == 8
    assert rules.order_customer_id(Activity(verb="cancelled", actor_id=8, data={"customer_id": 8})) is None
    assert rules.order_customer_id(Activity(verb="paid", actor_id=None, data={"customer_id": None})) is None
    online = Activity(verb="paid", actor_id=8, data={"customer_id": 8, "confirmed": True, "gateway": "sandbox"})
    assert rules.order_customer_id(online) == 8


def test_the_words_of_order_notifications():
    with translation.override("en"):
        assert rules.message(Kind.ORDERED, actor="Budi", number=12, amount_minor=385_000) == (
            "New order from Budi",
            "Order #12 · IDR 385,000",
        )
        assert rules.message(
            Kind.PAYMENT_WAITING, actor="Budi", number=12, amount_minor=50_000, method=PaymentMethod.TRANSFER
        ) == ("A payment from Budi is waiting for your confirmation", "Order #12 · IDR 50,000 · Bank transfer")
        assert rules.message(Kind.PAID, actor="Budi", number=12, amount_minor=50_000, order_paid=True)[1] == (
            "Order #12 · IDR 50,000 · paid in full"
        )
        assert rules.message(Kind.ORDER_CANCELLED, actor="Budi", number=12, reason="Salah ukuran") == (
            "Budi cancelled order #12",
            "Salah ukuran",
        )
        assert rules.message(Kind.ORDER_STATUS, business="Kopi Gayo", number=12, status="ready_for_pickup") == (
            "Your order #12 at Kopi Gayo is ready for pickup",
            "",
        )
        assert rules.message(
            Kind.ORDER_STATUS, business="Kopi Gayo", number=12, status="cancelled", reason="Habis"
        ) == ("Your order #12 at Kopi Gayo was cancelled", "Reason: Habis")
        assert rules.message(Kind.ORDER_PAYMENT, business="Kopi Gayo", number=12, amount_minor=50_000) == (
            "Payment of IDR 50,000 confirmed",
            "Order #12 at Kopi Gayo",
        )
        assert rules.message(
            Kind.ORDER_PAYMENT, business="Kopi Gayo", number=12, amount_minor=50_000, outcome="rejected", reason="Blur"
        ) == ("Your payment of IDR 50,000 was not accepted", "Order #12 at Kopi Gayo. Reason: Blur")
    with translation.override("id"):  # amounts as the reader writes them
        assert "Rp 50.000" in rules.message(Kind.ORDER_PAYMENT, business="Kopi Gayo", number=12, amount_minor=50_000)[0]


# --- new orders ---------------------------------------------------------------------------------------------


def test_a_customer_s_first_order_then_later_ones_reach_everyone_who_sees_orders(
    shop, owner, cashier, sales, support, customer, product, product_two, committed
):
    with committed():
        first = checkout_for(customer, [(product, 2), (product_two, 1)])
    [note] = of(owner)
    assert note.kind == Kind.FIRST_ORDER
    assert note.title == "First order from a new customer: Budi Pelanggan"
    assert note.body == f"Order #{first.number} · IDR 385,000"
    assert note.url == staff_url(first)
    assert note.business == shop
    assert note.priority == Priority.NORMAL
    for member in (cashier, sales, support):
        assert kinds(member) == [Kind.FIRST_ORDER]
    assert of(customer) == []  # the customer knows what they ordered

    with committed():
        second = checkout_for(customer, [(product_two, 1)])
    assert kinds(owner) == [Kind.FIRST_ORDER, Kind.ORDERED]
    assert of(owner)[-1].title == "New order from Budi Pelanggan"
    assert of(owner)[-1].url == staff_url(second)


def test_an_order_taken_by_phone_is_not_told_to_the_member_who_took_it(
    shop, owner, cashier, sales, walk_in, product, committed
):
    with committed():
        order = staff_order_for(sales, walk_in, [(product, 1)])
    assert of(sales) == []
    [note] = of(owner)
    assert (note.kind, note.title) == (Kind.FIRST_ORDER, "First order from a new customer: Ibu Wati")
    assert kinds(cashier) == [Kind.FIRST_ORDER]
    with committed():
        staff_order_for(cashier, walk_in, [(product, 1)])
    # The same walk-in customer again (known by the contact, not by an account): not a first.
    assert kinds(owner) == [Kind.FIRST_ORDER, Kind.ORDERED]
    assert kinds(sales) == [Kind.ORDERED]
    assert order.customer is None


# --- payments --------------------------------------------------------------------------------------------


def test_a_transfer_to_check_is_urgent_for_those_who_confirm_payments(
    order, owner, cashier, sales, support, customer, committed
):
    before = {user.pk: len(of(user)) for user in (owner, cashier, sales, support, customer)}
    pending_transfer(order, customer, committed)
    [note] = of(cashier, kind=Kind.PAYMENT_WAITING)
    assert note.priority == Priority.HIGH
    assert note.title == "A payment from Budi Pelanggan is waiting for your confirmation"
    assert note.body == f"Order #{order.number} · IDR 385,000 · Bank transfer"
    assert note.url == staff_url(order)
    assert kinds(owner)[-1] == Kind.PAYMENT_WAITING
    for user in (sales, support, customer):
        assert len(of(user)) == before[user.pk]


def test_a_confirmed_transfer_that_pays_the_order_tells_the_team_once_and_the_customer(
    order, owner, cashier, sales, customer, committed
):
    payment = pending_transfer(order, customer, committed)
    with committed():
        payment_confirm(payment=payment, actor=cashier)
    [paid] = of(owner, kind=Kind.PAID)
    assert paid.title == "Payment received from Budi Pelanggan"
    assert paid.body == f"Order #{order.number} · IDR 385,000 · Bank transfer · paid in full"
    assert kinds(sales)[-1] == Kind.PAID
    assert of(cashier, kind=Kind.PAID) == []  # the cashier confirmed it
    [receipt] = of(customer)
    assert receipt.kind == Kind.ORDER_PAYMENT
    assert receipt.business is None
    assert receipt.title == "Payment of IDR 385,000 confirmed"
    assert receipt.body == f"Order #{order.number} at Batik Sari is paid in full."
    assert receipt.url == customer_url(order)


def test_a_part_payment_confirmed_tells_the_customer_only(order, owner, cashier, customer, committed):
    payment = pending_transfer(order, customer, committed, amount_minor=100_000)
    with committed():
        payment_confirm(payment=payment, actor=cashier)
    assert of(owner, kind=Kind.PAID) == []
    [receipt] = of(customer)
    assert (receipt.title, receipt.body) == ("Payment of IDR 100,000 confirmed", f"Order #{order.number} at Batik Sari")


def test_a_rejected_payment_tells_the_customer_why(order, owner, cashier, customer, committed):
    payment = pending_transfer(order, customer, committed)
    before = len(of(owner))
    with committed():
        payment_reject(payment=payment, actor=cashier, reason="Bukti transfer tidak terbaca")
    [note] = of(customer)
    assert note.kind == Kind.ORDER_PAYMENT
    assert note.title == "Your payment of IDR 385,000 was not accepted"
    assert note.body == f"Order #{order.number} at Batik Sari. Reason: Bukti transfer tidak terbaca"
    assert note.url == customer_url(order)
    assert len(of(owner)) == before


def test_cash_recorded_and_confirmed_at_once_is_one_payment_received(order, owner, cashier, sales, customer, committed):
    with committed():
        payment = payment_record(
            order=order, actor=cashier, method=PaymentMethod.CASH, amount_minor=order.total_minor, confirm=True
        )
    assert payment.status == PaymentStatus.CONFIRMED
    assert kinds(owner).count(Kind.PAID) == 1
    assert kinds(sales).count(Kind.PAID) == 1
    assert Kind.PAID not in kinds(cashier)
    assert Kind.PAYMENT_WAITING not in kinds(owner)
    [receipt] = of(customer)
    assert receipt.title == "Payment of IDR 385,000 confirmed"


def test_cash_recorded_by_sales_waits_for_the_cashier(order, owner, cashier, sales, customer, committed):
    with committed():
        payment_record(order=order, actor=sales, method=PaymentMethod.CASH, amount_minor=50_000, confirm=False)
    [note] = of(cashier, kind=Kind.PAYMENT_WAITING)
    assert note.body == f"Order #{order.number} · IDR 50,000 · Cash"
    assert of(sales, kind=Kind.PAYMENT_WAITING) == []
    assert of(customer) == []


def test_a_confirmation_of_a_payment_already_told_as_received_is_not_told_again(order, owner, cashier, committed):
    with committed():
        payment = payment_record(
            order=order, actor=cashier, method=PaymentMethod.CASH, amount_minor=order.total_minor, confirm=True
        )
    with committed():  # a confirmation recorded for the same payment (an import, a replay)
        activity_record(
            verb="payment_confirmed",
            business=order.business,
            actor=cashier,
            target=order,
            data={"number": order.number, "payment_id": payment.pk, "amount_minor": 1, "order_paid": True},
        )
    assert kinds(owner).count(Kind.PAID) == 1


def test_an_online_payment_tells_the_team_and_the_customer(order, owner, cashier, customer, committed):
    with committed():
        notice = gateway_sandbox_pay(order=order)
    assert notice.outcome == "paid"
    [paid] = of(cashier, kind=Kind.PAID)
    assert paid.body == f"Order #{order.number} · IDR 385,000 · Online payment · paid in full"
    assert kinds(owner).count(Kind.PAID) == 1
    [receipt] = of(customer)
    assert receipt.kind == Kind.ORDER_PAYMENT


# --- the order's journey and cancelling ----------------------------------------------------------------


def test_the_customer_follows_their_order_s_journey(order, owner, cashier, customer, committed):
    before = len(of(owner))
    with committed():
        order_transition(order=order, actor=cashier, to_status=OrderStatus.CONFIRMED)
        order_transition(order=order, actor=cashier, to_status=OrderStatus.READY_FOR_PICKUP)
    titles = [note.title for note in of(customer)]
    assert titles == [
        f"Your order #{order.number} at Batik Sari is confirmed",
        f"Your order #{order.number} at Batik Sari is ready for pickup",
    ]
    assert {note.kind for note in of(customer)} == {Kind.ORDER_STATUS}
    assert {note.url for note in of(customer)} == {customer_url(order)}
    assert len(of(owner)) == before  # the team moved it itself


def test_a_cancellation_by_the_customer_tells_the_team(order, owner, sales, customer, committed):
    with committed():
        order_cancel(order=order, actor=customer, reason="Salah pilih ukuran", by_customer=True)
    [note] = of(sales, kind=Kind.ORDER_CANCELLED)
    assert note.title == f"Budi Pelanggan cancelled order #{order.number}"
    assert note.body == "Salah pilih ukuran"
    assert note.url == staff_url(order)
    assert kinds(owner)[-1] == Kind.ORDER_CANCELLED
    assert of(customer) == []


def test_a_cancellation_by_the_shop_tells_the_customer_why(order, owner, customer, committed):
    before = len(of(owner))
    with committed():
        order_cancel(order=order, actor=owner, reason="Stok habis", by_customer=False)
    [note] = of(customer)
    assert note.kind == Kind.ORDER_STATUS
    assert note.title == f"Your order #{order.number} at Batik Sari was cancelled"
    assert note.body == "Reason: Stok habis"
    assert len(of(owner)) == before


def test_a_review_notifies_nobody(order, owner, cashier, customer, product, committed):
    with committed():
        order_transition(order=order, actor=cashier, to_status=OrderStatus.CONFIRMED)
        order_transition(order=order, actor=cashier, to_status=OrderStatus.COMPLETED)
    counts = {user.pk: len(of(user)) for user in (owner, cashier, customer)}
    with committed():
        review_create(order=order, user=customer, product_id=product.pk, rating=5, text="Bagus")
    assert {user.pk: len(of(user)) for user in (owner, cashier, customer)} == counts


# --- preferences, history, repeats ---------------------------------------------------------------------


def test_the_new_kinds_are_chosen_in_the_right_scope(shop, owner, customer, english):
    notification_preference_update(user=owner, business=shop, channels={Kind.ORDER_CANCELLED: ["in_app"]})
    notification_preference_update(user=customer, channels={Kind.ORDER_PAYMENT: ["push"]})
    assert Kind.ORDER_CANCELLED in rules.MEMBER_KINDS
    assert Kind.ORDER_PAYMENT in rules.CUSTOMER_KINDS
    assert str(Kind.ORDER_CANCELLED.label) == "Orders cancelled by customers"
    assert str(Kind.ORDER_PAYMENT.label) == "Payments for my orders"


def test_a_customer_who_turned_order_news_off_gets_none(order, owner, cashier, customer, committed):
    notification_preference_update(user=customer, channels={Kind.ORDER_STATUS: [], Kind.ORDER_PAYMENT: ["sms"]})
    NotificationPreference.objects.create(user=owner, business=order.business, channels={Kind.PAID: []})
    with committed():
        order_transition(order=order, actor=cashier, to_status=OrderStatus.CONFIRMED)
        payment_record(
            order=order, actor=cashier, method=PaymentMethod.CASH, amount_minor=order.total_minor, confirm=True
        )
    assert of(customer) == []
    assert of(owner, kind=Kind.PAID) == []


def test_a_customer_s_quiet_hours_and_summary_apply_to_order_news():
    digest = NotificationPreference(digest_enabled=True)
    now = timezone.now()
    assert rules.push_time(digest, Kind.ORDER_STATUS, Priority.NORMAL, now, None) is None
    assert rules.push_time(digest, Kind.PAYMENT_WAITING, Priority.HIGH, now, "Asia/Jakarta") == now


def test_old_order_activities_notify_nobody(order, owner, cashier, customer, committed):
    before = Notification.objects.count()
    with committed():
        activity_record(
            verb="order_status_changed",
            business=order.business,
            actor=cashier,
            target=order,
            occurred_at=timezone.now() - dt.timedelta(days=30),
            data={"number": order.number, "from": "pending", "to": "confirmed", "customer_id": customer.pk},
        )
    assert Notification.objects.count() == before


def test_processing_an_order_activity_twice_creates_nothing_more(order, owner, cashier, customer, committed):
    with committed():
        order_transition(order=order, actor=cashier, to_status=OrderStatus.CONFIRMED)
    activity = Activity.objects.get(verb="order_status_changed")
    activity_process(activity_id=activity.pk)
    assert len(of(customer)) == 1


def test_an_order_activity_with_the_contract_s_data_only_still_reads_well(shop, owner, committed):
    """Recorded by hand (an import, another client): the names come from the data."""
    buyer = UserFactory(name="Nyoman")
    with committed():
        activity_record(
            verb="ordered",
            business=shop,
            actor=buyer,
            data={"number": 41, "amount_minor": 20_000, "customer_name": "Nyoman Putra", "customer_id": buyer.pk},
        )
    [note] = of(owner)
    assert note.title == "First order from a new customer: Nyoman Putra"
    assert note.url == reverse("orders:manage_detail", args=[shop.slug, 41])
