"""Verifying a phone number or email address with a one-time code.

Anyone can sign up with any number, so an account proves its number (or address) before it may
join a team or act for a shop: sign-up sends a code, the account stays unverified until the code is
entered. Verifying records ``phone_verified``/``email_verified``; the directory reacts by accepting
the invitations waiting for that number or address.
"""

from django.db import transaction
from django.utils import timezone
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
from etalase.activity.enums import Channel
from etalase.activity.services import activity_record
from etalase.core.errors import PermissionDenied, ValidationError


class VerificationRequired(PermissionDenied):
    code = "verification_required"
    default_message = _("Verify your phone number or email address first: we send you a code.")


def user_require_verified(user: User) -> None:
    """Raise :class:`VerificationRequired` unless ``user`` has proved a phone number or email address."""
    if not user.is_verified:
        raise VerificationRequired()


def verification_channel_choose(*, user: User, channel: str = "") -> str:
    """The channel to send a code by: ``channel`` if given, else the first one still unverified."""
    if channel:
        if channel not in CodeChannel.values:
            raise ValidationError(_("Choose phone or email."), code="invalid_channel")
        destination = user.phone if channel == CodeChannel.PHONE else user.email
        if not destination:
            if channel == CodeChannel.PHONE:
                message = _("Your account has no phone number.")
            else:
                message = _("Your account has no email address.")
            raise ValidationError(message, code="no_destination")
        if user.phone_verified if channel == CodeChannel.PHONE else user.email_verified:
            raise ValidationError(_("This is already verified."), code="already_verified")
        return channel
    if user.phone and not user.phone_verified:
        return CodeChannel.PHONE
    if user.email and not user.email_verified:
        return CodeChannel.EMAIL
    raise ValidationError(_("Your phone number and email address are already verified."), code="already_verified")


def verification_send(*, user: User, address: str, channel: str = "") -> tuple[str, str]:
    """Send a verification code; returns the channel and where it went."""
    channel = verification_channel_choose(user=user, channel=channel)
    destination = (user.phone if channel == CodeChannel.PHONE else user.email) or ""
    code_send_check(purpose=CodePurpose.VERIFY, destination=destination, address=address)
    code_issue(user=user, purpose=CodePurpose.VERIFY, channel=channel)
    code_send_note(purpose=CodePurpose.VERIFY, destination=destination, address=address)
    return channel, destination


def verification_confirm(*, user: User, code: str, address: str, channel: str = Channel.WEB) -> User:
    """Mark the number or address the latest code went to as verified, if ``code`` is that code."""
    code_check_allowed(address=address)
    used = code_consume(user=user, purpose=CodePurpose.VERIFY, code=code)
    if used is None:
        code_wrong_note(address=address)
        raise InvalidCode(fields={"code": InvalidCode.default_message})
    identifier_verified_mark(user=user, kind=used.channel, destination=used.destination, channel=channel)
    user.refresh_from_db()
    return user


@transaction.atomic
def identifier_verified_mark(*, user: User, kind: str, destination: str, channel: str = Channel.WEB) -> None:
    """Record that ``user`` controls ``destination`` (still their phone/email of that kind)."""
    phone = kind == CodeChannel.PHONE
    field = "phone_verified_at" if phone else "email_verified_at"
    lookup = {"phone": destination} if phone else {"email__iexact": destination}
    updated = User.objects.filter(pk=user.pk, **lookup, **{f"{field}__isnull": True}).update(**{field: timezone.now()})
    if updated and phone:
        activity_record(verb=Verb.PHONE_VERIFIED, actor=user, target=user, channel=channel)
    elif updated:
        activity_record(verb=Verb.EMAIL_VERIFIED, actor=user, target=user, channel=channel)
