"""API authentication: a personal token (``Authorization: Bearer etl_…``) or the browser session.

Session-authenticated writes must carry the CSRF token; token-authenticated calls need none.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth

from etalase.accounts.models import User
from etalase.accounts.services import api_token_authenticate
from etalase.accounts.verification import VerificationRequired


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


def redirect_to_verification(request: HttpRequest) -> HttpResponse:
    """Send a signed-in but unverified person to the verification page, and back here afterwards."""
    messages.info(request, str(VerificationRequired.default_message))
    return redirect(f"{reverse('accounts:verify')}?{urlencode({'next': request.get_full_path()})}")


def verified_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page only a verified account may use (after ``login_required``): others verify first."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = page_user_optional(request)
        if user is not None and not user.is_verified:
            return redirect_to_verification(request)
        return view(request, *args, **kwargs)

    return wrapper
