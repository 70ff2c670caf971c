"""Wake the live streams of people who have something new: Redis pub/sub when ``REDIS_URL`` is set.

A message carries no content, only "look again": the stream reads the rows from the database, which
stays the one source of truth, so a lost message costs latency (the stream rechecks on every
heartbeat), never a notification. Without Redis the streams poll the database instead.
"""

import logging
from collections.abc import Iterable
from functools import cache
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)

CHANNEL_PREFIX = "etalase:notifications:user:"


def channel_for(user_id: int) -> str:
    return f"{CHANNEL_PREFIX}{int(user_id)}"


def redis_url() -> str:
    return str(getattr(settings, "REDIS_URL", "") or "")


@cache
def _client(url: str) -> Any:
    import redis

    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


def publish(user_ids: Iterable[int]) -> None:
    url = redis_url()
    ids = sorted(set(user_ids))
    if not url or not ids:
        return
    try:
        pipeline = _client(url).pipeline(transaction=False)
        for user_id in ids:
            pipeline.publish(channel_for(user_id), "1")
        pipeline.execute()
    except Exception:  # a Redis outage must not fail the notification; streams recheck on heartbeat
        logger.warning("Could not publish notifications to Redis", exc_info=True)
