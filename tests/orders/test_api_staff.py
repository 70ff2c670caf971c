"""The orders API for staff: the orders list, taking an order for a customer who phoned, the status
journey, cancelling, recording / confirming / rejecting payments, the day's reconciliation and the
order settings; each by permission, another business's rows answering 404, bad input changing nothing."""

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from etalase.activity.models import Activity
from etalase.catalog.models import Product
from etalase.customers.models import Contact
from etalase.directory.enums import Role
from etalase.orders.enums import OrderStatus, PaymentStatus
from etalase.orders.models import Order, OrderEvent, OrderSettings, Payment
from etalase.orders.services.payments import payment_record, payment_submit
from etalase.orders.services.status import order_transition
from tests.factories import UserFactory
from tests.support.api import patch_json, post_json
from tests.support.orders import SERVER_KEY, proof_picture

pytestmark = pytest.mark.django_db

API = "/api/v1"


def orders_url(business, suffix: str = "") -> str:
    return f"{API}/businesses/{business.slug}/orders{suffix}"


def payments_url(business, suffix: str = "") -> str:
    return f"{API}/businesses/{business.slug}/payments{suffix}"


def error_of(response) -> dict[str, Any]:
    return response.json()["error"]


def stock_of(product: Product) -> int | None:
    return Product.objects.get(pk=product.pk).stock


@pytest.fixture
def owner_api(api_client_for, owner):
    return api_client_for(owner)


@pytest.fixture
def cashier_api(api_client_for, cashier):
    return api_client_for(cashier)


@pytest.fixture
def sales_api(api_client_for, sales):
    return api_client_for(sales)


@pytest.fixture
def support_api(api_client_for, shop, member_of):
    return api_client_for(member_of(shop, Role.SUPPORT, name="Dewi Support").user)


# --- the orders list ------------------------------------------------------------------------------


def test_the_list_filters_by_status_and_finds_a_number_or_a_customer(
    owner_api, shop, order, walk_in, staff_order, owner, product
):
    phoned = staff_order(owner, walk_in, [(product, 1)])
    order_transition(order=phoned, actor=owner, to_status=OrderStatus.CONFIRMED)

    everything = owner_api.get(orders_url(shop)).json()
    pending = owner_api.get(orders_url(shop, "?status=pending")).json()
    by_name = owner_api.get(orders_url(shop, "?q=wati")).json()
    by_phone = owner_api.get(orders_url(shop, "?q=0813-1111")).json()
    by_number = owner_api.get(orders_url(shop, "?q=%231")).json()

    assert [item["number"] for item in everything["items"]] == [2, 1]
    assert [item["number"] for item in pending["items"]] == [1]
    assert [item["number"] for item in by_name["items"]] == [2]
    assert [item["number"] for item in by_phone["items"]] == [2]
    assert [item["number"] for item in by_number["items"]] == [1]
    first = everything["items"][0]
    assert (first["channel"], first["status_label"], first["contact"]["phone"]) == (
        "phone",
        "Confirmed",
        "+6281311112222",
    )


def test_the_list_pages_and_refuses_an_unknown_status(owner_api, shop, customer, product, checkout):
    for _ in range(3):
        checkout(customer, [(product, 1)])

    first = owner_api.get(orders_url(shop, "?size=2")).json()
    second = owner_api.get(orders_url(shop, "?size=2&page=2")).json()

    assert ([item["number"] for item in first["items"]], first["next_page"]) == ([3, 2], 2)
    assert ([item["number"] for item in second["items"]], second["next_page"]) == ([1], None)
    assert owner_api.get(orders_url(shop, "?status=lost")).status_code == 422


def test_the_list_costs_the_same_queries_for_any_length(owner_api, shop, customer, product, checkout):
    checkout(customer, [(product, 1)])
    owner_api.get(orders_url(shop))  # the token's first use is written once
    with CaptureQueriesContext(connection) as one:
        owner_api.get(orders_url(shop))
    for _ in range(3):
        checkout(customer, [(product, 1)])
    with CaptureQueriesContext(connection) as four:
        assert len(owner_api.get(orders_url(shop)).json()["items"]) == 4

    assert len(four) == len(one)


