"""The client's address, as far as it can be believed.

A request's direct peer is ``REMOTE_ADDR``. Behind a reverse proxy that peer is the proxy, and the
client is named in ``X-Forwarded-For``, a header anyone can also send themselves. The header is
believed only when the peer is one of ``settings.FORWARDED_ALLOW_IPS`` (addresses or networks; ``*``
believes every peer, which is only safe when nothing but the proxy can reach the server). Each
trusted proxy appends the address it received the request from, so the list is read from the right:
the first address that is not a trusted proxy is the client. Whatever a client wrote further left is
ignored.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

type Address = ipaddress.IPv4Address | ipaddress.IPv6Address
type Network = ipaddress.IPv4Network | ipaddress.IPv6Network

UNKNOWN = "unknown"


@lru_cache(maxsize=8)
def _trusted(allowed: tuple[str, ...]) -> tuple[bool, tuple[Network, ...]]:
    """(every peer trusted, the trusted networks) from the setting's items; bad items are skipped."""
    networks: list[Network] = []
    for item in allowed:
        if item == "*":
            return True, ()
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            continue
    return False, tuple(networks)


def _parse(text: str) -> Address | None:
    """An address from a header item: ``1.2.3.4``, ``1.2.3.4:5678``, ``::1`` or ``[::1]:80``."""
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _is_trusted(address: Address, trusted: tuple[bool, tuple[Network, ...]]) -> bool:
    everyone, networks = trusted
    return everyone or any(address.version == network.version and address in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """The client's address: the peer, or the right-most untrusted hop when the peer is a trusted proxy."""
    peer_text = request.META.get("REMOTE_ADDR") or ""
    peer = _parse(peer_text)
    if peer is None:
        return peer_text.strip() or UNKNOWN
    trusted = _trusted(tuple(getattr(settings, "FORWARDED_ALLOW_IPS", ["127.0.0.1"])))
    if not _is_trusted(peer, trusted):
        return str(peer)
    client = peer
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:  # not written by a proxy we trust: stop at the last hop we could read
            break
        client = address
        if not _is_trusted(address, trusted):
            break
    return str(client)
