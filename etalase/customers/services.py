"""Writes to contacts: found again by user, phone or email, so one person is one contact."""

from typing import Any

from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from etalase.core.errors import ValidationError
from etalase.core.phones import InvalidPhoneNumber, phone_normalize
from etalase.customers.enums import ContactSource
from etalase.customers.models import AuditEntry, Contact


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


@transaction.atomic
def contact_for_user(*, business: Any, user: Any) -> Contact:
    """The business's contact for an app user, created on the first interaction.

    A contact added earlier by staff with the same phone or email becomes this user's contact.
    """
    contact = Contact.objects.filter(business=business, user=user).first()
    if contact is not None:
        return contact
    matches = Q(pk__in=[])
    if user.phone:
        matches |= Q(phone=user.phone)
    if user.email:
        matches |= Q(email=user.email.lower())
    contact = Contact.objects.select_for_update().filter(matches, business=business, user__isnull=True).first()
    if contact is not None:
        contact.user = user
        contact.name = contact.name or user.name
        contact.save(update_fields=["user", "name", "updated_at"])
        return contact
    try:
        with transaction.atomic():
            return Contact.objects.create(
                business=business,
                user=user,
                name=user.name or "",
                phone=user.phone or "",
                email=(user.email or "").lower(),
                source=ContactSource.APP,
            )
    except IntegrityError:
        # Someone else created it at the same moment, or the phone/email belongs to another contact.
        existing = Contact.objects.filter(business=business, user=user).first()
        if existing is not None:
            return existing
        return Contact.objects.create(business=business, user=user, name=user.name or "", source=ContactSource.APP)


@transaction.atomic
def contact_create(
    *,
    business: Any,
    name: str,
    phone: str = "",
    email: str = "",
    city: str = "",
    address: str = "",
    source: str = ContactSource.STAFF,
) -> Contact:
    """Add a contact by hand; a phone or email the business already knows answers with that contact."""
    name = (name or "").strip()[:120]
    phone = _clean_phone(phone)
    email = _clean_email(email)
    if not (name or phone or email):
        raise ValidationError(
            _("Give at least a name, a phone number or an email."),
            fields={"name": _("Give at least a name, a phone number or an email.")},
        )
    matches = Q(pk__in=[])
    if phone:
        matches |= Q(phone=phone)
    if email:
        matches |= Q(email=email)
    existing = Contact.objects.filter(matches, business=business).first()
    if existing is not None:
        return existing
    return Contact.objects.create(
        business=business,
        name=name,
        phone=phone,
        email=email,
        city=city.strip()[:80],
        address=address.strip()[:300],
        source=source,
    )


def contact_touch(*, contact: Contact) -> None:
    """Remember that the contact was just active."""
    Contact.objects.filter(pk=contact.pk).update(last_seen_at=timezone.now())


@transaction.atomic
def contact_update(
    *, contact: Contact, name: str, phone: str = "", email: str = "", city: str = "", address: str = ""
) -> Contact:
    """Edit a contact; a phone or email that belongs to another contact of the business is refused."""
    name = (name or "").strip()[:120]
    phone = _clean_phone(phone)
    email = _clean_email(email)
    if not (name or phone or email):
        message = _("Give at least a name, a phone number or an email.")
        raise ValidationError(message, fields={"name": message})
    others = Contact.objects.filter(business_id=contact.business_id).exclude(pk=contact.pk)
    if phone and others.filter(phone=phone).exists():
        message = _("Another customer already has this phone number.")
        raise ValidationError(message, code="duplicate", fields={"phone": message})
    if email and others.filter(email=email).exists():
        message = _("Another customer already has this email.")
        raise ValidationError(message, code="duplicate", fields={"email": message})
    contact.name, contact.phone, contact.email = name, phone, email
    contact.city, contact.address = city.strip()[:80], address.strip()[:300]
    contact.save(update_fields=["name", "phone", "email", "city", "address", "updated_at"])
    return contact


def audit_record(
    *, business: Any, actor: Any, action: str, contact: Contact | None = None, detail: dict[str, Any] | None = None
) -> AuditEntry:
    """Write one line of the customer-data audit log (who viewed, exported, changed or erased what)."""
    return AuditEntry.objects.create(
        business=business,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        contact=contact,
        detail=detail or {},
    )
