"""The consent ledger: every grant and withdrawal per channel and purpose; the contact keeps the latest."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from etalase.accounts.models import User
from etalase.activity.enums import Channel
from etalase.activity.services import activity_record
from etalase.core.errors import ValidationError
from etalase.customers.enums import ConsentChannel, ConsentPurpose, ConsentSource, Verb
from etalase.customers.models import Consent, Contact
from etalase.customers.services.audit import acting


def consent_state_refresh(contact: Contact) -> None:
    """Contact.consent from the ledger: the latest decision per channel and purpose."""
    state: dict[str, bool] = {}
    for channel, purpose, granted in (
        Consent.objects.filter(contact=contact)
        .order_by("occurred_at", "pk")
        .values_list("channel", "purpose", "granted")
    ):
        state[f"{channel}_{purpose}"] = granted
    contact.consent = state
    Contact.objects.filter(pk=contact.pk).update(consent=state)


@transaction.atomic
def consent_set(
    *,
    contact: Contact,
    channel: str,
    purpose: str,
    granted: bool,
    source: str,
    actor: User | None = None,
    occurred_at: dt.datetime | None = None,
    activity_channel: str = Channel.WEB,
) -> Consent:
    """Record that the contact gave (or withdrew) consent for a channel and purpose; it applies at once."""
    problems: dict[str, Any] = {}
    if channel not in ConsentChannel.values:
        problems["channel"] = _("Choose a channel.")
    if purpose not in ConsentPurpose.values:
        problems["purpose"] = _("Choose a purpose.")
    if source not in ConsentSource.values:
        problems["source"] = _("Choose how the consent was given.")
    if not isinstance(granted, bool):
        problems["granted"] = _("Say whether consent was given or withdrawn.")
    when = occurred_at or timezone.now()
    if when > timezone.now() + dt.timedelta(minutes=5):
        problems["occurred_at"] = _("The date cannot be in the future.")
    if problems:
        raise ValidationError(_("The consent could not be recorded."), code="invalid_consent", fields=problems)
    Contact.objects.select_for_update().filter(pk=contact.pk).first()
    entry = Consent.objects.create(
        business_id=contact.business_id,
        contact=contact,
        channel=channel,
        purpose=purpose,
        granted=granted,
        source=source,
        recorded_by=acting(actor),
        occurred_at=when,
    )
    consent_state_refresh(contact)
    activity_record(
        verb=Verb.CONSENT_CHANGED,
        business=contact.business,
        actor=acting(actor),
        target=contact,
        channel=activity_channel,
        data={
            "contact_id": contact.pk,
            "channel": channel,
            "purpose": purpose,
            "granted": granted,
            "source": source,
        },
    )
    return entry
