"""Activities become notifications: through the engagement and catalog services, as in the app."""

import datetime as dt

import pytest
from django.utils import timezone

from etalase.activity.models import Activity
from etalase.activity.services import activity_process, activity_record
from etalase.catalog.services import product_create
from etalase.customers.enums import Verb as CustomerVerb
from etalase.directory.enums import Role
from etalase.engagement.services import comment_add, comment_answer, favourite_add, follow_add
from etalase.notifications.enums import Kind, Priority
from etalase.notifications.models import Notification, NotificationPreference
from etalase.notifications.rules import local_day_start
from etalase.notifications.services import notification_mark_read
from tests.factories import UserFactory
from tests.support.engagement import owner_context

pytestmark = pytest.mark.django_db


def of(user, **filters):
    return list(Notification.objects.filter(recipient=user, **filters).order_by("id"))


def test_a_favourite_reaches_the_members_who_manage_the_catalog_or_the_inbox(
    business, product, owner, customer, member_of, committed
):
    sales = member_of(business, Role.SALES).user
    cashier = member_of(business, Role.CASHIER).user
    with committed():
        favourite_add(user=customer, product_id=product.pk)
    [note] = of(owner)
    assert note.kind == Kind.FAVOURITED
    assert note.title == "Budi Pelanggan favourited Batik Tulis Parang"
    assert note.business == business
    assert note.url == f"/b/{business.slug}/p/{product.pk}/"
    assert note.priority == Priority.NORMAL
    assert len(of(sales)) == 1
    assert of(cashier) == []
    assert of(customer) == []


def test_a_burst_of_favourites_is_one_notification_with_a_count(business, product, owner, committed):
    with committed():
        for n in range(5):
            favourite_add(user=UserFactory(name=f"Pelanggan {n}"), product_id=product.pk)
    [note] = of(owner)
    assert note.count == 5
    assert note.title == "5 new favourites on Batik Tulis Parang in the last hour"
    assert note.body == "Latest: Pelanggan 4"
    assert len(note.activity_ids) == 5
    # Each growth is a new row with a higher id naming the rows it replaces (for live clients).
    assert len(note.data["replaces"]) == 4
    assert max(note.data["replaces"]) < note.pk


def test_a_burst_older_than_the_window_or_already_read_starts_again(business, product, owner, committed):
    with committed():
        favourite_add(user=UserFactory(), product_id=product.pk)
    [first] = of(owner)
    Notification.objects.filter(pk=first.pk).update(data={**first.data, "started_at": "2020-01-01T00:00:00+00:00"})
    with committed():
        favourite_add(user=UserFactory(), product_id=product.pk)
    assert [n.count for n in of(owner)] == [1, 1]
    notification_mark_read(user=owner, notification_id=of(owner)[-1].pk)
    with committed():
        favourite_add(user=UserFactory(), product_id=product.pk)
    assert [n.count for n in of(owner)] == [1, 1, 1]


def test_favourites_on_different_products_are_separate(business, product, owner, committed):
    other = owner_context(business)
    kopi = product_create(context=other, title="Kopi Gayo", price_minor=85_000, publish=True)
    with committed():
        favourite_add(user=UserFactory(), product_id=product.pk)
        favourite_add(user=UserFactory(), product_id=kopi.pk)
    assert sorted(n.count for n in of(owner)) == [1, 1]


def test_comments_and_questions(business, product, owner, customer, committed):
    with committed():
        comment_add(user=customer, product_id=product.pk, body="Bagus sekali", kind="comment")
        comment_add(user=customer, product_id=product.pk, body="Ada ukuran XL?", kind="question")
        comment_add(user=customer, product_id=product.pk, body="Warna lain?", kind="question")
    kinds = [n.kind for n in of(owner)]
    assert kinds == [Kind.COMMENTED, Kind.ASKED, Kind.ASKED]  # every question stands alone: it needs an answer
    assert of(owner)[1].body == "Ada ukuran XL?"


def test_the_asker_hears_the_answer(business, product, owner, customer, committed):
    with committed():
        question = comment_add(user=customer, product_id=product.pk, body="Ada ukuran XL?", kind="question")
        comment_answer(user=owner, comment_id=question.pk, body="Ada, kak")
    [note] = of(customer)
    assert note.kind == Kind.ANSWERED
    assert note.business is None
    assert note.title == "Batik Sari answered your question about Batik Tulis Parang"
    assert note.body == "Ada, kak"


def test_followers_hear_of_a_new_product_in_one_notification_per_burst(business, owner, committed):
    followers = [UserFactory() for _ in range(3)]
    with committed():
        for user in followers:
            follow_add(user=user, business=business)
    assert of(owner)[0].kind == Kind.FOLLOWED
    assert of(owner)[0].count == 3
    context = owner_context(business)
    with committed():
        product_create(context=context, title="Kemeja Batik", price_minor=200_000, publish=True)
        product_create(context=context, title="Selendang", price_minor=90_000, publish=True)
    for user in followers:
        [note] = of(user)
        assert note.kind == Kind.NEW_PRODUCT
        assert note.count == 2
        assert note.title == "Batik Sari published 2 new products"
        assert note.business is None
    assert [n.kind for n in of(owner)] == [Kind.FOLLOWED]  # the owner who published hears nothing of it


