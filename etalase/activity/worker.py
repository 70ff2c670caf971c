"""The worker process: the spine's batches, django-tasks-db's other tasks, the sweep and the timers.

One loop per process, one persistent database connection. Every database error (a locked SQLite file,
a restarted PostgreSQL) closes the connection, waits with backoff and goes on: the loop only ends on
SIGTERM/SIGINT. ``etalase worker --processes N`` runs N such processes under :func:`supervise`, which
starts again any that dies. See docs/pipeline.md.
"""

import contextlib
import datetime as dt
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from types import FrameType

from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, close_old_connections, connection, connections
from django.utils import timezone
from django.utils.crypto import get_random_string

from etalase.activity.models import HandlerRun, WorkerBeat
from etalase.activity.processing import activities_claim, activities_due, activities_process, activities_release
from etalase.activity.wake import Waiter, waiter_for

logger = logging.getLogger("etalase.worker")

# Commands run on a timer besides the queues: (command, every N seconds, arguments). Each is idempotent,
# so a run missed, repeated or overlapping with another worker's is harmless. customer_scores --due
# scores each business once a night, between 01:00 and 05:00 in its own timezone.
SCHEDULE: list[tuple[str, int, tuple[str, ...]]] = [
    ("notification_digests", 600, ()),
    ("customer_scores", 3600, ("--due",)),
    ("imports_purge", 3600, ()),
    # Buffered storefront and product views (catalog.visits) become activities within about a second.
    ("visits_flush", 1, ()),
]

# django-tasks-db tasks a lost worker's claim may simply run again. Any other task found RUNNING under
# a dead worker is marked FAILED with the reason, because repeating it might do its work twice.
TASKS_SAFE_TO_REPEAT = frozenset(
    {
        # Each notification is claimed (pushed_at set) before it is sent: a repeat never sends twice.
        "etalase.notifications.tasks.push_notifications",
        # A job not RUNNING is left alone and importing the same rows again makes no duplicates.
        "etalase.customers.io.tasks.import_contacts",
        "etalase.notifications.tasks.send_digests",
    }
)

BEAT_SECONDS = 10
WORKER_GONE_SECONDS = 60
"""A worker silent this long is gone: its RUNNING tasks are swept."""
SWEEP_SECONDS = 30
LEDGER_KEEP = dt.timedelta(days=2)
"""Ledger rows of activities processed longer ago are pruned (only an unfinished activity reads them)."""
BACKOFF_FIRST, BACKOFF_MAX = 0.5, 30.0


def poll_seconds() -> float:
    """How long an idle worker waits for a wake before reading the table anyway."""
    return float(getattr(settings, "ACTIVITY_POLL_SECONDS", 1.0))


@dataclass
class Stats:
    processed: int = 0
    failed: int = 0
    tasks: int = 0
    errors: int = 0
    passes: int = 0
    last_error: str = ""
    extra: dict[str, int] = field(default_factory=dict)


