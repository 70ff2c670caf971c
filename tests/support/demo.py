"""Demo helpers: loading the demo data set through its command, small, what a loaded demo tells, and
who its customers are."""

import datetime as dt
from dataclasses import dataclass
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import QuerySet

from etalase.accounts.models import User
from etalase.demo import pictures

SMALL = {"customers": 30, "days": 10}
# A short story: the whole cast, catalogues and pictures, but few customers and days. What two loads
# compare (the same seed, the same data) needs no more; the shared demo covers the longer story.
SHORT = {"customers": 6, "days": 2}


@dataclass(frozen=True)
class LoadedDemo:
    seed: int  # the seed it was loaded with
    started: dt.datetime  # the story's present (--now): everything in the story happened before it
    output: str  # what the command printed
    media_root: str  # where its logos, covers, photos and post pictures are
    private_media_root: str  # where its proofs of payment are


def seed_demo(**options: Any) -> str:
    """``etalase seed_demo`` with ``SMALL`` sizes unless ``options`` say otherwise; what it printed."""
    output = StringIO()
    call_command("seed_demo", **{**SMALL, **options}, stdout=output)
    return output.getvalue()


def customers() -> QuerySet[User]:
    return User.objects.filter(memberships__isnull=True, is_staff=False)


def pictures_small(patch: pytest.MonkeyPatch) -> None:
    """The demo's pictures drawn small: the same drawings, quicker to make and to store."""
    patch.setattr(pictures, "PHOTO_SIDE", 120)
    patch.setattr(pictures, "POST_SIDE", 160)
    patch.setattr(pictures, "COVER_SIZE", (320, 140))
