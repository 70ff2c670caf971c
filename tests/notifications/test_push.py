"""Web push: strict subscription checks, delivery to a local push service, removal on 410, quiet hours."""

import datetime as dt
import json

import pytest
from django.core.management import call_command

from etalase.core.errors import ValidationError
from etalase.customers.enums import Verb as CustomerVerb
from etalase.engagement.services import favourite_add
from etalase.notifications.models import Notification, NotificationPreference, PushSubscription
from etalase.notifications.services import notification_push, push_subscription_save
from tests.factories import UserFactory
from tests.support.notifications import b64url, browser_keys

pytestmark = pytest.mark.django_db

GOOD_ENDPOINT = "https://fcm.googleapis.com/fcm/send/abc123"


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://fcm.googleapis.com/fcm/send/abc",
        "ftp://push.example.com/x",
        "https://127.0.0.1/push",
        "https://[::1]/push",
        "https://localhost/push",
        "https://intranet/push",
        "https://user:pw@push.example.com/x",
        "https://push.example.com:8443/x",
        "https://push.example.com/" + "a" * 500,
        "https://push.example.com/a b",
        "not a url",
        "",
        None,
        12,
    ],
)
def test_a_malformed_endpoint_is_refused_and_nothing_saved(customer, endpoint):
    p256dh, auth = browser_keys()
    with pytest.raises(ValidationError) as caught:
        push_subscription_save(user=customer, endpoint=endpoint, p256dh=p256dh, auth=auth)
    assert set(caught.value.fields) == {"endpoint"}
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize(
    ("p256dh", "auth", "bad"),
    [
        ("AAAA", None, "keys.p256dh"),  # too short
        (b64url(b"\x05" + b"\x01" * 64), None, "keys.p256dh"),  # not an uncompressed point
        ("!!notbase64!!", None, "keys.p256dh"),
        (None, b64url(b"\x01" * 15), "keys.auth"),
        (None, b64url(b"\x01" * 17), "keys.auth"),
        (None, "a+b/c=d", "keys.auth"),
        (None, "", "keys.auth"),
    ],
)
def test_malformed_keys_are_refused(customer, p256dh, auth, bad):
    good_p256dh, good_auth = browser_keys()
    with pytest.raises(ValidationError) as caught:
        push_subscription_save(
            user=customer,
            endpoint=GOOD_ENDPOINT,
            p256dh=p256dh or good_p256dh,
            auth=auth if auth is not None else good_auth,
        )
    assert set(caught.value.fields) == {bad}
    assert not PushSubscription.objects.exists()


def test_a_valid_subscription_is_saved_and_moves_with_its_endpoint(customer, owner):
    p256dh, auth = browser_keys()
    push_subscription_save(user=customer, endpoint=GOOD_ENDPOINT, p256dh=p256dh, auth=auth + "==", user_agent="x" * 999)
    push_subscription_save(user=owner, endpoint=GOOD_ENDPOINT, p256dh=p256dh, auth=auth)
    [subscription] = PushSubscription.objects.all()
    assert subscription.user == owner
    assert subscription.user_agent == ""  # the second save came without a user agent


def subscribe(user, service, name="device-1"):
    p256dh, auth = browser_keys()
    return push_subscription_save(user=user, endpoint=service.endpoint(name), p256dh=p256dh, auth=auth)


def test_a_notification_is_pushed_encrypted_to_each_device(business, product, owner, vapid, push_service, committed):
    subscribe(owner, push_service, "phone")
    subscribe(owner, push_service, "laptop")
    with committed():
        favourite_add(user=UserFactory(name="Budi"), product_id=product.pk)
    assert sorted(r["path"] for r in push_service.requests) == ["/push/laptop", "/push/phone"]
    request = push_service.requests[0]
    assert request["headers"]["content-encoding"] == "aes128gcm"
    assert request["headers"]["authorization"].startswith("vapid t=")
    assert vapid["public"] in request["headers"]["authorization"]
    assert b"Budi" not in request["body"]  # encrypted for the browser only
    note = Notification.objects.get(recipient=owner)
    assert note.pushed_at is not None
    assert all(s.last_success_at is not None for s in PushSubscription.objects.all())
    # Pushing again (a retried task) sends nothing more.
    assert notification_push(notification_ids=[note.pk]) == 0
    assert len(push_service.requests) == 2


