"""Fixtures that tests of several folders use: another shop, and committing what a block leaves for
after commit."""

from collections.abc import Callable
from typing import Any

import pytest

from etalase.directory.models import Business
from tests.factories import UserFactory, registered_business


@pytest.fixture
def other_business(db) -> Business:
    """Kopi Senja: another shop, with another owner."""
    return registered_business(owner=UserFactory(name="Bayu"), name="Kopi Senja", category_slug="coffee-shop")


@pytest.fixture
def committed(django_capture_on_commit_callbacks) -> Callable[[], Any]:
    """``with committed():`` runs what the block leaves for after commit (activity processing,
    pushes, stream wake-ups), as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def sms_outbox(settings) -> list[tuple[str, str]]:
    """The text messages (one-time codes) sent during the test, as ``(phone, text)``, instead of the
    console; read a code with ``tests.support.accounts.code_sent_to``."""
    from etalase.accounts import sms

    settings.SMS_SENDER = "etalase.accounts.sms.memory_send"
    sms.outbox.clear()
    return sms.outbox