def test_the_detail_has_the_customer_lines_timeline_payments_and_next_steps(owner_api, shop, order, customer):
    payment_submit(order=order, user=customer, method="transfer", amount_minor=85_000, proof=proof_picture())

    body = owner_api.get(orders_url(shop, "/1")).json()

    assert (body["contact"]["name"], body["customer_id"], body["created_by"]["name"]) == (
        "Budi Pelanggan",
        customer.pk,
        "Budi Pelanggan",
    )
    assert [line["title"] for line in body["lines"]] == ["Batik Parang", "Kain Lurik"]
    assert [step["key"] for step in body["next_statuses"]] == ["confirmed"]
    assert body["can_cancel"] is True
    assert body["events"][0]["actor"]["name"] == "Budi Pelanggan"
    payment = body["payments"][0]
    assert (payment["status"], payment["amount_minor"], payment["recorded_by"]["name"], payment["order_number"]) == (
        "pending",
        85_000,
        "Budi Pelanggan",
        1,
    )
    assert (body["due_minor"], body["paid_minor"]) == (385_000, 0)


# --- who may do what ------------------------------------------------------------------------------


def test_support_sees_orders_but_cannot_change_them(support_api, shop, order, product):
    assert support_api.get(orders_url(shop)).status_code == 200
    assert support_api.get(orders_url(shop, "/1")).status_code == 200

    moved = post_json(support_api, orders_url(shop, "/1/status"), {"status": "confirmed"})
    cancelled = post_json(support_api, orders_url(shop, "/1/cancel"), {"reason": "Habis"})
    created = post_json(
        support_api,
        orders_url(shop),
        {
            "contact": {"name": "X"},
            "channel": "phone",
            "fulfilment": "pickup",
            "lines": [{"product_id": product.pk, "quantity": 1}],
        },
    )
    recorded = support_api.post(orders_url(shop, "/1/payments"), {"method": "cash", "amount_minor": "1000"})

    assert [r.status_code for r in (moved, cancelled, created, recorded)] == [403, 403, 403, 403]
    assert error_of(moved)["code"] == "permission_denied"
    assert Order.objects.get().status == OrderStatus.PENDING
    assert Order.objects.count() == 1
    assert not Payment.objects.exists()


def test_sales_record_a_payment_that_waits_for_the_cashier(sales_api, cashier_api, shop, order, sales):
    recorded = sales_api.post(orders_url(shop, "/1/payments"), {"method": "cash", "amount_minor": "385000"})

    assert recorded.status_code == 201
    body = recorded.json()
    assert (body["status"], body["recorded_by"]["name"], body["received_by"]["name"]) == (
        "pending",
        "Joko Sales",
        "Joko Sales",
    )
    assert Order.objects.get().paid_minor == 0

    refused = post_json(sales_api, payments_url(shop, f"/{body['id']}/confirm"))
    assert refused.status_code == 403
    assert Payment.objects.get().status == PaymentStatus.PENDING

    confirmed = post_json(cashier_api, payments_url(shop, f"/{body['id']}/confirm"))
    assert confirmed.status_code == 200
    assert Order.objects.get().paid_minor == 385_000
    assert Activity.objects.get(verb="payment_confirmed").channel == "api"


def test_a_cashier_records_a_payment_confirmed_at_once(cashier_api, shop, order, cashier):
    response = cashier_api.post(
        orders_url(shop, "/1/payments"), {"method": "cash", "amount_minor": "100000", "reference": "Kasir 1"}
    )

    body = response.json()
    assert response.status_code == 201
    assert (body["status"], body["confirmed_by"]["name"], body["amount_formatted"]) == (
        "confirmed",
        "Rina Kasir",
        "IDR 100,000",
    )
    order = Order.objects.get()
    assert (order.paid_minor, order.due_minor) == (100_000, 285_000)


def test_another_business_and_its_orders_and_payments_are_404(
    api_client_for, owner_api, shop, order, other_shop, foreign_product, checkout, customer
):
    theirs = checkout(customer, [(foreign_product, 1)])
    their_payment = payment_submit(order=theirs, user=customer, method="qris", amount_minor=1000, reference="Q1")

    assert owner_api.get(orders_url(other_shop)).status_code == 404
    assert owner_api.get(orders_url(other_shop, f"/{theirs.number}")).status_code == 404
    assert post_json(owner_api, orders_url(other_shop, "/1/status"), {"status": "confirmed"}).status_code == 404
    assert post_json(owner_api, payments_url(shop, f"/{their_payment.pk}/confirm")).status_code == 404
    assert post_json(owner_api, payments_url(shop, f"/{their_payment.pk}/reject"), {"reason": "x"}).status_code == 404
    assert owner_api.get(orders_url(shop, "/2")).status_code == 404
    stranger = api_client_for(UserFactory())
    assert stranger.get(orders_url(shop, "/1")).status_code == 404
    assert Order.objects.get(pk=theirs.pk).status == OrderStatus.PENDING
    assert Payment.objects.get().status == PaymentStatus.PENDING


