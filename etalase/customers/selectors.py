"""Reads of contacts; always the business first.

The list is built for a business with hundreds of thousands of contacts: filters and sorts use the
indexes on Contact, a page fetches ``size + 1`` rows instead of counting, and on PostgreSQL the
default order (most recently seen first, never seen last) is read as two index-ordered parts,
because PostgreSQL cannot walk a ``DESC`` index (nulls first) for ``DESC NULLS LAST``; SQLite
can, so there it is one query.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects

from etalase.activity.models import Activity
from etalase.core.pagination import MAX_PAGE_SIZE, Page
from etalase.customers.filters import (
    DEFAULT_SORT,
    ContactFilter,
    contact_filter_apply,
    contact_filter_parse,
    search_condition,
)
from etalase.customers.models import Consent, Contact, Note, Segment, Tag


def _contacts(business: Any) -> QuerySet[Contact]:
    """The business's contacts as lists show them: merged ones are gone."""
    return Contact.objects.filter(business=business, merged_into__isnull=True)


def contact_search(*, business: Any, query: str = "", limit: int = 20) -> QuerySet[Contact]:
    """Contacts whose name, email or city words start with the query's words, or whose phone starts
    with the digits typed (0812…, +62 812…, 812… alike); most recently seen first."""
    contacts = _contacts(business)
    condition = search_condition(query)
    if condition is not None:
        contacts = contacts.filter(condition)
    return contact_filter_apply(contacts, ContactFilter())[:limit]


def contact_get(*, business: Any, contact_id: int) -> Contact | None:
    """The business's contact with this id; a merged contact answers with the one it was merged into."""
    contact = Contact.objects.filter(business=business, pk=contact_id).select_related("user").first()
    for _hop in range(10):
        if contact is None or contact.merged_into_id is None:
            return contact
        contact = Contact.objects.filter(business=business, pk=contact.merged_into_id).select_related("user").first()
    return contact


def contact_list(*, business: Any, filters: ContactFilter | None = None, query: str = "") -> QuerySet[Contact]:
    """The business's contacts narrowed and ordered by ``filters`` (most recently seen first by default).

    ``query`` is a shortcut for ``ContactFilter(q=query)``.
    """
    contact_filter = filters or ContactFilter(q=query)
    return contact_filter_apply(_contacts(business), contact_filter, business_id=business.pk)


def contact_page(*, business: Any, filters: ContactFilter | None = None, page: int = 1, size: int = 30) -> Page:
    """One page of :func:`contact_list`, tags prefetched; no COUNT, ``size + 1`` rows tell of a next page."""
    contact_filter = filters or ContactFilter()
    number = max(1, int(page))
    size = max(1, min(int(size), MAX_PAGE_SIZE))
    offset = (number - 1) * size
    queryset = contact_list(business=business, filters=contact_filter)
    if contact_filter.sort == DEFAULT_SORT and connection.vendor == "postgresql":
        rows = _seen_first_slice(queryset, offset, size + 1)
    else:  # SQLite keeps NULLs last in a DESC index walk: one query follows (business, last seen)
        rows = list(queryset[offset : offset + size + 1])
    prefetch_related_objects(rows[:size], _tags_prefetch())
    return Page(items=rows[:size], number=number, size=size, has_next=len(rows) > size)


def _seen_first_slice(queryset: QuerySet[Contact], offset: int, limit: int) -> list[Contact]:
    """Rows ``offset..offset+limit`` of "seen, newest first; then never seen, newest contact first".

    Each part follows the (business, last seen) index; the never-seen part is only read when the
    page reaches past the seen ones.
    """
    seen = queryset.filter(last_seen_at__isnull=False).order_by("-last_seen_at", "-pk")
    rows = list(seen[offset : offset + limit])
    if len(rows) == limit:
        return rows
    unseen = queryset.filter(last_seen_at__isnull=True).order_by("-pk")
    if rows:
        return rows + list(unseen[: limit - len(rows)])
    seen_total = seen.count() if offset else 0  # only a page past every seen contact pays for a count
    start = offset - seen_total
    return list(unseen[start : start + limit])


def _tags_prefetch() -> Prefetch:
    return Prefetch("tags", queryset=Tag.objects.order_by("name"))


def contact_tags(*, contact: Contact) -> list[Tag]:
    return list(Tag.objects.filter(contacts=contact).order_by("name"))


def tag_list(*, business: Any) -> QuerySet[Tag]:
    """The business's tags, for filters and suggestions."""
    return Tag.objects.filter(business=business).order_by("name")


