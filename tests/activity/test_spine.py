"""The activity spine: one row per act, written with the change, processed once after commit."""

from collections.abc import Iterator

import pytest
from django.db import transaction

from etalase.activity.enums import Channel
from etalase.activity.models import Activity
from etalase.activity.registry import handler_register, handler_unregister, handlers_for, verb_label
from etalase.activity.services import activity_process, activity_record
from etalase.directory.models import Category
from tests.factories import BusinessFactory, UserFactory

VERB = "test_poked"


class Recorder:
    def __init__(self) -> None:
        self.seen: list[int] = []

    def __call__(self, activity: Activity) -> None:
        self.seen.append(activity.pk)


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    handler = Recorder()
    handler_register(handler, verbs=[VERB])
    yield handler
    handler_unregister(handler)


@pytest.fixture
def failing_handler() -> Iterator[None]:
    def explode(activity: Activity) -> None:
        Category.objects.create(slug="written-by-a-failing-handler", name_id="x", name_en="x")
        raise RuntimeError("a handler broke")

    handler_register(explode, verbs=[VERB])
    yield
    handler_unregister(explode)


@pytest.mark.django_db
def test_recording_inside_a_transaction_writes_one_row():
    business = BusinessFactory()
    actor = UserFactory()

    with transaction.atomic():
        activity = activity_record(
            verb=VERB, business=business, actor=actor, target=business, data={"n": 1}, channel=Channel.API
        )

    row = Activity.objects.get()
    assert row.pk == activity.pk
    assert (row.verb, row.business_id, row.actor_id, row.channel) == (VERB, business.pk, actor.pk, "api")
    assert row.target_type is not None
    assert row.target_type.model_class() is type(business)
    assert row.target_id == str(business.pk)
    assert row.data == {"n": 1}
    assert row.processed_at is None


@pytest.mark.django_db
def test_the_same_idempotency_key_twice_is_one_row(recorder, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            first = activity_record(verb=VERB, idempotency_key="tap:42")
        with transaction.atomic():
            second = activity_record(verb=VERB, idempotency_key="tap:42", data={"again": True})

    assert first.pk == second.pk
    assert Activity.objects.count() == 1
    assert Activity.objects.get().data == {}
    assert recorder.seen == [first.pk]


@pytest.mark.django_db
def test_a_handler_runs_after_commit_once_per_activity(recorder, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            one = activity_record(verb=VERB)
            two = activity_record(verb=VERB)
            other = activity_record(verb="test_ignored")
        assert recorder.seen == [], "nothing may run before the transaction commits"

    assert len(callbacks) == 3
    assert sorted(recorder.seen) == sorted([one.pk, two.pk])
    assert other.pk not in recorder.seen
    assert Activity.objects.filter(processed_at__isnull=True).count() == 0


@pytest.mark.django_db
def test_a_failing_handler_does_not_stop_the_others_and_keeps_the_activity_waiting(
    failing_handler, recorder, django_capture_on_commit_callbacks
):
    assert handlers_for(VERB).index(recorder) > 0, "the failing handler must run first"

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        activity = activity_record(verb=VERB)

    assert recorder.seen == [activity.pk]
    activity.refresh_from_db()
    assert activity.processed_at is None, "its failed handler's work is still to do"
    assert "a handler broke" in activity.last_error
    assert activity.attempts == 1
    assert activity.next_attempt_at is not None
    assert not Category.objects.filter(slug="written-by-a-failing-handler").exists()


@pytest.mark.django_db
def test_nothing_is_recorded_or_processed_when_the_transaction_rolls_back(recorder, django_capture_on_commit_callbacks):
    def service_that_fails_after_recording() -> None:
        with transaction.atomic():
            activity_record(verb=VERB)
            raise RuntimeError("the service failed after recording")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        service_that_fails_after_recording()

    assert callbacks == []
    assert recorder.seen == []
    assert Activity.objects.count() == 0


@pytest.mark.django_db
def test_processing_again_is_harmless_and_a_missing_activity_is_ignored(recorder):
    activity = activity_record(verb=VERB)

    activity_process(activity_id=activity.pk)
    first_processed_at = Activity.objects.get().processed_at
    activity_process(activity_id=activity.pk)

    assert first_processed_at is not None
    assert Activity.objects.get().processed_at == first_processed_at
    assert recorder.seen == [activity.pk]
    assert activity_process(activity_id=activity.pk + 1000) is None


@pytest.mark.django_db(transaction=True)
def test_after_a_real_commit_the_activity_is_processed_inline(recorder):
    with transaction.atomic():
        activity = activity_record(verb=VERB)
        assert recorder.seen == []

    assert recorder.seen == [activity.pk]
    assert Activity.objects.get().processed_at is not None


def test_verbs_have_human_labels(english):
    assert verb_label("business_registered") == "registered the business"
    assert verb_label("something_unregistered") == "something unregistered"
