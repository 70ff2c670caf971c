"""The spine as a queue: claims and leases, the per-handler ledger, retries, batch handlers, the sweep."""

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from etalase.activity.models import Activity, HandlerRun, WorkerBeat
from etalase.activity.processing import activities_claim, activities_process, retry_delay
from etalase.activity.registry import handler_name, handler_register, handler_unregister
from etalase.activity.services import activity_record
from etalase.activity.worker import Worker
from etalase.directory.models import Category

VERB = "test_queued"


class Effects:
    """A handler whose work is a row per call, so work done twice shows."""

    def __init__(self, name: str = "effects", *, failures: int = 0) -> None:
        self.__qualname__ = f"Effects.{name}"  # the ledger's name for this one
        self.failures = failures
        self.calls = 0

    def __call__(self, activity: Activity) -> None:
        self.calls += 1
        Category.objects.create(slug=f"effect-{activity.pk}-{self.__qualname__}-{self.calls}", name_id="x", name_en="x")
        if self.calls <= self.failures:
            raise RuntimeError(f"failure {self.calls}")


def effects_of(activity: Activity) -> int:
    return Category.objects.filter(slug__startswith=f"effect-{activity.pk}-").count()


@pytest.fixture
def queued(settings):
    """Activities wait for a worker (no inline processing), as in production."""
    settings.ACTIVITY_PROCESS_INLINE = False


@pytest.fixture
def register() -> Iterator[list[object]]:
    registered: list[object] = []
    yield registered
    for handler in registered:
        handler_unregister(handler)


def _register(register: list[object], handler: object, **options: object) -> None:
    handler_register(handler, verbs=[VERB], **options)  # type: ignore[call-overload]
    register.append(handler)


@pytest.mark.django_db
def test_a_committed_activity_waits_until_a_worker_pass_processes_it(queued, register):
    effects = Effects()
    _register(register, effects)
    with transaction.atomic():
        activity = activity_record(verb=VERB)

    assert effects.calls == 0
    assert Worker(schedule=False).step() is True

    activity.refresh_from_db()
    assert activity.processed_at is not None
    assert effects_of(activity) == 1
    assert HandlerRun.objects.filter(activity=activity, handler=handler_name(effects)).count() == 1
    assert Worker(schedule=False).step() is False, "nothing is due any more"


@pytest.mark.django_db
def test_a_handler_failing_twice_is_retried_with_backoff_and_applied_once(queued, register):
    steady, flaky = Effects("steady"), Effects("flaky", failures=2)
    _register(register, steady)
    _register(register, flaky)
    activity = activity_record(verb=VERB)
    start = timezone.now()
    worker = Worker(schedule=False)

    with time_machine.travel(start, tick=False) as clock:
        worker.step()
        activity.refresh_from_db()
        assert activity.processed_at is None
        assert activity.attempts == 1
        assert "failure 1" in activity.last_error
        assert activity.next_attempt_at == start + dt.timedelta(seconds=5)
        assert worker.step() is False, "not due before its retry time"

        clock.shift(dt.timedelta(seconds=6))
        worker.step()
        activity.refresh_from_db()
        assert (activity.attempts, activity.processed_at) == (2, None)
        assert activity.next_attempt_at == timezone.now() + dt.timedelta(seconds=10)

        clock.shift(dt.timedelta(seconds=11))
        worker.step()

    activity.refresh_from_db()
    assert activity.processed_at is not None
    assert (activity.attempts, activity.last_error) == (3, "")
    assert steady.calls == 1, "a handler that succeeded is not run again on a retry"
    # The flaky handler's two failed runs were rolled back with their savepoints: one effect each remains.
    assert effects_of(activity) == 2
    assert HandlerRun.objects.filter(activity=activity, handler__startswith="tests.").count() == 2


def test_the_retry_delay_doubles_up_to_ten_minutes():
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [5, 10, 20, 40]
    assert retry_delay(30) == dt.timedelta(minutes=10)


@pytest.mark.django_db
def test_claims_do_not_overlap_and_an_expired_lease_makes_rows_due_again(queued):
    ids = [activity_record(verb=VERB).pk for _ in range(5)]
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        first = activities_claim(worker_id="one", limit=3)
        second = activities_claim(worker_id="two")
        assert first == ids[:3]
        assert second == ids[3:]
        assert activities_claim(worker_id="three") == []

        clock.shift(dt.timedelta(seconds=61))  # "one" and "two" died: their leases ran out
        assert activities_claim(worker_id="three") == ids

    assert set(Activity.objects.values_list("attempts", flat=True)) == {2}
    assert set(Activity.objects.values_list("claimed_by", flat=True)) == {"three"}


