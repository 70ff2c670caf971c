"""The Customers tab: list, search, a contact's page with the timeline, add and edit."""

import pytest
from django.urls import reverse

from etalase.activity.services import activity_record
from etalase.customers.models import Contact
from etalase.customers.services import contact_create, contact_for_user
from etalase.directory.enums import Role
from tests.factories import registered_business

pytestmark = pytest.mark.django_db


def test_the_list_shows_contacts_most_recently_seen_first_and_searches(owner_client, business, customer):
    contact_create(business=business, name="Pak Budi Santoso", phone="0813-2222-3333")
    seen = contact_for_user(business=business, user=customer)
    Contact.objects.filter(pk=seen.pk).update(last_seen_at="2026-11-01T10:00:00Z")

    page = owner_client.get(reverse("customers:list", args=[business.slug]))
    assert page.status_code == 200
    text = page.content.decode()
    assert text.index(customer.name) < text.index("Pak Budi Santoso")

    found = owner_client.get(reverse("customers:list", args=[business.slug]), {"q": "0813 2222"})
    assert "Pak Budi Santoso" in found.content.decode()
    assert customer.name not in found.content.decode()


def test_search_as_you_type_answers_only_the_results(owner_client, business):
    contact_create(business=business, name="Rina")
    answer = owner_client.get(reverse("customers:list", args=[business.slug]), {"q": "ri"}, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200
    assert 'id="contact-results"' in answer.content.decode()
    assert "<html" not in answer.content.decode()


def test_the_contact_page_shows_the_timeline(owner_client, business, customer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        activity_record(verb="followed", business=business, actor=customer, target=business)
    contact = Contact.objects.get(business=business, user=customer)
    activity_record(verb="ordered", business=business, actor=None, data={"contact_id": contact.pk, "number": 7})

    page = owner_client.get(reverse("customers:detail", args=[business.slug, contact.pk]))

    assert page.status_code == 200
    text = page.content.decode()
    assert customer.name in text
    assert "Followed the business" in text or "followed" in text.lower()
    assert "#7" in text


def test_another_business_contact_is_not_found(owner_client, business):
    theirs = contact_create(business=registered_business(), name="Tamu")
    answer = owner_client.get(reverse("customers:detail", args=[business.slug, theirs.pk]))
    assert answer.status_code == 404


def test_staff_add_and_edit_a_contact(owner_client, business):
    added = owner_client.post(
        reverse("customers:add", args=[business.slug]), {"name": "Bu Ani", "phone": "0812 7777 8888", "city": "Solo"}
    )
    contact = Contact.objects.get(business=business)
    assert added.status_code == 302
    assert added["Location"] == reverse("customers:detail", args=[business.slug, contact.pk])
    assert contact.phone == "+6281277778888"

    edited = owner_client.post(
        reverse("customers:edit", args=[business.slug, contact.pk]), {"name": "Ibu Ani", "phone": "081277778888"}
    )
    assert edited.status_code == 302
    contact.refresh_from_db()
    assert (contact.name, contact.city) == ("Ibu Ani", "")


def test_bad_input_is_explained_and_changes_nothing(owner_client, business):
    other = contact_create(business=business, name="Rina", phone="0812 1111 2222")
    contact = contact_create(business=business, name="Ani")

    bad_phone = owner_client.post(reverse("customers:add", args=[business.slug]), {"name": "X", "phone": "12"})
    taken = owner_client.post(
        reverse("customers:edit", args=[business.slug, contact.pk]), {"name": "Ani", "phone": other.phone}
    )
    empty = owner_client.post(reverse("customers:add", args=[business.slug]), {"name": ""})

    assert bad_phone.status_code == 400
    assert "valid phone number" in bad_phone.content.decode()
    assert taken.status_code == 400
    assert "already has this phone number" in taken.content.decode()
    assert empty.status_code == 400
    assert Contact.objects.filter(business=business).count() == 2
    contact.refresh_from_db()
    assert contact.phone == ""


def test_support_sees_customers_but_cannot_edit(client_for, business, member_of):
    support = member_of(business, Role.SUPPORT).user
    contact = contact_create(business=business, name="Ani")
    client = client_for(support)
    page = client.get(reverse("customers:detail", args=[business.slug, contact.pk]))
    assert page.status_code == 200
    assert reverse("customers:edit", args=[business.slug, contact.pk]) not in page.content.decode()
    assert client.get(reverse("customers:edit", args=[business.slug, contact.pk])).status_code == 403


def test_the_list_takes_a_fixed_number_of_queries(owner_client, business, django_assert_max_num_queries):
    for number in range(25):
        contact_create(business=business, name=f"Pelanggan {number}")
    with django_assert_max_num_queries(8):
        owner_client.get(reverse("customers:list", args=[business.slug]))
