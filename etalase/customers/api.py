"""The customers API: contacts, timeline, tags, notes, consent, stage and saved segments.

Reading needs ``customers.view``; every write needs ``customers.manage``. A contact or segment of
another business answers 404 like a missing one; a merged contact answers with the one it was merged
into. Filters are the contact list page's GET parameters; a bad one answers 422 (a malformed value)
or 400 ``invalid_filter`` (e.g. a minimum above the maximum) naming the parameter.

Error codes: ``invalid`` (400/422, see ``fields``), ``invalid_filter``, ``invalid_phone``,
``duplicate`` (another contact has the phone/email; a segment name taken → 409), ``different_business``,
``same_contact``, ``erased_contact``, ``already_merged`` (409), ``invalid_tag``, ``too_many_tags``,
``invalid_consent``, ``invalid_stage``, ``no_filters``, ``not_found`` (404), ``permission_denied`` (403),
``unauthenticated`` (401).
"""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status

from etalase.accounts.auth import api_auth
from etalase.activity.enums import Channel
from etalase.core.api import Id, Slug, errors
from etalase.core.errors import DomainError, NotFound
from etalase.core.pagination import paginate
from etalase.customers.filters import contact_filter_parse
from etalase.customers.models import Contact, Note, Segment
from etalase.customers.schemas import (
    BulkTagIn,
    BulkTagOut,
    ConsentEntryOut,
    ConsentIn,
    ConsentLedgerOut,
    ContactDetailOut,
    ContactFilterIn,
    ContactIn,
    ContactPage,
    ContactPatchIn,
    CustomersPageIn,
    MergeIn,
    NoteIn,
    NoteOut,
    NotePage,
    SegmentIn,
    SegmentOut,
    SegmentPatchIn,
    StageIn,
    TagsIn,
    TagsOut,
    TimelinePage,
)
from etalase.customers.selectors import (
    consent_ledger,
    contact_get,
    contact_page,
    contact_tags,
    contact_timeline,
    note_list,
    segment_count,
    segment_filter,
    segment_get,
    segment_list,
)
from etalase.customers.services.aggregates import contact_stage_set
from etalase.customers.services.audit import contact_view_audit
from etalase.customers.services.consent import consent_set
from etalase.customers.services.contacts import EDITABLE_FIELDS, contact_create, contact_update
from etalase.customers.services.merge import contact_merge
from etalase.customers.services.notes import note_add
from etalase.customers.services.segments import segment_delete, segment_save
from etalase.customers.services.tags import contact_tags_set, contacts_tag_bulk
from etalase.directory.permissions import Permission
from etalase.directory.tenancy import BusinessContext, business_context_for

router = Router(tags=["customers"])


READ = errors(400, 401, 403, 404, 422)
WRITE = errors(400, 401, 403, 404, 409, 422)
CONTACTS = "/businesses/{slug}/contacts"
CONTACT = CONTACTS + "/{contact_id}"
SEGMENTS = "/businesses/{slug}/segments"
SEGMENT = SEGMENTS + "/{segment_id}"
LEDGER_LIMIT = 200


def _found[Row](row: Row | None) -> Row:
    """The row, or 404: another business's row answers like a missing one."""
    if row is None:
        raise NotFound()
    return row


def _contact(context: BusinessContext, contact_id: int) -> Contact:
    return _found(contact_get(business=context.business, contact_id=contact_id))


def _detail(context: BusinessContext, contact_id: int) -> Contact:
    """A contact fresh from the database, with what ContactDetailOut reads."""
    return _found(
        Contact.objects.filter(business=context.business, pk=contact_id)
        .select_related("business")
        .prefetch_related("tags")
        .first()
    )


def _segment(context: BusinessContext, segment_id: int) -> Segment:
    return _found(segment_get(business=context.business, segment_id=segment_id))


def _with_count(context: BusinessContext, segment: Segment) -> Segment:
    try:
        segment.live_count = segment_count(business=context.business, segment=segment)  # type: ignore[attr-defined]
    except DomainError:
        segment.live_count = None  # type: ignore[attr-defined]
    return segment


def _paged(queryset: QuerySet[Any], paging: CustomersPageIn) -> dict[str, Any]:
    page = paginate(queryset, page=paging.page, size=paging.size)
    return {"items": page.items, "page": page.number, "size": page.size, "next_page": page.next_number}


# --- contacts ------------------------------------------------------------------------------------


@router.get(CONTACTS, response={200: ContactPage, **READ}, auth=api_auth, summary="The contact list")
def contacts(request: HttpRequest, slug: Slug, filters: Query[ContactFilterIn]) -> dict[str, Any]:
    """Contacts matching every filter, a page at a time (``next_page`` is null on the last one)."""
    context = business_context_for(request, slug, Permission.CUSTOMERS_VIEW)
    contact_filter = contact_filter_parse(filters.filter_params())
    page = contact_page(business=context.business, filters=contact_filter, page=filters.page, size=filters.size)
    for contact in page.items:
        contact.business = context.business
    return {"items": page.items, "page": page.number, "size": page.size, "next_page": page.next_number}


