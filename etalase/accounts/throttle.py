"""Login throttling per account and per client address, kept in the cache (Redis when configured).

Only digests of identifiers and addresses are used as keys; nothing raw is stored.
"""

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{kind}:{value}".encode()).hexdigest()[:32]
    return f"login-throttle:{kind}:{digest}"


def _limits() -> tuple[int, int, int]:
    config = settings.LOGIN_THROTTLE
    return config["window_seconds"], config["per_account"], config["per_ip"]


def login_wait_seconds(*, identifier: str, ip: str) -> int:
    """Seconds until another attempt is allowed; 0 when the attempt may go ahead."""
    window, per_account, per_ip = _limits()
    now = time.time()
    waits = []
    for kind, value, limit in (("account", identifier.strip().lower(), per_account), ("ip", ip, per_ip)):
        failures: list[float] = [t for t in cache.get(_key(kind, value), []) if t > now - window]
        if len(failures) >= limit:
            waits.append(math.ceil(failures[-limit] + window - now))
    return max(waits, default=0)


def login_failure_note(*, identifier: str, ip: str) -> None:
    window, _, _ = _limits()
    now = time.time()
    for kind, value in (("account", identifier.strip().lower()), ("ip", ip)):
        key = _key(kind, value)
        failures = [t for t in cache.get(key, []) if t > now - window][-100:]
        failures.append(now)
        cache.set(key, failures, timeout=window)


def login_success_note(*, identifier: str) -> None:
    cache.delete(_key("account", identifier.strip().lower()))
