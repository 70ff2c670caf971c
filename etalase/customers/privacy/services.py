"""Personal data protection (UU PDP): a customer's download, erasure and marketing consent.

Higher apps hold personal data too (orders, comments). They take part through two registries
filled from their ``AppConfig.ready()``: a *section* adds what the app holds about a contact to the
download, an *eraser* removes it on erasure. Customers never imports them.
"""

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from etalase.accounts.models import User
from etalase.activity.enums import Channel
from etalase.activity.services import activity_anonymise, activity_record
from etalase.core.errors import Conflict, NotFound, ValidationError
from etalase.customers.enums import (
    AuditAction,
    ConsentChannel,
    ConsentPurpose,
    ConsentSource,
    PrivacyRequestKind,
    Verb,
)
from etalase.customers.models import AuditEntry, Consent, Contact, ContactTag, Note, PrivacyRequest
from etalase.customers.privacy.enums import (
    ERASED_NAME,
    PERSONAL_ACTIVITY_KEYS,
    USER_ID_ACTIVITY_KEYS,
    PrivacyVerb,
)
from etalase.customers.services.aggregates import contact_aggregates_recompute
from etalase.customers.services.audit import audit_record
from etalase.customers.services.consent import consent_set
from etalase.directory.models import Business

Section = Callable[[Contact], list[dict[str, Any]]]
Eraser = Callable[[Contact], None]

_sections: dict[str, Section] = {}
_erasers: dict[str, Eraser] = {}

PERSONAL_AUDIT_KEYS = frozenset({"name", "phone", "email", "address", "city", "birthday", "before", "after", "values"})
"""Keys an audit entry's detail must not keep about an erased contact (entries name fields, not values)."""


def privacy_section_register(name: str, provider: Section) -> None:
    """Add ``name`` to every download: ``provider(contact)`` returns JSON-ready rows (datetimes allowed).

    Registering a name again replaces its provider, so ``ready()`` may run twice.
    """
    _sections[name] = provider


def privacy_eraser_register(name: str, eraser: Eraser) -> None:
    """Run ``eraser(contact)`` in every erasure, inside its transaction and before the contact
    itself is anonymised (``contact.user_id``, phone and email still name the person). It removes
    personal data and keeps amounts and dates for the books. Registering a name again replaces it.
    """
    _erasers[name] = eraser


def privacy_sections() -> dict[str, Section]:
    return dict(_sections)


def privacy_erasers() -> dict[str, Eraser]:
    return dict(_erasers)


def privacy_unregister(name: str) -> None:
    """Forget a section and an eraser registered under ``name`` (tests)."""
    _sections.pop(name, None)
    _erasers.pop(name, None)


def _consent_key(channel: str, purpose: str) -> str:
    return f"{channel}_{purpose}"


@transaction.atomic
def privacy_export(*, contact: Contact, requested_by: Any, channel: str = Channel.WEB) -> dict[str, Any]:
    """Everything the business holds about the contact's person, as one JSON-ready document.

    Recorded as a completed download request, an audit entry and an activity.
    """
    from etalase.customers.privacy.selectors import personal_data_collect

    if contact.erased_at is not None:
        raise NotFound(_("This shop holds no personal data about you."))
    document = personal_data_collect(contact=contact)
    request = PrivacyRequest.objects.create(
        business_id=contact.business_id,
        contact=contact,
        requested_by=requested_by,
        kind=PrivacyRequestKind.DOWNLOAD,
        completed_at=timezone.now(),
    )
    audit_record(
        business=contact.business,
        actor=requested_by,
        action=AuditAction.DOWNLOADED,
        contact=contact,
        detail={"request_id": request.pk, "by": "customer"},
    )
    activity_record(
        verb=PrivacyVerb.DATA_DOWNLOADED,
        business=contact.business,
        actor=requested_by,
        target=contact,
        channel=channel,
        data={"contact_id": contact.pk, "request_id": request.pk},
    )
    return document


@transaction.atomic
def privacy_marketing_consent_set(
    *,
    contact: Contact,
    user: User,
    channels: Mapping[str, bool],
    source: str = ConsentSource.APP,
    channel: str = Channel.WEB,
) -> Contact:
    """Give or withdraw marketing consent per channel, at once; unchanged channels write nothing.

    Each change is a row of the consent ledger (through ``consent_set``) with ``source``.
    """
    unknown = sorted(set(channels) - set(ConsentChannel.values))
    if unknown:
        unknown_message = _("Unknown channel: %(channels)s.") % {"channels": ", ".join(unknown)}
        raise ValidationError(unknown_message, fields=dict.fromkeys(unknown, unknown_message))
    if not channels:
        empty_message = _("Choose at least one channel.")
        raise ValidationError(empty_message, fields={"channels": empty_message})
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if contact.erased_at is not None:
        raise NotFound(_("This shop holds no personal data about you."))
    for consent_channel, granted in channels.items():
        if contact.consent.get(_consent_key(consent_channel, ConsentPurpose.MARKETING)) is bool(granted):
            continue
        consent_set(
            contact=contact,
            channel=consent_channel,
            purpose=ConsentPurpose.MARKETING,
            granted=bool(granted),
            source=source,
            actor=user,
            activity_channel=channel,
        )
    contact.refresh_from_db()
    return contact