def test_a_gone_subscription_is_removed_and_other_failures_counted(
    business, product, owner, vapid, push_service, committed
):
    gone = subscribe(owner, push_service, "gone")
    push_service.status = 410
    with committed():
        favourite_add(user=UserFactory(), product_id=product.pk)
    assert not PushSubscription.objects.filter(pk=gone.pk).exists()
    failing = subscribe(owner, push_service, "failing")
    push_service.status = 500
    with committed():
        favourite_add(user=UserFactory(), product_id=product.pk)  # grows the burst: a new row, pushed again
    failing.refresh_from_db()
    assert failing.failure_count == 1


def test_no_push_during_quiet_hours_in_the_business_timezone(business, product, owner, vapid, push_service, committed):
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    local = timezone.now().astimezone(ZoneInfo(business.timezone))
    start, end = (local - dt.timedelta(hours=1)).time(), (local + dt.timedelta(hours=1)).time()
    NotificationPreference.objects.create(user=owner, business=business, quiet_start=start, quiet_end=end)
    subscribe(owner, push_service)
    with committed():
        favourite_add(user=UserFactory(), product_id=product.pk)
    note = Notification.objects.get(recipient=owner)
    assert note.read_at is None  # in the app at once
    assert push_service.requests == []  # the push waits (the test task backend cannot defer it)
    assert note.pushed_at is None


def test_no_push_one_by_one_with_the_daily_summary_unless_urgent(business, owner, vapid, push_service, committed):
    from etalase.activity.services import activity_record

    NotificationPreference.objects.create(user=owner, business=business, digest_enabled=True)
    subscribe(owner, push_service)
    customer = UserFactory()
    with committed():
        activity_record(verb="ordered", business=business, actor=customer)
    assert push_service.requests == []
    with committed():
        activity_record(verb=CustomerVerb.COMPLAINED, business=business, actor=customer)
    assert len(push_service.requests) == 1


def test_no_push_without_vapid_keys(business, product, owner, push_service, settings, committed):
    settings.VAPID_PRIVATE_KEY = ""
    settings.WEB_PUSH_ALLOW_LOCAL_ENDPOINTS = True
    subscribe(owner, push_service)
    with committed():
        favourite_add(user=UserFactory(), product_id=product.pk)
    assert push_service.requests == []


def test_the_vapid_keys_command_prints_env_lines_and_writes_the_dev_file(capsys, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    call_command("vapid_keys", "--subject", "mailto:ops@example.com", "--write")
    lines = dict(line.split("=", 1) for line in capsys.readouterr().out.strip().splitlines())
    assert set(lines) == {"VAPID_PUBLIC_KEY", "VAPID_PRIVATE_KEY", "VAPID_SUBJECT"}
    assert len(lines["VAPID_PUBLIC_KEY"]) == 87  # 65 bytes, base64url
    assert json.loads((tmp_path / "vapid.json").read_text()) == lines


def test_the_daily_summary_is_sent_once_at_its_hour_in_the_business_timezone(business, owner, committed):
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from etalase.activity.services import activity_record
    from etalase.notifications.enums import Kind
    from etalase.notifications.services import digest_send_due

    local_hour = timezone.now().astimezone(ZoneInfo(business.timezone)).hour
    NotificationPreference.objects.create(user=owner, business=business, digest_enabled=True, digest_hour=local_hour)
    customer = UserFactory()
    with committed():
        activity_record(verb="ordered", business=business, actor=customer)
        activity_record(verb="ordered", business=business, actor=customer)
    with committed():
        assert digest_send_due() == 1
        assert digest_send_due() == 0  # once a day
    summary = Notification.objects.get(recipient=owner, kind=Kind.DIGEST)
    assert summary.title == "Today: 2 new notifications"
    NotificationPreference.objects.filter(user=owner).update(digest_hour=(local_hour + 1) % 24)
    Notification.objects.filter(kind=Kind.DIGEST).delete()
    assert digest_send_due() == 0  # not its hour