@router.post(CONTACTS, response={200: ContactDetailOut, 201: ContactDetailOut, **WRITE}, auth=api_auth)
def contact_add(request: HttpRequest, slug: Slug, payload: ContactIn) -> Status[Contact]:
    """Add a contact (201); a phone or email the business already knows answers with that contact (200)."""
    context = business_context_for(request, slug, Permission.CUSTOMERS_MANAGE)
    started = timezone.now()
    contact = contact_create(business=context.business, actor=context.user, channel=Channel.API, **payload.dict())
    return Status(201 if contact.created_at >= started else 200, _detail(context, contact.pk))


@router.post(CONTACTS + "/bulk-tag", response={200: BulkTagOut, **WRITE}, auth=api_auth, summary="Tag many contacts")
def contacts_bulk_tag(request: HttpRequest, slug: Slug, payload: BulkTagIn) -> dict[str, int]:
    context = business_context_for(request, slug, Permission.CUSTOMERS_MANAGE)
    tagged = contacts_tag_bulk(
        business=context.business, contact_ids=payload.contact_ids, tag=payload.tag, actor=context.user
    )
    return {"tagged": tagged}


@router.get(CONTACT, response={200: ContactDetailOut, **READ}, auth=api_auth, summary="A contact")
def contact_detail(request: HttpRequest, slug: Slug, contact_id: Id) -> Contact:
    """The contact (its data read is written to the audit log, once an hour per member and contact)."""
    context = business_context_for(request, slug, Permission.CUSTOMERS_VIEW)
    contact = _contact(context, contact_id)
    contact_view_audit(business=context.business, actor=context.user, contact=contact)
    return _detail(context, contact.pk)


@router.patch(CONTACT, response={200: ContactDetailOut, **WRITE}, auth=api_auth, summary="Change a contact")
def contact_patch(request: HttpRequest, slug: Slug, contact_id: Id, payload: ContactPatchIn) -> Contact:
    """Change only the fields sent; send ``""`` (or ``null`` for the birthday) to clear one."""
    context = business_context_for(request, slug, Permission.CUSTOMERS_MANAGE)
    contact = _contact(context, contact_id)
    changes = payload.dict(exclude_unset=True)
    values = {name: getattr(contact, name) for name in EDITABLE_FIELDS}
    values.update({key: ("" if value is None and key != "birthday" else value) for key, value in changes.items()})
    contact_update(contact=contact, actor=context.user, **values)
    return _detail(context, contact.pk)


@router.post(CONTACT + "/merge", response={200: ContactDetailOut, **WRITE}, auth=api_auth, summary="Merge a duplicate")
def contact_merge_api(request: HttpRequest, slug: Slug, contact_id: Id, payload: MergeIn) -> Contact:
    """Merge ``other_id`` into this contact: nothing of either is lost; the other leaves every list."""
    context = business_context_for(request, slug, Permission.CUSTOMERS_MANAGE)
    keep = _contact(context, contact_id)
    other = _found(Contact.objects.filter(business=context.business, pk=payload.other_id).first())
    kept = contact_merge(business=context.business, keep=keep, other=other, actor=context.user, channel=Channel.API)
    return _detail(context, kept.pk)


@router.get(CONTACT + "/timeline", response={200: TimelinePage, **READ}, auth=api_auth, summary="A contact's timeline")
def contact_timeline_api(
    request: HttpRequest, slug: Slug, contact_id: Id, paging: Query[CustomersPageIn]
) -> dict[str, Any]:
    """Every activity of the contact, newest first."""
    context = business_context_for(request, slug, Permission.CUSTOMERS_VIEW)
    contact = _contact(context, contact_id)
    return _paged(contact_timeline(business=context.business, contact=contact), paging)


@router.put(CONTACT + "/tags", response={200: TagsOut, **WRITE}, auth=api_auth, summary="Set a contact's tags")
def contact_tags_put(request: HttpRequest, slug: Slug, contact_id: Id, payload: TagsIn) -> dict[str, list[str]]:
    context = business_context_for(request, slug, Permission.CUSTOMERS_MANAGE)
    contact = _contact(context, contact_id)
    contact_tags_set(contact=contact, names=payload.names, actor=context.user)
    return {"tags": [tag.name for tag in contact_tags(contact=contact)]}


@router.get(CONTACT + "/notes", response={200: NotePage, **READ}, auth=api_auth, summary="A contact's notes")
def contact_notes(request: HttpRequest, slug: Slug, contact_id: Id, paging: Query[CustomersPageIn]) -> dict[str, Any]:
    context = business_context_for(request, slug, Permission.CUSTOMERS_VIEW)
    return _paged(note_list(business=context.business, contact=_contact(context, contact_id)), paging)


