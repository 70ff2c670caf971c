"""A contact's orders, money spent, favourites and stage follow its activities, and count each act once."""

import datetime as dt

import pytest
from django.utils import timezone

from etalase.activity.models import Activity
from etalase.activity.services import activity_process, activity_record
from etalase.customers.enums import Stage
from etalase.customers.models import Contact
from etalase.customers.services.aggregates import (
    contact_aggregates_recompute,
    contact_stage_set,
    contacts_aggregates_rebuild,
)
from etalase.customers.services.contacts import contact_create
from etalase.customers.services.merge import contact_merge
from etalase.engagement.services import favourite_add, favourite_remove
from etalase.orders.enums import Fulfilment, OrderChannel, PaymentMethod
from etalase.orders.services.payments import payment_confirm, payment_record
from etalase.orders.services.placement import LineRequest, order_place
from etalase.orders.services.status import order_cancel
from tests.factories import business_owner
from tests.support.orders import product_for_sale, shop_open

pytestmark = pytest.mark.django_db


def ordered(business, contact, number, amount, *, at=None):
    return activity_record(
        verb="ordered",
        business=business,
        data={"order_id": 1000 + number, "number": number, "amount_minor": amount, "contact_id": contact.pk},
        occurred_at=at,
    )


def test_orders_payments_and_cancellations_make_the_aggregates(business, django_capture_on_commit_callbacks):
    contact = contact_create(business=business, name="Bu Wati", phone="0812 5555 0001")
    first = timezone.now() - dt.timedelta(days=30)
    with django_capture_on_commit_callbacks(execute=True):
        ordered(business, contact, 1, 100_000, at=first)
        ordered(business, contact, 2, 50_000)
        activity_record(
            verb="paid",
            business=business,
            data={"number": 1, "payment_id": 7, "amount_minor": 100_000, "confirmed": True, "contact_id": contact.pk},
        )
        activity_record(  # a transfer waiting for the cashier does not count yet
            verb="paid",
            business=business,
            data={"number": 2, "payment_id": 8, "amount_minor": 50_000, "confirmed": False, "contact_id": contact.pk},
        )
    contact.refresh_from_db()
    assert (contact.orders_count, contact.spent_minor, contact.stage) == (2, 100_000, Stage.REPEAT)
    assert contact.first_order_at == first

    with django_capture_on_commit_callbacks(execute=True):
        activity_record(
            verb="payment_confirmed",
            business=business,
            data={"number": 2, "payment_id": 8, "amount_minor": 50_000, "contact_id": contact.pk},
        )
        activity_record(verb="cancelled", business=business, data={"number": 2, "contact_id": contact.pk})
    contact.refresh_from_db()
    assert (contact.orders_count, contact.spent_minor, contact.stage) == (1, 150_000, Stage.CUSTOMER)
    assert contact.first_order_at == contact.last_order_at == first


def test_processing_the_same_activity_twice_counts_it_once(business, django_capture_on_commit_callbacks):
    contact = contact_create(business=business, name="Pak Joko")
    with django_capture_on_commit_callbacks(execute=True):
        activity = ordered(business, contact, 1, 75_000)
        payment = activity_record(
            verb="payment_confirmed",
            business=business,
            data={"number": 1, "payment_id": 3, "amount_minor": 75_000, "contact_id": contact.pk},
        )
    for _again in range(2):
        activity_process(activity_id=activity.pk)
        activity_process(activity_id=payment.pk)
    contact.refresh_from_db()
    assert (contact.orders_count, contact.spent_minor, contact.stage) == (1, 75_000, Stage.CUSTOMER)


def test_staff_vip_sticks_and_automatic_follows_the_orders_again(business, owner):
    contact = contact_create(business=business, name="Bu Rina")
    contact_stage_set(contact=contact, stage=Stage.VIP, actor=owner)
    ordered(business, contact, 1, 10_000)
    ordered(business, contact, 2, 10_000)
    contact_aggregates_recompute(contact_id=contact.pk)
    contact.refresh_from_db()
    assert (contact.stage, contact.stage_set_by_staff, contact.orders_count) == (Stage.VIP, True, 2)

    contact_stage_set(contact=contact, stage="auto", actor=owner)
    contact.refresh_from_db()
    assert (contact.stage, contact.stage_set_by_staff) == (Stage.REPEAT, False)


def test_favourites_count_what_is_favourited_now(business, customer, django_capture_on_commit_callbacks):
    parang = product_for_sale(business, "Batik Parang")
    lurik = product_for_sale(business, "Kain Lurik")
    with django_capture_on_commit_callbacks(execute=True):
        favourite_add(user=customer, product_id=parang.pk)
    with django_capture_on_commit_callbacks(execute=True):
        favourite_add(user=customer, product_id=lurik.pk)
    with django_capture_on_commit_callbacks(execute=True):
        favourite_remove(user=customer, product_id=parang.pk)

    contact = Contact.objects.get(business=business, user=customer)
    assert contact.favourites_count == 1
    for activity in Activity.objects.filter(verb__in=["favourited", "unfavourited"]):
        activity_process(activity_id=activity.pk)
    contact.refresh_from_db()
    assert contact.favourites_count == 1


