"""Staff notes on a contact."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from etalase.activity.enums import Channel
from etalase.activity.services import activity_record
from etalase.core.errors import ValidationError
from etalase.customers.enums import Verb
from etalase.customers.models import Contact, Note
from etalase.customers.services.audit import acting

NOTE_MAX_LENGTH = 2000


@transaction.atomic
def note_add(*, contact: Contact, author: Any, body: str, channel: str = Channel.WEB) -> Note:
    text = (body or "").strip()
    if not text:
        message = _("Write the note first.")
        raise ValidationError(message, fields={"body": message})
    if len(text) > NOTE_MAX_LENGTH:
        problem = _("A note has at most %(limit)s characters.") % {"limit": NOTE_MAX_LENGTH}
        raise ValidationError(problem, fields={"body": problem})
    note = Note.objects.create(business_id=contact.business_id, contact=contact, author=acting(author), body=text)
    activity_record(
        verb=Verb.NOTE_ADDED,
        business=contact.business,
        actor=acting(author),
        target=contact,
        channel=channel,
        data={"contact_id": contact.pk, "note_id": note.pk, "excerpt": text[:80]},
    )
    return note
