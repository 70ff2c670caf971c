"""Writing to the spine. ``activity_record`` is called inside a service's transaction."""

import datetime as dt
import functools
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone

from etalase.activity import wake
from etalase.activity.enums import Channel
from etalase.activity.models import Activity
from etalase.activity.processing import activities_claim, activities_process
from etalase.core.numbers import positive_whole_number

logger = logging.getLogger(__name__)


def activity_record(
    *,
    verb: str,
    business: models.Model | None = None,
    actor: models.Model | None = None,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
    channel: str = Channel.WEB,
    occurred_at: dt.datetime | None = None,
    idempotency_key: str | None = None,
) -> Activity:
    """Append one activity; a worker processes it after the surrounding transaction commits.

    The row itself is the queued work (no task is enqueued): committed means it will be processed, and
    the worker is only woken early (docs/pipeline.md). With ``ACTIVITY_PROCESS_INLINE`` (the test
    settings) it is processed at once after commit instead.

    With an ``idempotency_key`` already recorded, the existing row is returned and nothing new is
    written or processed: a repeated tap records one act. An act about a contact names it as
    ``data["contact_id"]``; the row's indexed ``contact`` column holds the same id.
    """
    if idempotency_key:
        existing = Activity.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    activity = Activity(
        verb=verb,
        business_id=business.pk if business is not None else None,
        actor_id=actor.pk if actor is not None and actor.pk else None,
        data=data or {},
        contact_id=data_contact_id(data),
        channel=channel,
        occurred_at=occurred_at or timezone.now(),
        idempotency_key=idempotency_key or None,
    )
    if target is not None:
        activity.target_type = ContentType.objects.get_for_model(target)
        activity.target_id = str(target.pk)
    try:
        with transaction.atomic():
            activity.save()
    except IntegrityError:
        if idempotency_key:
            return Activity.objects.get(idempotency_key=idempotency_key)
        raise
    activities_process_after_commit([activity.pk])
    return activity


def activities_process_after_commit(activity_ids: list[int]) -> None:
    """New rows just written: wake the workers when the transaction commits (or, with
    ``ACTIVITY_PROCESS_INLINE``, process them at once after commit, oldest first)."""
    if not activity_ids:
        return
    if getattr(settings, "ACTIVITY_PROCESS_INLINE", False):
        for activity_id in sorted(activity_ids):
            transaction.on_commit(functools.partial(_process_inline, activity_id), robust=True)
    else:
        wake.wake_on_commit()


def data_contact_id(data: Any) -> int | None:
    """The contact an activity's data names (``data["contact_id"]``), or None."""
    value = data.get("contact_id") if isinstance(data, dict) else None
    return positive_whole_number(value)


def activity_contact_repoint(*, business: models.Model, from_contact_id: int, to_contact_id: int) -> int:
    """Activities about contact ``from_contact_id`` at ``business`` are now about ``to_contact_id`` (a merge).

    Both the indexed ``contact`` column and ``data["contact_id"]`` move; the data keeps the original as
    ``merged_from_contact_id`` (the first one, should the contact have been merged before). Other
    businesses' rows are never touched. Call inside the merging service's transaction; returns how
    many rows moved.
    """
    rows = Activity.objects.filter(business_id=business.pk, contact_id=from_contact_id).only("id", "data")
    # Read whole, then written in batches: the update moves the rows out of the index being read.
    activities = list(rows)
    for activity in activities:
        data = dict(activity.data)
        data["contact_id"] = to_contact_id
        data.setdefault("merged_from_contact_id", from_contact_id)
        activity.data = data
        activity.contact_id = to_contact_id
    Activity.objects.bulk_update(activities, ["data", "contact_id"], batch_size=500)
    return len(activities)


def activity_process(*, activity_id: int, worker_id: str = "inline") -> Activity | None:
    """Process one activity now, through the same claim, ledger and retry state as the worker.

    Used after commit when ``ACTIVITY_PROCESS_INLINE`` is on (tests) and by tests directly. A processed
    activity is left alone; a failed handler stays recorded on the row (``last_error``) for the worker
    to retry; a missing activity returns None.
    """
    if activities_claim(worker_id=worker_id, ids=[activity_id], limit=1):
        activities_process(ids=[activity_id])
    return Activity.objects.filter(pk=activity_id).first()


def _process_inline(activity_id: int) -> None:
    try:
        activity_process(activity_id=activity_id)
    except DatabaseError:
        logger.exception("Inline processing of activity %s failed; a worker will retry it", activity_id)


def activity_anonymise(
    *,
    business: models.Model,
    actor: models.Model | None = None,
    contact_id: int | None = None,
    keys: Iterable[str],
    actor_keys: Iterable[str] = (),
) -> int:
    """Strip one person's personal data from their activities at one business (an erasure).

    A row is this person's when, at ``business``, it was done by ``actor``, is about ``contact_id``
    (its ``contact`` column, a copy of ``data["contact_id"]``), or names the actor's user id under one
    of ``actor_keys`` (e.g. the ``asked_by`` of an answer to their question). Those rows keep verb,
    target, amounts and dates for the books; ``keys`` and ``actor_keys`` are removed from their data, and rows done by
    ``actor`` lose the actor link. Other businesses' rows are never touched. Call inside the
    erasing service's transaction; returns how many rows changed.
    """
    removed = {*keys, *actor_keys}
    person = Q(pk__in=[])
    if actor is not None and actor.pk:
        person |= Q(actor_id=actor.pk)
        for key in actor_keys:
            person |= Q(**{f"data__{key}": actor.pk})
    if contact_id is not None:
        person |= Q(contact_id=contact_id)
    rows = Activity.objects.filter(person, business_id=business.pk)
    with_personal_data = Q(pk__in=[])
    for key in removed:
        with_personal_data |= Q(data__has_key=key)
    # Ids first, then chunks: SQLite does not isolate a running read from writes to the same table.
    ids = list(rows.filter(with_personal_data).values_list("pk", flat=True))
    touched = set(ids)
    for start in range(0, len(ids), 500):
        batch = list(Activity.objects.filter(pk__in=ids[start : start + 500]).only("pk", "data"))
        for activity in batch:
            activity.data = {key: value for key, value in activity.data.items() if key not in removed}
        Activity.objects.bulk_update(batch, ["data"])
    if actor is not None and actor.pk:
        acted = Activity.objects.filter(business_id=business.pk, actor_id=actor.pk)
        touched.update(acted.values_list("pk", flat=True))
        acted.update(actor=None)
    return len(touched)
