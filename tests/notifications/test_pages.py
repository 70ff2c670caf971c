"""The notification centre and its settings page, as a person in a browser uses them."""

import pytest

from etalase.notifications.enums import Kind
from etalase.notifications.models import Notification, NotificationPreference, PushSubscription
from etalase.notifications.services import notification_deliver
from tests.factories import InvitationFactory
from tests.support.notifications import browser_keys

pytestmark = pytest.mark.django_db


def notify(user, url="/b/batik-sari/p/1/", **extra):
    [row] = notification_deliver(
        recipients=[(user.pk, "en")], kind=Kind.ASKED, business=None, url=url, names={"actor": "Budi", **extra}
    )
    return row


def test_the_centre_lists_newest_first_with_unread_marked_and_invitations(client_for, customer):
    InvitationFactory(phone=customer.phone)
    old, new = notify(customer), notify(customer)
    Notification.objects.filter(pk=old.pk).update(read_at="2026-01-01T00:00:00Z")
    response = client_for(customer).get("/notifications/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "invites you to join its team" in html
    assert html.index(f'data-notification-id="{new.pk}"') < html.index(f'data-notification-id="{old.pk}"')
    assert html.count("is-unread") == 1
    assert f'data-last-id="{new.pk}"' in html
    assert "notifications/live.js" in html


def test_opening_a_notification_marks_it_read_and_goes_to_its_object(client_for, customer):
    row = notify(customer)
    response = client_for(customer).get(f"/notifications/{row.pk}/open/")
    assert response.status_code == 302
    assert response["Location"] == "/b/batik-sari/p/1/"
    row.refresh_from_db()
    assert row.read_at is not None


def test_an_unsafe_link_goes_to_the_centre_instead(client_for, customer):
    row = notify(customer, url="https://evil.example.com/")
    assert client_for(customer).get(f"/notifications/{row.pk}/open/")["Location"] == "/notifications/"


def test_another_persons_notification_is_404(client_for, customer, owner):
    row = notify(owner)
    assert client_for(customer).get(f"/notifications/{row.pk}/open/").status_code == 404
    assert client_for(customer).post(f"/notifications/{row.pk}/read/").status_code == 404
    row.refresh_from_db()
    assert row.read_at is None


def test_mark_all_read(client_for, customer):
    notify(customer), notify(customer)
    response = client_for(customer).post("/notifications/read-all/", follow=True)
    assert "All notifications are marked read." in response.content.decode()
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_the_badge_fragment(client_for, customer, anonymous_client):
    notify(customer), notify(customer)
    html = client_for(customer).get("/notifications/unread/").content.decode()
    assert "<span data-unread-count>2</span>" in html
    assert "data-unread-badge hidden" not in html
    assert "data-unread-badge hidden" in anonymous_client.get("/notifications/unread/").content.decode()


def test_anonymous_visitors_are_asked_to_log_in(anonymous_client):
    response = anonymous_client.get("/notifications/")
    assert response.status_code == 200
    assert "Log in to see your notifications" in response.content.decode()
    assert anonymous_client.get("/notifications/preferences/").status_code == 302


def test_settings_page_saves_a_business_scope(client_for, owner, business):
    page = client_for(owner)
    prefix = f"s{business.pk}"
    html = page.get("/notifications/preferences/").content.decode()
    assert "As a customer" in html
    assert business.name in html
    response = page.post(
        "/notifications/preferences/",
        {
            "scope": prefix,
            f"{prefix}-business": business.slug,
            f"{prefix}-quiet_start": "22:00",
            f"{prefix}-quiet_end": "06:00",
            f"{prefix}-digest_hour": "20",
            f"{prefix}-favourited:in_app": "on",
        },
    )
    assert response.status_code == 302
    saved = NotificationPreference.objects.get(user=owner, business=business)
    assert saved.channels["favourited"] == ["in_app"]
    assert saved.channels["followed"] == []
    assert str(saved.quiet_start) == "22:00:00"


def test_settings_page_shows_errors_and_saves_nothing(client_for, owner, business):
    prefix = f"s{business.pk}"
    response = client_for(owner).post(
        "/notifications/preferences/",
        {"scope": prefix, f"{prefix}-quiet_start": "22:00", f"{prefix}-digest_hour": "20"},
    )
    assert response.status_code == 400
    assert "Give both the start and the end of quiet hours." in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_push_opt_in_endpoints_of_the_page(client_for, customer, vapid):
    page = client_for(customer, enforce_csrf_checks=False)
    assert vapid["public"] in page.get("/notifications/preferences/").content.decode()
    p256dh, auth = browser_keys()
    endpoint = "https://fcm.googleapis.com/fcm/send/device"
    body = {"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}}
    assert page.post("/notifications/push/subscribe/", body, content_type="application/json").status_code == 201
    bad = page.post("/notifications/push/subscribe/", {"endpoint": "javascript:x"}, content_type="application/json")
    assert bad.status_code == 422
    assert "endpoint" in bad.json()["error"]["fields"]
    assert page.post("/notifications/push/subscribe/", "not json", content_type="application/json").status_code == 422
    assert PushSubscription.objects.count() == 1
    response = page.post("/notifications/push/unsubscribe/", {"endpoint": endpoint}, content_type="application/json")
    assert response.json() == {"removed": True}