# --- taking an order ------------------------------------------------------------------------------


def phone_order(**changes):
    return {"channel": "phone", "fulfilment": "pickup", **changes}


def test_staff_take_a_phone_order_for_a_new_customer_priced_by_the_server(sales_api, shop, product, product_two, sales):
    response = post_json(
        sales_api,
        orders_url(shop),
        phone_order(
            contact={"name": "Pak Harjo", "phone": "0812-5555-6666"},
            lines=[
                {"product_id": product.pk, "quantity": 2, "unit_price_minor": 1},
                {"product_id": product_two.pk, "quantity": 1},
            ],
            total_minor=1,
            note="Diambil sore",
        ),
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["number"], body["channel"], body["total_minor"], body["created_by"]["name"]) == (
        1,
        "phone",
        385_000,
        "Joko Sales",
    )
    assert (body["contact"]["name"], body["contact"]["phone"], body["customer_id"]) == (
        "Pak Harjo",
        "+6281255556666",
        None,
    )
    assert Contact.objects.filter(business=shop, phone="+6281255556666").count() == 1
    assert stock_of(product) == 3
    activity = Activity.objects.get(verb="ordered")
    assert (activity.channel, activity.data["channel"]) == ("phone", "phone")


def test_staff_take_an_order_for_a_known_customer(owner_api, shop, product, walk_in):
    response = post_json(
        owner_api,
        orders_url(shop),
        phone_order(contact_id=walk_in.pk, channel="walk_in", lines=[{"product_id": product.pk, "quantity": 1}]),
    )

    assert response.status_code == 201
    assert (response.json()["contact"]["id"], response.json()["channel"]) == (walk_in.pk, "walk_in")


def test_a_retried_staff_order_with_the_same_key_is_taken_once(owner_api, shop, product, walk_in):
    body = phone_order(contact_id=walk_in.pk, lines=[{"product_id": product.pk, "quantity": 1}])

    first = post_json(owner_api, orders_url(shop), body, **{"Idempotency-Key": "call-0931"})
    again = post_json(owner_api, orders_url(shop), body, **{"Idempotency-Key": "call-0931"})

    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["number"] == again.json()["number"]
    assert Order.objects.count() == 1
    assert stock_of(product) == 4


@pytest.mark.parametrize(
    ("changes", "status", "code_or_field"),
    [
        ({"lines": []}, 400, "empty"),
        ({"lines": [{"product_id": "PRODUCT", "quantity": 0}]}, 400, "quantity"),
        ({"lines": [{"product_id": "PRODUCT", "quantity": 6}]}, 400, "out_of_stock"),
        ({"lines": [{"product_id": "FOREIGN", "quantity": 1}]}, 400, "product_not_in_business"),
        ({"fulfilment": "delivery"}, 400, "delivery_address"),
        ({"contact": None, "contact_id": None}, 400, "contact"),
        ({"contact_id": "WALK_IN"}, 400, "contact"),
        ({"contact": None, "contact_id": "THEIR_CONTACT"}, 400, "contact_id"),
        ({"contact": {"name": "", "phone": "", "email": ""}}, 400, "name"),
        ({"contact": {"name": "X", "phone": "12"}}, 400, "phone"),
        ({"channel": "pigeon"}, 422, "channel"),
        ({"lines": [{"product_id": "PRODUCT", "quantity": "1"}]}, 422, "lines.0.quantity"),
    ],
)
def test_a_bad_staff_order_changes_nothing(
    owner_api, shop, product, foreign_product, walk_in, other_shop, changes, status, code_or_field
):
    from etalase.customers.services.contacts import contact_create

    their_contact = contact_create(business=other_shop, name="Orang Lain", phone="0819-0000-1111")
    names = {
        "PRODUCT": product.pk,
        "FOREIGN": foreign_product.pk,
        "WALK_IN": walk_in.pk,
        "THEIR_CONTACT": their_contact.pk,
    }

    def resolve(value):
        if isinstance(value, list):
            return [{k: names.get(v, v) if isinstance(v, str) else v for k, v in line.items()} for line in value]
        return names.get(value, value) if isinstance(value, str) else value

    body = phone_order(
        contact={"name": "Pak Baru", "phone": "0812-7777-8888"}, lines=[{"product_id": product.pk, "quantity": 1}]
    )
    body.update({key: resolve(value) for key, value in changes.items()})
    contacts_before = Contact.objects.count()

    response = post_json(owner_api, orders_url(shop), body)

    assert response.status_code == status, response.content
    error = error_of(response)
    assert code_or_field == error["code"] or code_or_field in error["fields"], error
    assert error["message"]
    assert not Order.objects.exists()
    assert Contact.objects.count() == contacts_before  # a new customer is kept only with the order
    assert stock_of(product) == 5


