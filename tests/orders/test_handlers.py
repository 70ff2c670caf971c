"""Orders follow the customers app: a merge moves orders; a data download lists them; an erasure
keeps amounts and dates and removes what describes the person."""

import pytest

from etalase.customers.models import Contact
from etalase.customers.privacy.services import privacy_erase, privacy_export
from etalase.customers.services.contacts import contact_create
from etalase.customers.services.merge import contact_merge
from etalase.orders.enums import Fulfilment, PaymentMethod
from etalase.orders.models import Cart, Order, Payment
from etalase.orders.services.carts import cart_add
from etalase.orders.services.payments import payment_submit
from tests.support.orders import checkout_for, proof_picture, staff_order_for

pytestmark = pytest.mark.django_db


def test_a_merge_moves_the_duplicates_orders(
    shop, owner, customer, product, walk_in, django_capture_on_commit_callbacks
):
    mine = checkout_for(customer, [(product, 1)])
    keep = Contact.objects.get(business=shop, user=customer)
    taken = staff_order_for(owner, walk_in, [(product, 1)])

    with django_capture_on_commit_callbacks(execute=True):
        contact_merge(business=shop, keep=keep, other=walk_in, actor=owner)

    assert set(Order.objects.filter(contact=keep).values_list("pk", flat=True)) == {mine.pk, taken.pk}


def test_the_data_download_lists_the_orders(shop, customer, product):
    order = checkout_for(customer, [(product, 2)], fulfilment=Fulfilment.DELIVERY, note="Bel dua kali")
    contact = Contact.objects.get(business=shop, user=customer)

    data = privacy_export(contact=contact, requested_by=customer)

    (entry,) = data["orders"] if "orders" in data else data["sections"]["orders"]
    assert entry["number"] == order.number
    assert entry["total_minor"] == order.total_minor
    assert entry["delivery_address"] == "Jl. Malioboro 1, Yogyakarta"
    assert entry["lines"][0]["quantity"] == 2


def test_erasure_keeps_the_books_and_removes_the_person(shop, customer, product, product_two):
    order = checkout_for(customer, [(product, 1)], fulfilment=Fulfilment.DELIVERY, note="Rumah pagar hijau")
    payment_submit(
        order=order, user=customer, method=PaymentMethod.TRANSFER, amount_minor=10_000, proof=proof_picture()
    )
    cart_add(user=customer, product=product_two, quantity=1)
    contact = Contact.objects.get(business=shop, user=customer)
    books = (order.total_minor, order.placed_at, order.number)

    privacy_erase(contact=contact, requested_by=customer, by_staff=False)

    order.refresh_from_db()
    assert (order.total_minor, order.placed_at, order.number) == books
    assert order.customer is None
    assert (order.delivery_address, order.note) == ("", "")
    payment = Payment.objects.get(order=order)
    assert (payment.amount_minor, payment.proof.name, payment.reference) == (10_000, "", "")
    assert not Cart.objects.filter(business=shop, user=customer).exists()


def test_erasure_at_one_shop_leaves_another_shops_orders(shop, other_shop, customer, product):
    from tests.support.orders import product_for_sale, shop_open

    shop_open(other_shop)
    elsewhere = checkout_for(customer, [(product_for_sale(other_shop), 1)], fulfilment=Fulfilment.DELIVERY)
    checkout_for(customer, [(product, 1)])
    privacy_erase(contact=Contact.objects.get(business=shop, user=customer), requested_by=customer, by_staff=False)

    elsewhere.refresh_from_db()
    assert elsewhere.customer == customer
    assert elsewhere.delivery_address


def test_a_staff_contact_without_an_account_is_erased_too(shop, owner, product):
    contact = contact_create(business=shop, name="Bu Wati", phone="0812 4444 5555")
    order = staff_order_for(owner, contact, [(product, 1)], fulfilment=Fulfilment.DELIVERY, delivery_address="Jl. X")
    privacy_erase(contact=contact, requested_by=owner, by_staff=True)
    order.refresh_from_db()
    assert order.delivery_address == ""
    assert order.total_minor > 0
