"""Login throttling, and the counters one-time codes are limited by, kept in the cache (Redis when
configured).

Three lists of recent failures (their times), each under a digest key; nothing raw is stored:

- per client address: many accounts tried from one place hold that place back;
- per account *and* address: one account guessed from one place holds that pair back;
- per account, from everywhere: many places guessing one account only slow down, by a short delay
  that grows with the failures and never exceeds ``account_delay_max_seconds``, and only for
  addresses that have failed recently. A clean address is never held back, so knowing a shop's
  phone number is not enough to lock its owner out.

IPv6 clients are counted per /64 network, the block one subscriber usually holds.
"""

import hashlib
import ipaddress
import math
import time

from django.conf import settings
from django.core.cache import cache

_KEPT = 100  # failures remembered per list; more add nothing to any limit


def _config() -> tuple[int, int, int, int]:
    """Window, failures per (account, address), failures per address, longest account-wide delay."""
    config = settings.LOGIN_THROTTLE
    return (
        int(config.get("window_seconds", 900)),
        int(config.get("per_account", 5)),
        int(config.get("per_ip", 20)),
        int(config.get("account_delay_max_seconds", 5)),
    )


def address_key(address: str) -> str:
    """The part of a client address that counts: the address, or the /64 network for IPv6."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)


def _key(kind: str, *values: str) -> str:
    text = "\x1f".join(values)
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{kind}:{text}".encode()).hexdigest()[:32]
    return f"throttle:{kind}:{digest}"


def _keys(account: str, address: str) -> dict[str, str]:
    account = account.strip().lower()
    where = address_key(address)
    return {"ip": _key("ip", where), "pair": _key("pair", account, where), "account": _key("account", account)}


def _recent(key: str, now: float, window: int) -> list[float]:
    return [moment for moment in cache.get(key, []) if moment > now - window]


def _wait_for_limit(failures: list[float], limit: int, window: int, now: float) -> float:
    """Until the oldest of the last ``limit`` failures leaves the window, once there are ``limit``."""
    if limit <= 0 or len(failures) < limit:
        return 0.0
    return failures[-limit] + window - now


def login_wait_seconds(*, account: str, address: str) -> int:
    """Seconds until ``address`` may try ``account`` again; 0 when the attempt may go ahead."""
    window, per_pair, per_ip, delay_max = _config()
    now = time.time()
    keys = _keys(account, address)
    from_address = _recent(keys["ip"], now, window)
    waits = [
        _wait_for_limit(from_address, per_ip, window, now),
        _wait_for_limit(_recent(keys["pair"], now, window), per_pair, window, now),
    ]
    account_failures = _recent(keys["account"], now, window)
    if from_address and len(account_failures) >= per_pair:
        # Many places guessing one account: a growing delay after its latest failure, capped.
        delay = min(delay_max, 2 ** min(len(account_failures) - per_pair, 16))
        waits.append(account_failures[-1] + delay - now)
    return max(0, math.ceil(max(waits)))


def login_failure_note(*, account: str, address: str) -> None:
    window, *_limits = _config()
    now = time.time()
    for key in _keys(account, address).values():
        failures = _recent(key, now, window)[-(_KEPT - 1) :]
        failures.append(now)
        cache.set(key, failures, timeout=window)


def login_success_note(*, account: str, address: str) -> None:
    """The right password: forget this pair's failures. The address's count and the account-wide
    count stay, so an owner logging in does not hand a guesser elsewhere a fresh start."""
    cache.delete(_keys(account, address)["pair"])


def hits_wait(kind: str, value: str, *, limit: int, window: int) -> int:
    """Seconds until one more ``kind`` hit for ``value`` is allowed, once ``limit`` fell in ``window``."""
    now = time.time()
    return max(0, math.ceil(_wait_for_limit(_recent(_key(kind, value), now, window), limit, window, now)))


def hit_note(kind: str, value: str, *, window: int) -> None:
    now = time.time()
    key = _key(kind, value)
    hits = _recent(key, now, window)[-(_KEPT - 1) :]
    hits.append(now)
    cache.set(key, hits, timeout=window)
