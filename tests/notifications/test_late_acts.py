"""Acts processed late (a backlog, a lock, a retry) tell the same story as acts processed live.

Bursts, the time a notification shows and its place in the centre follow when the act happened
(``Activity.occurred_at``); only whether and when to push follows the clock. Each test pins the clock
and records acts in the past without processing them (no commit runs their handlers), then processes
them "now", and compares with the same acts processed at their own moments.
"""

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from etalase.activity.models import Activity
from etalase.activity.services import activity_process, activity_record
from etalase.engagement.services import favourite_add
from etalase.notifications import rules
from etalase.notifications.enums import Kind
from etalase.notifications.models import Notification, NotificationPreference
from etalase.notifications.services import push_subscription_save
from tests.factories import UserFactory
from tests.support.notifications import browser_keys

pytestmark = [pytest.mark.django_db, pytest.mark.clock("2026-06-15 10:00 Asia/Jakarta", tick=False)]

Act = Callable[[], Activity]


def at(moment: dt.datetime) -> Any:
    return time_machine.travel(moment, tick=False)


def favourites(product, people: Sequence[Any]) -> list[Act]:
    def favourite(person) -> Act:
        def act() -> Activity:
            favourite_add(user=person, product_id=product.pk)
            return Activity.objects.filter(verb="favourited", actor=person).latest("id")

        return act

    return [favourite(person) for person in people]


def recorded(moments: Sequence[dt.datetime], acts: Sequence[Act]) -> list[Activity]:
    """Each act done at its moment, none processed yet (nothing commits in the test)."""
    done = []
    for moment, act in zip(moments, acts, strict=True):
        with at(moment):
            done.append(act())
    return done


def processed(activities: Sequence[Activity]) -> None:
    for activity in activities:
        activity_process(activity_id=activity.pk)


def live(moments: Sequence[dt.datetime], acts: Sequence[Act], committed) -> None:
    """Each act done and processed at its moment."""
    for moment, act in zip(moments, acts, strict=True):
        with at(moment), committed():
            act()


def told(user) -> list[tuple[Any, ...]]:
    """What the person's centre shows, in its order."""
    page = Notification.objects.filter(recipient=user).order_by("-occurred_at", "-id")
    return [(row.kind, row.title, row.body, row.count, row.occurred_at, row.data.get("started_at")) for row in page]


def people(count: int, prefix: str = "Pelanggan") -> list[Any]:
    return [UserFactory(name=f"{prefix} {n}") for n in range(count)]


def every_four_minutes(start: dt.datetime, count: int) -> list[dt.datetime]:
    return [start + dt.timedelta(minutes=4 * n) for n in range(count)]


def test_a_two_hour_backlog_makes_the_notifications_live_processing_makes(
    business, product, owner, clock_now, committed
):
    moments = every_four_minutes(clock_now - dt.timedelta(hours=2), 30)  # 08:00 … 09:56
    recorded(moments, favourites(product, people(30)))
    processed(list(Activity.objects.filter(verb="favourited").order_by("occurred_at", "id")))
    late = told(owner)
    Notification.objects.all().delete()
    live(moments, favourites(product, people(30, "Tamu")), committed)

    def without_names(rows):
        return [(kind, count, occurred, started) for kind, _title, _body, count, occurred, started in rows]

    assert without_names(told(owner)) == without_names(late)
    # 08:00 … 09:00 is one window (16 acts), 09:04 … 09:56 the next (14): not one notification per
    # hour of processing, nor one burst of 30.
    assert [(row[3], row[4]) for row in late] == [(14, moments[-1]), (16, moments[15])]
    assert late[1][1] == "16 new favourites on Batik Tulis Parang in the last hour"
    assert late[1][2] == "Latest: Pelanggan 15"
    assert dt.datetime.fromisoformat(late[0][5]) == moments[16]


def test_an_act_processed_late_joins_the_burst_of_its_time_not_a_new_one(
    business, product, owner, clock_now, committed
):
    rina, agus, budi, late_one = people(4)
    nine = clock_now - dt.timedelta(hours=1)
    live([nine, nine + dt.timedelta(minutes=10)], favourites(product, [rina, agus]), committed)
    late = recorded([nine + dt.timedelta(minutes=30)], favourites(product, [late_one]))
    live([nine + dt.timedelta(minutes=80)], favourites(product, [budi]), committed)  # 10:20: a new window

    with at(clock_now + dt.timedelta(minutes=30)):
        processed(late)

    rows = told(owner)
    assert [(count, occurred) for _k, _t, _b, count, occurred, _s in rows] == [
        (1, nine + dt.timedelta(minutes=80)),
        (3, nine + dt.timedelta(minutes=30)),
    ]
    assert rows[1][2] == "Latest: Pelanggan 3"


