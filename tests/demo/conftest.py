"""The demo's tests draw its pictures small: the same drawings, quicker to make and to store."""

import pytest

from etalase.demo import pictures


@pytest.fixture(autouse=True)
def _small_pictures(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pictures, "PHOTO_SIDE", 120)
    monkeypatch.setattr(pictures, "POST_SIDE", 160)
    monkeypatch.setattr(pictures, "COVER_SIZE", (320, 140))
