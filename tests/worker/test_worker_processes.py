"""``etalase worker`` as real processes on the test database: it never stops, loses nothing and does
each handler's work once, whatever happens to the database or to the worker itself."""

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from etalase.activity.models import Activity, HandlerRun
from etalase.activity.registry import handler_name
from etalase.directory.models import Category
from tests.worker import handlers

pytestmark = [pytest.mark.worker_processes, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
ON_SQLITE = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
EFFECT = handler_name(handlers.effect)


def _database_url() -> str:
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(database['NAME']).resolve()}"
    user = database.get("USER") or ""
    host = database.get("HOST") or "127.0.0.1"
    port = database.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{database['NAME']}"


class Workers:
    def __init__(self, log_folder: Path) -> None:
        self.log_folder = log_folder
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, *arguments: str) -> subprocess.Popen[bytes]:
        env = dict(
            os.environ,
            DATABASE_URL=_database_url(),
            DJANGO_SETTINGS_MODULE="tests.worker.settings",
            PYTHONUNBUFFERED="1",
            LOG_LEVEL="INFO",
        )
        env.pop("REDIS_URL", None)
        log = (self.log_folder / f"worker-{len(self.processes)}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "etalase.cli", "worker", "--no-schedule", *arguments],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        return process

    def log(self, index: int = 0) -> str:
        return (self.log_folder / f"worker-{index}.log").read_text(errors="replace")

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def workers(tmp_path: Path, settings) -> Iterator[Workers]:
    settings.ACTIVITY_PROCESS_INLINE = False
    started = Workers(tmp_path)
    yield started
    started.stop()
    for index in range(len(started.processes)):  # shown when the test failed
        print(f"--- worker {index}\n{started.log(index)[-3000:]}")


def _until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"not within {seconds} s: {what}")


def _record(verb: str, count: int = 1, **fields: object) -> list[int]:
    """Committed activities, with no wake at all (as if the web process died right after its commit)."""
    rows = Activity.objects.bulk_create([Activity(verb=verb, **fields) for _ in range(count)])
    return [row.pk for row in rows]


def _all_processed(ids: list[int]) -> Callable[[], bool]:
    return lambda: not Activity.objects.filter(pk__in=ids, processed_at__isnull=True).exists()


def _effects_per_activity(ids: list[int]) -> dict[int, int]:
    counts = dict.fromkeys(ids, 0)
    for row_id in ids:
        counts[row_id] = Category.objects.filter(slug__startswith=f"effect-{row_id}-").count()
    return counts


def _ledger_once(ids: list[int]) -> bool:
    runs = HandlerRun.objects.filter(activity_id__in=ids, handler=EFFECT)
    per_activity = dict(runs.values_list("activity_id").annotate(n=Count("id")).values_list("activity_id", "n"))
    return per_activity == dict.fromkeys(ids, 1)


def test_an_activity_committed_without_any_wake_is_processed(workers):
    worker = workers.start()
    ids = _record(handlers.EFFECT, 3)

    _until(_all_processed(ids), 60, "the worker found the rows by itself")
    assert _effects_per_activity(ids) == dict.fromkeys(ids, 1)
    assert _ledger_once(ids)
    assert worker.poll() is None


def test_a_handler_failing_twice_then_succeeding_is_applied_once(workers):
    workers.start()
    ids = _record(handlers.FLAKY, 2)

    _until(_all_processed(ids), 60, "the flaky activities succeeded on their third attempt")
    assert set(Activity.objects.filter(pk__in=ids).values_list("attempts", flat=True)) == {3}
    assert _effects_per_activity(ids) == dict.fromkeys(ids, 1), "the effect handler ran once, not on each retry"
    assert _ledger_once(ids)


def test_a_worker_killed_while_processing_loses_nothing_and_repeats_nothing(workers):
    before = _record(handlers.EFFECT, 5)
    hanging = _record(handlers.SLOW)
    after = _record(handlers.EFFECT, 5)
    ids = before + hanging + after
    first = workers.start()
    _until(_all_processed(before), 60, "the first worker processed the rows before the slow one")
    assert Activity.objects.filter(pk__in=after, claimed_by__gt="").count() == len(after), "claimed, then stuck"

    first.send_signal(signal.SIGKILL)
    first.wait(10)
    workers.start()

    _until(_all_processed(ids), 60, "the second worker took over once the lease ran out")
    assert _effects_per_activity(ids) == dict.fromkeys(ids, 1)
    assert _ledger_once(ids)
    assert Activity.objects.get(pk=hanging[0]).attempts == 2


@pytest.mark.sqlite_only
@pytest.mark.skipif(not ON_SQLITE, reason="locks the SQLite file")
def test_a_locked_sqlite_file_does_not_stop_the_worker(workers):
    worker = workers.start()
    time.sleep(2)  # started and idle
    due_soon = _record(handlers.EFFECT, 2, next_attempt_at=timezone.now() + dt.timedelta(seconds=0.5))
    lock = sqlite3.connect(connection.settings_dict["NAME"], timeout=10, isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")
    locked_at = time.monotonic()
    try:
        _until(lambda: "Database unavailable" in workers.log(), 9.5, "the worker met the lock")
        time.sleep(max(0.0, 10 - (time.monotonic() - locked_at)))
        assert worker.poll() is None, "the worker is still running while the file is locked"
        assert Activity.objects.filter(pk__in=due_soon, processed_at__isnull=True).count() == 2
    finally:
        lock.execute("ROLLBACK")
        lock.close()

    later = _record(handlers.EFFECT)
    _until(_all_processed(due_soon + later), 60, "work resumed after the lock")
    assert worker.poll() is None
    assert _ledger_once(due_soon + later)


@pytest.mark.postgres_only
@pytest.mark.skipif(ON_SQLITE, reason="cuts PostgreSQL connections")
def test_a_postgresql_restart_does_not_stop_the_worker(workers):
    worker = workers.start()
    first = _record(handlers.EFFECT)
    _until(_all_processed(first), 60, "the worker is up")

    with connection.cursor() as cursor:  # every other connection to the test database is cut
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
    time.sleep(1.5)
    later = _record(handlers.EFFECT, 2)

    _until(_all_processed(later), 60, "work resumed after the connections were cut")
    assert worker.poll() is None
    assert _ledger_once(first + later)


def test_two_worker_processes_process_each_activity_once(workers):
    ids = _record(handlers.EFFECT, 300)
    supervisor = workers.start("--processes", "2")

    _until(_all_processed(ids), 90, "two processes drained the rows")
    assert _ledger_once(ids)
    assert sum(_effects_per_activity(ids).values()) == len(ids)
    assert supervisor.poll() is None


def test_the_supervisor_starts_a_dead_worker_process_again(workers):
    supervisor = workers.start("--processes", "2")
    _until(lambda: "Worker process 1 started" in workers.log(), 60, "both processes started")
    child = int(workers.log().split("Worker process 1 started (pid ")[1].split(")")[0])

    os.kill(child, signal.SIGKILL)

    _until(lambda: "starting it again" in workers.log(), 60, "the supervisor noticed")
    ids = _record(handlers.EFFECT, 20)
    _until(_all_processed(ids), 60, "the pool works on")
    assert supervisor.poll() is None
