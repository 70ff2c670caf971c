"""Writing many activities at once (buffered acts such as visits, flushed in batches).

``activity_record_many`` writes what ``activity_record`` would have written for each row, in a few
statements instead of one transaction per act, and schedules the same processing after commit.
"""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from etalase.activity.enums import Channel
from etalase.activity.models import Activity
from etalase.activity.services import activities_process_after_commit, data_contact_id

BATCH_SIZE = 500
"""Rows per INSERT, and keys per look-up (well under SQLite's limit on query parameters)."""


def _activity(row: dict[str, Any]) -> Activity:
    verb = row.get("verb")
    if not isinstance(verb, str) or not verb:
        raise ValueError("every activity row needs a verb")
    data = row.get("data") or {}
    occurred_at: dt.datetime | None = row.get("occurred_at")
    target_id = row.get("target_id")
    return Activity(
        verb=verb,
        business_id=row.get("business_id"),
        actor_id=row.get("actor_id") or None,
        target_type_id=row.get("target_type_id"),
        target_id="" if target_id is None else str(target_id),
        data=data,
        contact_id=data_contact_id(data),
        channel=row.get("channel") or Channel.WEB,
        occurred_at=occurred_at or timezone.now(),
        idempotency_key=row.get("idempotency_key") or None,
    )


def activity_record_many(rows: Sequence[dict[str, Any]]) -> int:
    """Append many activities; return how many rows are new. Each is processed after commit.

    A row has the fields of :func:`~etalase.activity.services.activity_record`: ``verb`` (required),
    ``business_id``, ``actor_id``, ``target_type_id`` and ``target_id``, ``data`` (its ``contact_id``
    fills the indexed column), ``channel`` (web), ``occurred_at`` (now) and ``idempotency_key``.
    As with ``activity_record``, a key already recorded writes nothing, and of several rows with one
    key only the first counts, so writing the same rows twice (a flush retried after a crash) adds
    nothing the second time. Call it inside or outside a transaction; the rows are written in one.

    A row with a key inserted by another writer between this function's look-up and its insert is
    counted here too: processing is idempotent (the handler ledger), so that costs nothing twice.
    """
    plain: list[Activity] = []
    keyed: dict[str, Activity] = {}
    for row in rows:
        activity = _activity(row)
        if activity.idempotency_key:
            keyed.setdefault(activity.idempotency_key, activity)
        else:
            plain.append(activity)
    inserted: list[int] = []
    with transaction.atomic():
        if plain:
            created = Activity.objects.bulk_create(plain, batch_size=BATCH_SIZE)
            inserted.extend(activity.pk for activity in created)
        keys = list(keyed)
        for start in range(0, len(keys), BATCH_SIZE):
            chunk = keys[start : start + BATCH_SIZE]
            known = set(Activity.objects.filter(idempotency_key__in=chunk).values_list("idempotency_key", flat=True))
            new_keys = [key for key in chunk if key not in known]
            if not new_keys:
                continue
            Activity.objects.bulk_create([keyed[key] for key in new_keys], ignore_conflicts=True)
            # ``ignore_conflicts`` leaves the primary keys unset: read them back by key.
            inserted.extend(Activity.objects.filter(idempotency_key__in=new_keys).values_list("pk", flat=True))
        activities_process_after_commit(inserted)
    return len(inserted)
