"""Payments and their trail: the customer submits, staff record, the cashier confirms or rejects,
``paid_minor`` is always the confirmed sum, nobody pays more than is due, and the day reconciles."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from etalase.accounts.models import User
from etalase.activity.models import Activity
from etalase.core.errors import NotFound, ValidationError
from etalase.orders.enums import OrderStatus, PaymentStatus
from etalase.orders.models import Order, Payment
from etalase.orders.selectors import payment_get, payment_list, reconciliation_for
from etalase.orders.services.order_settings import order_settings_update
from etalase.orders.services.payments import (
    PROOF_MAX_BYTES,
    payment_confirm,
    payment_record,
    payment_reject,
    payment_submit,
)
from etalase.orders.services.status import order_cancel, order_transition
from etalase.orders.wording import recon_problems, recon_row_flag
from tests.factories import UserFactory, business_owner
from tests.support.orders import picture_bytes, proof_pdf, proof_picture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def order_now(order: Order) -> Order:
    return Order.objects.get(pk=order.pk)


def no_payment_recorded() -> bool:
    return not Payment.objects.exists() and not Activity.objects.filter(verb="paid").exists()


# --- the customer submits -------------------------------------------------------------------------


def test_a_customer_submits_a_transfer_with_its_proof(order, customer):
    payment = payment_submit(
        order=order, user=customer, method="transfer", amount_minor=385_000, reference="BCA 0912", proof=proof_picture()
    )

    assert (payment.status, payment.amount_minor, payment.method, payment.reference) == (
        PaymentStatus.PENDING,
        385_000,
        "transfer",
        "BCA 0912",
    )
    assert (payment.recorded_by, payment.received_by, payment.confirmed_by) == (customer, None, None)
    assert payment.proof.name is not None
    assert payment.proof.name.startswith("payment-proofs/")
    assert payment.proof.name.endswith(".png")
    assert payment.proof.read() == picture_bytes("PNG")
    assert order_now(order).paid_minor == 0  # not paid until the cashier confirms
    activity = Activity.objects.get(verb="paid")
    assert (activity.actor, activity.channel) == (customer, "web")
    assert activity.data == {
        "number": 1,
        "customer_id": customer.pk,
        "contact_id": order.contact_id,
        "payment_id": payment.pk,
        "amount_minor": 385_000,
        "method": "transfer",
        "confirmed": False,
    }


def test_a_pdf_proof_is_taken_too(order, customer):
    payment = payment_submit(order=order, user=customer, method="transfer", amount_minor=1000, proof=proof_pdf())

    assert (payment.proof.name or "").endswith(".pdf")


def test_a_qris_payment_needs_its_reference(order, customer):
    with pytest.raises(ValidationError) as error:
        payment_submit(order=order, user=customer, method="qris", amount_minor=385_000)
    payment = payment_submit(order=order, user=customer, method="qris", amount_minor=385_000, reference="QR-7781")

    assert "reference" in error.value.fields
    assert (payment.method, payment.reference, payment.proof.name or "") == ("qris", "QR-7781", "")


@pytest.mark.parametrize(
    ("method", "field"),
    [("cash", "method"), ("gateway", "method"), ("bitcoin", "method"), ("transfer", "proof")],
)
def test_what_a_customer_cannot_submit(order, customer, method, field):
    with pytest.raises(ValidationError) as error:
        payment_submit(order=order, user=customer, method=method, amount_minor=10_000)

    assert field in error.value.fields
    assert no_payment_recorded()


def test_a_method_the_shop_does_not_take_is_refused(order, customer, shop):
    order_settings_update(business=shop, actor=business_owner(shop), qris_enabled=False)

    with pytest.raises(ValidationError) as error:
        payment_submit(order=order, user=customer, method="qris", amount_minor=10_000, reference="X")

    assert error.value.message == "This shop does not take this payment method."
    assert no_payment_recorded()


@pytest.mark.parametrize("amount", [0, -5000, "50000", 50000.0, None, True])
def test_an_amount_that_is_not_a_positive_whole_number_is_refused(order, customer, amount):
    with pytest.raises(ValidationError) as error:
        payment_submit(order=order, user=customer, method="qris", amount_minor=amount, reference="QR-1")

    assert "amount_minor" in error.value.fields
    assert no_payment_recorded()


def test_nobody_pays_more_than_is_due_counting_pending_payments(order, customer, cashier):
    payment_record(order=order, actor=cashier, method="cash", amount_minor=85_000, confirm=True)
    payment_submit(order=order, user=customer, method="qris", amount_minor=200_000, reference="QR-1")

    with pytest.raises(ValidationError) as over:
        payment_submit(order=order, user=customer, method="qris", amount_minor=100_001, reference="QR-2")
    with pytest.raises(ValidationError) as staff_over:
        payment_record(order=order, actor=cashier, method="cash", amount_minor=100_001, confirm=True)
    last = payment_submit(order=order, user=customer, method="qris", amount_minor=100_000, reference="QR-3")
    with pytest.raises(ValidationError) as nothing_left:
        payment_submit(order=order, user=customer, method="qris", amount_minor=1, reference="QR-4")

    assert over.value.code == staff_over.value.code == "overpayment"
    assert over.value.message == (
        "That is more than is due: at most IDR 100,000 (IDR 200,000 is waiting for confirmation)."
    )
    assert nothing_left.value.code == "nothing_due"
    assert last.amount_minor == 100_000
    assert Payment.objects.count() == 3


def test_a_cancelled_order_cannot_be_paid(order, customer, cashier):
    order_cancel(order=order, actor=customer, reason="", by_customer=True)

    with pytest.raises(ValidationError) as submitted:
        payment_submit(order=order, user=customer, method="qris", amount_minor=1000, reference="QR")
    with pytest.raises(ValidationError) as recorded:
        payment_record(order=order, actor=cashier, method="cash", amount_minor=1000, confirm=True)

    assert submitted.value.code == recorded.value.code == "order_cancelled"
    assert submitted.value.message == "This order was cancelled and cannot be paid."
    assert no_payment_recorded()


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("proof.png", b"this is not a picture at all", "proof_invalid"),
        ("proof.pdf", b"%PD not quite", "proof_invalid"),
        ("proof.svg", b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "proof_invalid"),
        ("proof.png", b"", "proof_invalid"),
        ("proof.pdf", b"%PDF-1.4\n" + b"0" * PROOF_MAX_BYTES, "proof_too_large"),
    ],
)
def test_a_proof_that_is_not_a_picture_or_pdf_is_refused(order, customer, name, content, code):
    upload = SimpleUploadedFile(name, content, content_type="image/png")

    with pytest.raises(ValidationError) as error:
        payment_submit(order=order, user=customer, method="transfer", amount_minor=1000, proof=upload)

    assert (error.value.code, list(error.value.fields)) == (code, ["proof"])
    assert no_payment_recorded()


def test_a_bmp_picture_is_not_a_proof_we_keep(order, customer):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, format="BMP")

    with pytest.raises(ValidationError):
        payment_submit(
            order=order,
            user=customer,
            method="transfer",
            amount_minor=1000,
            proof=SimpleUploadedFile("a.bmp", buffer.getvalue()),
        )


def test_someone_elses_order_is_not_found(order):
    with pytest.raises(NotFound):
        payment_submit(order=order, user=UserFactory(), method="qris", amount_minor=1000, reference="QR")

    assert no_payment_recorded()


def test_a_retried_submission_returns_the_same_payment(order, customer):
    first = payment_submit(
        order=order, user=customer, method="transfer", amount_minor=100_000, proof=proof_picture(), idempotency_key="k1"
    )
    again = payment_submit(
        order=order, user=customer, method="transfer", amount_minor=100_000, proof=proof_picture(), idempotency_key="k1"
    )

    assert again.pk == first.pk
    assert Payment.objects.count() == 1
    assert Activity.objects.filter(verb="paid").count() == 1


# --- staff record, the cashier confirms -------------------------------------------------------------


def test_sales_record_cash_received_and_the_cashier_confirms_it(order, sales, cashier):
    payment = payment_record(order=order, actor=sales, method="cash", amount_minor=200_000, confirm=False)

    assert (payment.status, payment.recorded_by, payment.received_by, payment.confirmed_by) == (
        PaymentStatus.PENDING,
        sales,
        sales,
        None,
    )
    assert order_now(order).paid_minor == 0

    confirmed = payment_confirm(payment=payment, actor=cashier)

    assert (confirmed.status, confirmed.confirmed_by) == (PaymentStatus.CONFIRMED, cashier)
    assert confirmed.confirmed_at is not None
    assert order_now(order).paid_minor == 200_000
    assert order_now(order).due_minor == 185_000
    activity = Activity.objects.get(verb="payment_confirmed")
    assert (activity.actor, activity.data["payment_id"], activity.data["order_paid"]) == (cashier, payment.pk, False)
    assert activity.data["amount_minor"] == 200_000


def test_a_cashier_records_and_confirms_at_once_for_a_colleague(order, sales, cashier):
    paid_at = timezone.now() - dt.timedelta(hours=2)

    payment = payment_record(
        order=order,
        actor=cashier,
        method="transfer",
        amount_minor=385_000,
        reference="BCA 1",
        received_by=sales,
        confirm=True,
        paid_at=paid_at,
        proof=proof_pdf(),
    )

    assert (payment.recorded_by, payment.received_by, payment.confirmed_by, payment.paid_at) == (
        cashier,
        sales,
        cashier,
        paid_at,
    )
    stored = order_now(order)
    assert (stored.paid_minor, stored.is_paid, stored.due_minor) == (385_000, True, 0)
    activity = Activity.objects.get(verb="paid")
    assert (activity.actor, activity.data["confirmed"], activity.data["order_paid"]) == (cashier, True, True)
    assert not Activity.objects.filter(verb="payment_confirmed").exists()


def test_partial_payments_add_up_exactly(order, cashier):
    for amount in (100_000, 85_000, 200_000):
        payment_record(order=order, actor=cashier, method="cash", amount_minor=amount, confirm=True)

    stored = order_now(order)
    assert (stored.paid_minor, stored.total_minor, stored.is_paid) == (385_000, 385_000, True)


def test_the_money_must_be_received_by_a_member_and_not_in_the_future(order, cashier, customer):
    with pytest.raises(ValidationError) as outsider:
        payment_record(order=order, actor=cashier, method="cash", amount_minor=1000, received_by=customer, confirm=True)
    with pytest.raises(ValidationError) as future:
        payment_record(
            order=order,
            actor=cashier,
            method="cash",
            amount_minor=1000,
            confirm=True,
            paid_at=timezone.now() + dt.timedelta(days=1),
        )
    with pytest.raises(ValidationError) as gateway:
        payment_record(order=order, actor=cashier, method="gateway", amount_minor=1000, confirm=True)

    assert "received_by" in outsider.value.fields
    assert "paid_at" in future.value.fields
    assert "method" in gateway.value.fields
    assert no_payment_recorded()


def test_a_retried_record_returns_the_same_payment(order, sales):
    first = payment_record(
        order=order, actor=sales, method="cash", amount_minor=5000, confirm=False, idempotency_key="r"
    )
    again = payment_record(
        order=order, actor=sales, method="cash", amount_minor=5000, confirm=False, idempotency_key="r"
    )

    assert first.pk == again.pk
    assert Payment.objects.count() == 1


def test_the_cashier_rejects_a_transfer_that_did_not_arrive(order, customer, cashier):
    payment = payment_submit(order=order, user=customer, method="transfer", amount_minor=385_000, proof=proof_picture())

    with pytest.raises(ValidationError) as no_reason:
        payment_reject(payment=payment, actor=cashier, reason="")
    rejected = payment_reject(payment=payment, actor=cashier, reason="Not in the bank statement")

    assert "reason" in no_reason.value.fields
    assert (rejected.status, rejected.rejected_reason, rejected.confirmed_by) == (
        PaymentStatus.REJECTED,
        "Not in the bank statement",
        cashier,
    )
    assert order_now(order).paid_minor == 0
    activity = Activity.objects.get(verb="payment_rejected")
    assert (activity.actor, activity.data["reason"], activity.data["payment_id"]) == (
        cashier,
        "Not in the bank statement",
        payment.pk,
    )
    # The amount is free again: the customer can pay it another way.
    again = payment_submit(order=order, user=customer, method="qris", amount_minor=385_000, reference="QR-9")
    assert again.status == PaymentStatus.PENDING


def test_a_decided_payment_stays_decided(order, customer, cashier):
    confirmed = payment_record(order=order, actor=cashier, method="cash", amount_minor=1000, confirm=True)
    rejected = payment_submit(order=order, user=customer, method="qris", amount_minor=1000, reference="QR")
    payment_reject(payment=rejected, actor=cashier, reason="Wrong reference")

    with pytest.raises(ValidationError) as reject_confirmed:
        payment_reject(payment=confirmed, actor=cashier, reason="Oops")
    with pytest.raises(ValidationError) as confirm_rejected:
        payment_confirm(payment=rejected, actor=cashier)
    twice = payment_confirm(payment=confirmed, actor=cashier)

    assert (reject_confirmed.value.code, confirm_rejected.value.code) == ("payment_confirmed", "payment_rejected")
    assert twice.status == PaymentStatus.CONFIRMED
    assert order_now(order).paid_minor == 1000
    assert Activity.objects.filter(verb="payment_confirmed").count() == 0


def test_payments_are_read_within_their_business(order, cashier, other_shop):
    payment = payment_record(order=order, actor=cashier, method="cash", amount_minor=1000, confirm=False)

    assert payment_get(business=order.business, payment_id=payment.pk) == payment
    assert list(payment_list(business=order.business, status="pending")) == [payment]
    with pytest.raises(NotFound):
        payment_get(business=other_shop, payment_id=payment.pk)


# --- the day's reconciliation --------------------------------------------------------------------

JAKARTA = ZoneInfo("Asia/Jakarta")


def at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=JAKARTA)


def test_the_day_reconciles_per_method_and_per_person_and_flags_what_does_not_add_up(
    shop, checkout, customer, sales, cashier, product, product_two
):
    day = timezone.localdate(timezone.now(), JAKARTA) - dt.timedelta(days=1)
    first = checkout(customer, [(product, 2)])  # Rp 300.000
    second = checkout(customer, [(product_two, 3)])  # Rp 255.000
    earlier = checkout(customer, [(product_two, 1)])  # Rp 85.000

    cash_confirmed = payment_record(
        order=first, actor=cashier, method="cash", amount_minor=100_000, confirm=True, paid_at=at(day, 9)
    )
    cash_pending = payment_record(
        order=first, actor=sales, method="cash", amount_minor=50_000, confirm=False, paid_at=at(day, 10)
    )
    transfer = payment_submit(order=second, user=customer, method="transfer", amount_minor=255_000, proof=proof_pdf())
    Payment.objects.filter(pk=transfer.pk).update(paid_at=at(day, 11))
    payment_reject(payment=transfer, actor=cashier, reason="Blurry proof")
    qris = payment_submit(order=second, user=customer, method="qris", amount_minor=155_000, reference="QR-1")
    Payment.objects.filter(pk=qris.pk).update(paid_at=at(day, 23))
    payment_confirm(payment=qris, actor=cashier)
    old = payment_submit(order=earlier, user=customer, method="qris", amount_minor=85_000, reference="QR-OLD")
    Payment.objects.filter(pk=old.pk).update(paid_at=at(day - dt.timedelta(days=2), 12))
    next_day = payment_record(order=first, actor=cashier, method="cash", amount_minor=1000, confirm=True)
    Payment.objects.filter(pk=next_day.pk).update(paid_at=at(day + dt.timedelta(days=1), 0))
    order_transition(order=second, actor=cashier, to_status=OrderStatus.CONFIRMED)
    order_transition(order=second, actor=cashier, to_status=OrderStatus.COMPLETED)
    Order.objects.filter(pk=second.pk).update(completed_at=at(day, 18))

    recon = reconciliation_for(business=shop, day=day)

    by_method = {row.key: row for row in recon.rows_by_method}
    assert set(by_method) == {"cash", "transfer", "qris"}
    cash = by_method["cash"]
    assert (cash.recorded_minor, cash.confirmed_minor, cash.pending_minor, cash.rejected_minor, cash.count) == (
        150_000,
        100_000,
        50_000,
        0,
        2,
    )
    assert recon_row_flag(cash) == "not confirmed yet"
    transfer_row = by_method["transfer"]
    assert (transfer_row.recorded_minor, transfer_row.rejected_minor, recon_row_flag(transfer_row)) == (
        255_000,
        255_000,
        "rejected payments",
    )
    assert (by_method["qris"].confirmed_minor, recon_row_flag(by_method["qris"])) == (155_000, None)

    by_person = {row.label: row for row in recon.rows_by_staff}
    assert set(by_person) == {"Rina Kasir", "Joko Sales", "Customer (online)"}
    assert by_person["Rina Kasir"].confirmed_minor == 100_000
    assert by_person["Joko Sales"].pending_minor == 50_000
    assert (by_person["Customer (online)"].recorded_minor, by_person["Customer (online)"].confirmed_minor) == (
        410_000,
        155_000,
    )
    totals = recon.totals
    assert (totals.recorded_minor, totals.confirmed_minor, totals.pending_minor, totals.rejected_minor) == (
        560_000,
        255_000,
        50_000,
        255_000,
    )
    assert totals.recorded_minor == sum(row.recorded_minor for row in recon.rows_by_method)
    assert totals.recorded_minor == sum(row.recorded_minor for row in recon.rows_by_staff)
    assert [payment.pk for payment in recon.payments] == [cash_confirmed.pk, cash_pending.pk, transfer.pk, qris.pk]
    assert recon_problems(recon) == [
        "Cash IDR 50,000 recorded by Joko Sales for order #1 is not confirmed.",
        "Bank transfer IDR 255,000 for order #2 was rejected: Blurry proof",
        "1 payment from an earlier day (IDR 85,000) is still waiting for confirmation.",
        "Order #2 was completed but IDR 100,000 is still due.",
    ]
    assert recon.pending_earlier == [old]
    assert recon.completed_unpaid == [second]


def test_a_quiet_day_reconciles_to_nothing(shop):
    recon = reconciliation_for(business=shop, day=dt.date(2024, 1, 1))

    assert (recon.rows_by_method, recon.rows_by_staff, recon_problems(recon), recon.payments) == ([], [], [], [])
    assert recon.totals.recorded_minor == 0
    assert recon.is_clean


# --- the operator's admin -------------------------------------------------------------------------


def test_operators_read_orders_and_payments_in_the_admin_but_cannot_change_them(client, order, cashier):
    payment = payment_record(order=order, actor=cashier, method="cash", amount_minor=1000, confirm=True)
    operator = User.objects.create_superuser(email="operator@etalase.id", password="operator-pass-1")
    client.force_login(operator)

    pages = [
        reverse("admin:orders_order_changelist"),
        reverse("admin:orders_order_change", args=[order.pk]),
        reverse("admin:orders_payment_changelist"),
        reverse("admin:orders_payment_change", args=[payment.pk]),
        reverse("admin:orders_gatewaynotification_changelist"),
        reverse("admin:orders_review_changelist"),
    ]

    assert [client.get(page).status_code for page in pages] == [200] * len(pages)
    response = client.post(reverse("admin:orders_payment_change", args=[payment.pk]), {"amount_minor": 5})
    assert response.status_code == 403
    assert Payment.objects.get(pk=payment.pk).amount_minor == 1000
    assert client.get(reverse("admin:orders_payment_add")).status_code == 403
