"""The shop's team sees on the Dashboard when its acts wait for processing longer than a minute."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from etalase.activity.models import Activity
from etalase.activity.selectors import activity_backlog
from etalase.activity.services import activity_record

pytestmark = [pytest.mark.django_db, pytest.mark.clock("2026-06-15 10:00 Asia/Jakarta", tick=False)]

VERB = "test_waiting"


@pytest.fixture
def queued(settings, business):
    """No inline processing; what registering the shop recorded counts as processed."""
    settings.ACTIVITY_PROCESS_INLINE = False
    Activity.objects.update(processed_at=timezone.now())


def _panel(client, business) -> str:
    response = client.get(reverse("insights:panel", args=[business.slug]))
    assert response.status_code == 200
    return response.content.decode()


def test_nothing_waiting_shows_no_delay(owner_client, business, queued):
    backlog = activity_backlog(business)

    assert (backlog.oldest_waiting, backlog.failing) == (None, 0)
    assert "data-delayed" not in _panel(owner_client, business)


def test_an_act_waiting_a_minute_is_not_yet_a_delay_but_past_it_is(owner_client, business, queued, english):
    activity_record(verb=VERB, business=business)

    with time_machine.travel(timezone.now() + dt.timedelta(seconds=60), tick=False):
        assert activity_backlog(business).oldest_waiting == dt.timedelta(seconds=60)
        assert "data-delayed" not in _panel(owner_client, business)

    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61), tick=False):
        page = _panel(owner_client, business)
    assert 'role="status" data-delayed' in page
    assert "Notifications are delayed." in page


def test_failing_acts_are_counted_and_shown_at_once(owner_client, business, queued, english):
    activity = activity_record(verb=VERB, business=business)
    Activity.objects.filter(pk=activity.pk).update(attempts=4, last_error="handler: RuntimeError: broken")

    assert activity_backlog(business).failing == 1
    assert "1 act could not be processed yet and is retried automatically." in _panel(owner_client, business)


def test_another_shops_backlog_is_not_counted(owner_client, business, queued):
    from tests.factories import BusinessFactory

    other = BusinessFactory()
    activity_record(verb=VERB, business=other)

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5), tick=False):
        assert activity_backlog(business).oldest_waiting is None
        assert activity_backlog(other).oldest_waiting == dt.timedelta(minutes=5)
        assert "data-delayed" not in _panel(owner_client, business)


def test_the_delay_is_in_indonesian_too(owner_client, business, queued, settings):
    activity_record(verb=VERB, business=business)
    owner_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=2), tick=False):
        page = _panel(owner_client, business)

    assert "Notifikasi tertunda." in page
