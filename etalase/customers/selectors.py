"""Reads of contacts; always the business first.

The list is built for a business with hundreds of thousands of contacts: filters and sorts use the
indexes on Contact, a page fetches ``size + 1`` rows instead of counting, and on PostgreSQL the
default order (most recently seen first, never seen last) is read as two index-ordered parts,
because PostgreSQL cannot walk a ``DESC`` index (nulls first) for ``DESC NULLS LAST``; SQLite
can, so there it is one query.

Which index reads a page is chosen here and in ``filters`` where the database cannot know: on SQLite
a page walks the list in order within a budget and otherwise reads the most selective condition's
index (:func:`_rows`); on PostgreSQL a tag, whose size its planner cannot see, is counted first.
``etalase bench crm`` measures all of it at 200,000 contacts.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import OperationalError as DatabaseOperationalError
from django.db import connection
from django.db.models import BigIntegerField, Prefetch, Q, QuerySet, prefetch_related_objects
from django.db.models.lookups import Exact, IsNull

from etalase.activity.models import Activity
from etalase.core.pagination import MAX_PAGE_SIZE, Page
from etalase.customers.filters import (
    CANDIDATES,
    CHECK,
    DEFAULT_SORT,
    DRIVE,
    WALK,
    ContactFilter,
    contact_filter_apply,
    contact_filter_parse,
    plain,
    tag_size,
)
from etalase.customers.models import Consent, Contact, Note, Segment, Tag
from etalase.directory.models import Business


def _contacts(business: Business) -> QuerySet[Contact]:
    """The business's contacts as lists show them: merged ones are gone.

    On SQLite the "not merged" test is written ``+merged_into_id IS NULL``, which no index can answer:
    once ``ANALYZE`` has run (an import runs it), SQLite counts every NULL as a value of its own, takes
    the merged-into index for the most selective one, reads every contact through it and sorts them.
    """
    contacts = Contact.objects.filter(business=business)
    if connection.vendor == "sqlite":
        return contacts.filter(IsNull(plain("merged_into_id", BigIntegerField()), True))
    return contacts.filter(merged_into__isnull=True)


def contact_search(*, business: Business, query: str = "", limit: int = 20) -> list[Contact]:
    """Contacts whose name, email or city words start with the query's words, or whose phone starts
    with the digits typed (0812…, +62 812…, 812… alike); most recently seen first."""
    return _rows(business, ContactFilter(q=query), 0, max(0, limit))


def contact_get(*, business: Business, contact_id: int) -> Contact | None:
    """The business's contact with this id; a merged contact answers with the one it was merged into."""
    contact = Contact.objects.filter(business=business, pk=contact_id).select_related("user").first()
    for _hop in range(10):
        if contact is None or contact.merged_into_id is None:
            return contact
        contact = Contact.objects.filter(business=business, pk=contact.merged_into_id).select_related("user").first()
    return contact


def contact_list(*, business: Business, filters: ContactFilter | None = None, query: str = "") -> QuerySet[Contact]:
    """The business's contacts narrowed and ordered by ``filters`` (most recently seen first by default).

    ``query`` is a shortcut for ``ContactFilter(q=query)``.
    """
    contact_filter = filters or ContactFilter(q=query)
    return contact_filter_apply(_contacts(business), contact_filter, business_id=business.pk)


def contact_page(*, business: Business, filters: ContactFilter | None = None, page: int = 1, size: int = 30) -> Page:
    """One page of :func:`contact_list`, tags prefetched; no COUNT, ``size + 1`` rows tell of a next page."""
    contact_filter = filters or ContactFilter()
    number = max(1, int(page))
    size = max(1, min(int(size), MAX_PAGE_SIZE))
    rows = _rows(business, contact_filter, (number - 1) * size, size + 1)
    prefetch_related_objects(rows[:size], _tags_prefetch())
    return Page(items=rows[:size], number=number, size=size, has_next=len(rows) > size)


WALK_BUDGET = 20_000
"""SQLite virtual-machine steps a page may take walking the list in order (some 2,500 contacts read,
a few milliseconds) before it reads the most selective condition's index instead."""


def _rows(business: Business, contact_filter: ContactFilter, offset: int, limit: int) -> list[Contact]:
    """Rows ``offset..offset+limit`` of :func:`contact_list`.

    SQLite: walk the list in order within :data:`WALK_BUDGET`, then drive (see ``filters``); a walk
    that finds its rows in time is one query. PostgreSQL: a tag is counted first (up to CANDIDATES)
    and a rare one drives; otherwise see :func:`_seen_first_slice`.
    """
    if connection.vendor == "sqlite":
        walk = contact_filter_apply(_contacts(business), contact_filter, business_id=business.pk, plan=WALK)
        rows = _within_budget(lambda: list(walk[offset : offset + limit]), steps=WALK_BUDGET)
        if rows is not None:
            return rows
        drive = contact_filter_apply(_contacts(business), contact_filter, business_id=business.pk, plan=DRIVE)
        return list(drive[offset : offset + limit])
    if contact_filter.tag and tag_size(business_id=business.pk, tag=contact_filter.tag) < CANDIDATES:
        # A tag few contacts have: read them and sort them (walking the list for them could read it all).
        drive = contact_filter_apply(_contacts(business), contact_filter, business_id=business.pk, plan=DRIVE)
        return list(drive[offset : offset + limit])
    queryset = contact_list(business=business, filters=contact_filter)
    if contact_filter.sort == DEFAULT_SORT:
        return _seen_first_slice(queryset, offset, limit)
    return list(queryset[offset : offset + limit])


