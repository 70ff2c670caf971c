"""Merging two records of one person keeps everything of both; two businesses' customers never merge."""

import pytest
from django.urls import reverse

from etalase.activity.models import Activity
from etalase.activity.services import activity_record
from etalase.core.errors import Conflict, ValidationError
from etalase.customers.enums import AuditAction, ConsentChannel, ConsentPurpose, ConsentSource, Stage
from etalase.customers.models import AuditEntry, Consent, Contact, ContactTag, Note
from etalase.customers.selectors import contact_get, contact_list, contact_timeline
from etalase.customers.services.aggregates import contact_stage_set
from etalase.customers.services.consent import consent_set
from etalase.customers.services.contacts import contact_create, contact_for_user
from etalase.customers.services.merge import contact_merge
from etalase.customers.services.notes import note_add
from etalase.customers.services.tags import contact_tags_set
from tests.factories import UserFactory, registered_business

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(business, owner, customer, django_capture_on_commit_callbacks):
    """Bu Rina added by staff (phone, tags, a note, an order) and Rina's app account (email, an act)."""
    staff_record = contact_create(business=business, name="Bu Rina", phone="0812 7000 0001", city="Solo")
    contact_tags_set(contact=staff_record, names=["langganan", "grosir"], actor=owner)
    note_add(contact=staff_record, author=owner, body="Suka batik tulis")
    with django_capture_on_commit_callbacks(execute=True):
        activity_record(
            verb="ordered",
            business=business,
            data={"number": 1, "amount_minor": 80_000, "contact_id": staff_record.pk},
        )
        activity_record(
            verb="payment_confirmed",
            business=business,
            data={"number": 1, "payment_id": 1, "amount_minor": 80_000, "contact_id": staff_record.pk},
        )
    customer.email = "rina@example.com"
    customer.phone = ""
    customer.save()
    with django_capture_on_commit_callbacks(execute=True):
        activity_record(verb="followed", business=business, actor=customer, target=business)
    app_record = Contact.objects.get(business=business, user=customer)
    contact_tags_set(contact=app_record, names=["Grosir", "online"], actor=owner)
    consent_set(
        contact=app_record,
        channel=ConsentChannel.WHATSAPP,
        purpose=ConsentPurpose.MARKETING,
        granted=True,
        source=ConsentSource.APP,
        actor=customer,
    )
    return staff_record, app_record


def test_a_merge_keeps_everything_of_both(business, owner, customer, pair, django_capture_on_commit_callbacks):
    keep, other = pair
    with django_capture_on_commit_callbacks(execute=True):
        merged = contact_merge(business=business, keep=keep, other=other, actor=owner)

    assert merged.pk == keep.pk
    assert (merged.name, merged.phone, merged.email, merged.city) == (
        "Bu Rina",
        "+6281270000001",
        "rina@example.com",
        "Solo",
    )
    assert merged.user == customer
    assert sorted(ContactTag.objects.filter(contact=keep).values_list("tag__name", flat=True)) == [
        "grosir",
        "langganan",
        "online",
    ]
    assert Note.objects.filter(contact=keep).count() == 1
    assert Consent.objects.filter(contact=keep).count() == 1
    assert merged.consent == {"whatsapp_marketing": True}
    assert (merged.orders_count, merged.spent_minor, merged.stage) == (1, 80_000, Stage.CUSTOMER)

    other.refresh_from_db()
    assert other.merged_into_id == keep.pk
    assert (other.phone, other.email, other.user_id, other.search_text) == ("", "", None, "")
    assert list(contact_list(business=business)) == [merged]
    verbs = set(contact_timeline(business=business, contact=merged).values_list("verb", flat=True))
    assert {"followed", "ordered", "payment_confirmed", "note_added", "consent_changed", "contact_merged"} <= verbs
    record = Activity.objects.get(verb="contact_merged")
    assert record.data["from_contact_id"] == other.pk
    assert record.data["into_contact_id"] == keep.pk
    assert AuditEntry.objects.filter(action=AuditAction.MERGED, contact=keep).exists()


def test_after_a_merge_the_person_is_found_as_the_kept_contact(business, owner, customer, pair):
    keep, other = pair
    contact_merge(business=business, keep=keep, other=other, actor=owner)

    assert contact_for_user(business=business, user=customer).pk == keep.pk
    found = contact_get(business=business, contact_id=other.pk)
    assert found is not None
    assert found.pk == keep.pk
    assert contact_create(business=business, name="Rina", email="rina@example.com").pk == keep.pk


