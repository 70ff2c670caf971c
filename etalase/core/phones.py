"""Phone numbers as E.164 strings: 0812-3456-7890, +62 812 3456 7890 and 6281234567890 are one."""

import phonenumbers
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from etalase.core.errors import ValidationError


class InvalidPhoneNumber(ValidationError):
    code = "invalid_phone"
    default_message = _("Enter a valid phone number, for example 0812-3456-7890 or +62 812 3456 7890.")


def phone_normalize(raw: str, *, region: str | None = None) -> str:
    """Return ``raw`` as E.164 (``+6281234567890``) or raise :class:`InvalidPhoneNumber`."""
    text = (raw or "").strip()
    if not text or len(text) > 32:
        raise InvalidPhoneNumber()
    region = region or settings.PHONE_REGION
    digits = "".join(ch for ch in text if ch.isdigit())
    # "62812..." typed without the plus sign is an international number, not a local one.
    if not text.startswith(("+", "0")) and digits.startswith("62") and region == "ID":
        text = "+" + digits
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber() from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber()
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_display(e164: str) -> str:
    """An E.164 number in international format for people: +62 812-3456-7890."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def looks_like_phone(identifier: str) -> bool:
    text = identifier.strip()
    return "@" not in text and sum(ch.isdigit() for ch in text) >= 6
