"""An anonymous, stable key for a browser, so views can be counted per visitor without personal data.

The browser keeps a random id in the long-lived ``etalase_visitor`` cookie (HttpOnly, SameSite=Lax).
What the app stores is never that id but an HMAC of it under ``SECRET_KEY``, so a leaked table of
visits cannot be matched back to a cookie. The IP address is never read.

Usage in a view::

    key = visitor_key(request)
    ...
    response = render(...)
    visitor_key_ensure(request, response)
"""

import hashlib
import hmac
import re
import secrets

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

COOKIE_NAME = "etalase_visitor"
COOKIE_MAX_AGE = 2 * 365 * 24 * 3600
KEY_LENGTH = 32
_VALID_ID = re.compile(r"^[A-Za-z0-9_-]{22,64}$")
_NEW_ID_ATTRIBUTE = "_etalase_visitor_new_id"


def _cookie_id(request: HttpRequest) -> str | None:
    value = request.COOKIES.get(COOKIE_NAME, "")
    return value if _VALID_ID.match(value) else None


def _visitor_id(request: HttpRequest) -> str:
    """The browser's id: from its cookie, or a new one kept on the request until the response sets it."""
    existing = _cookie_id(request)
    if existing:
        return existing
    new_id: str | None = getattr(request, _NEW_ID_ATTRIBUTE, None)
    if new_id is None:
        new_id = secrets.token_urlsafe(24)
        setattr(request, _NEW_ID_ATTRIBUTE, new_id)
    return new_id


def visitor_key(request: HttpRequest) -> str:
    """32 hex characters identifying this browser, the same on every visit while the cookie lives."""
    digest = hmac.new(settings.SECRET_KEY.encode(), b"etalase.visitor:" + _visitor_id(request).encode(), hashlib.sha256)
    return digest.hexdigest()[:KEY_LENGTH]


def visitor_key_ensure(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    """Set the visitor cookie on ``response`` when the browser does not carry a valid one yet."""
    if _cookie_id(request) is None:
        response.set_cookie(
            COOKIE_NAME,
            _visitor_id(request),
            max_age=COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure() or bool(getattr(settings, "SESSION_COOKIE_SECURE", False)),
        )
    return response
