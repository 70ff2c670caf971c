"""The live stream's engine: Server-Sent Events of one person's notifications.

On connect, everything after the client's last event id is replayed from the database; then new
rows are sent as they commit. With ``REDIS_URL`` a per-person pub/sub channel wakes the stream
(and the database is rechecked on every heartbeat, so a lost message only delays); without Redis
the stream polls the database every ``POLL_SECONDS``. Each event's ``id:`` is the notification id,
and only ids above the last one sent go out, so nothing is sent twice.
"""

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

from asgiref.sync import sync_to_async
from django.db import connection

from etalase.core.api import MAX_ID
from etalase.notifications import broadcast
from etalase.notifications.selectors import (
    notification_latest_id,
    notification_list_after,
    notification_unread_count,
)
from etalase.notifications.services import notification_payload

HEARTBEAT_SECONDS = 15.0
POLL_SECONDS = 0.2
BATCH = 100
RETRY_MILLISECONDS = 2000
SYNC_STREAM_SECONDS = 120.0
SYNC_HEARTBEAT_SECONDS = 1.0
"""Under a WSGI server (tests' live server) a stream holds a thread: it ends after this long (the
browser reconnects with its Last-Event-ID), and a heartbeat every second notices a closed browser."""


def last_event_id_parse(raw: Any) -> int | None:
    """A client's Last-Event-ID: a plain non-negative integer, clamped to ``MAX_ID``; else None."""
    if not isinstance(raw, str):
        return None
    raw = raw.strip()
    if not raw or len(raw) > 20 or not raw.isascii() or not raw.isdigit():
        return None
    return min(int(raw), MAX_ID)


def start_after(*, user_id: int, requested: int | None) -> int:
    """Where a stream starts: after the client's last id, never beyond the person's newest
    notification (a forged huge id must not silence the stream), and from now when absent."""
    latest = notification_latest_id(user_id=user_id)
    if requested is None:
        return latest
    return min(requested, latest)


def _event(payload: dict[str, Any]) -> str:
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return f"id: {payload['id']}\nevent: notification\ndata: {data}\n\n"


def _unread_event(count: int) -> str:
    return f"event: unread\ndata: {json.dumps({'unread': count})}\n\n"


def _fetch(user_id: int, after: int) -> tuple[list[dict[str, Any]], int | None]:
    rows = notification_list_after(user_id=user_id, after_id=after, limit=BATCH)
    if not rows:
        return [], None
    return [notification_payload(row) for row in rows], notification_unread_count(user_id=user_id)


def _close_connection() -> None:
    if not connection.in_atomic_block:
        connection.close()


def _chunks(user_id: int, after: int) -> tuple[list[str], int, bool]:
    """The events after ``after``, the new last id, and whether more may be waiting right away."""
    payloads, unread = _fetch(user_id, after)
    if not payloads:
        return [], after, False
    events = [_event(payload) for payload in payloads]
    if unread is not None:
        events.append(_unread_event(unread))
    return events, int(payloads[-1]["id"]), len(payloads) == BATCH


async def stream_async(*, user_id: int, after: int) -> AsyncIterator[str]:
    """The stream under an ASGI server: never ends by itself; the server cancels it on disconnect."""
    pubsub = client = None
    url = broadcast.redis_url()
    if url:
        try:
            import redis.asyncio as redis_async

            client = redis_async.Redis.from_url(url)
            pubsub = client.pubsub()
            await pubsub.subscribe(broadcast.channel_for(user_id))  # before the replay: nothing slips between
        except Exception:
            pubsub = None
    fetch = sync_to_async(_chunks)
    try:
        yield f"retry: {RETRY_MILLISECONDS}\n\n"
        yield _unread_event(await sync_to_async(notification_unread_count)(user_id=user_id))
        last = after
        beat = time.monotonic()
        while True:
            events, last, more = await fetch(user_id, last)
            for event in events:
                yield event
            if more:
                continue
            remaining = max(0.0, HEARTBEAT_SECONDS - (time.monotonic() - beat))
            if pubsub is not None:
                try:
                    await pubsub.get_message(ignore_subscribe_messages=True, timeout=remaining)
                    while await pubsub.get_message(ignore_subscribe_messages=True, timeout=0):
                        pass  # several wake-ups, one read
                except Exception:
                    pubsub = None
            else:
                await asyncio.sleep(min(POLL_SECONDS, remaining))
            if time.monotonic() - beat >= HEARTBEAT_SECONDS:
                beat = time.monotonic()
                yield ": heartbeat\n\n"
    finally:
        if pubsub is not None:
            try:
                await pubsub.aclose()  # type: ignore[no-untyped-call]  # redis leaves PubSub.aclose unannotated
                await client.aclose()  # type: ignore[union-attr]
            except Exception:  # noqa: S110 - the connection is going away anyway
                pass
        await sync_to_async(_close_connection)()


def stream_sync(*, user_id: int, after: int, lifetime: float = SYNC_STREAM_SECONDS) -> Iterator[str]:
    """The same stream under a WSGI server: polls the database and ends after ``lifetime``."""
    yield f"retry: {RETRY_MILLISECONDS // 4}\n\n"
    yield _unread_event(notification_unread_count(user_id=user_id))
    last = after
    started = beat = time.monotonic()
    while time.monotonic() - started < lifetime:
        events, last, more = _chunks(user_id, last)
        yield from events
        if more:
            continue
        time.sleep(POLL_SECONDS)
        if time.monotonic() - beat >= SYNC_HEARTBEAT_SECONDS:
            beat = time.monotonic()
            yield ": heartbeat\n\n"
