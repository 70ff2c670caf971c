"""The Customers tab: list, search, a contact's page with the timeline, add and edit."""

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from etalase.activity.services import activity_record
from etalase.catalog.models import Product
from etalase.customers.enums import (
    AuditAction,
    ConsentChannel,
    ConsentPurpose,
    ConsentSource,
    RfmSegment,
    Stage,
)
from etalase.customers.models import AuditEntry, Contact
from etalase.customers.services.aggregates import contact_scores_set
from etalase.customers.services.consent import consent_set
from etalase.customers.services.contacts import contact_create, contact_for_user
from etalase.customers.services.notes import note_add
from etalase.customers.services.tags import contact_tags_set
from etalase.directory.enums import Role
from etalase.engagement.services import favourite_add
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


# --- the list: filters, bulk tag, query count ----------------------------------------------------


def contact_queries() -> int:
    """Queries for a page of contacts: PostgreSQL reads the seen and the never-seen ones apart."""
    return 2 if connection.vendor == "postgresql" else 1


def many_contacts(business, owner, count: int) -> list[Contact]:
    contacts = []
    for number in range(count):
        contact = contact_create(business=business, name=f"Pelanggan {number}", city="Solo")
        contact_tags_set(contact=contact, names=["langganan", f"t{number % 3}"], actor=owner)
        if number % 2:
            Contact.objects.filter(pk=contact.pk).update(last_seen_at=timezone.now() - dt.timedelta(hours=number))
        contacts.append(contact)
    return contacts


@pytest.mark.parametrize("count", [3, 40])
def test_the_list_takes_a_fixed_number_of_queries(owner_client, business, owner, count, django_assert_num_queries):
    many_contacts(business, owner, count)
    url = reverse("customers:list", args=[business.slug])
    owner_client.get(url)  # the first business page remembers the business in the session
    # session, user, membership; the contacts (PostgreSQL: seen, then never seen), their tags; the
    # tag filter's choices. The session, unchanged, is not saved again.
    with django_assert_num_queries(5 + contact_queries()):
        page = owner_client.get(url, {"city": "solo", "tag": "langganan"})
    assert page.status_code == 200
    assert page.content.decode().count('name="contact"') == min(count, 30)


def test_filters_narrow_the_list_and_a_bad_value_is_explained(owner_client, business, owner):
    rich = contact_create(business=business, name="Bu Kaya", city="Solo")
    Contact.objects.filter(pk=rich.pk).update(spent_minor=5_000_000, orders_count=12, stage=Stage.REPEAT)
    contact_create(business=business, name="Pak Baru", city="Malang")
    url = reverse("customers:list", args=[business.slug])

    filtered = owner_client.get(url, {"spent_min": "1000000", "stage": "repeat"})
    assert "Bu Kaya" in filtered.content.decode()
    assert "Pak Baru" not in filtered.content.decode()

    bad = owner_client.get(url, {"spent_min": "sejuta", "city": "Malang", "sort": "sideways"})
    text = bad.content.decode()
    assert bad.status_code == 200
    assert "Some filters were left out" in text
    assert "Spent from must be a whole number." in text
    assert "Pak Baru" in text
    assert "Bu Kaya" not in text


def test_bulk_tag_from_the_list(owner_client, business, owner):
    first, second, third = many_contacts(business, owner, 3)
    theirs = contact_create(business=registered_business(), name="Orang Lain")
    answer = owner_client.post(
        reverse("customers:tag_bulk", args=[business.slug]),
        {
            "contact": [first.pk, second.pk, theirs.pk, "x"],
            "tag": "  Promo   Lebaran ",
            "return_query": "city=Solo&page=1&next=https://evil.example",
        },
    )
    assert answer.status_code == 302
    assert answer["Location"] == reverse("customers:list", args=[business.slug]) + "?city=Solo&page=1"
    tagged = set(Contact.objects.filter(tags__name="Promo Lebaran").values_list("pk", flat=True))
    assert tagged == {first.pk, second.pk}
    listed = owner_client.get(answer["Location"])
    assert "2 customers tagged “Promo Lebaran”." in listed.content.decode()
    assert (
        "Promo Lebaran"
        in owner_client.get(reverse("customers:list", args=[business.slug]), {"tag": "promo lebaran"}).content.decode()
    )

    nothing = owner_client.post(reverse("customers:tag_bulk", args=[business.slug]), {"tag": "X"}, follow=True)
    assert "Choose at least one customer." in nothing.content.decode()
    no_name = owner_client.post(
        reverse("customers:tag_bulk", args=[business.slug]), {"contact": [third.pk]}, follow=True
    )
    assert "Give the tag a name." in no_name.content.decode()
    assert not third.tags.filter(name="X").exists()