# --- the status journey ---------------------------------------------------------------------------


def test_staff_move_an_order_along_and_the_timeline_says_who(owner_api, shop, order, owner):
    confirmed = post_json(owner_api, orders_url(shop, "/1/status"), {"status": "confirmed", "note": "Siap"})
    ready = post_json(owner_api, orders_url(shop, "/1/status"), {"status": "ready_for_pickup"})

    assert (confirmed.status_code, ready.status_code) == (200, 200)
    body = ready.json()
    assert [(event["to_status"], event["note"]) for event in body["events"]] == [
        ("pending", ""),
        ("confirmed", "Siap"),
        ("ready_for_pickup", ""),
    ]
    assert body["events"][-1]["actor"]["name"] == "Sari Pemilik"
    assert [step["key"] for step in body["next_statuses"]] == ["completed"]


@pytest.mark.parametrize("status", ["completed", "packed", "out_for_delivery"])
def test_a_status_jump_that_is_not_allowed_is_refused(owner_api, shop, order, status):
    response = post_json(owner_api, orders_url(shop, "/1/status"), {"status": status})

    assert response.status_code == 400
    assert error_of(response)["code"] == "transition_not_allowed"
    assert "cannot be marked" in error_of(response)["message"]
    assert Order.objects.get().status == OrderStatus.PENDING
    assert OrderEvent.objects.count() == 1


def test_an_unknown_status_is_422(owner_api, shop, order):
    assert post_json(owner_api, orders_url(shop, "/1/status"), {"status": "shipped"}).status_code == 422


def test_staff_cancel_with_a_reason_and_the_stock_comes_back(owner_api, shop, order, product, product_two):
    response = post_json(owner_api, orders_url(shop, "/1/cancel"), {"reason": "Stok rusak"})

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["cancel_reason"]) == ("cancelled", "Stok rusak")
    assert (stock_of(product), stock_of(product_two)) == (5, 10)
    assert response.json()["can_cancel"] is False


@pytest.mark.parametrize(("body", "status"), [({}, 422), ({"reason": "  "}, 400)])
def test_staff_cancel_needs_a_reason(owner_api, shop, order, product, body, status):
    response = post_json(owner_api, orders_url(shop, "/1/cancel"), body)

    assert response.status_code == status
    assert "reason" in error_of(response)["fields"]
    assert Order.objects.get().status == OrderStatus.PENDING
    assert stock_of(product) == 3


def test_an_order_with_confirmed_payments_is_not_cancelled(owner_api, shop, order, cashier):
    payment_record(order=order, actor=cashier, method="cash", amount_minor=1000, confirm=True)

    response = post_json(owner_api, orders_url(shop, "/1/cancel"), {"reason": "Batal"})

    assert response.status_code == 400
    assert error_of(response)["code"] == "has_payments"
    assert Order.objects.get().status == OrderStatus.PENDING


# --- recording payments ---------------------------------------------------------------------------


def record(client, shop, key: str = "", **fields):
    data = {"method": "cash", "amount_minor": "100000", **fields}
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(
        orders_url(shop, "/1/payments"), {k: v for k, v in data.items() if v is not None}, headers=headers
    )


def test_a_payment_names_the_member_who_received_the_money(cashier_api, shop, order, sales):
    response = record(cashier_api, shop, received_by=str(sales.pk))

    assert response.status_code == 201
    assert (response.json()["received_by"]["name"], response.json()["recorded_by"]["name"]) == (
        "Joko Sales",
        "Rina Kasir",
    )


def test_a_retried_payment_with_the_same_key_is_recorded_once(cashier_api, shop, order):
    first = record(cashier_api, shop, key="kas-17")
    again = record(cashier_api, shop, key="kas-17")

    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["id"] == again.json()["id"]
    assert Payment.objects.count() == 1
    assert Order.objects.get().paid_minor == 100_000