class Worker:
    def __init__(self, *, worker_id: str | None = None, schedule: bool = True, batch: bool = False) -> None:
        self.worker_id = worker_id or f"{socket.gethostname()[:20]}-{os.getpid()}-{get_random_string(8)}"
        self.schedule = schedule
        self.batch = batch
        self.stop = threading.Event()
        self.stats = Stats()
        self.waiter: Waiter | None = None
        self._tasks_runner: object | None = None
        self._next_sweep = 0.0
        self._released = True

    # --- the loop -------------------------------------------------------------------------------

    def run(self) -> None:
        """Until stopped (or, with ``batch``, until nothing is due): claim, process, run tasks, sweep, wait."""
        logger.info("Worker %s started", self.worker_id)
        self.waiter = waiter_for(self.worker_id) if not self.batch else Waiter()
        threads = [threading.Thread(target=self._beat, name="beat", daemon=True)]
        if self.schedule and not self.batch:
            threads += [
                threading.Thread(target=self._every, args=entry, name=entry[0], daemon=True) for entry in SCHEDULE
            ]
        for thread in threads:
            thread.start()
        backoff = BACKOFF_FIRST
        try:
            while not self.stop.is_set():
                try:
                    busy = self.step()
                    backoff = BACKOFF_FIRST
                except DatabaseError as error:
                    self._database_lost(error, backoff)
                    backoff = min(backoff * 2, BACKOFF_MAX)
                    continue
                if self.batch and not busy:
                    return
                if not busy:
                    self.waiter.wait(poll_seconds())
        finally:
            self.stop.set()
            self.waiter.close()
            self._beat_end()
            logger.info("Worker %s stopped", self.worker_id)

    def step(self) -> bool:
        """One pass; True when it did some work (the next pass follows at once)."""
        self.stats.passes += 1
        if not self._released:
            activities_release(worker_id=self.worker_id)
            self._released = True
        if time.monotonic() >= self._next_sweep:
            self.sweep()
            self._next_sweep = time.monotonic() + SWEEP_SECONDS
        busy = False
        if activities_due().exists():
            ids = activities_claim(worker_id=self.worker_id)
            if ids:
                self._released = False
                outcome = activities_process(ids=ids)
                self._released = True
                self.stats.processed += len(outcome.processed)
                self.stats.failed += len(outcome.failed)
                busy = True
        if self._task_run():
            busy = True
        return busy

    def _database_lost(self, error: DatabaseError, backoff: float) -> None:
        self.stats.errors += 1
        self.stats.last_error = f"{type(error).__name__}: {error}"
        logger.warning("Database unavailable (%s); retrying in %.1f s", error, backoff)
        with contextlib.suppress(DatabaseError):
            connection.close()
        self.stop.wait(backoff)

    def request_stop(self, signum: int = 0, frame: FrameType | None = None) -> None:
        self.stop.set()

    # --- django-tasks-db's tasks (imports, pushes) ------------------------------------------------

    def _task_run(self) -> bool:
        """Claim and run one ready task of the database backend; True when one ran."""
        from django.tasks import task_backends
        from django_tasks_db.backend import DatabaseBackend
        from django_tasks_db.management.commands.db_worker import Worker as TasksWorker
        from django_tasks_db.models import DBTaskResult
        from django_tasks_db.utils import exclusive_transaction

        backends = [name for name, backend in _backends(task_backends) if isinstance(backend, DatabaseBackend)]
        if not backends:
            return False
        ready = DBTaskResult.objects.ready().filter(backend_name__in=backends)
        if not ready.exists():
            return False
        with exclusive_transaction(ready.db):
            task_result = ready.get_locked()
            if task_result is not None:
                task_result.claim(self.worker_id)
        if task_result is None:
            return False
        runner = TasksWorker(
            queue_names=["*"],
            interval=0,
            batch=False,
            backend_name=task_result.backend_name,
            startup_delay=False,
            max_tasks=None,
            worker_id=self.worker_id,
            excluded_queue_names=[],
        )
        runner.run_task(task_result)
        self.stats.tasks += 1
        return True

    # --- the sweep ----------------------------------------------------------------------------------

    def sweep(self) -> dict[str, int]:
        """Orphaned tasks back to READY (or FAILED when not safe to repeat); old ledger rows pruned.

        Unprocessed activities need no sweep: an expired lease makes them due again by itself.
        """
        from django_tasks_db.compat import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        now = timezone.now()
        alive = set(
            WorkerBeat.objects.filter(beat_at__gte=now - dt.timedelta(seconds=WORKER_GONE_SECONDS)).values_list(
                "worker_id", flat=True
            )
        )
        alive.add(self.worker_id)
        counts = {"requeued": 0, "failed": 0, "ledger_pruned": 0}
        stale = DBTaskResult.objects.filter(
            status=TaskResultStatus.RUNNING, started_at__lt=now - dt.timedelta(seconds=WORKER_GONE_SECONDS)
        ).only("id", "task_path", "worker_ids", "started_at")
        for task_result in stale:
            owner = task_result.worker_ids[-1] if task_result.worker_ids else ""
            if owner in alive:
                continue
            running = DBTaskResult.objects.filter(pk=task_result.pk, status=TaskResultStatus.RUNNING)
            if task_result.task_path in TASKS_SAFE_TO_REPEAT:
                counts["requeued"] += running.update(status=TaskResultStatus.READY)
                logger.warning("Task %s of lost worker %s is ready again", task_result.pk, owner)
            else:
                counts["failed"] += running.update(
                    status=TaskResultStatus.FAILED,
                    finished_at=now,
                    exception_class_path="etalase.activity.worker.WorkerLost",
                    traceback=(
                        f"Worker {owner} stopped while running this task (no heartbeat since "
                        f"{WORKER_GONE_SECONDS} s); it is not run again because it is not safe to repeat."
                    ),
                )
                logger.warning("Task %s of lost worker %s marked failed (not safe to repeat)", task_result.pk, owner)
        old = HandlerRun.objects.filter(
            done_at__lt=now - LEDGER_KEEP, activity__processed_at__lt=now - LEDGER_KEEP
        ).values_list("pk", flat=True)[:5000]
        ids = list(old)
        if ids:
            counts["ledger_pruned"] = HandlerRun.objects.filter(pk__in=ids).delete()[0]
        WorkerBeat.objects.filter(beat_at__lt=now - dt.timedelta(days=1)).delete()
        return counts

    # --- threads: heartbeat and timers --------------------------------------------------------------

    def _beat(self) -> None:
        while True:
            try:
                WorkerBeat.objects.update_or_create(
                    worker_id=self.worker_id,
                    defaults={"host": socket.gethostname()[:255], "pid": os.getpid(), "beat_at": timezone.now()},
                )
            except DatabaseError as error:
                # A busy database (e.g. SQLite locked by a long write) is expected now and then: one line,
                # and the next beat tries again; the sweep allows several missed beats.
                logger.warning("Worker heartbeat not written (%s); trying again in %s s", error, BEAT_SECONDS)
                connection.close()
            if self.stop.wait(BEAT_SECONDS):
                break
        connections.close_all()

    def _beat_end(self) -> None:
        with contextlib.suppress(DatabaseError):
            WorkerBeat.objects.filter(worker_id=self.worker_id).delete()

    def _every(self, command: str, seconds: int, arguments: tuple[str, ...]) -> None:
        while not self.stop.wait(seconds):
            try:
                call_command(command, *arguments, verbosity=0)
            except DatabaseError as error:
                # Busy or restarting database: the command is idempotent and runs again next time.
                logger.warning("Scheduled command %s did not run (%s); it runs again in %s s", command, error, seconds)
                connection.close()
            except Exception:
                logger.exception("Scheduled command %s failed", command)
                close_old_connections()


