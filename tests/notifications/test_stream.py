"""The live stream over ASGI (Django's AsyncClient): replay after Last-Event-ID, live delivery by
polling and by Redis pub/sub, forged ids, other people's notifications, anonymous visitors."""

import asyncio
import time
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.http import StreamingHttpResponse
from django.test import AsyncClient

from etalase.notifications import broadcast, stream
from etalase.notifications.enums import Kind
from etalase.notifications.services import notification_deliver
from tests.factories import UserFactory
from tests.support.notifications import sse_events

pytestmark = pytest.mark.django_db

STREAM = "/notifications/stream/"


def notify(user: Any, text: str = "Ada ukuran XL?") -> int:
    [row] = notification_deliver(
        recipients=[(user.pk, "en")], kind=Kind.ASKED, business=None, names={"actor": "Budi", "excerpt": text}
    )
    return row.pk


async def _client_for(user: Any) -> AsyncClient:
    client = AsyncClient()
    if user is not None:
        await client.aforce_login(user)
    return client


async def _read(
    user: Any,
    *,
    headers: dict[str, str] | None = None,
    query: str = "",
    want: int = 0,
    timeout: float = 3.0,
    during: Any = None,
) -> tuple[Any, list[dict[str, Any]]]:
    """Open the stream, optionally run ``during()`` once connected, and read until ``want``
    notification events arrived (or ``timeout``)."""
    client = await _client_for(user)
    response = await client.get(STREAM + query, headers=headers or {})
    if not getattr(response, "streaming", False):
        return response, []
    assert isinstance(response, StreamingHttpResponse)
    chunks = response.streaming_content.__aiter__()
    text = ""
    deadline = time.monotonic() + timeout
    started = False
    try:
        while True:
            parsed = sse_events(text)
            notes = [e for e in parsed if e.get("event") == "notification"]
            if want and len(notes) >= want and parsed[-1].get("event") == "unread":
                break  # each batch of notifications ends with the unread count
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                chunk = await asyncio.wait_for(chunks.__anext__(), timeout=remaining)
            except TimeoutError:
                break
            text += chunk.decode() if isinstance(chunk, bytes) else chunk
            if "event: unread" in text and not started:
                started = True
                if during is not None:
                    await sync_to_async(during)()
    finally:
        await chunks.aclose()
    return response, sse_events(text)


def read(user: Any, **kwargs: Any) -> tuple[Any, list[dict[str, Any]]]:
    return async_to_sync(_read)(user, **kwargs)


def ids(events: list[dict[str, Any]]) -> list[int]:
    return [int(e["id"]) for e in events if e.get("event") == "notification"]


def test_the_stream_is_event_stream_and_starts_with_the_unread_count(owner):
    notify(owner)
    response, events = read(owner, want=0, timeout=0.8)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/event-stream")
    assert response["Cache-Control"].startswith("no-cache")
    assert events[0] == {"event": "unread", "data": {"unread": 1}}
    assert ids(events) == []  # no Last-Event-ID: from now on, not the whole history


def test_replay_after_last_event_id_sends_each_missed_one_once(owner):
    sent = [notify(owner, f"q{n}") for n in range(5)]
    _response, events = read(owner, headers={"Last-Event-ID": str(sent[1])}, want=3, timeout=1.5)
    assert ids(events) == sent[2:]
    first = next(e for e in events if e.get("event") == "notification")
    assert first["data"]["title"] == "Budi asked about a product"
    assert first["data"]["url"] == f"/notifications/{sent[2]}/open/"


def test_the_query_parameter_serves_the_first_connection_and_the_header_wins(owner):
    sent = [notify(owner, f"q{n}") for n in range(4)]
    _response, events = read(owner, query=f"?last_event_id={sent[0]}", want=3, timeout=1.5)
    assert ids(events) == sent[1:]
    _response, events = read(
        owner, query=f"?last_event_id={sent[0]}", headers={"Last-Event-ID": str(sent[2])}, want=1, timeout=1.5
    )
    assert ids(events) == sent[3:]


def test_a_new_notification_arrives_live_by_polling(owner, settings):
    settings.REDIS_URL = ""
    before = notify(owner, "old")
    _response, events = read(owner, want=1, during=lambda: notify(owner, "new"), timeout=3)
    assert ids(events) == [before + 1]
    assert events[-1] == {"event": "unread", "data": {"unread": 2}}


