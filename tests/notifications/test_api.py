"""The notifications API: lists, read marks, preferences, push subscriptions; 404 for others' rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from etalase.notifications.enums import Kind
from etalase.notifications.models import Notification, NotificationPreference, PushSubscription
from etalase.notifications.services import notification_deliver
from tests.support.api import send_json
from tests.support.notifications import browser_keys

pytestmark = pytest.mark.django_db

API = "/api/v1"


def notify(user, n=1):
    return [
        notification_deliver(recipients=[(user.pk, "en")], kind=Kind.ASKED, business=None, names={"actor": f"B{i}"})[0]
        for i in range(n)
    ]


def test_list_newest_first_with_unread_filter_and_count(api_client_for, owner):
    rows = notify(owner, 3)
    Notification.objects.filter(pk=rows[0].pk).update(read_at="2026-01-01T00:00:00Z")
    client = api_client_for(owner)
    body = client.get(f"{API}/notifications").json()
    assert [item["id"] for item in body["items"]] == [rows[2].pk, rows[1].pk, rows[0].pk]
    assert body["unread"] == 2
    assert body["items"][0]["url"] == f"/notifications/{rows[2].pk}/open/"
    unread = client.get(f"{API}/notifications?unread=1").json()
    assert [item["id"] for item in unread["items"]] == [rows[2].pk, rows[1].pk]
    assert client.get(f"{API}/notifications/unread-count").json() == {"unread": 2}


def test_the_list_query_count_does_not_grow_with_the_page(api_client_for, owner, business):
    client = api_client_for(owner)
    client.get(f"{API}/notifications/unread-count")  # the token's first use is written once
    notify(owner, 2)
    with CaptureQueriesContext(connection) as small:
        client.get(f"{API}/notifications")
    notify(owner, 20)
    with CaptureQueriesContext(connection) as large:
        client.get(f"{API}/notifications")
    assert len(large) == len(small), [q["sql"][:90] for q in large.captured_queries]


def test_read_one_and_read_all(api_client_for, owner):
    rows = notify(owner, 3)
    client = api_client_for(owner)
    response = client.post(f"{API}/notifications/{rows[0].pk}/read")
    assert response.status_code == 200
    assert response.json()["read"] is True
    assert client.post(f"{API}/notifications/read-all").json() == {"updated": 2}
    assert client.get(f"{API}/notifications/unread-count").json() == {"unread": 0}


def test_another_persons_notification_is_not_found(api_client_for, owner, customer):
    [theirs] = notify(owner)
    response = api_client_for(customer).post(f"{API}/notifications/{theirs.pk}/read")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert api_client_for(customer).get(f"{API}/notifications").json()["items"] == []


@pytest.mark.parametrize("bad_id", ["0", "-1", "abc", str(2**60)])
def test_bad_ids_are_json_errors(api_client_for, owner, bad_id):
    response = api_client_for(owner).post(f"{API}/notifications/{bad_id}/read")
    assert response.status_code in (404, 422)
    assert "error" in response.json()


def test_anonymous_callers_get_401(anonymous_client):
    response = anonymous_client.get(f"{API}/notifications")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_preferences_read_and_write(api_client_for, owner, business):
    client = api_client_for(owner)
    scopes = client.get(f"{API}/notification-preferences").json()
    assert [scope["business"] for scope in scopes] == [None, business.slug]
    assert scopes[1]["channels"]["favourited"] == ["in_app", "push"]
    response = send_json(
        client,
        "PUT",
        f"{API}/notification-preferences",
        {
            "business": business.slug,
            "channels": {"favourited": ["in_app", "whatsapp"], "followed": []},
            "quiet_start": "22:00",
            "quiet_end": "07:00",
            "digest_enabled": True,
            "digest_hour": 19,
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["channels"]["favourited"] == ["in_app", "whatsapp"]
    assert body["channels"]["followed"] == []
    assert body["quiet_start"] == "22:00:00"
    saved = NotificationPreference.objects.get(user=owner, business=business)
    assert saved.digest_hour == 19


@pytest.mark.parametrize(
    "body",
    [
        {"channels": {"favourited": ["in_app"]}},  # a team kind in the personal scope
        {"channels": {"nonsense": ["in_app"]}},
        {"channels": {"new_product": ["pigeon"]}},
        {"quiet_start": "22:00"},
        {"quiet_start": "25:00", "quiet_end": "07:00"},
        {"quiet_start": "07:00", "quiet_end": "07:00"},
        {"digest_hour": 24},
        {"business": "../../etc"},
    ],
)
def test_bad_preferences_are_refused_and_nothing_changes(api_client_for, customer, body):
    response = send_json(api_client_for(customer), "PUT", f"{API}/notification-preferences", body)
    assert response.status_code in (400, 422), response.content
    assert response.json()["error"]["fields"]
    assert not NotificationPreference.objects.exists()


def test_preferences_of_a_business_one_does_not_work_for_are_not_found(api_client_for, customer, business):
    response = send_json(
        api_client_for(customer), "PUT", f"{API}/notification-preferences", {"business": business.slug}
    )
    assert response.status_code == 404


def test_push_subscription_create_validate_and_delete(api_client_for, customer, owner):
    p256dh, auth = browser_keys()
    client = api_client_for(customer)
    subscription = {
        "endpoint": "https://updates.push.services.mozilla.com/wpush/v2/abc",
        "keys": {"p256dh": p256dh, "auth": auth},
    }
    response = client.post(f"{API}/push-subscriptions", data=subscription, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["endpoint"] == subscription["endpoint"]
    bad = {**subscription, "endpoint": "http://evil.example.com/x"}
    response = client.post(f"{API}/push-subscriptions", data=bad, content_type="application/json")
    assert response.status_code == 400
    assert "endpoint" in response.json()["error"]["fields"]
    response = client.post(f"{API}/push-subscriptions", data={"endpoint": "x"}, content_type="application/json")
    assert response.status_code == 422
    # Someone else cannot remove it.
    other = api_client_for(owner).delete(
        f"{API}/push-subscriptions", data={"endpoint": subscription["endpoint"]}, content_type="application/json"
    )
    assert other.status_code == 404
    assert PushSubscription.objects.count() == 1
    gone = client.delete(
        f"{API}/push-subscriptions", data={"endpoint": subscription["endpoint"]}, content_type="application/json"
    )
    assert gone.status_code == 204
    assert not PushSubscription.objects.exists()
