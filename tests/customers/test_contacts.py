"""Contacts: one person is one contact per business, made on the first customer act."""

import datetime as dt

import pytest
from django.utils import timezone

from etalase.activity.services import activity_record
from etalase.core.errors import ValidationError
from etalase.customers.enums import ContactSource
from etalase.customers.models import Contact
from etalase.customers.selectors import contact_search
from etalase.customers.services import contact_create, contact_for_user
from etalase.engagement.services import follow_add
from tests.factories import UserFactory, registered_business

pytestmark = pytest.mark.django_db


def test_following_a_shop_makes_the_customer_a_contact_once(business, customer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        follow_add(user=customer, business=business)
    with django_capture_on_commit_callbacks(execute=True):
        activity_record(verb="shared", business=business, actor=customer, data={"what": "business"})

    contact = Contact.objects.get(business=business)
    assert contact.user == customer
    assert contact.phone == customer.phone
    assert contact.source == ContactSource.APP
    assert contact.last_seen_at is not None


def test_members_acts_make_no_contact(business, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        activity_record(verb="product_created", business=business, actor=owner)
    assert not Contact.objects.exists()


def test_a_view_refreshes_last_seen_but_makes_no_contact(business, customer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        activity_record(verb="viewed_business", business=business, actor=customer)
    assert not Contact.objects.exists()

    contact = contact_for_user(business=business, user=customer)
    later = timezone.now() + dt.timedelta(minutes=5)
    with django_capture_on_commit_callbacks(execute=True):
        activity_record(verb="viewed_business", business=business, actor=customer, occurred_at=later)
    contact.refresh_from_db()
    assert contact.last_seen_at == later

    with django_capture_on_commit_callbacks(execute=True):  # an older act does not move it back
        activity_record(verb="viewed_product", business=business, actor=customer, occurred_at=later - dt.timedelta(1))
    contact.refresh_from_db()
    assert contact.last_seen_at == later


def test_a_contact_added_by_staff_becomes_the_users_contact(business):
    added = contact_create(business=business, name="Bu Rina", phone="0812-1111-2222")
    user = UserFactory(phone="+6281211112222", name="Rina")

    found = contact_for_user(business=business, user=user)

    assert found.pk == added.pk
    assert found.user == user
    assert found.name == "Bu Rina"
    assert Contact.objects.filter(business=business).count() == 1


def test_contacts_belong_to_one_business(business, customer):
    other = registered_business()
    mine = contact_for_user(business=business, user=customer)
    theirs = contact_for_user(business=other, user=customer)
    assert mine.pk != theirs.pk
    assert list(contact_search(business=business, query="")) == [mine]


def test_contact_create_finds_an_existing_phone_in_any_spelling(business):
    first = contact_create(business=business, name="Pak Budi", phone="+62 813 2222 3333")
    again = contact_create(business=business, name="Budi S.", phone="081322223333")
    assert again.pk == first.pk


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "", "phone": "", "email": ""}, "name"),
        ({"name": "Ani", "phone": "12"}, "phone"),
        ({"name": "Ani", "email": "not-an-email"}, "email"),
    ],
)
def test_contact_create_refuses_bad_input(business, fields, field):
    with pytest.raises(ValidationError) as error:
        contact_create(business=business, **fields)
    assert field in error.value.fields
    assert not Contact.objects.exists()


def test_contact_search_by_name_and_phone_digits(business):
    rina = contact_create(business=business, name="Rina Wati", phone="0812-1111-2222")
    contact_create(business=business, name="Budi", email="budi@example.id")
    assert list(contact_search(business=business, query="rina")) == [rina]
    assert list(contact_search(business=business, query="0812 1111")) == [rina]
