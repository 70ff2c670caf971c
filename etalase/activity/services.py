"""Writing to the spine. ``activity_record`` is called inside a service's transaction."""

import datetime as dt
import logging
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from etalase.activity.enums import Channel
from etalase.activity.models import Activity
from etalase.activity.registry import handlers_for
from etalase.core import dispatch

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
    """Append one activity and process it after the surrounding transaction commits.

    With an ``idempotency_key`` already recorded, the existing row is returned and nothing new is
    written or processed: a repeated tap records one act.
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
    from etalase.activity.tasks import process_activity

    dispatch.on_commit(process_activity, activity.pk)
    return activity


def activity_process(*, activity_id: int) -> Activity | None:
    """Run every registered handler for one activity, then mark it processed.

    Handlers are idempotent, so running this twice is harmless; one failing handler is logged and
    does not stop the others.
    """
    activity = Activity.objects.select_related("business", "actor").filter(pk=activity_id).first()
    if activity is None:
        return None
    for handler in handlers_for(activity.verb):
        try:
            with transaction.atomic():
                handler(activity)
        except Exception:
            logger.exception("Activity handler %r failed for activity %s", handler, activity.pk)
    Activity.objects.filter(pk=activity.pk).update(processed_at=timezone.now())
    return activity