def test_real_orders_and_payments_from_the_orders_app(business, owner, django_capture_on_commit_callbacks):
    """Through the orders services: a walk-in's two orders, one paid and confirmed, one cancelled."""
    shop_open(business)
    product = product_for_sale(business, "Batik Parang", price_minor=150_000, stock=10)
    walk_in = contact_create(business=business, name="Ibu Wati", phone="0813 4444 0001")
    with django_capture_on_commit_callbacks(execute=True):
        paid = order_place(
            business=business,
            lines=[LineRequest(product_id=product.pk, quantity=2)],
            fulfilment=Fulfilment.PICKUP,
            actor=owner,
            contact=walk_in,
            channel=OrderChannel.WALK_IN,
        )
    with django_capture_on_commit_callbacks(execute=True):
        dropped = order_place(
            business=business,
            lines=[LineRequest(product_id=product.pk, quantity=1)],
            fulfilment=Fulfilment.PICKUP,
            actor=owner,
            contact=walk_in,
            channel=OrderChannel.WALK_IN,
        )
    walk_in.refresh_from_db()
    assert (walk_in.orders_count, walk_in.stage) == (2, Stage.REPEAT)

    with django_capture_on_commit_callbacks(execute=True):
        payment = payment_record(
            order=paid, actor=owner, method=PaymentMethod.CASH, amount_minor=100_000, confirm=False
        )
    with django_capture_on_commit_callbacks(execute=True):
        payment_confirm(payment=payment, actor=business_owner(business))
    with django_capture_on_commit_callbacks(execute=True):
        payment_record(order=paid, actor=owner, method=PaymentMethod.CASH, amount_minor=200_000, confirm=True)
    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(order=dropped, actor=owner, reason="Tidak jadi", by_customer=False)

    walk_in.refresh_from_db()
    assert walk_in.orders_count == 1
    assert walk_in.spent_minor == 300_000
    assert walk_in.stage == Stage.CUSTOMER
    assert walk_in.first_order_at == walk_in.last_order_at == paid.placed_at


def test_a_rebuild_counts_every_contact_like_one_by_one(business, owner, customer, django_capture_on_commit_callbacks):
    """Data written in bulk (demo, benchmark) is counted in one pass, with the same result."""
    wati = contact_create(business=business, name="Bu Wati")
    joko = contact_create(business=business, name="Pak Joko")
    duplicate = contact_create(business=business, name="Pak Joko (lama)")
    contact_merge(business=business, keep=joko, other=duplicate, actor=owner)
    with django_capture_on_commit_callbacks(execute=True):
        activity_record(verb="followed", business=business, actor=customer, target=business)
    budi = Contact.objects.get(business=business, user=customer)
    # Recorded without processing, as a bulk generator would.
    ordered(business, wati, 1, 10_000)
    ordered(business, wati, 2, 20_000)
    activity_record(verb="cancelled", business=business, data={"number": 2, "contact_id": wati.pk})
    activity_record(
        verb="paid",
        business=business,
        data={"number": 1, "payment_id": 1, "amount_minor": 10_000, "confirmed": True, "contact_id": wati.pk},
    )
    ordered(business, duplicate, 3, 5_000)  # e.g. recorded for the old record before the merge
    parang, lurik = product_for_sale(business, "Batik Parang"), product_for_sale(business, "Kain Lurik")
    for product in (parang, lurik):
        activity_record(verb="favourited", business=business, actor=customer, target=product)
    activity_record(verb="unfavourited", business=business, actor=customer, target=lurik)
    assert Contact.objects.get(pk=wati.pk).orders_count == 0

    assert contacts_aggregates_rebuild(business=business) == 3
    rebuilt = {
        row.pk: (row.orders_count, row.spent_minor, row.favourites_count, row.stage) for row in Contact.objects.all()
    }
    assert rebuilt[wati.pk] == (1, 10_000, 0, Stage.CUSTOMER)
    assert rebuilt[joko.pk] == (1, 0, 0, Stage.CUSTOMER)
    assert rebuilt[budi.pk] == (0, 0, 1, Stage.INTERESTED)
    for contact_id in (wati.pk, joko.pk, budi.pk):
        again = contact_aggregates_recompute(contact_id=contact_id)
        assert again is not None
        assert (again.orders_count, again.spent_minor, again.favourites_count, again.stage) == rebuilt[contact_id]
    assert contacts_aggregates_rebuild(business=business) == 0
