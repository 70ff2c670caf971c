"""Handlers of the worker processes under test: each leaves a row per run, so work done twice shows."""

import time
import uuid

from etalase.activity.models import Activity
from etalase.directory.models import Category

EFFECT, FLAKY, SLOW = "test_effect", "test_flaky", "test_slow"
VERBS = [EFFECT, FLAKY, SLOW]


def effect(activity: Activity) -> None:
    Category.objects.create(slug=f"effect-{activity.pk}-{uuid.uuid4().hex[:8]}", name_id="x", name_en="x")


def flaky(activity: Activity) -> None:
    """Fails on the first two attempts."""
    if activity.attempts <= 2:
        raise RuntimeError(f"flaky on attempt {activity.attempts}")


def slow(activity: Activity) -> None:
    """Hangs on its first attempt (the test kills the worker meanwhile)."""
    if activity.attempts == 1:
        time.sleep(60)