# --- a contact's page ----------------------------------------------------------------------------


@pytest.fixture
def budi(business, owner, customer, django_capture_on_commit_callbacks):
    """Budi, a customer with an order, a payment, a favourite, a note, tags, consent and scores."""
    from tests.support.orders import product_for_sale

    product = product_for_sale(business, "Batik Parang")
    with django_capture_on_commit_callbacks(execute=True):
        favourite_add(user=customer, product_id=product.pk)
    contact = Contact.objects.get(business=business, user=customer)
    with django_capture_on_commit_callbacks(execute=True):
        activity_record(
            verb="ordered",
            business=business,
            actor=customer,
            data={"number": 12, "amount_minor": 150_000, "contact_id": contact.pk, "product_ids": [product.pk]},
        )
        activity_record(
            verb="payment_confirmed",
            business=business,
            actor=owner,
            data={"number": 12, "payment_id": 1, "amount_minor": 150_000, "contact_id": contact.pk},
        )
    contact_tags_set(contact=contact, names=["Reseller"], actor=owner)
    note_add(contact=contact, author=owner, body="Minta dikirim sore")
    consent_set(
        contact=contact,
        channel=ConsentChannel.WHATSAPP,
        purpose=ConsentPurpose.MARKETING,
        granted=True,
        source=ConsentSource.KEYWORD,
        actor=None,
    )
    contact_scores_set(
        contact_id=contact.pk,
        rfm_recency=5,
        rfm_frequency=1,
        rfm_monetary=3,
        rfm_segment=RfmSegment.NEW,
        churn_risk=12,
        info_score=60,
        personal_score=20,
        preferences={
            "products": [{"id": product.pk, "title": "Batik Parang", "score": 9}],
            "categories": [
                {"slug": "fashion-batik", "name_id": "Batik & Busana", "name_en": "Batik & Fashion", "score": 9}
            ],
        },
    )
    contact.refresh_from_db()
    return contact


