"""The visit buffer: a page view is noted in memory-cheap storage and written to the spine in batches.

A storefront or product page must not wait for a database write (and, on SQLite, for the one
writer lock) on every visit. ``visit_note`` appends one line describing the view; ``visits_flush``
(the ``visits_flush`` command, on the worker's schedule) turns the buffered lines into exactly the
activity rows a direct write would have made, through ``activity_record_many``.

Where the lines wait:

- **Redis** (when ``REDIS_URL`` is set): one list. Pages ``LPUSH``; a flush reads the oldest lines
  (``LRANGE`` from the tail), writes them, then drops exactly as many from the tail (``LTRIM``), so
  lines pushed meanwhile stay. One flush at a time (a lock key with an expiry).
- **Spool files** (no Redis: the embedded SQLite set-up): each web process appends to its own file
  under ``<data dir>/visits/`` with one ``write`` per line (``O_APPEND``), so a line is in the kernel
  once the page is answered and survives the process being killed. A flush *claims* a file by renaming
  it under an exclusive ``flock``; a writer takes the same lock for each line and, once it holds it,
  checks that its file is still the one at its path (else it opens a new one), so no line lands in a
  file after it was claimed. Claimed files are deleted only after their rows are committed.

Crash safety: a flush killed anywhere leaves its lines in place (the Redis list's tail, or the
claimed files), and the next flush writes them again. Every view carries its idempotency key
``view:<verb>:<target>:<visitor>:<hour>``, so rows already written are skipped and not processed
twice. Within a flush, lines are written oldest first, so the first view of an hour is the one kept,
as with direct writes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType

from etalase.accounts.models import User
from etalase.activity.bulk import activity_record_many
from etalase.activity.enums import Channel
from etalase.catalog.enums import Verb
from etalase.catalog.models import Product
from etalase.directory.models import Business

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
"""Lines written to the spine per transaction."""
GROUP_LINES = 50_000
"""Lines read from spool files before writing them (memory stays bounded after a long outage)."""
REDIS_KEY = "etalase:visits"
REDIS_LOCK_SECONDS = 60
SPOOL_SUFFIX = ".spool"
CLAIMED_SUFFIX = ".claimed"
ENTRY_VERSION = 1


# --- one line ------------------------------------------------------------------------------------


def visit_entry(
    *,
    verb: str,
    business_id: int,
    product_id: int | None,
    actor_id: int | None,
    visitor: str,
    occurred_at: dt.datetime,
    idempotency_key: str,
) -> str:
    """The buffered line for one view: JSON, with the request's time (the row's ``occurred_at``)."""
    return json.dumps(
        {
            "v": ENTRY_VERSION,
            "verb": verb,
            "business": business_id,
            "product": product_id,
            "actor": actor_id,
            "visitor": visitor,
            "at": occurred_at.isoformat(),
            "key": idempotency_key,
        },
        separators=(",", ":"),
    )


def _entry_parse(line: str | bytes) -> dict[str, Any] | None:
    try:
        entry = json.loads(line)
        if entry.get("v") != ENTRY_VERSION or entry["verb"] not in (Verb.VIEWED_BUSINESS, Verb.VIEWED_PRODUCT):
            raise ValueError("unknown entry")
        occurred_at = dt.datetime.fromisoformat(entry["at"])
        if occurred_at.tzinfo is None:
            raise ValueError("a naive time")
        return {
            "verb": entry["verb"],
            "business": int(entry["business"]),
            "product": int(entry["product"]) if entry.get("product") is not None else None,
            "actor": int(entry["actor"]) if entry.get("actor") is not None else None,
            "visitor": str(entry["visitor"]),
            "at": occurred_at,
            "key": str(entry["key"]),
        }
    except (ValueError, KeyError, TypeError, AttributeError):
        logger.warning("Skipped a malformed buffered visit: %.200r", line)
        return None


def _activity_rows(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The activity rows for ``entries`` as ``catalog.services.view_record`` describes them, in their order.

    A shop deleted since the visit is skipped (its rows went with it); an account deleted since is
    left out of the row, as deleting it would have done to a row written at once.
    """
    if not entries:
        return []
    businesses = set(
        Business.objects.filter(pk__in={entry["business"] for entry in entries}).values_list("pk", flat=True)
    )
    actor_ids = {entry["actor"] for entry in entries if entry["actor"]}
    actors = set(User.objects.filter(pk__in=actor_ids).values_list("pk", flat=True)) if actor_ids else set()
    product_type = ContentType.objects.get_for_model(Product).pk
    business_type = ContentType.objects.get_for_model(Business).pk
    rows = []
    for entry in entries:
        if entry["business"] not in businesses:
            continue
        is_product = entry["verb"] == Verb.VIEWED_PRODUCT
        rows.append(
            {
                "verb": entry["verb"],
                "business_id": entry["business"],
                "actor_id": entry["actor"] if entry["actor"] in actors else None,
                "target_type_id": product_type if is_product else business_type,
                "target_id": str(entry["product"] if is_product else entry["business"]),
                "data": {"visitor": entry["visitor"]},
                "channel": Channel.WEB,
                "occurred_at": entry["at"],
                "idempotency_key": entry["key"],
            }
        )
    return rows


def _write(lines: list[bytes], batch_size: int) -> int:
    """Write the views of ``lines``, oldest first, ``batch_size`` rows per transaction."""
    entries = sorted(
        (entry for line in lines if (entry := _entry_parse(line)) is not None), key=lambda entry: entry["at"]
    )
    return sum(
        activity_record_many(_activity_rows(entries[start : start + batch_size]))
        for start in range(0, len(entries), batch_size)
    )


# --- where lines wait ----------------------------------------------------------------------------


