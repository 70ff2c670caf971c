"""Contacts: one person is one contact per business, made on the first customer act."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from etalase.activity.models import Activity
from etalase.activity.services import activity_record
from etalase.core.errors import ValidationError
from etalase.customers.enums import ConsentSource, ContactSource
from etalase.customers.models import Consent, Contact
from etalase.customers.selectors import contact_search, contact_timeline
from etalase.customers.services.aggregates import contact_scores_set
from etalase.customers.services.consent import consent_set
from etalase.customers.services.contacts import contact_create, contact_for_user, contact_update
from etalase.customers.services.notes import note_add
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


def test_every_write_keeps_the_search_text_current(business, customer):
    app = contact_for_user(business=business, user=customer)
    assert f" {customer.name.split()[0].lower()} " in app.search_text
    added = contact_create(business=business, name="Ibu Sári", phone="0813 1234 5678", email="Sari.W@Example.id")
    assert added.search_text == " ibu sari sari.w@example.id w 6281312345678 081312345678 81312345678 "
    contact_update(contact=added, name="Ibu Sari", phone="", email="", city="Kota  Solo")
    added.refresh_from_db()
    assert added.search_text == " ibu sari kota solo "
    assert added.city == "Kota Solo"


def test_staff_adding_a_contact_is_on_its_timeline(business, owner):
    contact = contact_create(business=business, name="Bu Ani", actor=owner)
    assert list(contact_timeline(business=business, contact=contact).values_list("verb", flat=True)) == [
        "contact_created"
    ]
    assert contact_create(business=business, name="Pak Imported").pk  # without an actor: no activity
    assert Activity.objects.filter(verb="contact_created").count() == 1


def test_consent_is_a_ledger_and_the_latest_decision_applies_at_once(business, owner, customer):
    contact = contact_create(business=business, name="Bu Ani")
    consent_set(
        contact=contact, channel="sms", purpose="marketing", granted=True, source=ConsentSource.IMPORT, actor=owner
    )
    consent_set(contact=contact, channel="sms", purpose="marketing", granted=False, source=ConsentSource.APP)
    contact.refresh_from_db()
    assert contact.consent == {"sms_marketing": False}
    assert list(Consent.objects.filter(contact=contact).values_list("granted", "source")) == [
        (False, ConsentSource.APP),
        (True, ConsentSource.IMPORT),
    ]
    changes = Activity.objects.filter(verb="consent_changed", data__contact_id=contact.pk)
    assert changes.count() == 2


@pytest.mark.parametrize(
    "fields",
    [
        {"channel": "fax", "purpose": "marketing"},
        {"channel": "sms", "purpose": "spam"},
        {"channel": "sms", "purpose": "marketing", "source": "rumour"},
    ],
)
def test_bad_consent_is_refused(business, fields):
    contact = contact_create(business=business, name="Bu Ani")
    values = {"granted": True, "source": ConsentSource.STAFF, **fields}
    with pytest.raises(ValidationError):
        consent_set(contact=contact, **values)
    assert not Consent.objects.exists()


def test_scores_from_customer_intelligence(business):
    contact = contact_create(business=business, name="Bu Ani")
    contact_scores_set(contact_id=contact.pk, rfm_recency=4, rfm_segment="loyal", churn_risk=None, info_score=80)
    contact.refresh_from_db()
    assert (contact.rfm_recency, contact.rfm_segment, contact.info_score) == (4, "loyal", 80)
    assert contact.scores_at is not None
    bad: dict[str, Any]
    for bad in ({"rfm_recency": 6}, {"rfm_segment": "whales"}, {"info_score": -1}, {"preferences": []}):
        with pytest.raises(ValueError, match="must be"):
            contact_scores_set(contact_id=contact.pk, **bad)
    with pytest.raises(TypeError):
        contact_scores_set(contact_id=contact.pk, name="Hacked")


def test_notes_are_written_with_their_author(business, owner):
    contact = contact_create(business=business, name="Bu Ani")
    note = note_add(contact=contact, author=owner, body="  Suka kirim sore  ")
    assert (note.body, note.author, note.business_id) == ("Suka kirim sore", owner, business.pk)
    with pytest.raises(ValidationError):
        note_add(contact=contact, author=owner, body="x" * 2001)
    assert Activity.objects.get(verb="note_added").data["note_id"] == note.pk