@pytest.mark.django_db
def test_a_batch_handler_gets_the_batch_and_one_bad_row_does_not_block_the_rest(queued, register):
    batches: list[list[int]] = []
    bad: list[int] = []

    def rollups(activities: list[Activity]) -> None:
        batches.append([activity.pk for activity in activities])
        if any(activity.pk in bad for activity in activities):
            raise ValueError("a bad row")
        for activity in activities:
            Category.objects.create(slug=f"effect-{activity.pk}-batch", name_id="x", name_en="x")

    _register(register, rollups, batch=True)
    activities = [activity_record(verb=VERB) for _ in range(4)]
    activity_record(verb="test_other")
    bad.append(activities[2].pk)

    activities_process(ids=activities_claim(worker_id="w"))

    ids = [activity.pk for activity in activities]
    assert batches[0] == ids, "one call for the whole batch first"
    assert batches[1:] == [[pk] for pk in ids], "then each alone"
    assert [effects_of(activity) for activity in activities] == [1, 1, 0, 1]
    processed = set(Activity.objects.filter(processed_at__isnull=False).values_list("pk", flat=True))
    assert processed >= {ids[0], ids[1], ids[3]}
    assert ids[2] not in processed
    assert "a bad row" in Activity.objects.get(pk=ids[2]).last_error


@pytest.mark.django_db
def test_an_activity_claimed_twice_runs_each_handler_once(queued, register):
    """A slow worker whose lease ran out and the one that took over: the ledger lets one win."""
    effects = Effects()
    _register(register, effects)
    activity = activity_record(verb=VERB)
    HandlerRun.objects.create(activity=activity, handler=handler_name(effects))  # the other worker finished it

    activities_process(ids=[activity.pk])

    assert effects.calls == 0
    activity.refresh_from_db()
    assert activity.processed_at is not None


@pytest.mark.django_db
def test_the_sweep_requeues_a_lost_workers_safe_task_and_fails_the_others():
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    long_ago = timezone.now() - dt.timedelta(minutes=10)

    def running(path: str, worker_id: str) -> DBTaskResult:  # type: ignore[type-arg]
        return DBTaskResult.objects.create(
            status=TaskResultStatus.RUNNING,
            started_at=long_ago,
            args_kwargs={"args": [[1]], "kwargs": {}},
            task_path=path,
            worker_ids=[worker_id],
            backend_name="default",
            run_after=long_ago,
            exception_class_path="",
            traceback="",
        )

    push = running("etalase.notifications.tasks.push_notifications", "dead")
    other = running("tests.somewhere.not_repeatable", "dead")
    alive = running("tests.somewhere.not_repeatable", "alive")
    WorkerBeat.objects.create(worker_id="alive", beat_at=timezone.now())

    counts = Worker(schedule=False).sweep()

    assert counts["requeued"] == 1
    assert counts["failed"] == 1
    statuses = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert statuses[push.pk] == TaskResultStatus.READY
    assert statuses[other.pk] == TaskResultStatus.FAILED
    assert statuses[alive.pk] == TaskResultStatus.RUNNING
    assert "not safe to repeat" in DBTaskResult.objects.get(pk=other.pk).traceback


@pytest.mark.django_db
def test_the_sweep_prunes_the_ledger_of_long_processed_activities(register):
    effects = Effects()
    _register(register, effects)
    old, recent = activity_record(verb=VERB), activity_record(verb=VERB)
    activities_process(ids=activities_claim(worker_id="w"))
    Activity.objects.filter(pk=old.pk).update(processed_at=timezone.now() - dt.timedelta(days=3))
    HandlerRun.objects.filter(activity=old).update(done_at=timezone.now() - dt.timedelta(days=3))
    old_runs = HandlerRun.objects.filter(activity=old).count()

    assert old_runs >= 1
    assert Worker(schedule=False).sweep()["ledger_pruned"] == old_runs
    assert set(HandlerRun.objects.values_list("activity_id", flat=True)) == {recent.pk}