def _redis_url() -> str:
    return str(getattr(settings, "REDIS_URL", "") or "")


def _redis_key() -> str:
    return str(getattr(settings, "VISITS_REDIS_KEY", REDIS_KEY))


_redis_clients: dict[str, Any] = {}


def _redis() -> Any:
    url = _redis_url()
    client = _redis_clients.get(url)
    if client is None:
        import redis

        client = _redis_clients[url] = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    return client


def spool_directory() -> Path:
    return Path(getattr(settings, "VISITS_SPOOL_DIR", Path(settings.DATA_DIR) / "visits"))


class _Spool:
    """This process's spool file, reopened when a flush has claimed it or after a fork."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.fd: int | None = None
        self.path: Path | None = None
        self.pid = 0

    def _close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
        self.fd = None

    def _open(self, directory: Path) -> int:
        path = directory / f"{socket.gethostname()}-{os.getpid()}{SPOOL_SUFFIX}"
        if self.fd is None or self.pid != os.getpid() or self.path != path:
            if self.pid == os.getpid():
                self._close()
            directory.mkdir(parents=True, exist_ok=True)
            self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            self.path, self.pid = path, os.getpid()
        return self.fd

    def _is_current(self, fd: int) -> bool:
        if self.path is None:
            return False
        try:
            at_path = os.stat(self.path)
        except FileNotFoundError:
            return False
        mine = os.fstat(fd)
        return (mine.st_dev, mine.st_ino) == (at_path.st_dev, at_path.st_ino)

    def append(self, line: str) -> None:
        data = (line + "\n").encode()
        directory = spool_directory()
        with self.lock:
            for _attempt in range(3):
                fd = self._open(directory)
                fcntl.flock(fd, fcntl.LOCK_EX)
                try:
                    if self._is_current(fd):
                        os.write(fd, data)
                        return
                finally:
                    fcntl.flock(fd, fcntl.LOCK_UN)
                self._close()  # claimed by a flush: start a new file
        raise OSError("the visit spool file keeps being claimed")


_spool = _Spool()


def visit_note(line: str) -> bool:
    """Buffer one visit line; False (and a log line) when the buffer cannot take it.

    Never raises for a storage problem: counting a visit must not cost the customer the page.
    """
    try:
        if _redis_url():
            _redis().lpush(_redis_key(), line)
        else:
            _spool.append(line)
    except Exception:
        logger.exception("Could not buffer a visit")
        return False
    return True


# --- flushing ------------------------------------------------------------------------------------


def _redis_flush(batch_size: int) -> int:
    client = _redis()
    key = _redis_key()
    lock_key, token = f"{key}:flush-lock", uuid.uuid4().hex
    if not client.set(lock_key, token, nx=True, ex=REDIS_LOCK_SECONDS):
        return 0  # another flush is running
    written = 0
    try:
        while True:
            lines = client.lrange(key, -batch_size, -1)
            if not lines:
                break
            lines.reverse()  # LPUSH puts the newest first
            written += _write(lines, batch_size)
            # Drop exactly the lines just written from the tail; lines pushed meanwhile are at the head.
            client.ltrim(key, 0, -len(lines) - 1)
            client.expire(lock_key, REDIS_LOCK_SECONDS)
    finally:
        if client.get(lock_key) == token.encode():
            client.delete(lock_key)
    return written


@contextlib.contextmanager
def _flush_lock(directory: Path) -> Iterator[bool]:
    directory.mkdir(parents=True, exist_ok=True)
    fd = os.open(directory / ".flush.lock", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


def _claim(path: Path) -> Path | None:
    """Rename a spool file out of its writer's way, under the lock writers take for each line."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            at_path = os.stat(path)
        except FileNotFoundError:
            return None
        mine = os.fstat(fd)
        if (mine.st_dev, mine.st_ino) != (at_path.st_dev, at_path.st_ino) or mine.st_size == 0:
            return None
        claimed = path.with_name(f"{time.time_ns():020d}-{path.stem}{CLAIMED_SUFFIX}")
        os.rename(path, claimed)
        return claimed
    finally:
        os.close(fd)


def _spool_flush(batch_size: int) -> int:
    directory = spool_directory()
    with _flush_lock(directory) as mine:
        if not mine:
            return 0  # another flush is running
        for path in sorted(directory.glob(f"*{SPOOL_SUFFIX}")):
            _claim(path)
        written = 0
        # Claimed files left by a flush that died are written again with the new ones (keys dedupe).
        # Files are read in groups of about GROUP_LINES lines, sorted by time within a group.
        group: list[Path] = []
        lines: list[bytes] = []
        claimed = sorted(directory.glob(f"*{CLAIMED_SUFFIX}"))
        for index, path in enumerate(claimed):
            group.append(path)
            lines.extend(line for line in path.read_bytes().splitlines() if line.strip())
            if len(lines) >= GROUP_LINES or index == len(claimed) - 1:
                written += _write(lines, batch_size)
                for done in group:
                    done.unlink()
                group, lines = [], []
        return written


def visits_flush(*, batch_size: int = BATCH_SIZE) -> int:
    """Write every buffered visit to the spine; returns how many activity rows are new.

    Safe to run at any time and to interrupt: see the module's notes on crash safety.
    """
    if _redis_url():
        return _redis_flush(batch_size)
    return _spool_flush(batch_size)


def visits_pending() -> int:
    """How many lines wait in the buffer (for the command's report and tests)."""
    if _redis_url():
        return int(_redis().llen(_redis_key()))
    directory = spool_directory()
    if not directory.exists():
        return 0
    return sum(
        path.read_bytes().count(b"\n")
        for path in (*directory.glob(f"*{SPOOL_SUFFIX}"), *directory.glob(f"*{CLAIMED_SUFFIX}"))
    )