def test_a_reconnection_continues_without_loss_or_duplicate(owner):
    first = [notify(owner) for _ in range(3)]
    _response, events = read(owner, headers={"Last-Event-ID": "0"}, want=3, timeout=1.5)
    assert ids(events) == first
    later = [notify(owner) for _ in range(2)]
    _response, events = read(owner, headers={"Last-Event-ID": str(ids(events)[-1])}, want=2, timeout=1.5)
    assert ids(events) == later


def test_a_burst_growing_while_away_is_sent_once_with_what_it_replaces(owner, business, product, committed):
    from etalase.engagement.services import favourite_add

    with committed():
        favourite_add(user=UserFactory(), product_id=product.pk)
    [seen] = owner.notifications.values_list("id", flat=True)
    with committed():
        favourite_add(user=UserFactory(), product_id=product.pk)
        favourite_add(user=UserFactory(), product_id=product.pk)
    _response, events = read(owner, headers={"Last-Event-ID": str(seen)}, want=1, timeout=1)
    [event] = [e for e in events if e.get("event") == "notification"]
    assert event["data"]["count"] == 3
    assert seen in event["data"]["replaces"]


@pytest.mark.parametrize("forged", ["abc", "-5", "1e3", "12 OR 1=1", "٣", "9" * 30, ""])
def test_a_forged_last_event_id_is_ignored(owner, forged):
    from urllib.parse import quote

    notify(owner)
    _response, events = read(owner, query=f"?last_event_id={quote(forged)}", want=0, timeout=0.5)
    assert ids(events) == []  # treated as "from now": nothing replayed, nothing broken
    if forged.isascii():
        _response, events = read(owner, headers={"Last-Event-ID": forged}, want=0, timeout=0.5)
        assert ids(events) == []


def test_a_huge_last_event_id_does_not_silence_the_stream(owner):
    notify(owner)
    _response, events = read(owner, headers={"Last-Event-ID": "999999999999"}, want=1, during=lambda: notify(owner))
    assert len(ids(events)) == 1


def test_another_persons_notifications_are_never_sent(owner, customer):
    mine = notify(customer, "mine")
    theirs = [notify(owner, "secret") for _ in range(3)]
    _response, events = read(customer, headers={"Last-Event-ID": "0"}, want=1, during=lambda: notify(owner), timeout=1)
    assert ids(events) == [mine]
    assert not set(ids(events)) & set(theirs)
    # An id of someone else's notification as Last-Event-ID shows nothing of theirs either.
    _response, events = read(customer, headers={"Last-Event-ID": str(theirs[0])}, want=0, timeout=0.7)
    assert ids(events) == []


def test_anonymous_visitors_get_401():
    response, events = read(None, want=0, timeout=0.5)
    assert response.status_code == 401
    assert events == []


def test_only_get_is_allowed(owner, client_for):
    assert client_for(owner).post(STREAM).status_code == 405


def test_with_redis_the_stream_wakes_on_a_published_message(owner, settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/15"
    try:
        import redis

        redis.Redis.from_url(settings.REDIS_URL).ping()
    except Exception:
        pytest.skip("Redis is not running")

    state: dict[str, int] = {}

    def create_then_publish() -> None:
        state["id"] = notify(owner)  # in the test transaction: no commit, so nothing published yet
        time.sleep(0.6)  # with Redis the stream does not poll: nothing arrives by itself
        broadcast.publish([owner.pk])

    started = time.monotonic()
    _response, events = read(owner, want=1, during=create_then_publish, timeout=3)
    assert ids(events) == [state["id"]]
    assert time.monotonic() - started < 2.5


def test_last_event_id_parsing():
    assert stream.last_event_id_parse("42") == 42
    assert stream.last_event_id_parse(" 7 ") == 7
    assert stream.last_event_id_parse("-1") is None
    assert stream.last_event_id_parse("0x10") is None
    assert stream.last_event_id_parse(None) is None
    assert stream.last_event_id_parse("9" * 19) == 2**53


def test_the_wsgi_stream_polls_and_ends(owner):
    after = notify(owner)
    later = notify(owner)
    chunks = list(stream.stream_sync(user_id=owner.pk, after=after, lifetime=0.3))
    events = sse_events("".join(chunks))
    assert ids(events) == [later]