@router.post(CONTACT + "/notes", response={201: NoteOut, **WRITE}, auth=api_auth, summary="Add a note")
def contact_note_add(request: HttpRequest, slug: Slug, contact_id: Id, payload: NoteIn) -> Status[Note]:
    context = business_context_for(request, slug, Permission.CUSTOMERS_MANAGE)
    contact = _contact(context, contact_id)
    return Status(201, note_add(contact=contact, author=context.user, body=payload.body, channel=Channel.API))


@router.get(CONTACT + "/consents", response={200: ConsentLedgerOut, **READ}, auth=api_auth, summary="Consent ledger")
def contact_consents(request: HttpRequest, slug: Slug, contact_id: Id) -> dict[str, Any]:
    """The current consent per channel and purpose, and every grant and withdrawal (newest first)."""
    context = business_context_for(request, slug, Permission.CUSTOMERS_VIEW)
    contact = _contact(context, contact_id)
    entries = list(consent_ledger(business=context.business, contact=contact)[:LEDGER_LIMIT])
    return {"current": contact.consent or {}, "entries": entries}


@router.post(CONTACT + "/consents", response={201: ConsentEntryOut, **WRITE}, auth=api_auth, summary="Record consent")
def contact_consent_record(request: HttpRequest, slug: Slug, contact_id: Id, payload: ConsentIn) -> Status[Any]:
    """Record that the customer gave or withdrew consent; it applies at once."""
    context = business_context_for(request, slug, Permission.CUSTOMERS_MANAGE)
    contact = _contact(context, contact_id)
    entry = consent_set(
        contact=contact,
        channel=payload.channel,
        purpose=payload.purpose,
        granted=payload.granted,
        source=payload.source,
        actor=context.user,
        occurred_at=payload.occurred_at,
        activity_channel=Channel.API,
    )
    return Status(201, entry)


@router.put(CONTACT + "/stage", response={200: ContactDetailOut, **WRITE}, auth=api_auth, summary="Set the stage")
def contact_stage_put(request: HttpRequest, slug: Slug, contact_id: Id, payload: StageIn) -> Contact:
    context = business_context_for(request, slug, Permission.CUSTOMERS_MANAGE)
    contact = _contact(context, contact_id)
    contact_stage_set(contact=contact, stage=payload.stage, actor=context.user)
    return _detail(context, contact.pk)


# --- segments ------------------------------------------------------------------------------------


@router.get(SEGMENTS, response={200: list[SegmentOut], **READ}, auth=api_auth, summary="Saved segments")
def segments(request: HttpRequest, slug: Slug) -> list[Segment]:
    """Every saved segment with how many contacts match it now."""
    context = business_context_for(request, slug, Permission.CUSTOMERS_VIEW)
    return [_with_count(context, segment) for segment in segment_list(business=context.business)]


@router.post(SEGMENTS, response={201: SegmentOut, **WRITE}, auth=api_auth, summary="Save a segment")
def segment_create(request: HttpRequest, slug: Slug, payload: SegmentIn) -> Status[Segment]:
    context = business_context_for(request, slug, Permission.CUSTOMERS_MANAGE)
    segment = segment_save(business=context.business, name=payload.name, filters=payload.filters, actor=context.user)
    return Status(201, _with_count(context, segment))


@router.patch(SEGMENT, response={200: SegmentOut, **WRITE}, auth=api_auth, summary="Change a segment")
def segment_patch(request: HttpRequest, slug: Slug, segment_id: Id, payload: SegmentPatchIn) -> Segment:
    context = business_context_for(request, slug, Permission.CUSTOMERS_MANAGE)
    segment = _segment(context, segment_id)
    segment = segment_save(
        business=context.business,
        name=payload.name if payload.name is not None else segment.name,
        filters=payload.filters if payload.filters is not None else segment.filters,
        actor=context.user,
        segment=segment,
    )
    return _with_count(context, segment)


@router.delete(SEGMENT, response={204: None, **WRITE}, auth=api_auth, summary="Delete a segment")
def segment_remove(request: HttpRequest, slug: Slug, segment_id: Id) -> Status[None]:
    context = business_context_for(request, slug, Permission.CUSTOMERS_MANAGE)
    segment_delete(segment=_segment(context, segment_id), actor=context.user)
    return Status(204, None)


@router.get(SEGMENT + "/contacts", response={200: ContactPage, **READ}, auth=api_auth, summary="A segment's contacts")
def segment_contact_list(
    request: HttpRequest, slug: Slug, segment_id: Id, paging: Query[CustomersPageIn]
) -> dict[str, Any]:
    """The contacts matching the segment now, most recently seen first."""
    context = business_context_for(request, slug, Permission.CUSTOMERS_VIEW)
    segment = _segment(context, segment_id)
    page = contact_page(business=context.business, filters=segment_filter(segment), page=paging.page, size=paging.size)
    for contact in page.items:
        contact.business = context.business
    return {"items": page.items, "page": page.number, "size": page.size, "next_page": page.next_number}
