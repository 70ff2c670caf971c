"""Each rule on its own: who hears, bursts, interest, firsts, urgency, quiet hours, the summary."""

import datetime as dt
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from etalase.activity.models import Activity
from etalase.activity.services import activity_record
from etalase.directory.enums import Role
from etalase.notifications import rules
from etalase.notifications.enums import Channel, Kind, Priority

JAKARTA = ZoneInfo("Asia/Jakarta")
JAYAPURA = "Asia/Jayapura"  # UTC+9


def at(hour: int, minute: int = 0, zone: str = "Asia/Jakarta") -> dt.datetime:
    return dt.datetime(2026, 3, 10, hour, minute, tzinfo=ZoneInfo(zone))


def preference(**fields: Any) -> SimpleNamespace:
    values: dict[str, Any] = {
        "channels": {},
        "quiet_start": None,
        "quiet_end": None,
        "digest_enabled": False,
        "digest_hour": 18,
    }
    values.update(fields)
    return SimpleNamespace(**values)


@pytest.mark.parametrize(
    ("kind", "hears", "does_not_hear"),
    [
        (Kind.FAVOURITED, [Role.OWNER, Role.MANAGER, Role.SALES, Role.SUPPORT, Role.TECHNICIAN], [Role.CASHIER]),
        (Kind.ASKED, [Role.OWNER, Role.SALES, Role.SUPPORT], [Role.CASHIER]),
        (Kind.FOLLOWED, [Role.OWNER, Role.MANAGER, Role.SALES], [Role.SUPPORT, Role.TECHNICIAN, Role.CASHIER]),
        (Kind.ORDERED, [Role.OWNER, Role.SALES, Role.CASHIER, Role.SUPPORT], []),
        (Kind.PAYMENT_WAITING, [Role.OWNER, Role.MANAGER, Role.CASHIER], [Role.SALES, Role.SUPPORT, Role.TECHNICIAN]),
        (Kind.COMPLAINT, [Role.OWNER, Role.SUPPORT, Role.TECHNICIAN], [Role.CASHIER]),
    ],
)
def test_who_hears_a_kind_follows_the_permissions_of_the_role(kind, hears, does_not_hear):
    assert all(rules.member_hears(kind, role) for role in hears)
    assert not any(rules.member_hears(kind, role) for role in does_not_hear)


def test_the_person_who_acted_is_never_told_about_it():
    team = [SimpleNamespace(user_id=1, role=Role.OWNER), SimpleNamespace(user_id=2, role=Role.MANAGER)]
    assert [m.user_id for m in rules.members_to_tell(team, Kind.FAVOURITED, actor_id=1)] == [2]


def test_complaints_and_payments_waiting_are_urgent_the_rest_normal():
    assert rules.priority_for(Kind.COMPLAINT) == Priority.HIGH
    assert rules.priority_for(Kind.PAYMENT_WAITING) == Priority.HIGH
    assert rules.priority_for(Kind.FAVOURITED) == Priority.NORMAL
    assert rules.priority_for(Kind.FIRST_ORDER) == Priority.NORMAL


def test_bursts_share_a_key_per_kind_and_subject_and_questions_never_aggregate():
    assert rules.group_key(Kind.FAVOURITED, business_id=3, subject="7") == "favourited:3:7"
    assert rules.group_key(Kind.FAVOURITED, business_id=3, subject="8") != rules.group_key(
        Kind.FAVOURITED, business_id=3, subject="7"
    )
    assert rules.group_key(Kind.ASKED, business_id=3, subject="7") == ""
    assert rules.group_key(Kind.COMPLAINT, business_id=3, subject="7") == ""


def test_a_burst_grows_only_while_its_first_act_is_within_the_hour():
    now = at(12)
    assert rules.may_join_group(now - dt.timedelta(minutes=59), now)
    assert not rules.may_join_group(now - dt.timedelta(minutes=61), now)
    assert not rules.may_join_group(None, now)


def test_old_activities_notify_nobody():
    now = at(12)
    assert rules.is_recent(Activity(occurred_at=now - dt.timedelta(days=1)), now)
    assert not rules.is_recent(Activity(occurred_at=now - dt.timedelta(days=3)), now)


def test_the_day_starts_at_midnight_in_the_business_timezone():
    now = dt.datetime(2026, 3, 10, 16, 30, tzinfo=dt.UTC)  # 23:30 in Jakarta, 01:30 next day in Jayapura
    assert rules.local_day_start(now, "Asia/Jakarta") == at(0)
    assert rules.local_day_start(now, JAYAPURA) == dt.datetime(2026, 3, 11, tzinfo=ZoneInfo(JAYAPURA))
    assert rules.local_day_start(now, "Not/AZone") == at(0)  # an unknown zone falls back to the default


def test_interest_needs_three_views():
    assert not rules.is_interested(2)
    assert rules.is_interested(3)


@pytest.mark.django_db
def test_views_today_are_counted_in_the_business_timezone(business, product, customer):
    tz = "Asia/Jayapura"
    now = dt.datetime(2026, 3, 10, 3, 0, tzinfo=dt.UTC)  # 12:00 in Jayapura
    for hours_ago in (1, 2, 10):  # 11:00, 10:00 and 02:00 today in Jayapura
        activity_record(
            verb="viewed_product",
            business=business,
            actor=customer,
            target=product,
            occurred_at=now - dt.timedelta(hours=hours_ago),
        )
    activity_record(  # 23:00 yesterday in Jayapura
        verb="viewed_product",
        business=business,
        actor=customer,
        target=product,
        occurred_at=now - dt.timedelta(hours=13),
    )
    count = rules.product_views_today(
        business_id=business.pk, actor_id=customer.pk, product_id=product.pk, now=now, timezone_name=tz
    )
    assert count == 3


