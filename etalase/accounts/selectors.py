from django.db.models import QuerySet
from django.utils import timezone

from etalase.accounts.models import ApiToken, OneTimeCode, User
from etalase.core.phones import InvalidPhoneNumber, looks_like_phone, phone_normalize


def identifier_normalize(identifier: str) -> tuple[str, str]:
    """Return ``("phone", "+62…")`` or ``("email", "a@b.c")``; raise for a malformed phone."""
    text = identifier.strip()
    if looks_like_phone(text):
        return "phone", phone_normalize(text)
    return "email", text.lower()


def user_get_by_identifier(*, identifier: str) -> User | None:
    try:
        kind, value = identifier_normalize(identifier)
    except InvalidPhoneNumber:
        return None
    if kind == "phone":
        return User.objects.filter(phone=value).first()
    return User.objects.filter(email__iexact=value).first()


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def code_pending(*, user: User, purpose: str) -> OneTimeCode | None:
    """The code of ``purpose`` that ``user`` may still enter, if any (latest, unused, unexpired)."""
    return (
        OneTimeCode.objects.filter(user=user, purpose=purpose, used_at__isnull=True, expires_at__gt=timezone.now())
        .order_by("-created_at")
        .first()
    )
