"""API authentication: a personal token (``Authorization: Bearer etl_…``) or the browser session.

Session-authenticated writes must carry the CSRF token; token-authenticated calls need none.
"""

from typing import Any

from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth

from etalase.accounts.models import User
from etalase.accounts.services import api_token_authenticate


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(secret=token)
        if user is not None:
            request.user = user
        return user


api_auth = [TokenAuth(), SessionAuth()]


def api_user(request: HttpRequest) -> User:
    """The account an authenticated API operation acts for (set by ``api_auth``)."""
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        raise AuthenticationError()
    return user


def api_user_optional(request: HttpRequest) -> User | None:
    """The account behind an operation whose authentication is optional, or ``None``."""
    user = getattr(request, "auth", None)
    return user if isinstance(user, User) else None


def page_user(request: HttpRequest) -> User:
    """The signed-in account a page acts for (behind ``login_required``, ``business_view`` or a check)."""
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        raise RuntimeError("page_user() needs a signed-in user; check request.user.is_authenticated first.")
    return user


def page_user_optional(request: HttpRequest) -> User | None:
    """The signed-in account behind a page anyone may use, or ``None`` for a visitor."""
    user = getattr(request, "user", None)
    return user if isinstance(user, User) else None
