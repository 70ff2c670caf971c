"""A customer's erasure at one shop rewords the team's notifications about them and deletes their own.

Given Budi, at Batik Sari: favourited Batik Parang right after Rina (one burst of two, "Latest:
Budi"), favourited Batik Kawung and viewed it three times (an interest flag), followed the shop,
asked a question (answered: his own notification), heard of a new product as a follower, ordered
and cancelled with a reason. At Kopi Senja he follows and hears of its new products. Rina commented
at Batik Sari. He has a phone registered for web push and his own notification settings. When he
erases his data at Batik Sari, then the team there keeps its notifications without his name or
words, his notifications from Batik Sari are gone, and everything else stays.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from etalase.accounts.models import User
from etalase.activity.services import activity_record
from etalase.catalog.models import Product
from etalase.customers.models import Contact
from etalase.customers.privacy.services import privacy_erasers
from etalase.customers.services.contacts import contact_create
from etalase.directory.enums import Role
from etalase.directory.models import Business
from etalase.engagement.services import comment_add, comment_answer, favourite_add, follow_add
from etalase.notifications import rules
from etalase.notifications.enums import Kind
from etalase.notifications.models import Notification, NotificationPreference, PushSubscription
from etalase.notifications.services import notification_preference_update
from etalase.orders.models import Order
from etalase.orders.services.status import order_cancel
from tests.factories import UserFactory, business_owner, registered_business
from tests.support.orders import checkout_for, product_for_sale, shop_open, staff_order_for

pytestmark = pytest.mark.django_db

QUESTION = "Ada ukuran XL untuk kondangan Sabtu?"
REASON = "Budi salah pilih ukuran"
RINA_COMMENT = "Kainnya adem, terima kasih"


@dataclass
class Acts:
    business: Business
    other: Business
    owner: User
    sales: User
    customer: User
    parang: Product
    kawung: Product
    order: Order
    contact: Contact


@pytest.fixture
def acts(business, customer, member_of, committed) -> Acts:
    owner = business_owner(business)
    sales = member_of(business, Role.SALES, name="Dewi Sales", language="id").user
    other = registered_business(owner=UserFactory(name="Bayu"), name="Kopi Senja")
    rina = UserFactory(name="Rina Wulandari")
    shop_open(business)
    parang = product_for_sale(business, "Batik Parang")
    kawung = product_for_sale(business, "Batik Kawung")
    PushSubscription.objects.create(user=customer, endpoint="https://push.example/budi", p256dh="key", auth="secret")
    notification_preference_update(user=customer, channels={Kind.NEW_POST: ["in_app"]})
    with committed():
        favourite_add(user=rina, product_id=parang.pk)
        favourite_add(user=customer, product_id=parang.pk)
        favourite_add(user=customer, product_id=kawung.pk)
        for _view in range(3):
            activity_record(verb="viewed_product", business=business, actor=customer, target=kawung)
        follow_add(user=customer, business=business)
        question = comment_add(user=customer, product_id=parang.pk, body=QUESTION, kind="question")
        comment_answer(user=owner, comment_id=question.pk, body="Ada, kak.")
        comment_add(user=rina, product_id=parang.pk, body=RINA_COMMENT)
        product_for_sale(business, "Batik Mega Mendung")
        order = checkout_for(customer, [(parang, 1)])
        order_cancel(order=order, actor=customer, reason=REASON, by_customer=True)
        follow_add(user=customer, business=other)
        product_for_sale(other, "Kopi Gayo")
    return Acts(
        business=business,
        other=other,
        owner=owner,
        sales=sales,
        customer=customer,
        parang=parang,
        kawung=kawung,
        order=order,
        contact=Contact.objects.get(business=business, user=customer),
    )


@pytest.fixture
def committed(django_capture_on_commit_callbacks) -> Callable[[], Any]:
    return lambda: django_capture_on_commit_callbacks(execute=True)


def erase_url(business: Business) -> str:
    return reverse("customers_privacy:my_erase", args=[business.slug])


def rows_of(user: User, business: Business | None) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, business=business).order_by("id"))


def shown(user: User, business: Business | None) -> list[tuple[str, str, str]]:
    return [(row.kind, row.title, row.body) for row in rows_of(user, business)]


def personal_text(business: Business) -> str:
    rows = Notification.objects.filter(business=business).values_list("title", "body", "data", "group_key")
    return repr(list(rows))


def test_the_team_is_told_about_budi_by_name_before(acts):
    """The starting point, so the erasure's test cannot pass by not having notifications at all."""
    order_body = f"Order #{acts.order.number} · IDR 150,000"
    assert shown(acts.owner, acts.business) == [
        (Kind.FAVOURITED, "2 new favourites on Batik Parang in the last hour", "Latest: Budi Pelanggan"),
        (Kind.FAVOURITED, "Budi Pelanggan favourited Batik Kawung", ""),
        (
            Kind.INTEREST,
            "Budi Pelanggan viewed Batik Kawung 3 times today and favourited it",
            "A good moment to send a message.",
        ),
        (Kind.FOLLOWED, "Budi Pelanggan followed Batik Sari", ""),
        (Kind.ASKED, "Budi Pelanggan asked about Batik Parang", QUESTION),
        (Kind.COMMENTED, "Rina Wulandari commented on Batik Parang", RINA_COMMENT),
        (Kind.FIRST_ORDER, "First order from a new customer: Budi Pelanggan", order_body),
        (Kind.ORDER_CANCELLED, f"Budi Pelanggan cancelled order #{acts.order.number}", REASON),
    ]
    assert sorted(row.kind for row in rows_of(acts.customer, None)) == [
        Kind.ANSWERED,
        Kind.NEW_PRODUCT,
        Kind.NEW_PRODUCT,
    ]
    assert Notification.objects.filter(recipient=acts.customer, data__shop=acts.other.slug).exists()


