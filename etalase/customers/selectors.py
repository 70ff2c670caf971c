"""Reads of contacts; always the business first."""

from typing import Any

from django.db.models import Q, QuerySet

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
