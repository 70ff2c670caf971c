"""Me → My data at shops: a customer downloads, sets marketing consent and erases, through pages and the API."""

import json
from collections.abc import Iterator

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from etalase.activity.models import Activity
from etalase.customers.enums import AuditAction, ConsentSource, PrivacyRequestKind
from etalase.customers.models import AuditEntry, Consent, Contact, ContactTag, Note, PrivacyRequest
from etalase.customers.privacy.enums import ERASED_NAME
from etalase.customers.selectors import contact_search
from etalase.customers.services.contacts import contact_for_user
from etalase.orders.models import Order, Payment
from tests.customers.test_privacy_world import (
    ADDRESS,
    ANSWER,
    COMMENT,
    ORDER_NOTE,
    OTHER_COMMENT,
    QUESTION,
    World,
    build_world,
    business_rows_text,
    orders_hooks,
)
from tests.factories import UserFactory, registered_business
from tests.support.api import post_json, send_json

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _orders_take_part() -> Iterator[None]:
    yield from orders_hooks()


@pytest.fixture
def world(business, customer) -> World:
    return build_world(business, customer)


@pytest.fixture
def budi(client_for, world):
    return client_for(world.customer)


def url(name: str, *args: object) -> str:
    return reverse(f"customers_privacy:{name}", args=args)


# --- the pages ------------------------------------------------------------------------------------


def test_my_data_lists_every_shop_that_knows_me(budi, world):
    page = budi.get(url("my_businesses"))

    assert page.status_code == 200
    text = page.content.decode()
    assert "Batik Sari" in text
    assert "Kopi Senja" in text
    assert url("my_business", world.business.slug) in text


def test_a_shop_page_shows_what_it_holds_and_my_consent(budi, world):
    page = budi.get(url("my_business", world.business.slug))

    assert page.status_code == 200
    text = page.content.decode()
    assert world.customer.name in text
    assert "Yogyakarta" in text
    assert "1 tag" in text
    assert "1 note" in text
    assert 'name="whatsapp" id="id_whatsapp" checked' in text
    assert 'name="sms" id="id_sms">' in text or 'name="sms" id="id_sms" >' in text


def test_someone_who_is_not_the_customer_sees_nothing(client_for, world):
    stranger = UserFactory(name="Dewi")
    for user in (stranger, world.owner):
        browser = client_for(user)
        for name, method in (
            ("my_business", "get"),
            ("my_erase", "get"),
            ("my_download", "post"),
            ("my_consent", "post"),
        ):
            answer = getattr(browser, method)(url(name, world.business.slug))
            assert answer.status_code == 404, (user, name)
            assert "This shop holds no personal data about you" in answer.content.decode()
        refused = browser.post(url("my_erase", world.business.slug), {"confirm": "on"})
        assert refused.status_code == 404
    assert not PrivacyRequest.objects.exists()
    budi = Contact.objects.get(pk=world.contact.pk)
    assert (budi.name, budi.erased_at, budi.consent["whatsapp_marketing"]) == (world.customer.name, None, True)


def test_anonymous_visitors_are_sent_to_log_in(anonymous_client, world):
    answer = anonymous_client.get(url("my_businesses"))
    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("accounts:login"))


def test_downloading_my_data_gives_everything_the_shop_holds(budi, world):
    answer = budi.post(url("my_download", world.business.slug))

    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/json"
    assert answer["Content-Disposition"].startswith('attachment; filename="etalase-batik-sari-my-data-')
    document = json.loads(answer.content)
    assert document["format"] == "etalase-personal-data/1"
    assert document["business"] == {"slug": world.business.slug, "name": "Batik Sari"}
    profile = document["contact"]
    assert (profile["name"], profile["phone"], profile["email"]) == (
        world.customer.name,
        world.customer.phone,
        world.customer.email,
    )
    assert profile["address"] == ADDRESS
    assert profile["birthday"] == "1990-04-02"
    assert document["tags"] == ["VIP"]
    assert [note["body"] for note in document["notes"]] == ["Budi prefers dark colours"]
    assert document["consent"]["current"]["whatsapp_marketing"] is True
    assert [(row["channel"], row["granted"]) for row in document["consent"]["history"]] == [("whatsapp", True)]
    verbs = [activity["verb"] for activity in document["activities"]]
    assert {"followed", "commented", "asked", "ordered", "paid"} <= set(verbs)
    assert COMMENT in answer.content.decode()
    orders = document["sections"]["orders"]
    assert [(order["number"], order["total_minor"], order["delivery_address"]) for order in orders] == [
        (world.order.number, world.order.total_minor, ADDRESS)
    ]
    # Nothing of the other shop, nor of Rina.
    assert OTHER_COMMENT not in answer.content.decode()
    assert "Rina" not in answer.content.decode()


