"""Reads for privacy: the businesses that know a customer, what one of them holds, the audit log."""

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from etalase.accounts.models import User
from etalase.activity.registry import verb_label
from etalase.core.errors import NotFound
from etalase.customers.models import AuditEntry, Consent, Contact, ContactTag, Note, PrivacyRequest
from etalase.customers.selectors import contact_timeline
from etalase.directory.models import Business, Membership

DOCUMENT_FORMAT = "etalase-personal-data/1"
EARLIEST_DAY = dt.date(2000, 1, 1)
LATEST_DAY = dt.date(9000, 12, 31)


def privacy_contacts_for_user(*, user: User) -> QuerySet[Contact]:
    """The user's contacts at every business that knows them (erased ones are no longer theirs)."""
    return (
        Contact.objects.filter(user=user, erased_at__isnull=True)
        .select_related("business", "business__category")
        .order_by("business__name", "pk")
    )


def privacy_contact_for_user(*, user: User, slug: str) -> Contact:
    """The user's own contact at the business ``slug``; anything else is :class:`NotFound`."""
    contact = privacy_contacts_for_user(user=user).filter(business__slug=slug).first()
    if contact is None:
        raise NotFound(_("This shop holds no personal data about you."))
    return contact


def _contact_profile(contact: Contact) -> dict[str, Any]:
    return {
        "id": contact.pk,
        "name": contact.name,
        "phone": contact.phone,
        "email": contact.email,
        "city": contact.city,
        "address": contact.address,
        "birthday": contact.birthday,
        "has_app_account": contact.user_id is not None,
        "source": contact.source,
        "stage": contact.stage,
        "customer_since": contact.created_at,
        "last_seen_at": contact.last_seen_at,
        "currency": contact.business.currency,
        "orders_count": contact.orders_count,
        "spent_minor": contact.spent_minor,
        "first_order_at": contact.first_order_at,
        "last_order_at": contact.last_order_at,
        "favourites_count": contact.favourites_count,
        "preferences": contact.preferences,
        "scores": {
            "rfm_recency": contact.rfm_recency,
            "rfm_frequency": contact.rfm_frequency,
            "rfm_monetary": contact.rfm_monetary,
            "rfm_segment": contact.rfm_segment,
            "churn_risk": contact.churn_risk,
            "information_completeness": contact.info_score,
            "individual_service": contact.personal_score,
            "computed_at": contact.scores_at,
        },
    }


def personal_data_collect(*, contact: Contact) -> dict[str, Any]:
    """Everything the contact's business holds about its person (UU PDP access right), JSON-ready.

    Staff notes are included: they are personal data about the person. Higher apps add their own
    sections (orders, comments) through ``privacy_section_register``.
    """
    from etalase.customers.privacy.services import privacy_sections

    business = contact.business
    tags = ContactTag.objects.filter(contact=contact).select_related("tag").order_by("tag__name")
    notes = Note.objects.filter(contact=contact).order_by("created_at", "pk")
    ledger = Consent.objects.filter(contact=contact).order_by("occurred_at", "pk")
    requests = PrivacyRequest.objects.filter(contact=contact).order_by("created_at", "pk")
    activities = contact_timeline(business=business, contact=contact).order_by("occurred_at", "id")
    return {
        "format": DOCUMENT_FORMAT,
        "generated_at": timezone.now(),
        "business": {"slug": business.slug, "name": business.name},
        "contact": _contact_profile(contact),
        "tags": [row.tag.name for row in tags],
        "notes": [{"body": note.body, "created_at": note.created_at} for note in notes],
        "consent": {
            "current": dict(contact.consent),
            "history": [
                {
                    "channel": row.channel,
                    "purpose": row.purpose,
                    "granted": row.granted,
                    "source": row.source,
                    "occurred_at": row.occurred_at,
                }
                for row in ledger
            ],
        },
        "activities": [
            {
                "verb": activity.verb,
                "description": verb_label(activity.verb),
                "occurred_at": activity.occurred_at,
                "channel": activity.channel,
                "data": activity.data,
            }
            for activity in activities.iterator(chunk_size=1000)
        ],
        "sections": {name: list(provider(contact)) for name, provider in sorted(privacy_sections().items())},
        "privacy_requests": [
            {"kind": row.kind, "created_at": row.created_at, "completed_at": row.completed_at} for row in requests
        ],
    }


def privacy_summary(*, contact: Contact) -> dict[str, int]:
    """Counts for the customer's page: what the business holds besides the profile."""
    return {
        "tags": ContactTag.objects.filter(contact=contact).count(),
        "notes": Note.objects.filter(contact=contact).count(),
        "activities": contact_timeline(business=contact.business, contact=contact).count(),
    }


def audit_list(
    *,
    business: Business,
    action: str | None = None,
    actor_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    """The business's customer-data audit log, newest first; dates are days in the business's timezone."""
    entries = AuditEntry.objects.filter(business=business)
    if action:
        entries = entries.filter(action=action)
    if actor_id:
        entries = entries.filter(actor_id=actor_id)
    zone = ZoneInfo(business.timezone)
    # Days far outside any log would overflow when moved to UTC: clamp them.
    if date_from:
        date_from = max(date_from, EARLIEST_DAY)
    if date_to:
        date_to = min(date_to, LATEST_DAY)
    if date_from:
        entries = entries.filter(created_at__gte=dt.datetime.combine(date_from, dt.time.min, tzinfo=zone))
    if date_to:
        next_day = date_to + dt.timedelta(days=1)
        entries = entries.filter(created_at__lt=dt.datetime.combine(next_day, dt.time.min, tzinfo=zone))
    return entries.select_related("actor", "contact").order_by("-created_at", "-pk")


def audit_members(*, business: Business) -> QuerySet[Membership]:
    """The team, to filter the audit log by member."""
    return Membership.objects.filter(business=business).select_related("user").order_by("user__name", "pk")