def _within_budget(read: Callable[[], list[Contact]], *, steps: int) -> list[Contact] | None:
    """``read()``, or None when SQLite needs more than ``steps`` steps for it (the statement is then
    interrupted, which a read leaves without trace)."""
    connection.ensure_connection()
    raw = connection.connection
    every = max(1, min(1000, steps))  # SQLite calls back every this many steps
    ticks = 0

    def tick() -> bool:
        nonlocal ticks
        ticks += 1
        return ticks * every > steps

    raw.set_progress_handler(tick, every)
    try:
        return read()
    except (DatabaseOperationalError, sqlite3.OperationalError):
        if ticks * every > steps:
            return None
        raise
    finally:
        raw.set_progress_handler(None, every)


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


def _tags_prefetch() -> Prefetch[str, QuerySet[Tag], str]:
    return Prefetch("tags", queryset=Tag.objects.order_by("name"))


def contact_tags(*, contact: Contact) -> list[Tag]:
    return list(Tag.objects.filter(contacts=contact).order_by("name"))


def tag_list(*, business: Business) -> QuerySet[Tag]:
    """The business's tags, for filters and suggestions."""
    return Tag.objects.filter(business=business).order_by("name")


def contact_identities(*, contact: Contact) -> tuple[list[int], list[int]]:
    """One person at one business: the ids of the contact and of those merged into it, and their app
    accounts (acts done through any of those accounts are the person's)."""
    merged = Contact.objects.filter(business_id=contact.business_id, merged_into=contact).exclude(pk=contact.pk)
    rows = [(contact.pk, contact.user_id), *merged.values_list("pk", "user_id")]
    return [pk for pk, _user in rows], sorted({user for _pk, user in rows if user is not None})


def contact_timeline(*, business: Business, contact: Contact) -> QuerySet[Activity]:
    """Every activity of this contact at this business, newest first: their own acts (as an app user,
    also through the accounts of contacts merged into it) and acts about them that carry their contact
    id (an order taken by staff, a payment recorded, a note)."""
    contact_ids, users = contact_identities(contact=contact)
    about = Q(contact_id__in=contact_ids) if len(contact_ids) > 1 else Q(contact_id=contact.pk)
    if users:
        # Two indexes, (contact, time) and (actor, time): the database reads both and sorts what they name.
        about |= Q(actor_id__in=users)
    return (
        Activity.objects.filter(about, business=business)
        .select_related("actor", "target_type")
        .order_by("-occurred_at", "-id")
    )


def note_list(*, business: Business, contact: Contact) -> QuerySet[Note]:
    return (
        Note.objects.filter(business=business, contact=contact).select_related("author").order_by("-created_at", "-pk")
    )


def consent_ledger(*, business: Business, contact: Contact) -> QuerySet[Consent]:
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


def segment_list(*, business: Business) -> QuerySet[Segment]:
    return Segment.objects.filter(business=business).order_by("name", "pk")


def segment_get(*, business: Business, segment_id: int) -> Segment | None:
    return Segment.objects.filter(business=business, pk=segment_id).first()


def segment_filter(segment: Segment) -> ContactFilter:
    """A saved segment's filter (InvalidFilter if what was stored no longer parses)."""
    return contact_filter_parse(segment.filters or {})


def segment_contacts(*, business: Business, segment: Segment) -> QuerySet[Contact]:
    return contact_list(business=business, filters=segment_filter(segment))


def segment_count(*, business: Business, segment: Segment) -> int:
    """How many contacts match the segment now (one COUNT; used for the live counts)."""
    return contact_count(business=business, filters=segment_filter(segment))


def contact_count(*, business: Business, filters: ContactFilter | None = None) -> int:
    """How many contacts match ``filters`` (shaped for counting rather than paging).

    SQLite: every contact of the business that matches, less the few merged ones that match, so a
    count of one indexed condition reads its index alone (the merged test would read every row).
    """
    contact_filter = filters or ContactFilter()
    if connection.vendor == "sqlite":
        everyone = Contact.objects.filter(business=business)
        total = contact_filter_apply(everyone, contact_filter, business_id=business.pk, counting=True).count()
        # "merged_into > 0" (ids are positive) rather than IS NOT NULL: SQLite reads that range of the
        # merged-into index, where for IS NOT NULL next to another condition it scans the table.
        merged = Contact.objects.filter(Exact(plain("business_id", BigIntegerField()), business.pk), merged_into__gt=0)
        return total - contact_filter_apply(merged, contact_filter, business_id=business.pk, plan=CHECK).count()
    contacts = contact_filter_apply(_contacts(business), contact_filter, business_id=business.pk, counting=True)
    return contacts.order_by().count()


def segment_list_with_counts(*, business: Business) -> list[SegmentWithCount]:
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


def contact_export_rows(*, business: Business, filters: ContactFilter | None = None) -> Iterator[dict[str, Any]]:
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