def test_a_download_is_recorded_as_a_request_an_audit_entry_and_an_activity(budi, world):
    budi.post(url("my_download", world.business.slug))

    request = PrivacyRequest.objects.get()
    assert (request.kind, request.contact, request.requested_by) == (
        PrivacyRequestKind.DOWNLOAD,
        world.contact,
        world.customer,
    )
    assert request.completed_at is not None
    entry = AuditEntry.objects.get(action=AuditAction.DOWNLOADED)
    assert (entry.business, entry.actor, entry.contact) == (world.business, world.customer, world.contact)
    activity = Activity.objects.get(verb="contact_data_downloaded")
    assert (activity.business, activity.actor) == (world.business, world.customer)


def test_a_download_is_a_post_with_the_csrf_token(client_for, world):
    strict = client_for(world.customer, enforce_csrf_checks=True)

    assert strict.get(url("my_download", world.business.slug)).status_code == 405
    assert strict.post(url("my_download", world.business.slug)).status_code == 403
    assert not PrivacyRequest.objects.exists()


def test_marketing_consent_changes_at_once_with_a_ledger_row(budi, world):
    answer = budi.post(url("my_consent", world.business.slug), {"email": "on", "push": "on"})

    assert answer.status_code == 302
    contact = Contact.objects.get(pk=world.contact.pk)
    assert contact.consent["whatsapp_marketing"] is False
    assert contact.consent["email_marketing"] is True
    assert contact.consent["push_marketing"] is True
    ledger = Consent.objects.filter(contact=contact, source=ConsentSource.APP).order_by("occurred_at", "pk")
    latest = {row.channel: row.granted for row in ledger}
    assert latest["whatsapp"] is False
    assert latest["email"] is True
    assert Contact.objects.get(pk=world.other_contact.pk).consent["whatsapp_marketing"] is True
    page = budi.get(answer["Location"])
    assert "Your choices are saved" in page.content.decode()


def test_the_erasure_page_says_what_will_happen_before_anything_does(budi, world):
    page = budi.get(url("my_erase", world.business.slug))

    assert page.status_code == 200
    text = page.content.decode()
    assert "This cannot be undone" in text
    assert "amounts and dates" in text
    assert "Other shops are not affected" in text
    assert Contact.objects.get(pk=world.contact.pk).erased_at is None


def test_erasing_needs_the_confirmation_box(budi, world):
    answer = budi.post(url("my_erase", world.business.slug), {})

    assert answer.status_code == 400
    assert "Tick the box to confirm the erasure." in answer.content.decode()
    assert Contact.objects.get(pk=world.contact.pk).erased_at is None
    assert not PrivacyRequest.objects.exists()


def test_erasing_needs_the_csrf_token(client_for, world):
    strict = client_for(world.customer, enforce_csrf_checks=True)

    assert strict.post(url("my_erase", world.business.slug), {"confirm": "on"}).status_code == 403
    assert Contact.objects.get(pk=world.contact.pk).erased_at is None


