"""Contacts: found again by user, phone or email, so one person is one contact.

Every write keeps ``Contact.search_text`` current (:func:`contact_search_text`), so the list searches one
normalised column.
"""

import datetime as dt
from typing import Any

import phonenumbers
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from etalase.accounts.models import User
from etalase.activity.enums import Channel
from etalase.activity.services import activity_record
from etalase.core.errors import ValidationError
from etalase.core.phones import InvalidPhoneNumber, phone_normalize
from etalase.core.text import text_normalize
from etalase.customers.enums import AuditAction, ContactSource, Verb
from etalase.customers.models import Contact
from etalase.customers.services.audit import acting, audit_record
from etalase.directory.models import Business

EDITABLE_FIELDS = ("name", "phone", "email", "city", "address", "birthday")


def _clean_email(raw: str) -> str:
    email = (raw or "").strip().lower()
    if not email:
        return ""
    try:
        validate_email(email)
    except Exception as exc:
        message = _("Enter a valid email address.")
        raise ValidationError(message, fields={"email": message}) from exc
    return email


def _clean_phone(raw: str) -> str:
    if not (raw or "").strip():
        return ""
    try:
        return phone_normalize(raw)
    except InvalidPhoneNumber as exc:
        raise ValidationError(exc.message, code=exc.code, fields={"phone": exc.message}) from exc


def _clean_birthday(value: dt.date | None) -> dt.date | None:
    if value is None:
        return None
    today = timezone.localdate()
    if value > today or value.year < 1900:
        message = _("Enter a birthday between 1900 and today.")
        raise ValidationError(message, fields={"birthday": message})
    return value


_UNSET: Any = object()


def _details_clean(
    *, name: str, phone: str, email: str, city: str, address: str, birthday: dt.date | None = _UNSET
) -> dict[str, Any]:
    """A contact's details as stored: trimmed, the phone in E.164, the email in lower case, the birthday
    checked (left out, it stays out). At least a name, a phone number or an email is needed."""
    details: dict[str, Any] = {"name": (name or "").strip()[:120], "phone": _clean_phone(phone)}
    details["email"] = _clean_email(email)
    if birthday is not _UNSET:
        details["birthday"] = _clean_birthday(birthday)
    if not (details["name"] or details["phone"] or details["email"]):
        message = _("Give at least a name, a phone number or an email.")
        raise ValidationError(message, fields={"name": message})
    details["city"] = " ".join((city or "").split())[:80]
    details["address"] = (address or "").strip()[:300]
    return details