def _already_erased(contact: Contact) -> Conflict:
    when = date_format(timezone.localtime(contact.erased_at), "DATE_FORMAT") if contact.erased_at else ""
    return Conflict(
        _("This customer's personal data was already erased on %(date)s.") % {"date": when},
        code="already_erased",
    )


@transaction.atomic
def privacy_erase(*, contact: Contact, requested_by: Any, by_staff: bool, channel: str = Channel.WEB) -> PrivacyRequest:
    """Anonymise a contact for good: its person can no longer be found or named at this business.

    ``requested_by`` is the customer (``by_staff=False``, through the app) or the staff member who
    took the request by phone or in person (``by_staff=True``). Orders keep amounts and dates; the
    activity timeline keeps verbs, amounts and dates without personal data or the customer's
    account; tags and notes are removed; consent is withdrawn everywhere (the ledger keeps the
    withdrawals). The same person's contacts at other businesses are not touched. A customer's
    own request is recorded without their account, so nothing at this business leads back to them.
    A later act of the same account at this business makes a fresh contact.
    """
    contact = _erasable(contact)
    business = contact.business
    staff = requested_by if by_staff else None
    now = timezone.now()
    request = PrivacyRequest.objects.create(
        business=business, contact=contact, requested_by=staff, kind=PrivacyRequestKind.ERASURE
    )
    _consents_withdraw(
        contact, staff=staff, source=ConsentSource.STAFF if by_staff else ConsentSource.APP, channel=channel
    )
    for eraser in _erasers.values():
        eraser(contact)
    merged = list(Contact.objects.filter(business=business, merged_into=contact).exclude(pk=contact.pk))
    for each in [contact, *merged]:
        _anonymise(each, business=business, now=now)

    # What the contact's figures are now that their acts as an app user are no longer theirs (orders
    # and payments stay with the contact for the books; favourites went with the account).
    contact_aggregates_recompute(contact_id=contact.pk)
    request.completed_at = timezone.now()
    request.save(update_fields=["completed_at"])
    by = "staff" if by_staff else "customer"
    audit_record(
        business=business,
        actor=staff,
        action=AuditAction.ERASED,
        contact=contact,
        detail={"request_id": request.pk, "by": by},
    )
    activity_record(
        verb=Verb.ERASED,
        business=business,
        actor=staff,
        target=contact,
        channel=channel,
        data={"contact_id": contact.pk, "request_id": request.pk, "by": by},
    )
    return request


def _erasable(contact: Contact) -> Contact:
    """The contact, locked; Conflict when it was already erased."""
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if contact.erased_at is not None:
        raise _already_erased(contact)
    return contact


def _consents_withdraw(contact: Contact, *, staff: Any, source: str, channel: str) -> None:
    for consent_channel in ConsentChannel.values:
        for purpose in ConsentPurpose.values:
            if contact.consent.get(_consent_key(consent_channel, purpose)) is True:
                consent_set(
                    contact=contact,
                    channel=consent_channel,
                    purpose=purpose,
                    granted=False,
                    source=source,
                    actor=staff,
                    activity_channel=channel,
                )


ERASED_FIELDS = ["name", "phone", "email", "city", "address", "search_text", "birthday", "user", "preferences"]
ERASED_FIELDS += ["consent", "erased_at", "updated_at"]


def _anonymise(each: Contact, *, business: Business, now: dt.datetime) -> None:
    """Remove one contact's personal data: its timeline, notes, tags, what names its account, its fields."""
    activity_anonymise(
        business=business,
        actor=each.user,
        contact_id=each.pk,
        keys=PERSONAL_ACTIVITY_KEYS,
        actor_keys=USER_ID_ACTIVITY_KEYS,
    )
    Note.objects.filter(contact=each).delete()
    ContactTag.objects.filter(contact=each).delete()
    if each.user_id is not None:
        Consent.objects.filter(contact=each, recorded_by_id=each.user_id).update(recorded_by=None)
        PrivacyRequest.objects.filter(contact=each, requested_by_id=each.user_id).update(requested_by=None)
        AuditEntry.objects.filter(contact=each, actor_id=each.user_id).update(actor=None)
    for entry in AuditEntry.objects.filter(contact=each).only("pk", "detail"):
        if isinstance(entry.detail, dict) and PERSONAL_AUDIT_KEYS & set(entry.detail):
            entry.detail = {key: value for key, value in entry.detail.items() if key not in PERSONAL_AUDIT_KEYS}
            entry.save(update_fields=["detail"])
    each.name = ERASED_NAME
    each.phone = each.email = each.city = each.address = each.search_text = ""
    each.birthday = None
    each.user = None
    each.preferences = {}
    each.consent = {
        _consent_key(consent_channel, purpose): False
        for consent_channel in ConsentChannel.values
        for purpose in ConsentPurpose.values
    }
    each.erased_at = now
    each.save(update_fields=ERASED_FIELDS)