def assert_erased_at_the_shop(world: World) -> None:
    """Nothing at the shop names Budi or leads to his account; amounts and dates stay; other rows stay."""
    business, customer = world.business, world.customer
    contact = Contact.objects.get(pk=world.contact.pk)
    assert contact.name == ERASED_NAME
    assert (contact.phone, contact.email, contact.city, contact.address, contact.search_text) == ("", "", "", "", "")
    assert contact.birthday is None
    assert contact.user is None
    assert contact.erased_at is not None
    assert set(contact.consent.values()) == {False}
    assert not ContactTag.objects.filter(contact=contact).exists()
    assert not Note.objects.filter(contact=contact).exists()
    withdrawal = Consent.objects.filter(contact=contact).first()
    assert withdrawal is not None
    assert (withdrawal.channel, withdrawal.granted) == ("whatsapp", False)
    assert not Consent.objects.filter(contact=contact, recorded_by=customer).exists()

    # Nothing at the shop leads back to the account.
    assert not Contact.objects.filter(business=business, user=customer).exists()
    assert not Activity.objects.filter(business=business, actor=customer).exists()
    assert not AuditEntry.objects.filter(business=business, actor=customer).exists()
    assert not PrivacyRequest.objects.filter(business=business, requested_by=customer).exists()
    assert not Order.objects.filter(business=business, customer=customer).exists()
    text = business_rows_text(business)
    assert customer.phone is not None
    assert customer.email is not None
    for personal in (customer.name, customer.phone, customer.email, ADDRESS, COMMENT, QUESTION, ANSWER):
        assert personal not in text, personal
    assert f'"asked_by": {customer.pk}' not in text
    assert contact not in list(contact_search(business=business, query=customer.phone))
    assert not Contact.objects.filter(business=business, email=customer.email).exists()

    # Amounts and dates stay for the books.
    order = Order.objects.get(pk=world.order.pk)
    assert (order.total_minor, order.paid_minor, order.placed_at) == (
        world.order.total_minor,
        world.order.paid_minor,
        world.order.placed_at,
    )
    assert (order.delivery_address, order.note) == ("", "")
    assert ORDER_NOTE not in text
    assert Payment.objects.get(order=order).amount_minor == world.order.total_minor
    ordered = Activity.objects.get(business=business, verb="ordered")
    assert ordered.data["amount_minor"] == world.order.total_minor
    assert ordered.data["contact_id"] == contact.pk
    assert ordered.occurred_at == world.order.placed_at
    assert Activity.objects.filter(business=business, verb="commented").exists()

    # Budi at the other shop and Rina at this one are untouched.
    other = Contact.objects.get(pk=world.other_contact.pk)
    assert (other.name, other.user, other.erased_at) == (customer.name, customer, None)
    assert other.consent["whatsapp_marketing"] is True
    assert Activity.objects.filter(business=world.other, actor=customer, data__excerpt=OTHER_COMMENT).exists()
    rina = Contact.objects.get(pk=world.rina.pk)
    assert (rina.name, rina.erased_at) == ("Rina", None)
    assert Note.objects.filter(contact=rina).exists()


def test_erasing_my_data_anonymises_me_at_that_shop_only(budi, world):
    answer = budi.post(url("my_erase", world.business.slug), {"confirm": "on"})

    assert answer.status_code == 302
    assert answer["Location"] == url("my_businesses")
    assert_erased_at_the_shop(world)
    request = PrivacyRequest.objects.get(kind=PrivacyRequestKind.ERASURE)
    assert request.requested_by is None
    assert request.completed_at is not None
    entry = AuditEntry.objects.get(action=AuditAction.ERASED)
    assert (entry.actor, entry.contact_id, entry.detail["by"]) == (None, world.contact.pk, "customer")
    erased = Activity.objects.get(verb="contact_erased")
    assert (erased.business, erased.actor, erased.data["contact_id"]) == (world.business, None, world.contact.pk)

    listing = budi.get(answer["Location"]).content.decode()
    assert "no longer holds personal data about you" in listing
    assert url("my_business", world.business.slug) not in listing
    assert url("my_business", world.other.slug) in listing


def test_erasing_twice_answers_clearly_and_changes_nothing(budi, world):
    budi.post(url("my_erase", world.business.slug), {"confirm": "on"})
    again = budi.post(url("my_erase", world.business.slug), {"confirm": "on"})

    assert again.status_code == 404
    assert "This shop holds no personal data about you" in again.content.decode()
    assert PrivacyRequest.objects.filter(kind=PrivacyRequestKind.ERASURE).count() == 1
    assert budi.get(url("my_business", world.business.slug)).status_code == 404