def contact_timeline(*, business: Any, contact: Contact) -> QuerySet[Activity]:
    """Every activity of this contact at this business, newest first: their own acts (as an app user,
    also through the accounts of contacts merged into it) and acts about them that carry their contact
    id (an order taken by staff, a payment recorded, a note)."""
    merged = list(Contact.objects.filter(merged_into=contact).values_list("pk", "user_id"))
    contact_ids = [contact.pk, *(pk for pk, _user in merged)]
    users = [user for user in [contact.user_id, *(user for _pk, user in merged)] if user]
    about = Q(data__contact_id__in=contact_ids) if len(contact_ids) > 1 else Q(data__contact_id=contact.pk)
    if users:
        about |= Q(actor_id__in=users)
    return (
        Activity.objects.filter(about, business=business)
        .select_related("actor", "target_type")
        .order_by("-occurred_at", "-id")
    )


def note_list(*, business: Any, contact: Contact) -> QuerySet[Note]:
    return (
        Note.objects.filter(business=business, contact=contact).select_related("author").order_by("-created_at", "-pk")
    )


def consent_ledger(*, business: Any, contact: Contact) -> QuerySet[Consent]:
    """Every consent given or withdrawn, newest first, with who recorded it."""
    return (
        Consent.objects.filter(business=business, contact=contact)
        .select_related("recorded_by")
        .order_by("-occurred_at", "-pk")
    )


@dataclass(frozen=True)
class SegmentWithCount:
    segment: Segment
    count: int | None
    error: str = ""


def segment_list(*, business: Any) -> QuerySet[Segment]:
    return Segment.objects.filter(business=business).order_by("name", "pk")


def segment_get(*, business: Any, segment_id: int) -> Segment | None:
    return Segment.objects.filter(business=business, pk=segment_id).first()


def segment_filter(segment: Segment) -> ContactFilter:
    """A saved segment's filter (InvalidFilter if what was stored no longer parses)."""
    return contact_filter_parse(segment.filters or {})


def segment_contacts(*, business: Any, segment: Segment) -> QuerySet[Contact]:
    return contact_list(business=business, filters=segment_filter(segment))


def segment_count(*, business: Any, segment: Segment) -> int:
    """How many contacts match the segment now (one COUNT; used for the live counts)."""
    return contact_count(business=business, filters=segment_filter(segment))


def contact_count(*, business: Any, filters: ContactFilter | None = None) -> int:
    """How many contacts match ``filters`` (one COUNT, shaped for counting rather than paging)."""
    contacts = contact_filter_apply(
        _contacts(business), filters or ContactFilter(), business_id=business.pk, counting=True
    )
    return contacts.order_by().count()


def segment_list_with_counts(*, business: Any) -> list[SegmentWithCount]:
    from etalase.core.errors import DomainError

    result = []
    for segment in segment_list(business=business):
        try:
            result.append(SegmentWithCount(segment, segment_count(business=business, segment=segment)))
        except DomainError as error:
            problem = " ".join([str(error.message), *map(str, error.fields.values())])
            result.append(SegmentWithCount(segment, None, problem))
    return result


EXPORT_FIELDS = (
    "id",
    "name",
    "phone",
    "email",
    "city",
    "address",
    "birthday",
    "source",
    "stage",
    "tags",
    "orders_count",
    "spent_minor",
    "first_order_at",
    "last_order_at",
    "last_seen_at",
    "favourites_count",
    "rfm_segment",
    "churn_risk",
    "consent",
    "created_at",
)


def contact_export_rows(*, business: Any, filters: ContactFilter | None = None) -> Iterator[dict[str, Any]]:
    """Every contact the filters select, as plain dicts with :data:`EXPORT_FIELDS` (tags joined by ", ",
    consent as "whatsapp_marketing, email_service" of the granted ones), read in chunks."""
    queryset = contact_list(business=business, filters=filters).prefetch_related(_tags_prefetch())
    for contact in queryset.iterator(chunk_size=2000):
        yield {
            "id": contact.pk,
            "name": contact.name,
            "phone": contact.phone,
            "email": contact.email,
            "city": contact.city,
            "address": contact.address,
            "birthday": contact.birthday,
            "source": contact.source,
            "stage": contact.stage,
            "tags": ", ".join(tag.name for tag in contact.tags.all()),
            "orders_count": contact.orders_count,
            "spent_minor": contact.spent_minor,
            "first_order_at": contact.first_order_at,
            "last_order_at": contact.last_order_at,
            "last_seen_at": contact.last_seen_at,
            "favourites_count": contact.favourites_count,
            "rfm_segment": contact.rfm_segment,
            "churn_risk": contact.churn_risk,
            "consent": ", ".join(key for key, granted in sorted((contact.consent or {}).items()) if granted),
            "created_at": contact.created_at,
        }
