"""The parts of public pages that are the same for every visitor, kept in the cache.

A storefront's header and product grid, a product's photos, price and stock, the Discover lists: a
page renders them once per language and keeps the HTML under a key naming what it shows and *when it
last changed* (the newest ``updated_at`` of the business and of its products and posts, read in the
same query as the business). Every catalog write moves a product's ``updated_at`` (stock taken or
given back by orders, reordering and photos included), and every business write moves the
business's, so an edit gets a new key: the next visitor sees it, nothing is invalidated by hand, and
each web process may keep its own cache (the in-process default) without serving another's stale copy.

Why a part is *not* cached while its newest change is younger than :data:`SETTLE`: a change stamped at
time *t* may commit a little later than another change stamped after *t*. A page read between the two
commits would see the later stamp without the earlier change, and keep that under the key that stays
current once the earlier change commits. Stamps older than any transaction's run (a few seconds) no
longer move under a reader, so from then on caching is exact; until then the part is rendered afresh.

What is not in a key (the names of business fields, edited by operators) is at most
:data:`TIMEOUT` seconds old.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.utils import timezone, translation

logger = logging.getLogger(__name__)

SETTLE = dt.timedelta(seconds=10)
TIMEOUT = 300

Parts = dict[str, str]


def changed_at(*moments: dt.datetime | None) -> dt.datetime | None:
    """The newest of ``moments`` (None when none is known)."""
    known = [moment for moment in moments if moment is not None]
    return max(known) if known else None


def parts_cached(
    name: str,
    *,
    key: Iterable[object],
    changed: dt.datetime | None,
    read_at: dt.datetime,
    render: Callable[[], Parts],
) -> Parts:
    """``render()``'s HTML parts, from the cache when they were rendered for the same ``key``, language
    and last change ``changed``; ``read_at`` is when the page began reading (before the stamps).

    HTML parts are the ``SafeString`` of ``render_to_string`` (the cache keeps the type); any other
    part is text, escaped where the page shows it. The cache is a help, never a need: when it fails,
    the parts are rendered.
    """
    if changed is None or read_at - changed < SETTLE:
        return render()
    text = repr((name, translation.get_language(), changed.isoformat(), *key))
    cache_key = f"catalog:{name}:{hashlib.sha256(text.encode()).hexdigest()[:40]}"
    try:
        parts = cache.get(cache_key)
    except Exception:
        logger.exception("Could not read the page cache")
        return render()
    if parts is None:
        parts = render()
        try:
            cache.set(cache_key, parts, TIMEOUT)
        except Exception:
            logger.exception("Could not write the page cache")
    return dict(parts)


def read_started() -> dt.datetime:
    return timezone.now()
