"""Reads of contacts; always the business first."""

from typing import Any

from django.db.models import F, Q, QuerySet

from etalase.activity.models import Activity
from etalase.customers.models import Contact


def contact_search(*, business: Any, query: str = "", limit: int = 20) -> QuerySet[Contact]:
    """Contacts whose name, phone or email contains ``query`` (digits match phone numbers in any spelling)."""
    contacts = Contact.objects.filter(business=business)
    text = (query or "").strip()
    if text:
        digits = "".join(ch for ch in text if ch.isdigit())
        condition = Q(name__icontains=text) | Q(email__icontains=text)
        if len(digits) >= 3:
            condition |= Q(phone__contains=digits.removeprefix("0"))
        contacts = contacts.filter(condition)
    return contacts.order_by("name", "pk")[:limit]


def contact_get(*, business: Any, contact_id: int) -> Contact | None:
    return Contact.objects.filter(business=business, pk=contact_id).first()


def contact_list(*, business: Any, query: str = "") -> QuerySet[Contact]:
    """The business's contacts, most recently seen first (never seen last), searchable like contact_search."""
    contacts = Contact.objects.filter(business=business)
    text = (query or "").strip()
    if text:
        digits = "".join(ch for ch in text if ch.isdigit())
        condition = Q(name__icontains=text) | Q(email__icontains=text) | Q(city__icontains=text)
        if len(digits) >= 3:
            condition |= Q(phone__contains=digits.removeprefix("0"))
        contacts = contacts.filter(condition)
    return contacts.order_by(F("last_seen_at").desc(nulls_last=True), "-pk")


def contact_timeline(*, business: Any, contact: Contact) -> QuerySet[Activity]:
    """Every activity of this contact at this business, newest first: their own acts (as an app user)
    and acts about them that carry their contact id (an order taken by staff, a payment recorded)."""
    about = Q(data__contact_id=contact.pk)
    if contact.user_id:
        about |= Q(actor_id=contact.user_id)
    return (
        Activity.objects.filter(about, business=business)
        .select_related("actor", "target_type")
        .order_by("-occurred_at", "-id")
    )
