"""One-time codes: six digits sent by SMS or email, to verify an identifier or to reset a password.

The rules every code keeps, whatever it is for:

- it lives ``CODE_LIFETIME`` and is used once; a newer code of the same purpose replaces it;
- ``CODE_TRIES`` wrong guesses and it is dead (the answer stays "not correct or expired");
- only a keyed digest is stored (a leaked table does not give the codes away);
- sending is limited per destination (a wait between codes, a cap per hour) and per client address;
  wrong guesses are limited per client address, across accounts.

The limits are counted in the cache by destination and address, never by account row, so asking for
a code for an identifier nobody uses costs and answers exactly the same as for one in use.
"""

import secrets
from datetime import timedelta

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from etalase.accounts.enums import CodeChannel
from etalase.accounts.models import OneTimeCode, User
from etalase.accounts.sms import sms_send
from etalase.accounts.throttle import hit_note, hits_wait
from etalase.core.errors import DomainError, Throttled

CODE_LIFETIME = timedelta(minutes=10)
CODE_TRIES = 5
RESEND_WAIT_SECONDS = 60
SENDS_PER_DESTINATION_PER_HOUR = 5
SENDS_PER_ADDRESS_PER_HOUR = 20
WRONG_CODES_PER_ADDRESS = 20  # per WRONG_CODES_WINDOW, whichever accounts they were for
WRONG_CODES_WINDOW = 15 * 60
HOUR = 3600


class InvalidCode(DomainError):
    code = "invalid_code"
    status = 400
    default_message = gettext_lazy("The code is not correct or has expired. Ask for a new code.")


def _digest(*, user_id: int, purpose: str, destination: str, code: str) -> str:
    value = f"{user_id}:{purpose}:{destination}:{code}"
    return salted_hmac("etalase.accounts.codes", value, algorithm="sha256").hexdigest()


def _wait_error(wait: int) -> Throttled:
    return Throttled(
        ngettext(
            "Please wait %(count)d second before asking for another code.",
            "Please wait %(count)d seconds before asking for another code.",
            wait,
        )
        % {"count": wait}
    )


def code_send_check(*, purpose: str, destination: str, address: str) -> None:
    """Refuse (``Throttled``, saying how long to wait) when one more code may not go out now."""
    waits = (
        hits_wait(f"code-resend:{purpose}", destination, limit=1, window=RESEND_WAIT_SECONDS),
        hits_wait("code-destination", destination, limit=SENDS_PER_DESTINATION_PER_HOUR, window=HOUR),
        hits_wait("code-address", address, limit=SENDS_PER_ADDRESS_PER_HOUR, window=HOUR),
    )
    if max(waits):
        raise _wait_error(max(waits))


def code_send_note(*, purpose: str, destination: str, address: str) -> None:
    hit_note(f"code-resend:{purpose}", destination, window=RESEND_WAIT_SECONDS)
    hit_note("code-destination", destination, window=HOUR)
    hit_note("code-address", address, window=HOUR)


def resend_wait_seconds(*, purpose: str, destination: str) -> int:
    """Seconds until another code may be asked for ``destination`` (for the page's countdown)."""
    return hits_wait(f"code-resend:{purpose}", destination, limit=1, window=RESEND_WAIT_SECONDS)


def code_issue(*, user: User, purpose: str, channel: str) -> str:
    """Store a new code for ``user`` (replacing any unused one of the same purpose) and send it."""
    destination = user.phone if channel == CodeChannel.PHONE else user.email
    if not destination:
        raise ValueError(f"{user!r} has no {channel} to send a code to")
    code = f"{secrets.randbelow(1_000_000):06d}"
    now = timezone.now()
    with transaction.atomic():
        OneTimeCode.objects.filter(user=user, created_at__lt=now - timedelta(days=1)).delete()
        OneTimeCode.objects.filter(user=user, purpose=purpose, used_at__isnull=True).update(used_at=now)
        OneTimeCode.objects.create(
            user=user,
            purpose=purpose,
            channel=channel,
            destination=destination,
            digest=_digest(user_id=user.pk, purpose=purpose, destination=destination, code=code),
            created_at=now,
            expires_at=now + CODE_LIFETIME,
        )
    _deliver(user=user, channel=channel, destination=destination, code=code)
    return destination


def _deliver(*, user: User, channel: str, destination: str, code: str) -> None:
    minutes = int(CODE_LIFETIME.total_seconds() // 60)
    with translation.override(user.language):
        text = _(
            "Your Etalase code is %(code)s. It expires in %(minutes)d minutes. Never share it with anyone, "
            "not even someone who says they are from Etalase."
        ) % {"code": code, "minutes": minutes}
        if channel == CodeChannel.PHONE:
            sms_send(phone=destination, text=text)
        else:
            send_mail(_("Your Etalase code: %(code)s") % {"code": code}, text, None, [destination])


def code_check_allowed(*, address: str) -> None:
    """Refuse more guesses from an address that has made too many wrong ones lately."""
    wait = hits_wait("code-wrong", address, limit=WRONG_CODES_PER_ADDRESS, window=WRONG_CODES_WINDOW)
    if wait:
        minutes = (wait + 59) // 60
        raise Throttled(
            ngettext(
                "Too many wrong codes. Try again in %(minutes)d minute.",
                "Too many wrong codes. Try again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes}
        )


def code_wrong_note(*, address: str) -> None:
    hit_note("code-wrong", address, window=WRONG_CODES_WINDOW)


def code_consume(*, user: User, purpose: str, code: str) -> OneTimeCode | None:
    """Use ``user``'s current code of ``purpose`` if ``code`` is it; count a wrong guess otherwise.

    Returns the used code, or ``None`` (wrong, expired, used up, or none). Commits on its own: a wrong
    guess stays counted even when the caller then raises.
    """
    code = code.strip().replace(" ", "")
    now = timezone.now()
    with transaction.atomic():
        current = (
            OneTimeCode.objects.select_for_update()
            .filter(user=user, purpose=purpose, used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at")
            .first()
        )
        if current is None or current.attempts >= CODE_TRIES:
            return None
        expected = _digest(user_id=user.pk, purpose=purpose, destination=current.destination, code=code)
        if not (len(code) == 6 and code.isdigit() and constant_time_compare(expected, current.digest)):
            current.attempts += 1
            current.save(update_fields=["attempts"])
            return None
        current.used_at = now
        current.save(update_fields=["used_at"])
    return current