def _phone_spellings(e164: str) -> list[str]:
    """The digits of a number as people write it: 6281234567890, 081234567890, 81234567890."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        digits = "".join(ch for ch in e164 if ch.isdigit())
        return [digits] if digits else []
    national = str(number.national_number)
    return [f"{number.country_code}{national}", f"0{national}", national]


def contact_search_text(contact: Contact) -> str:
    """The one normalised column the list searches: name, email, city words and phone spellings.

    Every token is preceded by a space, so ``contains(" " + word)`` matches the start of a token.
    Import (and anything writing contacts in bulk) calls this too.
    """
    tokens: list[str] = []
    tokens += text_normalize(contact.name).split()
    if contact.email:
        tokens.append(contact.email.lower())
        tokens += text_normalize(contact.email.split("@", 1)[0]).split()
    if contact.phone:
        tokens += _phone_spellings(contact.phone)
    tokens += text_normalize(contact.city).split()
    seen: set[str] = set()
    unique = [token for token in tokens if not (token in seen or seen.add(token))]  # type: ignore[func-returns-value]
    return " " + " ".join(unique) + " " if unique else ""


def contact_surviving(contact: Contact) -> Contact:
    """The contact that ``contact`` was merged into (following a chain), or itself."""
    for _hop in range(10):
        if contact.merged_into_id is None:
            return contact
        following = Contact.objects.filter(pk=contact.merged_into_id).first()
        if following is None:
            return contact
        contact = following
    return contact


@transaction.atomic
def contact_for_user(*, business: Business, user: User) -> Contact:
    """The business's contact for an app user, created on the first interaction.

    A contact added earlier by staff with the same phone or email becomes this user's contact; a
    contact merged into another answers with the one it was merged into.
    """
    contact = Contact.objects.filter(business=business, user=user).first()
    if contact is not None:
        return contact_surviving(contact)
    matches = Q(pk__in=[])
    if user.phone:
        matches |= Q(phone=user.phone)
    if user.email:
        matches |= Q(email=user.email.lower())
    contact = (
        Contact.objects.select_for_update()
        .filter(matches, business=business, user__isnull=True, merged_into__isnull=True)
        .first()
    )
    if contact is not None:
        contact.user = user
        contact.name = contact.name or user.name
        contact.search_text = contact_search_text(contact)
        contact.save(update_fields=["user", "name", "search_text", "updated_at"])
        return contact
    try:
        with transaction.atomic():
            contact = Contact(
                business=business,
                user=user,
                name=user.name or "",
                phone=user.phone or "",
                email=(user.email or "").lower(),
                source=ContactSource.APP,
            )
            contact.search_text = contact_search_text(contact)
            contact.save()
            return contact
    except IntegrityError:
        # Someone else created it at the same moment, or the phone/email belongs to another contact.
        existing = Contact.objects.filter(business=business, user=user).first()
        if existing is not None:
            return contact_surviving(existing)
        contact = Contact(business=business, user=user, name=user.name or "", source=ContactSource.APP)
        contact.search_text = contact_search_text(contact)
        contact.save()
        return contact


@transaction.atomic
def contact_create(
    *,
    business: Business,
    name: str,
    phone: str = "",
    email: str = "",
    city: str = "",
    address: str = "",
    birthday: dt.date | None = None,
    source: str = ContactSource.STAFF,
    actor: User | None = None,
    channel: str = Channel.WEB,
) -> Contact:
    """Add a contact by hand; a phone or email the business already knows answers with that contact.

    With an ``actor`` (a member adding the contact) a ``contact_created`` activity is recorded.
    """
    details = _details_clean(name=name, phone=phone, email=email, city=city, address=address, birthday=birthday)
    matches = Q(pk__in=[])
    if details["phone"]:
        matches |= Q(phone=details["phone"])
    if details["email"]:
        matches |= Q(email=details["email"])
    existing = Contact.objects.filter(matches, business=business).first()
    if existing is not None:
        return contact_surviving(existing)
    contact = Contact(business=business, source=source, **details)
    contact.search_text = contact_search_text(contact)
    contact.save()
    if acting(actor) is not None:
        activity_record(
            verb=Verb.CONTACT_CREATED,
            business=business,
            actor=actor,
            target=contact,
            channel=channel,
            data={"contact_id": contact.pk, "name": contact.display_name},
        )
    return contact


def contact_touch(*, contact: Contact) -> None:
    """Remember that the contact was just active."""
    Contact.objects.filter(pk=contact.pk).update(last_seen_at=timezone.now())


def contact_seen(*, contact_id: int, seen_at: dt.datetime) -> None:
    """Remember an act of the contact at ``seen_at``; idempotent and order-independent, since last seen
    only moves forward."""
    Contact.objects.filter(pk=contact_id).filter(Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=seen_at)).update(
        last_seen_at=seen_at
    )


@transaction.atomic
def contact_update(
    *,
    contact: Contact,
    name: str,
    phone: str = "",
    email: str = "",
    city: str = "",
    address: str = "",
    birthday: dt.date | None = _UNSET,
    actor: User | None = None,
) -> Contact:
    """Edit a contact; a phone or email that belongs to another contact of the business is refused.

    ``birthday`` left out keeps the stored one. With an ``actor`` the change is written to the audit log.
    """
    details = _details_clean(name=name, phone=phone, email=email, city=city, address=address, birthday=birthday)
    others = Contact.objects.filter(business_id=contact.business_id).exclude(pk=contact.pk)
    if details["phone"] and others.filter(phone=details["phone"]).exists():
        message = _("Another customer already has this phone number.")
        raise ValidationError(message, code="duplicate", fields={"phone": message})
    if details["email"] and others.filter(email=details["email"]).exists():
        message = _("Another customer already has this email.")
        raise ValidationError(message, code="duplicate", fields={"email": message})
    before = {key: str(getattr(contact, key) or "") for key in EDITABLE_FIELDS}
    for key, value in details.items():
        setattr(contact, key, value)
    contact.search_text = contact_search_text(contact)
    contact.save(update_fields=["name", "phone", "email", "city", "address", "birthday", "search_text", "updated_at"])
    changed = sorted(key for key, value in before.items() if str(getattr(contact, key) or "") != value)
    if acting(actor) is not None and changed:
        audit_record(
            business=contact.business,
            actor=actor,
            action=AuditAction.EDITED,
            contact=contact,
            detail={"fields": changed},
        )
    return contact