@pytest.mark.django_db
def test_the_first_order_of_a_customer_is_a_first(business, customer):
    first = activity_record(verb="ordered", business=business, actor=customer)
    assert rules.is_first_order(first)
    second = activity_record(verb="ordered", business=business, actor=customer)
    assert not rules.is_first_order(second)
    assert not rules.is_first_order(activity_record(verb="ordered", business=business, actor=None))


def test_channels_default_to_in_app_and_push_and_follow_the_choice():
    assert rules.channels_for(None, Kind.FAVOURITED) == {Channel.IN_APP, Channel.PUSH}
    chosen = preference(channels={Kind.FAVOURITED: ["in_app", "whatsapp", "bogus"]})
    assert rules.channels_for(chosen, Kind.FAVOURITED) == {Channel.IN_APP, Channel.WHATSAPP}
    assert rules.channels_for(chosen, Kind.COMMENTED) == {Channel.IN_APP, Channel.PUSH}


@pytest.mark.parametrize(
    ("local_time", "quiet"),
    [((21, 59), False), ((22, 0), True), ((2, 0), True), ((6, 59), True), ((7, 0), False), ((12, 0), False)],
)
def test_quiet_hours_over_midnight_in_the_business_timezone(local_time, quiet):
    night = preference(quiet_start=dt.time(22), quiet_end=dt.time(7))
    hour, minute = local_time
    now_in_jayapura = at(hour, minute, zone=JAYAPURA)
    assert rules.in_quiet_hours(night, now_in_jayapura.astimezone(dt.UTC), JAYAPURA) is quiet


def test_the_same_instant_is_quiet_in_one_timezone_and_not_in_another():
    night = preference(quiet_start=dt.time(22), quiet_end=dt.time(7))
    instant = at(22, 30, zone=JAYAPURA)  # 20:30 in Jakarta
    assert rules.in_quiet_hours(night, instant, JAYAPURA)
    assert not rules.in_quiet_hours(night, instant, "Asia/Jakarta")


def test_quiet_hours_within_a_day():
    lunch = preference(quiet_start=dt.time(12), quiet_end=dt.time(13))
    assert rules.in_quiet_hours(lunch, at(12, 30), "Asia/Jakarta")
    assert not rules.in_quiet_hours(lunch, at(13, 0), "Asia/Jakarta")
    assert not rules.in_quiet_hours(preference(), at(12, 30), "Asia/Jakarta")


def test_push_waits_for_the_end_of_quiet_hours_whatever_the_priority():
    night = preference(quiet_start=dt.time(22), quiet_end=dt.time(7))
    now = at(23)
    assert rules.push_time(night, Kind.FAVOURITED, Priority.NORMAL, now, "Asia/Jakarta") == at(7) + dt.timedelta(days=1)
    assert rules.push_time(night, Kind.COMPLAINT, Priority.HIGH, now, "Asia/Jakarta") == at(7) + dt.timedelta(days=1)
    assert rules.push_time(night, Kind.FAVOURITED, Priority.NORMAL, at(3), "Asia/Jakarta") == at(7)
    assert rules.push_time(night, Kind.FAVOURITED, Priority.NORMAL, at(9), "Asia/Jakarta") == at(9)


def test_no_push_when_push_is_off_for_the_kind():
    off = preference(channels={Kind.FAVOURITED: ["in_app"]})
    assert rules.push_time(off, Kind.FAVOURITED, Priority.NORMAL, at(9), "Asia/Jakarta") is None


def test_with_the_daily_summary_only_urgent_kinds_and_the_summary_are_pushed():
    digest = preference(digest_enabled=True, digest_hour=18)
    assert rules.push_time(digest, Kind.FAVOURITED, Priority.NORMAL, at(9), "Asia/Jakarta") is None
    assert rules.push_time(digest, Kind.COMPLAINT, Priority.HIGH, at(9), "Asia/Jakarta") == at(9)
    assert rules.push_time(digest, Kind.DIGEST, Priority.NORMAL, at(18), "Asia/Jakarta") == at(18)
    assert rules.digest_due(digest, at(18, 5), "Asia/Jakarta")
    assert not rules.digest_due(digest, at(17, 59), "Asia/Jakarta")
    assert not rules.digest_due(preference(digest_enabled=False), at(18), "Asia/Jakarta")


def test_words_of_a_burst_and_of_an_interest_flag():
    with translation.override("en"):
        assert rules.message(Kind.FAVOURITED, count=1, actor="Budi", product="Kopi Gayo")[0] == (
            "Budi favourited Kopi Gayo"
        )
        assert rules.message(Kind.FAVOURITED, count=5, actor="Budi", product="Batik Tulis Parang")[0] == (
            "5 new favourites on Batik Tulis Parang in the last hour"
        )
        assert rules.message(Kind.INTEREST, actor="Budi", product="Kopi Gayo", views=3)[0] == (
            "Budi viewed Kopi Gayo 3 times today and favourited it"
        )
        assert rules.message(Kind.FIRST_ORDER, actor="Budi")[0] == "First order from a new customer: Budi"
        assert rules.message(Kind.FAVOURITED, count=1, actor=None, product="Kopi")[0] == "A customer favourited Kopi"
