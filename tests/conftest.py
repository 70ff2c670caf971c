"""Shared fixtures: isolated cache and media, clients for pages and for the API, a business with a team.

Pages are read in English unless a test chooses otherwise, so assertions on message texts keep
holding when the Indonesian catalogue grows.
"""

import importlib
import os
from collections.abc import Callable, Iterator

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from etalase.accounts.models import User
from etalase.directory.enums import Role
from etalase.directory.models import Business, Category, Membership
from tests.factories import ApiTokenFactory, MembershipFactory, UserFactory, registered_business

pytest_plugins = ["tests.plugins.clock", "tests.plugins.fixtures", "tests.plugins.orders", "tests.plugins.ownership"]

# Property tests check what is true, not how fast: on a busy machine an example may take longer than
# hypothesis's default 200 ms deadline, which would fail a correct test (speed is the benchmarks').
hypothesis_settings.register_profile("etalase", deadline=None)
hypothesis_settings.load_profile("etalase")


@pytest.fixture(autouse=True)
def _isolated_cache() -> Iterator[None]:
    """Login throttling lives in the cache; no test inherits another's failed attempts."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_categories_in_flushed_databases(request) -> None:
    """A transactional test flushes every table, data migrations' rows included, after it runs.

    Put the default business fields back before each transactional test, so it starts from what a
    fresh installation has, whichever test ran before it.
    """
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return
    request.getfixturevalue("transactional_db")
    migration = importlib.import_module("etalase.directory.migrations.0002_default_categories")
    for position, (slug, name_id, name_en) in enumerate(migration.CATEGORIES):
        Category.objects.get_or_create(
            slug=slug, defaults={"name_id": name_id, "name_en": name_en, "position": position}
        )


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    # Buffered visits (``catalog.visits``) wait in this test's own spool folder or Redis list.
    settings.VISITS_SPOOL_DIR = str(tmp_path / "visits")
    settings.VISITS_REDIS_KEY = f"etalase:test:visits:{tmp_path.name}:{os.getpid()}"


ClientFor = Callable[..., Client]


@pytest.fixture
def client_for(db) -> ClientFor:
    """``client_for(user)``: a browser session for ``user`` (or anonymous with ``None``)."""

    def make(user: User | None = None, *, language: str | None = "en", enforce_csrf_checks: bool = False):
        browser = Client(enforce_csrf_checks=enforce_csrf_checks)
        if language:
            browser.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        if user is not None:
            browser.force_login(user)
        return browser

    return make


@pytest.fixture
def api_client_for(db) -> ClientFor:
    """``api_client_for(user)``: sends ``Authorization: Bearer <a new token of user>`` on every call."""

    def make(user: User | None = None, *, language: str = "en") -> Client:
        headers = {"accept-language": language}
        if user is not None:
            token = ApiTokenFactory(user=user, name="test client")
            headers["authorization"] = f"Bearer {token.secret}"
        return Client(headers=headers)

    return make


@pytest.fixture
def anonymous_client(client_for) -> Client:
    return client_for(None)


@pytest.fixture
def customer(db) -> User:
    """Someone with an account and no business."""
    return UserFactory(name="Budi Pelanggan")


@pytest.fixture
def owner(db) -> User:
    return UserFactory(name="Sari Pemilik", phone="+6281234567890", email="sari@example.com")


@pytest.fixture
def business(owner) -> Business:
    """Batik Sari, registered through the service by ``owner``."""
    return registered_business(owner=owner, name="Batik Sari")


@pytest.fixture
def owner_client(client_for, owner, business) -> Client:
    return client_for(owner)


@pytest.fixture
def member_of(db) -> Callable[..., Membership]:
    """``member_of(business, role)``: a new user in the business's team with that role."""

    def make(business: Business, role: str = Role.SALES, **user_fields: object) -> Membership:
        return MembershipFactory(business=business, role=role, user=UserFactory(**user_fields))

    return make


@pytest.fixture
def english() -> Iterator[None]:
    """Messages raised outside a request (services, helpers) in English, whatever the default."""
    with translation.override("en"):
        yield