def _backends(task_backends: object) -> list[tuple[str, object]]:
    return [(name, task_backends[name]) for name in settings.TASKS]  # type: ignore[index]


# --- several processes ------------------------------------------------------------------------------

RESTART_FIRST, RESTART_MAX = 1.0, 30.0


def supervise(processes: int, arguments: list[str], *, stop: threading.Event | None = None) -> None:
    """Run ``processes`` worker processes (``etalase worker`` with ``arguments``) and start again any
    that dies, with backoff. Only the first runs the timers. SIGTERM/SIGINT stop them all."""
    stop = stop or threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    children: dict[int, subprocess.Popen[bytes]] = {}
    delays = dict.fromkeys(range(processes), RESTART_FIRST)
    due = dict.fromkeys(range(processes), 0.0)
    started: dict[int, float] = {}

    def start(index: int) -> None:
        extra = [] if index == 0 else ["--no-schedule"]
        command = [sys.executable, "-m", "etalase.cli", "worker", *arguments, *extra]
        children[index] = subprocess.Popen(command)  # noqa: S603
        started[index] = time.monotonic()
        logger.info("Worker process %d started (pid %d)", index, children[index].pid)

    try:
        while not stop.is_set():
            for index in range(processes):
                child = children.get(index)
                if child is not None and child.poll() is None:
                    continue
                if child is not None:
                    if time.monotonic() - started[index] > 60:  # it had been running well: no backoff
                        delays[index] = RESTART_FIRST
                    logger.warning(
                        "Worker process %d (pid %d) stopped with code %s; starting it again in %.0f s",
                        index,
                        child.pid,
                        child.returncode,
                        delays[index],
                    )
                    due[index] = time.monotonic() + delays[index]
                    delays[index] = min(delays[index] * 2, RESTART_MAX)
                    del children[index]
                if time.monotonic() >= due[index]:
                    start(index)
            stop.wait(0.5)
    finally:
        for child in children.values():
            child.terminate()
        for child in children.values():
            try:
                child.wait(15)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
