"""Forgotten passwords: a one-time code to the account's phone number or email address, then a new
password.

Nobody learns from these answers whether an account exists: asking for a code answers the same
either way (and is limited the same way, by the identifier and the client's address), and a wrong
code for an unknown identifier reads like any other wrong code.
"""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from etalase.accounts.codes import (
    InvalidCode,
    code_check_allowed,
    code_consume,
    code_issue,
    code_send_check,
    code_send_note,
    code_wrong_note,
)
from etalase.accounts.enums import CodeChannel, CodePurpose, Verb
from etalase.accounts.models import User
from etalase.accounts.selectors import identifier_normalize, user_get_by_identifier
from etalase.accounts.verification import identifier_verified_mark
from etalase.activity.enums import Channel
from etalase.activity.services import activity_record
from etalase.core.errors import ValidationError
from etalase.core.phones import InvalidPhoneNumber


def _identifier_clean(identifier: str) -> tuple[str, str]:
    """``("phone", "+62…")`` or ``("email", "a@b.c")``; a clear error for what is neither."""
    message = _("Enter your phone number or email address.")
    try:
        kind, value = identifier_normalize(identifier)
    except InvalidPhoneNumber as exc:
        raise ValidationError(exc.message, code="invalid_identifier", fields={"identifier": exc.message}) from exc
    if not value or (kind == "email" and "@" not in value) or len(value) > 254:
        raise ValidationError(message, code="invalid_identifier", fields={"identifier": message})
    return kind, value


def password_reset_request(*, identifier: str, address: str) -> str:
    """Send a reset code to ``identifier`` if an account uses it. Returns the cleaned identifier."""
    kind, value = _identifier_clean(identifier)
    code_send_check(purpose=CodePurpose.PASSWORD_RESET, destination=value, address=address)
    code_send_note(purpose=CodePurpose.PASSWORD_RESET, destination=value, address=address)
    user = user_get_by_identifier(identifier=value)
    if user is not None and user.is_active:
        channel = CodeChannel.PHONE if kind == "phone" else CodeChannel.EMAIL
        code_issue(user=user, purpose=CodePurpose.PASSWORD_RESET, channel=channel)
    return value


def password_reset_confirm(
    *, identifier: str, code: str, password: str, address: str, channel: str = Channel.WEB
) -> User:
    """Set a new password with the code sent to ``identifier``; the code also proves the identifier."""
    kind, value = _identifier_clean(identifier)
    code_check_allowed(address=address)
    # Judged against the identifier typed, not the account, so the answer is the same without one.
    candidate = User(phone=value) if kind == "phone" else User(email=value)
    try:
        validate_password(password, user=candidate)
    except DjangoValidationError as exc:
        message = " ".join(str(text) for text in exc.messages)
        raise ValidationError(message, code="invalid_password", fields={"password": message}) from exc
    user = user_get_by_identifier(identifier=value)
    used = None
    if user is not None and user.is_active:
        used = code_consume(user=user, purpose=CodePurpose.PASSWORD_RESET, code=code)
    if user is None or used is None:
        code_wrong_note(address=address)
        raise InvalidCode(fields={"code": InvalidCode.default_message})
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        activity_record(verb=Verb.PASSWORD_RESET, actor=user, target=user, channel=channel)
        identifier_verified_mark(user=user, kind=used.channel, destination=used.destination, channel=channel)
    user.refresh_from_db()
    return user
