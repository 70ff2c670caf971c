"""Accounts: sign up, log in (throttled), language, API tokens."""

import hashlib
import secrets

from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from etalase.accounts.addresses import client_address
from etalase.accounts.enums import Language, Verb
from etalase.accounts.models import ApiToken, User
from etalase.accounts.selectors import identifier_normalize
from etalase.accounts.throttle import login_failure_note, login_success_note, login_wait_seconds
from etalase.activity.enums import Channel
from etalase.activity.services import activity_record
from etalase.core.errors import DomainError, NotFound, Throttled, ValidationError
from etalase.core.phones import phone_normalize

TOKEN_PREFIX = "etl_"  # noqa: S105 - a public marker, not a secret


class InvalidCredentials(DomainError):
    code = "invalid_credentials"
    status = 401
    default_message = _("The phone number/email or password is not correct.")


def _email_normalize(email: str) -> str:
    email = email.strip().lower()
    try:
        validate_email(email)
    except DjangoValidationError as exc:
        raise ValidationError(
            _("Enter a valid email address."),
            code="invalid_email",
            fields={"email": _("Enter a valid email address.")},
        ) from exc
    return email


@transaction.atomic
def user_signup(
    *,
    password: str,
    phone: str = "",
    email: str = "",
    name: str = "",
    language: str = Language.INDONESIAN,
    channel: str = Channel.WEB,
    verified: bool = False,
) -> User:
    """Create an account from a phone number and/or an email address and a password.

    The account starts unverified (the caller sends it a code, see ``accounts.verification``).
    ``verified`` is for callers that already know the identifiers belong to the person: the demo's
    data, benchmarks, operators.
    """
    phone = phone.strip()
    email = email.strip()
    if not phone and not email:
        raise ValidationError(
            _("Enter a phone number or an email address."),
            code="identifier_required",
            fields={"phone": _("Enter a phone number or an email address.")},
        )
    fields: dict[str, str] = {}
    phone_e164 = None
    email_clean = None
    if phone:
        try:
            phone_e164 = phone_normalize(phone)
        except ValidationError as exc:
            fields["phone"] = str(exc.message)
    if email:
        try:
            email_clean = _email_normalize(email)
        except ValidationError as exc:
            fields["email"] = str(exc.message)
    duplicate = False
    if phone_e164 and User.objects.filter(phone=phone_e164).exists():
        duplicate = True
        fields["phone"] = str(_("An account with this phone number already exists."))
    if email_clean and User.objects.filter(email__iexact=email_clean).exists():
        duplicate = True
        fields["email"] = str(_("An account with this email address already exists."))
    if language not in Language.values:
        fields["language"] = str(_("Choose Bahasa Indonesia or English."))
    candidate = User(phone=phone_e164, email=email_clean, name=name.strip()[:120])
    try:
        validate_password(password, user=candidate)
    except DjangoValidationError as exc:
        fields["password"] = " ".join(str(message) for message in exc.messages)
    if fields:
        raise ValidationError(
            _("Please correct the errors below."),
            code="duplicate" if duplicate else "invalid",
            fields=fields,
        )
    candidate.language = language
    candidate.set_password(password)
    if verified:
        candidate.phone_verified_at = timezone.now() if phone_e164 else None
        candidate.email_verified_at = timezone.now() if email_clean else None
    try:
        with transaction.atomic():
            candidate.save()
    except IntegrityError as exc:  # a concurrent sign-up with the same number or address
        raise ValidationError(
            _("An account with this phone number or email address already exists."), code="duplicate"
        ) from exc
    activity_record(
        verb=Verb.SIGNED_UP,
        actor=candidate,
        target=candidate,
        channel=channel,
        data={"phone": phone_e164 or "", "email": email_clean or ""},
    )
    return candidate


def throttled_error(wait: int) -> Throttled:
    """ "Try again in …", in seconds for a short wait and in minutes for a long one."""
    if wait < 60:
        message = ngettext(
            "Too many failed attempts. Try again in %(count)d second.",
            "Too many failed attempts. Try again in %(count)d seconds.",
            wait,
        ) % {"count": wait}
    else:
        minutes = (wait + 59) // 60
        message = ngettext(
            "Too many failed attempts. Try again in %(minutes)d minute.",
            "Too many failed attempts. Try again in %(minutes)d minutes.",
            minutes,
        ) % {"minutes": minutes}
    return Throttled(message)


def user_login_check(*, request: HttpRequest, identifier: str, password: str, channel: str = Channel.WEB) -> User:
    """Check credentials with throttling; record the login. The caller starts the session."""
    address = client_address(request)
    # One account, however its phone number is written: throttle on the normalised identifier.
    try:
        throttle_key = identifier_normalize(identifier)[1]
    except ValidationError:
        throttle_key = identifier.strip().lower()
    wait = login_wait_seconds(account=throttle_key, address=address)
    if wait:
        raise throttled_error(wait)
    user = authenticate(request, username=identifier, password=password)
    if user is None:
        login_failure_note(account=throttle_key, address=address)
        raise InvalidCredentials()
    login_success_note(account=throttle_key, address=address)
    if not isinstance(user, User):  # another backend answered; Etalase has only one
        raise InvalidCredentials()
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(last_login=timezone.now())
        activity_record(verb=Verb.LOGGED_IN, actor=user, target=user, channel=channel)
    return user


def user_set_language(*, user: User, language: str) -> User:
    if language not in Language.values:
        raise ValidationError(_("Choose Bahasa Indonesia or English."), code="invalid_language")
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user


@transaction.atomic
def user_update_profile(*, user: User, name: str) -> User:
    user.name = name.strip()[:120]
    user.save(update_fields=["name"])
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is never shown again."""
    name = name.strip()
    if not name or len(name) > 80:
        raise ValidationError(
            _("Give the token a name of at most 80 characters."),
            fields={"name": _("Give the token a name of at most 80 characters.")},
        )
    prefix = secrets.token_hex(4)
    secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(user=user, name=name, prefix=prefix, digest=_digest(secret))
    activity_record(verb=Verb.TOKEN_CREATED, actor=user, target=token, data={"name": name})
    return token, secret


@transaction.atomic
def api_token_revoke(*, user: User, token_id: int) -> ApiToken:
    token = ApiToken.objects.select_for_update().filter(user=user, pk=token_id).first()
    if token is None:
        raise NotFound()
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        activity_record(verb=Verb.TOKEN_REVOKED, actor=user, target=token, data={"name": token.name})
    return token


def api_token_authenticate(*, secret: str) -> User | None:
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(digest=_digest(secret), revoked_at__isnull=True).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