def test_an_older_act_processed_late_counts_but_the_burst_keeps_its_latest_act(business, product, owner, clock_now):
    rina, budi, agus = people(3)
    nine = clock_now - dt.timedelta(hours=1)
    first, second = recorded(
        [nine + dt.timedelta(minutes=10), nine + dt.timedelta(minutes=20)], favourites(product, [rina, budi])
    )
    [earliest] = recorded([nine + dt.timedelta(minutes=5)], favourites(product, [agus]))

    processed([first, second, earliest])  # the 09:05 act is processed last

    [burst] = Notification.objects.filter(recipient=owner)
    assert burst.count == 3
    assert burst.body == "Latest: Pelanggan 1"
    assert burst.activity_id == second.pk
    assert burst.occurred_at == second.occurred_at
    assert burst.data["started_at"] == earliest.occurred_at.isoformat()


def test_the_centre_shows_and_sorts_by_the_time_of_the_act(
    business, product, owner, owner_client, clock_now, committed
):
    old_favourite = recorded([clock_now - dt.timedelta(hours=2)], favourites(product, people(1)))
    comment_time = clock_now - dt.timedelta(minutes=30)
    with at(comment_time), committed():
        activity_record(
            verb="commented",
            business=business,
            actor=UserFactory(name="Rina"),
            data={"product_id": product.pk, "title": product.title, "excerpt": "Bagus"},
        )
    processed(old_favourite)  # now, at 10:00: processed after the comment, written after it

    page = owner_client.get(reverse("notifications:centre"))
    text = page.content.decode()
    assert text.index("Rina commented") < text.index("Pelanggan 0 favourited")
    assert f'datetime="{(clock_now - dt.timedelta(hours=2)).isoformat()}"' in text
    assert "2\xa0hours ago" in text

    api = owner_client.get("/api/v1/notifications").json()
    assert [item["title"] for item in api["items"]] == [
        "Rina commented on Batik Tulis Parang",
        "Pelanggan 0 favourited Batik Tulis Parang",
    ]
    assert dt.datetime.fromisoformat(api["items"][1]["occurred_at"]) == clock_now - dt.timedelta(hours=2)
    assert dt.datetime.fromisoformat(api["items"][1]["created_at"]) == clock_now


def test_the_push_follows_the_clock_not_the_act(business, product, owner, clock_now, vapid, push_service, committed):
    """Quiet hours 09:30-12:00: an act of 09:00 processed at 10:00 waits; the words keep 09:00."""
    NotificationPreference.objects.create(
        user=owner, business=business, quiet_start=dt.time(9, 30), quiet_end=dt.time(12, 0)
    )
    p256dh, auth = browser_keys()
    push_subscription_save(user=owner, endpoint=push_service.endpoint(), p256dh=p256dh, auth=auth)
    late = recorded([clock_now - dt.timedelta(hours=1)], favourites(product, people(1)))
    with committed():
        processed(late)
    [note] = Notification.objects.filter(recipient=owner)
    assert push_service.requests == []
    assert note.pushed_at is None
    assert note.occurred_at == clock_now - dt.timedelta(hours=1)


@pytest.mark.clock("2026-06-16 00:10 Asia/Jakarta", tick=False)
def test_interest_is_counted_on_the_day_of_the_acts(business, product, owner, customer, clock_now):
    """Three views and a favourite before midnight, processed after it: still "3 times today"."""
    view_times = [clock_now - dt.timedelta(minutes=minutes) for minutes in (40, 30, 20)]
    views = recorded(
        view_times,
        [
            lambda: activity_record(verb="viewed_product", business=business, actor=customer, target=product)
            for _ in view_times
        ],
    )
    favourite = recorded([clock_now - dt.timedelta(minutes=15)], favourites(product, [customer]))
    processed([*views, *favourite])
    [note] = Notification.objects.filter(recipient=owner)
    assert note.kind == Kind.INTEREST
    assert note.title == "Budi Pelanggan viewed Batik Tulis Parang 3 times today and favourited it"
    assert note.group_key.endswith(":2026-06-15")


def test_a_view_before_the_favourite_does_not_flag_interest_it_could_not_know(business, product, owner, customer):
    """Live, the third view comes before the favourite: the favourite flags the interest, once."""
    views = [activity_record(verb="viewed_product", business=business, actor=customer, target=product) for _ in "abc"]
    with at(timezone.now() + dt.timedelta(minutes=5)):
        favourite_add(user=customer, product_id=product.pk)
    favourite = Activity.objects.get(verb="favourited")
    processed([*views, favourite])
    assert [(row.kind, row.activity_id) for row in Notification.objects.filter(recipient=owner)] == [
        (Kind.INTEREST, favourite.pk)
    ]


def test_first_order_is_decided_by_the_time_of_the_orders_in_any_processing_order(business, customer, clock_now):
    first = activity_record(
        verb="ordered", business=business, actor=customer, occurred_at=clock_now - dt.timedelta(hours=1)
    )
    second = activity_record(verb="ordered", business=business, actor=customer, occurred_at=clock_now)
    assert not rules.is_first_order(second)  # processed first, it still sees the earlier order
    assert rules.is_first_order(first)


def test_two_orders_in_the_same_instant_make_one_first_order(business, customer, clock_now):
    orders = [activity_record(verb="ordered", business=business, actor=customer, occurred_at=clock_now) for _ in "ab"]
    assert [rules.is_first_order(order) for order in reversed(orders)] == [False, True]