def test_after_an_erasure_a_new_visit_starts_a_fresh_record(budi, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        budi.post(url("my_erase", world.business.slug), {"confirm": "on"})
    # Processing the erasure's own activities made no new record.
    assert not Contact.objects.filter(business=world.business, user=world.customer).exists()

    fresh = contact_for_user(business=world.business, user=world.customer)

    assert fresh.pk != world.contact.pk
    assert fresh.erased_at is None
    assert not Note.objects.filter(contact=fresh).exists()


# --- the API --------------------------------------------------------------------------------------

API = "/api/v1/me/privacy/businesses"


def test_the_api_lists_my_shops(api_client_for, world):
    answer = api_client_for(world.customer).get(API)

    assert answer.status_code == 200
    assert answer.json()["next_page"] is None
    shops = {row["slug"]: row for row in answer.json()["items"]}
    assert set(shops) == {world.business.slug, world.other.slug}
    assert shops[world.business.slug]["marketing_consent"]["whatsapp"] is True
    assert shops[world.business.slug]["marketing_consent"]["sms"] is False


def test_the_api_exports_my_data_as_json(api_client_for, world):
    answer = api_client_for(world.customer).get(f"{API}/{world.business.slug}/export")

    assert answer.status_code == 200
    document = answer.json()
    assert document["contact"]["address"] == ADDRESS
    assert document["notes"][0]["body"] == "Budi prefers dark colours"
    assert document["sections"]["orders"][0]["total_minor"] == world.order.total_minor
    assert PrivacyRequest.objects.get().kind == PrivacyRequestKind.DOWNLOAD
    assert Activity.objects.get(verb="contact_data_downloaded").channel == "api"


def test_the_api_never_exports_someone_elses_data(api_client_for, world):
    stranger = api_client_for(UserFactory(name="Dewi"))

    for path in (f"{API}/{world.business.slug}/export", f"{API}/nowhere/export"):
        answer = stranger.get(path)
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "not_found"
    assert not PrivacyRequest.objects.exists()


def test_the_api_sets_marketing_consent_per_channel(api_client_for, world):
    api = api_client_for(world.customer)

    answer = send_json(api, "PUT", f"{API}/{world.business.slug}/consent", {"whatsapp": False, "sms": True})

    assert answer.status_code == 200
    assert answer.json()["marketing_consent"] == {"whatsapp": False, "sms": True, "email": False, "push": False}
    contact = Contact.objects.get(pk=world.contact.pk)
    assert (contact.consent["whatsapp_marketing"], contact.consent["sms_marketing"]) == (False, True)
    assert "email_marketing" not in contact.consent  # left out: unchanged

    nothing = send_json(api, "PUT", f"{API}/{world.business.slug}/consent", {})
    assert nothing.status_code == 400
    not_json = send_json(api, "PUT", f"{API}/{world.business.slug}/consent", {"sms": "maybe"})
    assert not_json.status_code == 422


def test_the_api_erases_after_confirmation_only(api_client_for, world):
    api = api_client_for(world.customer)
    path = f"{API}/{world.business.slug}/erasure"

    refused = post_json(api, path, {"confirm": False})
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"]["confirm"]
    assert Contact.objects.get(pk=world.contact.pk).erased_at is None

    answer = post_json(api, path, {"confirm": True})
    assert answer.status_code == 201
    assert answer.json()["kind"] == "erasure"
    assert answer.json()["completed_at"]
    assert_erased_at_the_shop(world)
    assert Activity.objects.get(verb="contact_erased").channel == "api"

    again = post_json(api, path, {"confirm": True})
    assert again.status_code == 404
    assert again.json()["error"]["message"] == "This shop holds no personal data about you."


def test_the_api_refuses_an_erasure_by_someone_else(api_client_for, world):
    for user in (UserFactory(name="Dewi"), world.owner):
        answer = post_json(api_client_for(user), f"{API}/{world.business.slug}/erasure", {"confirm": True})
        assert answer.status_code == 404
    assert Contact.objects.get(pk=world.contact.pk).erased_at is None
    assert not PrivacyRequest.objects.exists()


def test_the_api_with_the_session_needs_the_csrf_token(client_for, world):
    strict = client_for(world.customer, enforce_csrf_checks=True)

    answer = post_json(strict, f"{API}/{world.business.slug}/erasure", {"confirm": True})

    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "csrf_failed"
    assert Contact.objects.get(pk=world.contact.pk).erased_at is None


def test_my_shops_read_a_fixed_number_of_queries(api_client_for, client_for, world):
    api, browser = api_client_for(world.customer), client_for(world.customer)

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as by_api:
            assert api.get(API).status_code == 200
        with CaptureQueriesContext(connection) as by_page:
            assert browser.get(url("my_businesses")).status_code == 200
        return len(by_api), len(by_page)

    queries()  # warm up: tokens, sessions
    few = queries()
    for number in range(5):
        contact_for_user(business=registered_business(name=f"Toko {number}"), user=world.customer)
    assert queries() == few
