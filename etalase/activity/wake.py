"""Waking the worker when an activity commits, so it need not poll fast.

Redis pub/sub when ``REDIS_URL`` is set; else PostgreSQL ``LISTEN/NOTIFY``; else (SQLite: the web
server and the worker share one machine and one file) a datagram to each worker's socket under
``DATA_DIR/wake/``. A wake is only a hint: a lost one costs at most one poll interval, because the
worker finds due rows by reading the table (``Waiter.wait`` returns on timeout too).
"""

import contextlib
import logging
import select
import socket
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction

logger = logging.getLogger(__name__)

REDIS_CHANNEL = "etalase:activity"
POSTGRES_CHANNEL = "etalase_activity"


def _redis_url() -> str:
    return str(getattr(settings, "REDIS_URL", "") or "")


def socket_folder() -> Path:
    return Path(settings.DATA_DIR) / "wake"


_redis_client: Any = None


def _redis_publish() -> None:
    global _redis_client
    try:
        if _redis_client is None:
            import redis

            _redis_client = redis.Redis.from_url(_redis_url(), socket_timeout=1, socket_connect_timeout=1)
        _redis_client.publish(REDIS_CHANNEL, b"1")
    except Exception:  # the worker's poll finds the row anyway
        _redis_client = None
        logger.warning("Could not wake the worker over Redis", exc_info=True)


def _sockets_send() -> None:
    folder = socket_folder()
    try:
        paths = list(folder.glob("*.sock"))
    except OSError:
        return
    if not paths:
        return
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sender:
        sender.setblocking(False)
        for path in paths:
            try:
                sender.sendto(b"1", str(path))
            except ConnectionRefusedError:  # a worker killed without cleaning up
                with contextlib.suppress(OSError):
                    path.unlink()
            except OSError:
                continue  # a full buffer already holds a wake


def wake_on_commit() -> None:
    """Wake the workers once the current transaction commits (at once outside a transaction)."""
    if _redis_url():
        transaction.on_commit(_redis_publish, robust=True)
    elif connection.vendor == "postgresql":
        # Delivered by PostgreSQL at commit, never on rollback; repeats in one transaction fold into one.
        with connection.cursor() as cursor:
            cursor.execute(f"NOTIFY {POSTGRES_CHANNEL}")
    else:
        transaction.on_commit(_sockets_send, robust=True)


class Waiter:
    """What a worker waits on between passes. ``wait`` returns True when woken, False on timeout."""

    def wait(self, timeout: float) -> bool:
        select.select([], [], [], timeout)
        return False

    def close(self) -> None:
        return None


class RedisWaiter(Waiter):
    def __init__(self, url: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_connect_timeout=2)
        self.pubsub: Any = None

    def wait(self, timeout: float) -> bool:
        try:
            if self.pubsub is None:
                self.pubsub = self.client.pubsub(ignore_subscribe_messages=True)  # type: ignore[no-untyped-call]
                self.pubsub.subscribe(REDIS_CHANNEL)
            message = self.pubsub.get_message(timeout=timeout)
            woken = message is not None
            while message is not None:  # several commits: one pass serves them all
                message = self.pubsub.get_message(timeout=0)
            return woken
        except Exception:
            logger.warning("Redis wake unavailable; polling", exc_info=True)
            self.close()
            return super().wait(timeout)

    def close(self) -> None:
        if self.pubsub is not None:
            with contextlib.suppress(Exception):
                self.pubsub.close()
        self.pubsub = None


class PostgresWaiter(Waiter):
    """LISTEN on a connection of its own (the worker's Django connection runs transactions)."""

    def __init__(self) -> None:
        self.connection: Any = None

    def _connect(self) -> Any:
        import psycopg

        database = settings.DATABASES["default"]
        options = {
            "dbname": database.get("NAME"),
            "user": database.get("USER"),
            "password": database.get("PASSWORD"),
            "host": database.get("HOST"),
            "port": database.get("PORT"),
        }
        conninfo = psycopg.conninfo.make_conninfo(**{key: str(value) for key, value in options.items() if value})
        listening = psycopg.connect(conninfo, autocommit=True)
        listening.execute(f"LISTEN {POSTGRES_CHANNEL}")
        return listening

    def wait(self, timeout: float) -> bool:
        try:
            if self.connection is None:
                self.connection = self._connect()
            woken = False
            for _notify in self.connection.notifies(timeout=timeout, stop_after=1):
                woken = True
            return woken
        except Exception:
            logger.warning("PostgreSQL LISTEN unavailable; polling", exc_info=True)
            self.close()
            return super().wait(timeout)

    def close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(Exception):
                self.connection.close()
        self.connection = None


class SocketWaiter(Waiter):
    """A datagram socket named after the worker under ``DATA_DIR/wake/``."""

    def __init__(self, name: str) -> None:
        self.path = socket_folder() / f"{name}.sock"
        self.socket: socket.socket | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
            listening = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            listening.bind(str(self.path))
            listening.setblocking(False)
            self.socket = listening
        except OSError:
            logger.warning("Cannot listen on %s; polling", self.path, exc_info=True)

    def wait(self, timeout: float) -> bool:
        if self.socket is None:
            return super().wait(timeout)
        readable, _, _ = select.select([self.socket], [], [], timeout)
        if not readable:
            return False
        with contextlib.suppress(BlockingIOError):
            while self.socket.recv(16):
                pass
        return True

    def close(self) -> None:
        if self.socket is not None:
            self.socket.close()
            with contextlib.suppress(OSError):
                self.path.unlink()
        self.socket = None


def waiter_for(name: str) -> Waiter:
    """The waiter matching :func:`wake_on_commit`'s channel in these settings."""
    if _redis_url():
        return RedisWaiter(_redis_url())
    if connection.vendor == "postgresql":
        return PostgresWaiter()
    return SocketWaiter(name)