def test_two_app_accounts_of_one_person_share_one_timeline(business, owner, django_capture_on_commit_callbacks):
    phone_account, email_account = UserFactory(name="Rina HP"), UserFactory(name="Rina Email")
    with django_capture_on_commit_callbacks(execute=True):
        activity_record(verb="followed", business=business, actor=phone_account, target=business)
        activity_record(verb="shared", business=business, actor=email_account, data={"what": "business"})
    keep = Contact.objects.get(user=phone_account)
    other = Contact.objects.get(user=email_account)
    contact_merge(business=business, keep=keep, other=other, actor=owner)

    with django_capture_on_commit_callbacks(execute=True):
        activity_record(verb="commented", business=business, actor=email_account, data={"excerpt": "Bagus"})
    assert Contact.objects.filter(business=business, merged_into__isnull=True).count() == 1
    verbs = set(contact_timeline(business=business, contact=keep).values_list("verb", flat=True))
    assert {"followed", "shared", "commented"} <= verbs
    keep.refresh_from_db()
    assert keep.last_seen_at is not None


def test_merging_contacts_of_two_businesses_is_refused(business, owner, english):
    mine = contact_create(business=business, name="Ani")
    theirs = contact_create(business=registered_business(), name="Ani")
    with pytest.raises(ValidationError) as error:
        contact_merge(business=business, keep=mine, other=theirs, actor=owner)
    assert error.value.code == "different_business"
    assert "same business" in str(error.value.message)
    theirs.refresh_from_db()
    assert theirs.merged_into_id is None


def test_a_contact_cannot_be_merged_twice_or_into_itself(business, owner):
    keep = contact_create(business=business, name="Ani")
    other = contact_create(business=business, name="Ani B")
    with pytest.raises(ValidationError):
        contact_merge(business=business, keep=keep, other=keep, actor=owner)
    contact_merge(business=business, keep=keep, other=other, actor=owner)
    with pytest.raises(Conflict):
        contact_merge(business=business, keep=keep, other=other, actor=owner)


def test_a_staff_stage_of_the_duplicate_survives(business, owner):
    keep = contact_create(business=business, name="Ani")
    other = contact_create(business=business, name="Ani B")
    contact_stage_set(contact=other, stage=Stage.VIP, actor=owner)
    merged = contact_merge(business=business, keep=keep, other=other, actor=owner)
    assert (merged.stage, merged.stage_set_by_staff) == (Stage.VIP, True)


def test_a_chain_of_merges_ends_at_one_contact(business, owner):
    first, second, third = (contact_create(business=business, name=name) for name in ("A", "B", "C"))
    contact_merge(business=business, keep=second, other=first, actor=owner)
    contact_merge(business=business, keep=third, other=second, actor=owner)
    first.refresh_from_db()
    assert first.merged_into_id == third.pk
    found = contact_get(business=business, contact_id=first.pk)
    assert found is not None
    assert found.pk == third.pk


def test_the_merge_page(owner_client, business, pair):
    keep, other = pair
    url = reverse("customers:merge", args=[business.slug, keep.pk])

    found = owner_client.get(url, {"q": "rina@example.com"})
    assert found.status_code == 200
    assert f'value="{other.pk}"' in found.content.decode()

    merged = owner_client.post(url, {"other": other.pk})
    assert merged.status_code == 302
    assert merged["Location"] == reverse("customers:detail", args=[business.slug, keep.pk])
    page = owner_client.get(merged["Location"])
    assert "was merged into this customer" in page.content.decode()
    other.refresh_from_db()
    assert other.merged_into_id == keep.pk
    # The duplicate's old address leads to the kept customer.
    old = owner_client.get(reverse("customers:detail", args=[business.slug, other.pk]))
    assert old.status_code == 302
    assert old["Location"] == reverse("customers:detail", args=[business.slug, keep.pk])


def test_the_merge_page_refuses_another_business_contact(owner_client, business):
    keep = contact_create(business=business, name="Ani")
    theirs = contact_create(business=registered_business(), name="Ani")
    answer = owner_client.post(reverse("customers:merge", args=[business.slug, keep.pk]), {"other": theirs.pk})
    assert answer.status_code == 404
    theirs.refresh_from_db()
    assert theirs.merged_into_id is None