@pytest.mark.clock("2026-06-15 10:00 Asia/Jakarta")
def test_interest_three_views_today_and_a_favourite(business, product, owner, customer, committed):
    now = timezone.now()
    midnight = local_day_start(now, business.timezone)  # "today" is the shop's day, not UTC's
    for hours in (3, 2, 1):
        activity_record(
            verb="viewed_product",
            business=business,
            actor=customer,
            target=product,
            occurred_at=max(now - dt.timedelta(hours=hours), midnight + dt.timedelta(seconds=hours)),
        )
    with committed():
        favourite_add(user=customer, product_id=product.pk)
    [note] = of(owner)
    assert note.kind == Kind.INTEREST
    assert note.title == "Budi Pelanggan viewed Batik Tulis Parang 3 times today and favourited it"


def test_interest_by_a_third_view_after_a_favourite_is_flagged_once(business, product, owner, customer, committed):
    with committed():
        favourite_add(user=customer, product_id=product.pk)
    with committed():
        for _view in range(4):  # views alone never notify, unless they complete the interest rule
            activity_record(verb="viewed_product", business=business, actor=customer, target=product)
    assert [n.kind for n in of(owner)] == [Kind.FAVOURITED, Kind.INTEREST]


def test_views_alone_notify_nobody(business, product, owner, customer, committed):
    with committed():
        for _view in range(5):
            activity_record(verb="viewed_product", business=business, actor=customer, target=product)
            activity_record(verb="viewed_product", business=business, actor=None, target=product)
    assert of(owner) == []


def test_first_order_and_later_orders(business, owner, customer, member_of, committed):
    support = member_of(business, Role.SUPPORT).user
    with committed():
        activity_record(verb="ordered", business=business, actor=customer, data={"excerpt": "2 × Batik"})
        activity_record(verb="ordered", business=business, actor=customer)
    assert [n.kind for n in of(owner)] == [Kind.FIRST_ORDER, Kind.ORDERED]
    assert of(owner)[0].title == "First order from a new customer: Budi Pelanggan"
    assert len(of(support)) == 2


def test_urgent_kinds_are_high_priority_for_the_right_roles(business, owner, customer, member_of, committed):
    cashier = member_of(business, Role.CASHIER).user
    sales = member_of(business, Role.SALES).user
    with committed():
        activity_record(verb="paid", business=business, actor=customer, data={"confirmed": False})
        activity_record(verb=CustomerVerb.COMPLAINED, business=business, actor=customer)
    assert [(n.kind, n.priority) for n in of(owner)] == [
        (Kind.PAYMENT_WAITING, Priority.HIGH),
        (Kind.COMPLAINT, Priority.HIGH),
    ]
    assert [n.kind for n in of(cashier)] == [Kind.PAYMENT_WAITING]
    assert [n.kind for n in of(sales)] == [Kind.COMPLAINT]


def test_processing_an_activity_twice_creates_nothing_more(business, product, owner, customer, committed):
    with committed():
        favourite_add(user=customer, product_id=product.pk)
    activity = Activity.objects.get(verb="favourited")
    activity_process(activity_id=activity.pk)
    activity_process(activity_id=activity.pk)
    [note] = of(owner)
    assert note.count == 1


def test_processing_a_fan_out_twice_creates_nothing_more(business, owner, committed):
    follower = UserFactory()
    with committed():
        follow_add(user=follower, business=business)
        product_create(context=owner_context(business), title="Kemeja", price_minor=1000, publish=True)
    activity = Activity.objects.get(verb="product_published")
    activity_process(activity_id=activity.pk)
    assert len(of(follower)) == 1
    assert of(follower)[0].count == 1


def test_old_activities_are_skipped(business, product, owner, customer, committed):
    with committed():
        activity_record(
            verb="favourited",
            business=business,
            actor=customer,
            target=product,
            data={"product_id": product.pk, "title": product.title},
            occurred_at=timezone.now() - dt.timedelta(days=3),
        )
    assert of(owner) == []


def test_a_member_who_turned_a_kind_off_does_not_get_it(business, product, owner, member_of, committed):
    manager = member_of(business, Role.MANAGER).user
    NotificationPreference.objects.create(user=owner, business=business, channels={"favourited": []})
    NotificationPreference.objects.create(user=manager, business=business, channels={"favourited": ["push"]})
    with committed():
        favourite_add(user=UserFactory(), product_id=product.pk)
    assert of(owner) == []
    [silent] = of(manager)  # push only: kept for the push, already read in the app
    assert silent.read_at is not None
    assert silent.data["in_app"] is False


def test_preferences_of_one_business_do_not_apply_to_another(business, product, owner, committed):
    from tests.factories import registered_business

    other = registered_business(owner=owner, name="Kopi Sari")
    NotificationPreference.objects.create(user=owner, business=other, channels={"favourited": []})
    with committed():
        favourite_add(user=UserFactory(), product_id=product.pk)
    assert len(of(owner)) == 1