def test_a_time_without_offset_is_the_shops_local_time(cashier_api, shop, order):
    local = timezone.localtime(timezone.now(), dt.timezone(dt.timedelta(hours=7))) - dt.timedelta(hours=1)

    response = record(cashier_api, shop, paid_at=local.replace(tzinfo=None, microsecond=0).isoformat())

    assert response.status_code == 201
    paid_at = Payment.objects.get().paid_at
    assert abs((paid_at - local.replace(microsecond=0)).total_seconds()) < 1


@pytest.mark.parametrize(
    ("fields", "status", "field"),
    [
        ({"amount_minor": "385001"}, 400, "amount_minor"),
        ({"amount_minor": "-100"}, 400, "amount_minor"),
        ({"amount_minor": "seratus"}, 422, "amount_minor"),
        ({"amount_minor": "1e5"}, 422, "amount_minor"),
        ({"method": "gateway"}, 400, "method"),
        ({"received_by": "NON_MEMBER"}, 400, "received_by"),
        ({"received_by": "OTHER_OWNER"}, 400, "received_by"),
        ({"received_by": "abc"}, 422, "received_by"),
        ({"paid_at": "2999-01-01T10:00:00+07:00"}, 400, "paid_at"),
        ({"paid_at": "kemarin"}, 422, "paid_at"),
        ({"reference": "r" * 121}, 422, "reference"),
    ],
)
def test_bad_payment_records_change_nothing(cashier_api, shop, order, other_shop, fields, status, field):
    from etalase.directory.models import Membership

    names = {
        "NON_MEMBER": str(UserFactory().pk),
        "OTHER_OWNER": str(Membership.objects.get(business=other_shop).user_id),
    }
    response = record(cashier_api, shop, **{key: names.get(value, value) for key, value in fields.items()})

    assert response.status_code == status, response.content
    assert field in error_of(response)["fields"]
    assert not Payment.objects.exists()
    assert Order.objects.get().paid_minor == 0


def test_a_proof_that_is_not_a_picture_is_refused_for_staff_too(cashier_api, shop, order):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = record(
        cashier_api,
        shop,
        method="transfer",
        proof=SimpleUploadedFile("bukti.pdf", b"<html>", content_type="application/pdf"),
    )

    assert response.status_code == 400
    assert "proof" in error_of(response)["fields"]
    assert not Payment.objects.exists()


def test_a_cancelled_order_cannot_be_paid_at_the_counter(owner_api, cashier_api, shop, order):
    post_json(owner_api, orders_url(shop, "/1/cancel"), {"reason": "Batal"})

    response = record(cashier_api, shop)

    assert response.status_code == 400
    assert error_of(response)["code"] == "order_cancelled"
    assert not Payment.objects.exists()


# --- confirming and rejecting ---------------------------------------------------------------------


@pytest.fixture
def submitted(order, customer) -> Payment:
    return payment_submit(order=order, user=customer, method="transfer", amount_minor=385_000, proof=proof_picture())


def test_the_cashier_rejects_a_transfer_that_did_not_arrive(cashier_api, shop, submitted, api_client_for, customer):
    response = post_json(cashier_api, payments_url(shop, f"/{submitted.pk}/reject"), {"reason": "Belum masuk"})

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["rejected_reason"]) == ("rejected", "Belum masuk")
    mine = api_client_for(customer).get(f"{API}/me/orders/{shop.slug}/1").json()
    assert (mine["payments"][0]["status"], mine["payments"][0]["rejected_reason"]) == ("rejected", "Belum masuk")
    assert mine["due_minor"] == 385_000


@pytest.mark.parametrize(("body", "status"), [({}, 422), ({"reason": ""}, 400)])
def test_a_rejection_needs_a_reason(cashier_api, shop, submitted, body, status):
    response = post_json(cashier_api, payments_url(shop, f"/{submitted.pk}/reject"), body)

    assert response.status_code == status
    assert Payment.objects.get().status == PaymentStatus.PENDING


def test_a_rejected_payment_cannot_be_confirmed(cashier_api, shop, submitted):
    post_json(cashier_api, payments_url(shop, f"/{submitted.pk}/reject"), {"reason": "Palsu"})

    response = post_json(cashier_api, payments_url(shop, f"/{submitted.pk}/confirm"))

    assert response.status_code == 400
    assert error_of(response)["code"] == "payment_rejected"
    assert Order.objects.get().paid_minor == 0