def test_the_contact_page_shows_everything_the_shop_knows(owner_client, business, budi):
    page = owner_client.get(reverse("customers:detail", args=[business.slug, budi.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    for seen in (
        "Budi Pelanggan",
        "Customer",  # the stage, from one order
        "Rp 150.000" if "Rp 150.000" in text else "IDR 150,000",  # total spent
        "Reseller",
        "Minta dikirim sore",
        "New",  # RFM segment
        "12%",  # churn risk
        "60%",  # information completeness
        "Batik &amp; Fashion",
        "SMS/WhatsApp keyword",
        "Given",
        "Placed an order",
        "Order #12",
        "Favourited",
        "Batik Parang",
    ):
        assert seen in text, seen
    assert reverse("orders:manage_detail", args=[business.slug, 12]) in text


def test_viewing_a_contact_is_audited_once_an_hour_per_member(owner_client, client_for, business, budi, member_of):
    url = reverse("customers:detail", args=[business.slug, budi.pk])
    owner_client.get(url)
    owner_client.get(url)
    assert AuditEntry.objects.filter(action=AuditAction.VIEWED, contact=budi).count() == 1

    client_for(member_of(business, Role.SALES).user).get(url)
    assert AuditEntry.objects.filter(action=AuditAction.VIEWED, contact=budi).count() == 2

    AuditEntry.objects.update(created_at=timezone.now() - dt.timedelta(minutes=61))
    owner_client.get(url)
    assert AuditEntry.objects.filter(action=AuditAction.VIEWED, contact=budi).count() == 3


def test_the_contact_page_takes_a_fixed_number_of_queries(
    owner_client, business, budi, owner, django_assert_num_queries
):
    url = reverse("customers:detail", args=[business.slug, budi.pk])
    owner_client.get(url)  # the first view writes the audit line
    product = Product.objects.get(business=business)
    for number in range(5):
        note_add(contact=budi, author=owner, body=f"Catatan {number}")
        activity_record(verb="viewed_product", business=business, actor=budi.user, target=product)
    # session, user, membership; the contact; the audit check; merged contacts; the timeline; the
    # consent ledger; the products the timeline names; tags; notes; tag names. No session write.
    with django_assert_num_queries(12):
        page = owner_client.get(url)
    assert page.status_code == 200


def test_staff_tag_note_consent_and_stage_on_the_contact_page(owner_client, business, owner):
    contact = contact_create(business=business, name="Bu Ani")
    base = [business.slug, contact.pk]

    assert owner_client.post(reverse("customers:tag_add", args=base), {"tag": "VIP"}).status_code == 302
    tag = contact.tags.get()
    assert owner_client.post(reverse("customers:tag_remove", args=[*base, tag.pk])).status_code == 302
    assert not contact.tags.exists()

    assert owner_client.post(reverse("customers:note_add", args=base), {"body": "Pelanggan lama"}).status_code == 302
    empty = owner_client.post(reverse("customers:note_add", args=base), {"body": "   "})
    assert empty.status_code == 400
    assert contact.notes.count() == 1

    recorded = owner_client.post(
        reverse("customers:consent", args=base),
        {"channel": "email", "purpose": "marketing", "granted": "0", "source": "staff"},
    )
    assert recorded.status_code == 302
    contact.refresh_from_db()
    assert contact.consent == {"email_marketing": False}
    entry = contact.consents.get()
    assert (entry.granted, entry.source, entry.recorded_by) == (False, ConsentSource.STAFF, owner)
    bad = owner_client.post(reverse("customers:consent", args=base), {"channel": "fax", "purpose": "marketing"})
    assert bad.status_code == 400
    assert contact.consents.count() == 1

    assert owner_client.post(reverse("customers:stage", args=base), {"stage": "vip"}).status_code == 302
    contact.refresh_from_db()
    assert (contact.stage, contact.stage_set_by_staff) == (Stage.VIP, True)
    owner_client.post(reverse("customers:stage", args=base), {"stage": "repeat"})
    contact.refresh_from_db()
    assert contact.stage == Stage.VIP

    page = owner_client.get(reverse("customers:detail", args=base)).content.decode()
    assert "Pelanggan lama" in page
    assert "Withdrawn" in page
    assert "VIP" in page


def test_a_birthday_is_part_of_the_profile(owner_client, business):
    added = owner_client.post(
        reverse("customers:add", args=[business.slug]), {"name": "Bu Ani", "birthday": "1990-04-21"}
    )
    contact = Contact.objects.get(business=business)
    assert added.status_code == 302
    assert contact.birthday == dt.date(1990, 4, 21)
    future = owner_client.post(
        reverse("customers:edit", args=[business.slug, contact.pk]), {"name": "Bu Ani", "birthday": "2999-01-01"}
    )
    assert future.status_code == 400
    assert "between 1900 and today" in future.content.decode()
    contact.refresh_from_db()
    assert contact.birthday == dt.date(1990, 4, 21)


def test_support_cannot_change_a_contact(client_for, business, member_of):
    contact = contact_create(business=business, name="Ani")
    support = client_for(member_of(business, Role.SUPPORT).user)
    base = [business.slug, contact.pk]
    for name, data in (
        ("customers:tag_add", {"tag": "x"}),
        ("customers:note_add", {"body": "x"}),
        ("customers:consent", {"channel": "sms", "purpose": "service", "granted": "1", "source": "staff"}),
        ("customers:stage", {"stage": "vip"}),
        ("customers:merge", {"other": contact.pk}),
    ):
        assert support.post(reverse(name, args=base), data).status_code == 403, name
    assert not contact.tags.exists()
    assert not contact.notes.exists()
    assert not contact.consents.exists()


def test_the_operator_looks_up_contacts_and_segments_read_only(client, business, owner):
    from etalase.accounts.models import User
    from etalase.customers.services.segments import segment_save

    contact = contact_create(business=business, name="Bu Ani", phone="0812 3333 4444")
    segment = segment_save(business=business, name="Solo", filters={"city": "Solo"}, actor=owner)
    User.objects.create_superuser(email="operator@etalase.id", password="operator-pass-1")
    client.login(username="operator@etalase.id", password="operator-pass-1")

    found = client.get(reverse("admin:customers_contact_changelist"), {"q": "3333"})
    assert found.status_code == 200
    assert "Bu Ani" in found.content.decode()
    assert client.get(reverse("admin:customers_contact_change", args=[contact.pk])).status_code == 200
    assert client.get(reverse("admin:customers_segment_change", args=[segment.pk])).status_code == 200
    assert client.get(reverse("admin:customers_contact_add")).status_code == 403
    client.post(reverse("admin:customers_contact_change", args=[contact.pk]), {"name": "Hacked"})
    contact.refresh_from_db()
    assert contact.name == "Bu Ani"
