"""Buffered visits: what the pages note is written to the spine by ``visits_flush``, exactly as a direct
write would have been, once, whatever happens to the flush."""

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from etalase.accounts.models import User
from etalase.activity.enums import Channel
from etalase.activity.models import Activity
from etalase.activity.services import activity_record
from etalase.catalog import visits
from etalase.catalog.enums import Verb
from etalase.catalog.models import Product
from etalase.catalog.services import VIEW_WINDOW, view_record
from etalase.catalog.visits import visits_flush, visits_pending
from etalase.core.visitors import COOKIE_NAME
from etalase.directory.models import Business
from etalase.insights.enums import Metric
from etalase.insights.models import AppliedActivity, DailyMetric, DailyVisitor
from etalase.insights.selectors import DateRange, dashboard_get
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 6, 15, 3, 10, tzinfo=dt.UTC)  # 10:10 in Jakarta: one local day for the whole story


def recorded_at_once(
    *, request_visitor_key: str, business: Business, product: Product | None = None, user: User | None = None
) -> None:
    """The direct write pages made before visits were buffered: one ``activity_record`` per view."""
    verb = Verb.VIEWED_PRODUCT if product is not None else Verb.VIEWED_BUSINESS
    target: Model = product if product is not None else business
    now = timezone.now()
    window = int(now.timestamp() // VIEW_WINDOW.total_seconds())
    actor = user if user is not None and getattr(user, "is_authenticated", False) else None
    activity_record(
        verb=verb,
        business=business,
        actor=actor,
        target=target,
        data={"visitor": request_visitor_key},
        channel=Channel.WEB,
        occurred_at=now,
        idempotency_key=f"view:{verb}:{target.pk}:{request_visitor_key}:{window}",
    )


def browser(number: int, user: User | None = None, agent: str = "Mozilla/5.0 (Linux; Android 14)") -> Client:
    client = Client(HTTP_USER_AGENT=agent)
    client.cookies[COOKIE_NAME] = f"visitor-{number:04d}-abcdefghijklmnopqrstuvwxyz"
    if user is not None:
        client.force_login(user)
    return client


def crowd(business: Business, product: Product, customer: User) -> None:
    """Twelve people, reloads, a customer signing in halfway through the hour, a robot, the next hour."""
    storefront = reverse("catalog:storefront", args=[business.slug])
    product_page = reverse("catalog:product", args=[business.slug, product.pk])
    moments = iter(START + dt.timedelta(seconds=7 * step) for step in range(1000))

    def at(person: Client, url: str) -> None:
        with time_machine.travel(next(moments), tick=False):
            assert person.get(url).status_code == 200

    people = [browser(number) for number in range(12)]
    for person in people:
        at(person, storefront)
    for person in people[:5]:
        at(person, product_page)
        at(person, product_page)  # a reload: the same view
    at(people[0], storefront)
    signed_in = browser(3, user=customer)  # the same browser, now signed in: still the same view this hour
    at(signed_in, product_page)
    at(browser(99, agent="WhatsApp/2.24.6 A"), storefront)  # a link preview
    with time_machine.travel(START + dt.timedelta(hours=1, minutes=5), tick=False):
        assert people[0].get(storefront).status_code == 200  # the next hour: a new view
        assert signed_in.get(product_page).status_code == 200


def spine_and_dashboard(business: Business) -> tuple[list[Any], dict[str, int], int]:
    rows = sorted(
        Activity.objects.filter(verb__in=[Verb.VIEWED_BUSINESS, Verb.VIEWED_PRODUCT]).values_list(
            "verb",
            "business_id",
            "actor_id",
            "target_type_id",
            "target_id",
            "data",
            "channel",
            "occurred_at",
            "idempotency_key",
            "contact_id",
        ),
        key=repr,
    )
    day = timezone.localdate(START)
    totals = dashboard_get(business, date_range=DateRange(day, day)).totals
    shown = (Metric.STOREFRONT_VIEWS, Metric.PRODUCT_VIEWS, Metric.VISITORS)
    counts: dict[str, int] = {metric: totals[metric] for metric in shown}
    return rows, counts, Activity.objects.filter(processed_at__isnull=False).count()


def test_flushed_visits_are_the_rows_and_counts_direct_writes_made(
    business, make_product, monkeypatch, django_capture_on_commit_callbacks
):
    product = make_product(business)
    customer = UserFactory()
    Activity.objects.all().delete()

    crowd(business, product, customer)
    assert not Activity.objects.exists()  # the pages wrote nothing
    assert visits_pending() == 12 + 10 + 1 + 1 + 2
    with django_capture_on_commit_callbacks(execute=True):
        assert visits_flush() == 12 + 5 + 2
    buffered = spine_and_dashboard(business)

    Activity.objects.all().delete()
    AppliedActivity.objects.all().delete()
    DailyMetric.objects.all().delete()
    DailyVisitor.objects.all().delete()
    monkeypatch.setattr("etalase.catalog.views.view_record", recorded_at_once)
    with django_capture_on_commit_callbacks(execute=True):
        crowd(business, product, customer)
    direct = spine_and_dashboard(business)

    assert buffered == direct
    rows, counts, processed = buffered
    assert counts == {Metric.STOREFRONT_VIEWS: 13, Metric.PRODUCT_VIEWS: 6, Metric.VISITORS: 12}
    assert processed == len(rows) == 19
    assert min(row[7] for row in rows) == START  # the request's time, not the flush's


def test_every_request_of_a_crowd_of_new_visitors_is_one_view(client, business):
    url = reverse("catalog:storefront", args=[business.slug])

    for _request in range(40):
        Client().get(url)  # no cookie: a new visitor each time

    assert visits_flush() == 40
    assert Activity.objects.filter(verb=Verb.VIEWED_BUSINESS, business=business).count() == 40
    assert visits_flush() == 0


def test_the_command_writes_what_waits(business, capsys):
    view_record(request_visitor_key="a" * 32, business=business)

    call_command("visits_flush")

    assert Activity.objects.filter(verb=Verb.VIEWED_BUSINESS).count() == 1
    assert "1 new views recorded." in capsys.readouterr().out


def test_a_flush_killed_between_writing_and_deleting_counts_nothing_twice(business, make_product, monkeypatch):
    product = make_product(business)
    Activity.objects.all().delete()
    view_record(request_visitor_key="a" * 32, business=business)
    view_record(request_visitor_key="b" * 32, business=business, product=product)

    def killed(path: Path) -> None:
        raise KeyboardInterrupt  # the process dies after its rows are committed, before the file goes

    monkeypatch.setattr(Path, "unlink", killed)
    with pytest.raises(KeyboardInterrupt):
        visits_flush()
    monkeypatch.undo()
    assert Activity.objects.count() == 2
    view_record(request_visitor_key="c" * 32, business=business)  # a visit arriving meanwhile

    assert visits_flush() == 1

    assert Activity.objects.count() == 3
    assert visits_pending() == 0
    assert sorted(Activity.objects.values_list("data__visitor", flat=True)) == ["a" * 32, "b" * 32, "c" * 32]


def test_a_spool_file_claimed_by_a_flush_is_never_written_again(business):
    """A page served after a flush took its process's file writes to a new file, not the claimed one."""
    view_record(request_visitor_key="a" * 32, business=business)
    directory = visits.spool_directory()
    (spool,) = directory.glob("*.spool")
    claimed = visits._claim(spool)
    assert claimed is not None

    view_record(request_visitor_key="b" * 32, business=business)

    assert claimed.read_text().count("\n") == 1
    assert spool.read_text().count("\n") == 1
    assert visits_flush() == 2


def test_a_visit_of_a_shop_or_account_deleted_before_the_flush(business, make_product):
    gone = UserFactory()
    view_record(request_visitor_key="a" * 32, business=business, user=gone)
    gone.delete()
    view_record(request_visitor_key="b" * 32, business=business)
    (visits.spool_directory() / "garbage.spool").write_text('{"v": 1, "verb": "viewed_business"}\nnot json\n')

    assert visits_flush() == 2

    assert list(Activity.objects.filter(verb=Verb.VIEWED_BUSINESS).values_list("actor_id", flat=True)) == [None, None]
    assert visits_pending() == 0


def test_a_buffer_that_cannot_take_a_visit_does_not_cost_the_page(client, business, settings):
    settings.VISITS_SPOOL_DIR = "/proc/no-such-folder/visits"

    response = client.get(reverse("catalog:storefront", args=[business.slug]))

    assert response.status_code == 200
    assert not Activity.objects.filter(verb=Verb.VIEWED_BUSINESS).exists()


# --- with Redis ----------------------------------------------------------------------------------


@pytest.fixture
def redis_buffer(settings):
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings.REDIS_URL = url
    client = visits._redis()
    yield client
    client.delete(visits._redis_key(), f"{visits._redis_key()}:flush-lock")


def test_with_redis_visits_wait_in_a_list_and_are_written_once(redis_buffer, business, make_product, monkeypatch):
    product = make_product(business)
    Activity.objects.all().delete()
    for key in ("a", "b", "a"):
        view_record(request_visitor_key=key * 32, business=business, product=product)
    assert redis_buffer.llen(visits._redis_key()) == 3
    assert not list(visits.spool_directory().glob("*"))

    original_ltrim = redis_buffer.ltrim
    monkeypatch.setattr(redis_buffer, "ltrim", lambda *args: (_ for _ in ()).throw(KeyboardInterrupt))
    with pytest.raises(KeyboardInterrupt):
        visits_flush()  # killed after writing, before dropping the lines
    monkeypatch.setattr(redis_buffer, "ltrim", original_ltrim)
    redis_buffer.delete(f"{visits._redis_key()}:flush-lock")  # as its expiry would
    view_record(request_visitor_key="c" * 32, business=business)

    assert visits_flush() == 1

    assert Activity.objects.count() == 3
    assert redis_buffer.llen(visits._redis_key()) == 0


def test_with_redis_a_second_flush_waits_for_the_first(redis_buffer, business):
    view_record(request_visitor_key="a" * 32, business=business)
    redis_buffer.set(f"{visits._redis_key()}:flush-lock", "another", ex=60)

    assert visits_flush() == 0
    assert visits_pending() == 1