def test_an_unknown_payment_is_404(cashier_api, shop, order):
    assert post_json(cashier_api, payments_url(shop, "/999/confirm")).status_code == 404
    assert post_json(cashier_api, payments_url(shop, f"/{2**60}/confirm")).status_code == 422


# --- the day's reconciliation ---------------------------------------------------------------------


def test_the_reconciliation_adds_up_the_day_per_method_and_per_member(
    cashier_api, sales_api, shop, order, sales, customer
):
    payment_submit(order=order, user=customer, method="transfer", amount_minor=300_000, proof=proof_picture())
    record(sales_api, shop, amount_minor="0")  # refused: not counted
    payment_record(order=order, actor=sales, method="cash", amount_minor=1, confirm=False)
    today = timezone.localdate(timezone=dt.timezone(dt.timedelta(hours=7)))

    response = cashier_api.get(payments_url(shop, f"/reconciliation?date={today.isoformat()}"))

    body = response.json()
    assert response.status_code == 200
    assert (body["day"], body["currency"]) == (today.isoformat(), "IDR")
    assert {row["key"]: row["pending_minor"] for row in body["by_method"]} == {"cash": 1, "transfer": 300_000}
    assert {row["label"] for row in body["by_staff"]} == {"Joko Sales", "Customer (online)"}
    assert (body["totals"]["recorded_minor"], body["totals"]["recorded_formatted"]) == (300_001, "IDR 300,001")
    assert body["totals"]["flag"] == "not confirmed yet"
    assert any("Joko Sales" in problem and "is not confirmed" in problem for problem in body["problems"])
    assert len(body["payments"]) == 2
    assert cashier_api.get(payments_url(shop, "/reconciliation")).json()["day"] == today.isoformat()


def test_only_those_who_confirm_payments_see_the_reconciliation(sales_api, shop):
    assert sales_api.get(payments_url(shop, "/reconciliation")).status_code == 403


def test_a_bad_date_is_422(cashier_api, shop):
    assert cashier_api.get(payments_url(shop, "/reconciliation?date=31-12-2025")).status_code == 422


# --- order settings -------------------------------------------------------------------------------


def settings_url(business) -> str:
    return f"{API}/businesses/{business.slug}/order-settings"


def test_the_server_key_is_never_shown(owner_api, shop):
    response = owner_api.get(settings_url(shop))

    assert response.status_code == 200
    assert response.json()["gateway_server_key_set"] is True
    assert "gateway_server_key" not in response.json()
    assert SERVER_KEY not in response.content.decode()


def test_an_owner_changes_only_the_settings_sent(owner_api, shop):
    response = patch_json(
        owner_api,
        settings_url(shop),
        {"delivery_fee_minor": 15_000, "qris_enabled": False, "gateway_server_key": "new"},
    )

    body = response.json()
    assert response.status_code == 200
    assert (body["delivery_fee_minor"], body["delivery_fee_formatted"], body["qris_enabled"]) == (
        15_000,
        "IDR 15,000",
        False,
    )
    assert "new" not in response.content.decode().replace("news", "")
    settings = OrderSettings.objects.get(business=shop)
    assert (settings.gateway_server_key, settings.pickup_enabled) == ("new", True)


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"delivery_fee_minor": -1}, 400, "delivery_fee_minor"),
        ({"delivery_fee_minor": "5000"}, 422, "delivery_fee_minor"),
        ({"gateway_server_key": ""}, 400, "gateway_server_key"),
        ({"pickup_enabled": False, "delivery_enabled": False}, 400, "pickup_enabled"),
    ],
)
def test_bad_settings_change_nothing(owner_api, shop, body, status, field):
    response = patch_json(owner_api, settings_url(shop), body)

    assert response.status_code == status
    assert field in error_of(response)["fields"]
    settings = OrderSettings.objects.get(business=shop)
    assert (settings.delivery_fee_minor, settings.gateway_server_key, settings.pickup_enabled) == (
        10_000,
        SERVER_KEY,
        True,
    )


def test_only_those_who_edit_the_business_see_the_settings(cashier_api, shop):
    assert cashier_api.get(settings_url(shop)).status_code == 403
    assert patch_json(cashier_api, settings_url(shop), {"cash_enabled": False}).status_code == 403
    assert OrderSettings.objects.get(business=shop).cash_enabled is True
