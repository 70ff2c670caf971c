"""Processing the spine: claim due activities, run their handlers once each (the ledger), retry failures.

The ``Activity`` table is the queue: a row is waiting work until ``processed_at`` is set, and due when
``next_attempt_at`` is empty or past. A worker claims a batch by moving ``next_attempt_at`` to the end of
its lease; if it dies, the lease runs out and another worker takes the rows. Every handler's work
commits together with its ``HandlerRun`` row, so whoever takes a row runs only what is not done yet.
See docs/pipeline.md.
"""

import datetime as dt
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from etalase.activity.models import Activity, HandlerRun
from etalase.activity.registry import BatchHandler, batch_handlers_all, batch_handlers_for, handler_name, handlers_for

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
"""Activities one claim takes at most."""
RETRY_FIRST_SECONDS = 5
RETRY_MAX_SECONDS = 600
ERROR_LENGTH = 2000


def lease_seconds() -> float:
    """How long a claim holds its rows (``ACTIVITY_LEASE_SECONDS``, default 60)."""
    return float(getattr(settings, "ACTIVITY_LEASE_SECONDS", 60))


def retry_delay(attempts: int) -> dt.timedelta:
    """5 s after the first failed attempt, doubling, at most 10 minutes (``ACTIVITY_RETRY_FIRST_SECONDS``)."""
    first = float(getattr(settings, "ACTIVITY_RETRY_FIRST_SECONDS", RETRY_FIRST_SECONDS))
    exponent = min(max(attempts - 1, 0), 16)
    return dt.timedelta(seconds=min(first * 2**exponent, RETRY_MAX_SECONDS))


def activities_due(*, now: dt.datetime | None = None) -> QuerySet[Activity]:
    """Unprocessed activities no worker holds and no retry waits for (read through a partial index)."""
    now = now or timezone.now()
    return Activity.objects.filter(processed_at__isnull=True).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


def activities_claim(
    *, worker_id: str, limit: int = BATCH_SIZE, ids: list[int] | None = None, now: dt.datetime | None = None
) -> list[int]:
    """Take up to ``limit`` due activities (oldest first) for ``worker_id``'s lease; returns their ids.

    One short transaction: on PostgreSQL ``SELECT … FOR UPDATE SKIP LOCKED``, so workers claiming at
    once take different rows; on SQLite the transaction is IMMEDIATE (the settings' mode), so claims
    are serialised. ``ids`` limits the claim to those rows, due or not (processing one activity now).
    """
    now = now or timezone.now()
    with transaction.atomic():
        if ids is None:
            rows = activities_due(now=now)
        else:
            rows = Activity.objects.filter(pk__in=ids, processed_at__isnull=True)
        rows = rows.order_by("id")
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        claimed = list(rows.values_list("pk", flat=True)[:limit])
        if claimed:
            Activity.objects.filter(pk__in=claimed).update(
                next_attempt_at=now + dt.timedelta(seconds=lease_seconds()),
                claimed_by=worker_id[:64],
                attempts=F("attempts") + 1,
            )
    return claimed


def activities_release(*, worker_id: str) -> int:
    """Give back every unprocessed row ``worker_id`` holds (after it lost its database connection)."""
    return Activity.objects.filter(processed_at__isnull=True, claimed_by=worker_id[:64]).update(
        next_attempt_at=None, claimed_by=""
    )


@dataclass
class Outcome:
    processed: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)


class _AlreadyDone(Exception):
    """Another worker recorded this handler for this activity first: this run's work is rolled back."""


def _infrastructure(error: BaseException) -> bool:
    """A lost or locked database is not the handler's fault: the worker backs off and retries the batch."""
    return isinstance(error, OperationalError | InterfaceError)


def activities_process(*, ids: list[int], now: dt.datetime | None = None) -> Outcome:
    """Run the handlers of claimed activities ``ids`` that the ledger has not recorded; mark the rows.

    Batch handlers run first, over every activity of the batch they handle, in one transaction; a
    failure offers each activity to them alone. Then each activity's plain handlers run in one
    transaction per activity, each handler in a savepoint with its ledger row; when all are done the
    activity is marked processed in that same transaction. A failed activity keeps its error and is
    due again after :func:`retry_delay`. Database outages (OperationalError) propagate: the caller
    backs off, and the lease brings the rows back.
    """
    activities = list(Activity.objects.select_related("business", "actor").filter(pk__in=ids).order_by("id"))
    activities = [activity for activity in activities if activity.processed_at is None]
    done = set(
        HandlerRun.objects.filter(activity_id__in=[activity.pk for activity in activities]).values_list(
            "activity_id", "handler"
        )
    )
    outcome = Outcome()
    for handler in batch_handlers_all():
        name = handler_name(handler)
        applicable = [
            activity
            for activity in activities
            if handler in batch_handlers_for(activity.verb) and (activity.pk, name) not in done
        ]
        if applicable:
            _batch_run(handler, name, applicable, done, outcome)
    for activity in activities:
        _activity_run(activity, done, outcome, now=now)
    _failures_mark(outcome, now=now or timezone.now())
    return outcome


def _batch_run(
    handler: BatchHandler, name: str, activities: list[Activity], done: set[tuple[int, str]], outcome: Outcome
) -> None:
    try:
        with transaction.atomic():
            handler(activities)
            HandlerRun.objects.bulk_create([HandlerRun(activity=activity, handler=name) for activity in activities])
        done.update((activity.pk, name) for activity in activities)
        return
    except Exception as error:
        if _infrastructure(error):
            raise
        logger.warning("Batch handler %s failed for %d activities; trying them one by one", name, len(activities))
    for activity in activities:
        if _handler_run(functools.partial(handler, [activity]), name, activity, outcome):
            done.add((activity.pk, name))


def _handler_run(call: Callable[[], None], name: str, activity: Activity, outcome: Outcome) -> bool:
    """One handler for one activity in a savepoint with its ledger row; True when it is done."""
    try:
        with transaction.atomic():
            call()
            try:
                with transaction.atomic():
                    HandlerRun.objects.create(activity=activity, handler=name)
            except IntegrityError as error:
                raise _AlreadyDone from error
    except _AlreadyDone:
        return True
    except Exception as error:
        if _infrastructure(error):
            raise
        logger.exception("Activity handler %s failed for activity %s", name, activity.pk)
        outcome.failed.setdefault(activity.pk, f"{name}: {type(error).__name__}: {error}"[:ERROR_LENGTH])
        return False
    return True


def _activity_run(activity: Activity, done: set[tuple[int, str]], outcome: Outcome, *, now: dt.datetime | None) -> None:
    with transaction.atomic():
        for handler in handlers_for(activity.verb):
            name = handler_name(handler)
            if (activity.pk, name) in done:
                continue
            if _handler_run(functools.partial(handler, activity), name, activity, outcome):
                done.add((activity.pk, name))
        if activity.pk not in outcome.failed:
            activity.processed_at = now or timezone.now()
            Activity.objects.filter(pk=activity.pk).update(
                processed_at=activity.processed_at, next_attempt_at=None, last_error=""
            )
            outcome.processed.append(activity.pk)


def _failures_mark(outcome: Outcome, *, now: dt.datetime) -> None:
    if not outcome.failed:
        return
    attempts = dict(Activity.objects.filter(pk__in=list(outcome.failed)).values_list("pk", "attempts"))
    for activity_id, error in outcome.failed.items():
        Activity.objects.filter(pk=activity_id, processed_at__isnull=True).update(
            next_attempt_at=now + retry_delay(attempts.get(activity_id, 1)), last_error=error, claimed_by=""
        )