def test_erasing_rewords_the_teams_notifications_without_naming_budi(client_for, acts, committed):
    before = [row.pk for row in rows_of(acts.owner, acts.business)]

    with committed():
        answer = client_for(acts.customer).post(erase_url(acts.business), {"confirm": "on"})

    assert answer.status_code == 302
    rows = rows_of(acts.owner, acts.business)
    assert [row.pk for row in rows] == before  # the same rows, worded again
    order_body = f"Order #{acts.order.number} · IDR 150,000"
    assert shown(acts.owner, acts.business) == [
        (Kind.FAVOURITED, "2 new favourites on Batik Parang in the last hour", "Latest: A customer"),
        (Kind.FAVOURITED, "A customer favourited Batik Kawung", ""),
        (
            Kind.INTEREST,
            "A customer viewed Batik Kawung 3 times today and favourited it",
            "A good moment to send a message.",
        ),
        (Kind.FOLLOWED, "A customer followed Batik Sari", ""),
        (Kind.ASKED, "A customer asked about Batik Parang", ""),
        # Rina's comment still names her.
        (Kind.COMMENTED, "Rina Wulandari commented on Batik Parang", RINA_COMMENT),
        (Kind.FIRST_ORDER, "First order from a new customer: A customer", order_body),
        (Kind.ORDER_CANCELLED, f"A customer cancelled order #{acts.order.number}", order_body),
    ]
    assert rows[0].count == 2
    assert rows[2].group_key == ""
    # Each member reads it in their own language.
    with translation.override("id"):
        expected = rules.message(Kind.FOLLOWED, business="Batik Sari")
    assert (Kind.FOLLOWED, *expected) in shown(acts.sales, acts.business)
    # Nothing at Batik Sari names Budi, quotes him or leads to his account.
    text = personal_text(acts.business)
    for personal in ("Budi", "Pelanggan", QUESTION, REASON, f"'actor_id': {acts.customer.pk}"):
        assert personal not in text, personal
    assert f"interest:{acts.customer.pk}:" not in text


def test_erasing_deletes_budis_own_notifications_from_that_shop_only(client_for, acts, committed):
    with committed():
        client_for(acts.customer).post(erase_url(acts.business), {"confirm": "on"})

    mine = Notification.objects.filter(recipient=acts.customer)
    assert not mine.filter(data__shop=acts.business.slug).exists()
    assert [(row.kind, row.data["shop"]) for row in mine] == [(Kind.NEW_PRODUCT, acts.other.slug)]
    # His devices and settings are his, not the shop's.
    assert PushSubscription.objects.filter(user=acts.customer, endpoint="https://push.example/budi").exists()
    assert NotificationPreference.objects.get(user=acts.customer, business=None).channels == {Kind.NEW_POST: ["in_app"]}
    # Kopi Senja's team still knows him by name.
    bayu = business_owner(acts.other)
    assert shown(bayu, acts.other) == [(Kind.FOLLOWED, "Budi Pelanggan followed Kopi Senja", "")]


def test_erasing_twice_is_harmless(client_for, acts, committed):
    budi = client_for(acts.customer)
    with committed():
        budi.post(erase_url(acts.business), {"confirm": "on"})
    before = (personal_text(acts.business), Notification.objects.count())

    again = budi.post(erase_url(acts.business), {"confirm": "on"})
    # The eraser itself, run again with the contact as it was before the erasure, changes nothing.
    privacy_erasers()["notifications"](acts.contact)
    privacy_erasers()["notifications"](Contact.objects.get(pk=acts.contact.pk))

    assert again.status_code == 404
    assert (personal_text(acts.business), Notification.objects.count()) == before


def test_a_staff_erasure_of_a_customer_without_an_account_rewords_their_orders(
    client_for, business, member_of, committed
):
    """Ibu Wati ordered by phone: the team heard "New order from Ibu Wati" through her contact."""
    cashier = member_of(business, Role.CASHIER, name="Eko Kasir").user
    owner = business_owner(business)
    shop_open(business)
    parang = product_for_sale(business, "Batik Parang")
    wati = contact_create(business=business, name="Ibu Wati", phone="0813-1111-2222", actor=owner)
    rina = contact_create(business=business, name="Rina Wulandari", phone="0813-3333-4444", actor=owner)
    with committed():
        order = staff_order_for(owner, wati, [(parang, 1)])
        staff_order_for(owner, rina, [(parang, 1)])
    titles = [row.title for row in Notification.objects.filter(recipient=cashier).order_by("id")]
    assert titles == ["First order from a new customer: Ibu Wati", "First order from a new customer: Rina Wulandari"]

    with committed():
        answer = client_for(owner).post(
            reverse("customers_privacy:contact_erase", args=[business.slug, wati.pk]),
            {"received_via": "phone", "confirm": "on"},
        )

    assert answer.status_code == 302
    rows = list(Notification.objects.filter(recipient=cashier).order_by("id"))
    assert [row.title for row in rows] == [
        "First order from a new customer: A customer",
        "First order from a new customer: Rina Wulandari",
    ]
    assert rows[0].data["number"] == order.number
    assert "Wati" not in personal_text(business)
