"""Merging two contacts of one business that are one person."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from etalase.accounts.models import User
from etalase.activity.enums import Channel
from etalase.activity.services import activity_contact_repoint, activity_record
from etalase.core.errors import Conflict, ValidationError
from etalase.customers.enums import AuditAction, Verb
from etalase.customers.models import AuditEntry, Consent, Contact, ContactTag, Note, PrivacyRequest
from etalase.customers.services.aggregates import contact_aggregates_recompute
from etalase.customers.services.audit import acting, audit_record
from etalase.customers.services.consent import consent_state_refresh
from etalase.customers.services.contacts import contact_search_text
from etalase.directory.models import Business


def _merge_check(*, business: Business, keep: Contact, other: Contact) -> tuple[Contact, Contact]:
    """Both contacts, locked, once they may be merged (else a domain error)."""
    if keep.business_id != business.pk or other.business_id != business.pk:
        raise ValidationError(_("Only customers of the same business can be merged."), code="different_business")
    if keep.pk == other.pk:
        raise ValidationError(_("Choose two different customers to merge."), code="same_contact")
    locked = {
        row.pk: row for row in Contact.objects.select_for_update().filter(pk__in=[keep.pk, other.pk]).order_by("pk")
    }
    keep, other = locked[keep.pk], locked[other.pk]
    if keep.merged_into_id or other.merged_into_id:
        raise Conflict(_("One of these customers was already merged into another."), code="already_merged")
    if keep.erased_at or other.erased_at:
        raise ValidationError(_("A customer whose personal data was erased cannot be merged."), code="erased_contact")
    return keep, other


def _merge_details(keep: Contact, other: Contact) -> None:
    """``keep``'s details win; its blanks are filled from ``other``."""
    # Unique phone, email and account: take them from ``other`` only where ``keep`` has none.
    moved: dict[str, Any] = {}
    for field_name in ("phone", "email"):
        if not getattr(keep, field_name) and getattr(other, field_name):
            moved[field_name] = getattr(other, field_name)
    if keep.user_id is None and other.user_id is not None:
        moved["user_id"] = other.user_id
    if moved:
        Contact.objects.filter(pk=other.pk).update(
            **{key: (None if key == "user_id" else "") for key in moved}, updated_at=timezone.now()
        )
        for key, value in moved.items():
            setattr(keep, key, value)
            setattr(other, key, None if key == "user_id" else "")
    for field_name in ("name", "city", "address", "birthday"):
        if not getattr(keep, field_name) and getattr(other, field_name):
            setattr(keep, field_name, getattr(other, field_name))
    if other.last_seen_at and (keep.last_seen_at is None or other.last_seen_at > keep.last_seen_at):
        keep.last_seen_at = other.last_seen_at
    if not keep.stage_set_by_staff and other.stage_set_by_staff:
        keep.stage, keep.stage_set_by_staff = other.stage, True
    keep.created_at = min(keep.created_at, other.created_at)
    keep.search_text = contact_search_text(keep)
    keep.save()


def _merge_rows(*, business: Business, keep: Contact, other: Contact) -> None:
    """Everything about ``other`` becomes ``keep``'s: notes, tags, consent, requests, audit, activities."""
    Note.objects.filter(contact=other).update(contact=keep)
    kept_tags = set(ContactTag.objects.filter(contact=keep).values_list("tag_id", flat=True))
    ContactTag.objects.filter(contact=other, tag_id__in=kept_tags).delete()
    ContactTag.objects.filter(contact=other).update(contact=keep)
    Consent.objects.filter(contact=other).update(contact=keep)
    PrivacyRequest.objects.filter(contact=other).update(contact=keep)
    AuditEntry.objects.filter(contact=other).update(contact=keep)
    Contact.objects.filter(merged_into=other).update(merged_into=keep)
    activity_contact_repoint(business=business, from_contact_id=other.pk, to_contact_id=keep.pk)


@transaction.atomic
def contact_merge(
    *, business: Business, keep: Contact, other: Contact, actor: User | None, channel: str = Channel.WEB
) -> Contact:
    """Merge ``other`` into ``keep``: one person, one contact, nothing of either lost.

    ``keep``'s details win; blanks are filled from ``other``. Notes, tags, the consent ledger, privacy
    requests and audit lines move to ``keep``; activities about ``other`` are re-pointed (their data
    keeps ``merged_from_contact_id``); ``other`` is marked merged and leaves every list. The
    ``contact_merged`` activity (data ``from_contact_id``, ``into_contact_id``) lets the orders app move
    ``other``'s orders. Two businesses' contacts are never merged.
    """
    keep, other = _merge_check(business=business, keep=keep, other=other)
    _merge_details(keep, other)
    _merge_rows(business=business, keep=keep, other=other)
    other.merged_into = keep
    other.search_text = ""
    other.save(update_fields=["merged_into", "search_text", "updated_at"])
    consent_state_refresh(keep)
    activity_record(
        verb=Verb.CONTACT_MERGED,
        business=business,
        actor=acting(actor),
        target=keep,
        channel=channel,
        data={
            "contact_id": keep.pk,
            "from_contact_id": other.pk,
            "into_contact_id": keep.pk,
            "from_name": other.display_name,
        },
    )
    audit_record(
        business=business,
        actor=actor,
        action=AuditAction.MERGED,
        contact=keep,
        detail={"from_contact_id": other.pk, "into_contact_id": keep.pk},
    )
    contact_aggregates_recompute(contact_id=keep.pk)
    keep.refresh_from_db()
    return keep
