"""The demo's tests draw its pictures small, and share one loaded demo.

``demo`` is the demo as ``seed_demo --seed 7`` loads it with ``SMALL`` sizes, loaded once for the
whole folder, with what the load leaves for after commit run at its end, as a real commit would
(its activities processed). It is loaded inside a transaction that every test using it runs within
(as Django's ``TestCase.setUpTestData``), each test in its own savepoint that is rolled back, so
what a test changes (a login, a reload) no test after it sees. A test that changes its files works
on a copy of them. The tests that use ``demo`` run after the folder's other tests, so that none of
those, which need an empty database, finds the shared demo already loaded.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import transaction
from django.test import TestCase
from django.test.utils import override_settings
from django.utils import timezone

from tests.support.demo import LoadedDemo, pictures_small, seed_demo

DEMO_FOLDER = Path(__file__).parent
DEMO_SEED = 7


@pytest.fixture(autouse=True)
def _small_pictures(monkeypatch: pytest.MonkeyPatch) -> None:
    pictures_small(monkeypatch)


@pytest.fixture(scope="package")
def _demo_loaded(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[LoadedDemo]:
    with django_db_blocker.unblock():
        media_root = str(tmp_path_factory.mktemp("demo-media"))
        private_media_root = str(tmp_path_factory.mktemp("demo-private"))
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            roots = override_settings(MEDIA_ROOT=media_root, PRIVATE_MEDIA_ROOT=private_media_root)
            # Small only while loading: the patch must not outlive the load, or a later test that
            # checks the real sizes (test_pictures.py) would find it still in place.
            with roots, pytest.MonkeyPatch.context() as patch, TestCase.captureOnCommitCallbacks(execute=True):
                pictures_small(patch)
                started = timezone.now()
                output = seed_demo(seed=DEMO_SEED, now=started)
            yield LoadedDemo(
                seed=DEMO_SEED,
                started=started,
                output=output,
                media_root=media_root,
                private_media_root=private_media_root,
            )
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def demo(_demo_loaded, db, settings) -> LoadedDemo:
    """The shared demo (see the module's docstring); its files are where the test reads them."""
    settings.MEDIA_ROOT = _demo_loaded.media_root
    settings.PRIVATE_MEDIA_ROOT = _demo_loaded.private_media_root
    return _demo_loaded


def _is_transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return "transactional_db" in getattr(item, "fixturenames", ())


def _uses_database(item: pytest.Item) -> bool:
    return item.get_closest_marker("django_db") is not None or "db" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The folder's tests on the shared demo run after its other database tests, in one block (the
    demo stays loaded from the first of them to the last).

    pytest-django has already put the tests that need no database, and the transactional ones, after
    the others, so the folder's tests sit in two places of the run: the shared ones go at the end of
    the first place, which is where the folder's plain database tests are.
    """
    positions = [index for index, item in enumerate(items) if DEMO_FOLDER in item.path.parents]
    if not positions:
        return
    folder = [items[index] for index in positions]
    plain = [item for item in folder if _uses_database(item) and not _is_transactional(item)]
    shared = [item for item in plain if "demo" in getattr(item, "fixturenames", ())]
    others = [item for item in plain if "demo" not in getattr(item, "fixturenames", ())]
    later = [item for item in folder if item not in plain]
    for index, item in zip(positions, others + shared + later, strict=True):
        items[index] = item
