"""``activity_anonymise``: the activity layer's part of an erasure, and the download/erasure registries."""

import pytest

from etalase.activity.models import Activity
from etalase.activity.services import activity_anonymise, activity_record
from etalase.customers.models import Contact
from etalase.customers.privacy.services import (
    privacy_erase,
    privacy_eraser_register,
    privacy_export,
    privacy_section_register,
    privacy_unregister,
)
from etalase.customers.services.contacts import contact_for_user
from tests.factories import UserFactory, registered_business

pytestmark = pytest.mark.django_db


def test_only_the_persons_rows_at_that_business_lose_personal_data(business, owner, customer):
    elsewhere = registered_business(name="Kopi Senja")
    rina = UserFactory(name="Rina")
    own = activity_record(verb="commented", business=business, actor=customer, data={"excerpt": "Bagus", "n": 1})
    about = activity_record(
        verb="ordered",
        business=business,
        actor=owner,
        data={"contact_id": 7, "customer_name": "Budi", "amount_minor": 5},
    )
    answer = activity_record(verb="answered", business=business, actor=owner, data={"asked_by": customer.pk, "x": 1})
    theirs = activity_record(verb="commented", business=business, actor=rina, data={"excerpt": "Mahal"})
    other_shop = activity_record(verb="commented", business=elsewhere, actor=customer, data={"excerpt": "Enak"})

    changed = activity_anonymise(
        business=business,
        actor=customer,
        contact_id=7,
        keys={"excerpt", "customer_name"},
        actor_keys={"asked_by"},
    )

    assert changed == 3
    own.refresh_from_db()
    assert (own.actor_id, own.data, own.verb) == (None, {"n": 1}, "commented")
    about.refresh_from_db()
    assert (about.actor_id, about.data) == (owner.pk, {"contact_id": 7, "amount_minor": 5})
    answer.refresh_from_db()
    assert (answer.actor_id, answer.data) == (owner.pk, {"x": 1})
    assert Activity.objects.get(pk=theirs.pk).data == {"excerpt": "Mahal"}
    untouched = Activity.objects.get(pk=other_shop.pk)
    assert (untouched.actor_id, untouched.data) == (customer.pk, {"excerpt": "Enak"})


def test_nobody_named_changes_nothing(business, customer):
    comment = activity_record(verb="commented", business=business, actor=customer, data={"excerpt": "Bagus"})

    assert activity_anonymise(business=business, keys={"excerpt"}) == 0
    comment.refresh_from_db()
    assert (comment.actor_id, comment.data) == (customer.pk, {"excerpt": "Bagus"})


def test_higher_apps_add_sections_and_erasers(business, customer):
    contact = contact_for_user(business=business, user=customer)
    seen: list[tuple[str, int | None]] = []
    privacy_section_register("loyalty", lambda contact: [{"points": 120, "member": contact.name}])
    privacy_eraser_register("loyalty", lambda contact: seen.append((contact.name, contact.user_id)))
    try:
        document = privacy_export(contact=contact, requested_by=customer)
        privacy_erase(contact=contact, requested_by=customer, by_staff=False)
    finally:
        privacy_unregister("loyalty")

    assert document["sections"]["loyalty"] == [{"points": 120, "member": customer.name}]
    # The eraser ran while the contact still named the person.
    assert seen == [(customer.name, customer.pk)]
    assert Contact.objects.get(pk=contact.pk).erased_at is not None
