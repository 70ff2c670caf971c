"""Web push: VAPID keys from settings, strict validation of a browser's subscription, delivery.

The server POSTs to whatever endpoint a browser hands over, so endpoints are checked strictly:
HTTPS only, a real host name (no address literals, no localhost, no credentials, default port),
bounded length. Tests and local experiments may allow plain-HTTP loopback endpoints with
``WEB_PUSH_ALLOW_LOCAL_ENDPOINTS = True``.
"""

import base64
import binascii
import ipaddress
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from etalase.core.errors import ValidationError

logger = logging.getLogger(__name__)

ENDPOINT_MAX_LENGTH = 500
P256DH_LENGTH = 65  # an uncompressed P-256 point: 0x04 || X || Y
AUTH_LENGTH = 16
PUSH_TIMEOUT_SECONDS = 10
PUSH_TTL_SECONDS = 24 * 3600
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")


@dataclass(frozen=True)
class VapidConfig:
    public_key: str
    private_key: str
    subject: str

    @property
    def is_configured(self) -> bool:
        return bool(self.public_key and self.private_key and self.subject)


def vapid_config() -> VapidConfig:
    return VapidConfig(
        public_key=str(getattr(settings, "VAPID_PUBLIC_KEY", "") or ""),
        private_key=str(getattr(settings, "VAPID_PRIVATE_KEY", "") or ""),
        subject=str(getattr(settings, "VAPID_SUBJECT", "") or ""),
    )


def vapid_file_read(path: Path) -> dict[str, str]:
    """The development key file written by ``etalase vapid_keys --write`` ({} when absent or unreadable)."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return {key: str(value) for key, value in data.items() if isinstance(data, dict) and isinstance(value, str)}


def _decode(value: str) -> bytes | None:
    if not value or len(value) > 200 or not _BASE64URL.match(value):
        return None
    try:
        return base64.urlsafe_b64decode(value.rstrip("=") + "=" * (-len(value.rstrip("=")) % 4))
    except (binascii.Error, ValueError):
        return None


def _endpoint_problem(endpoint: str) -> str | None:
    if not endpoint or len(endpoint) > ENDPOINT_MAX_LENGTH or any(ch.isspace() for ch in endpoint):
        return "length"
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        return "malformed"
    host = (parts.hostname or "").lower()
    if not host or parts.username or parts.password or parts.fragment:
        return "malformed"
    allow_local = bool(getattr(settings, "WEB_PUSH_ALLOW_LOCAL_ENDPOINTS", False))
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if allow_local and parts.scheme in {"http", "https"} and (host == "localhost" or (address and address.is_loopback)):
        return None
    if parts.scheme != "https":
        return "scheme"
    if address is not None or host == "localhost" or "." not in host or port not in (None, 443):
        return "host"
    return None


def subscription_clean(*, endpoint: Any, p256dh: Any, auth: Any) -> tuple[str, str, str]:
    """The subscription's three parts, checked; :class:`ValidationError` naming each bad field."""
    fields: dict[str, Any] = {}
    endpoint = endpoint.strip() if isinstance(endpoint, str) else ""
    if _endpoint_problem(endpoint):
        fields["endpoint"] = _("Give the push service's https address (at most 500 characters).")
    p256dh = p256dh.strip() if isinstance(p256dh, str) else ""
    key = _decode(p256dh)
    if key is None or len(key) != P256DH_LENGTH or key[0] != 4:
        fields["keys.p256dh"] = _("Give the browser's p256dh key: 65 bytes in base64url.")
    auth = auth.strip() if isinstance(auth, str) else ""
    secret = _decode(auth)
    if secret is None or len(secret) != AUTH_LENGTH:
        fields["keys.auth"] = _("Give the browser's auth secret: 16 bytes in base64url.")
    if fields:
        raise ValidationError(_("This push subscription is not valid."), fields=fields)
    return endpoint, p256dh, auth


@dataclass(frozen=True)
class PushResult:
    delivered: bool
    gone: bool = False  # 404/410: the browser unsubscribed or the subscription expired
    status: int | None = None


def push_send(*, endpoint: str, p256dh: str, auth: str, payload: dict[str, Any], config: VapidConfig) -> PushResult:
    """Encrypt ``payload`` (aes128gcm) and POST it to the push service with a VAPID signature."""
    import requests
    from pywebpush import WebPushException, webpush

    claims: dict[str, str | int] = {"sub": config.subject}
    try:
        response = webpush(
            subscription_info={"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}},
            data=json.dumps(payload, ensure_ascii=False),
            vapid_private_key=config.private_key,
            vapid_claims=claims,
            ttl=PUSH_TTL_SECONDS,
            timeout=PUSH_TIMEOUT_SECONDS,
            headers={"Urgency": "high" if payload.get("priority") == "high" else "normal"},
        )
    except WebPushException as exc:
        status = exc.response.status_code if exc.response is not None else None
        return PushResult(delivered=False, gone=status in (404, 410), status=status)
    except (requests.RequestException, ValueError, TypeError) as exc:
        logger.warning("Web push to %s failed: %s", endpoint[:60], exc)
        return PushResult(delivered=False)
    return PushResult(delivered=True, status=getattr(response, "status_code", None))
