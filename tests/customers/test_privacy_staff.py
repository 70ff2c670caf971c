"""The business's side of privacy: the owners' audit log, and an erasure staff take by phone or in person."""

import datetime as dt
from collections.abc import Iterator

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from etalase.activity.models import Activity
from etalase.customers.enums import AuditAction, PrivacyRequestKind
from etalase.customers.models import AuditEntry, Contact, PrivacyRequest
from etalase.customers.privacy.enums import ERASED_NAME
from etalase.customers.services.audit import audit_record
from etalase.customers.services.contacts import contact_create
from etalase.customers.services.merge import contact_merge
from etalase.customers.services.notes import note_add
from etalase.directory.enums import Role
from tests.customers.test_privacy_customer import assert_erased_at_the_shop
from tests.customers.test_privacy_world import World, build_world, business_rows_text, orders_hooks
from tests.factories import registered_business
from tests.support.api import post_json

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _orders_take_part() -> Iterator[None]:
    yield from orders_hooks()


@pytest.fixture
def world(business, customer) -> World:
    return build_world(business, customer)


@pytest.fixture
def manager(member_of, business):
    return member_of(business, Role.MANAGER, name="Maya Manajer").user


def audit_url(business) -> str:
    return reverse("customers_privacy:audit", args=[business.slug])


def erase_url(contact: Contact) -> str:
    return reverse("customers_privacy:contact_erase", args=[contact.business.slug, contact.pk])


# --- the audit log --------------------------------------------------------------------------------


def test_the_owner_reads_who_did_what_with_customer_data(owner_client, business, owner, manager):
    rina = contact_create(business=business, name="Rina")
    audit_record(business=business, actor=manager, action=AuditAction.VIEWED, contact=rina)
    audit_record(business=business, actor=owner, action=AuditAction.EXPORTED, detail={"count": 12})

    page = owner_client.get(audit_url(business))

    assert page.status_code == 200
    text = page.content.decode()
    assert "Viewed a customer</strong>" in text
    assert "Maya Manajer" in text
    assert reverse("customers:detail", args=[business.slug, rina.pk]) in text
    assert "Exported customers</strong>" in text
    assert "12 customers" in text
    assert text.index("Exported customers</strong>") < text.index("Viewed a customer</strong>")  # newest first


def test_the_audit_log_filters_by_action_member_and_day(owner_client, business, owner, manager):
    rina = contact_create(business=business, name="Rina")
    audit_record(business=business, actor=manager, action=AuditAction.VIEWED, contact=rina)
    audit_record(business=business, actor=owner, action=AuditAction.EDITED, contact=rina)
    old = audit_record(business=business, actor=manager, action=AuditAction.EDITED, contact=rina)
    AuditEntry.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=40))

    by_action = owner_client.get(audit_url(business), {"action": "edited"}).content.decode()
    assert by_action.count("Edited a customer</strong>") == 2
    assert "Viewed a customer</strong>" not in by_action

    by_member = owner_client.get(audit_url(business), {"member": manager.pk}).content.decode()
    assert by_member.count("Viewed a customer</strong>") == 1
    assert by_member.count("Edited a customer</strong>") == 1

    today = timezone.localdate().isoformat()
    recent = owner_client.get(audit_url(business), {"date_from": today, "date_to": today}).content.decode()
    assert recent.count("Edited a customer</strong>") == 1
    assert recent.count("Viewed a customer</strong>") == 1


def test_the_audit_log_pages(owner_client, business, owner):
    for _ in range(31):
        audit_record(business=business, actor=owner, action=AuditAction.VIEWED)

    first = owner_client.get(audit_url(business))
    second = owner_client.get(audit_url(business), {"page": 2})

    assert first.content.decode().count("Viewed a customer</strong>") == 30
    assert "?page=2" in first.content.decode()
    assert second.content.decode().count("Viewed a customer</strong>") == 1


def test_bad_audit_filters_get_a_clear_error(owner_client, business):
    wrong_day = owner_client.get(audit_url(business), {"date_from": "kemarin"})
    assert wrong_day.status_code == 400
    assert "Enter a valid date." in wrong_day.content.decode()

    backwards = owner_client.get(audit_url(business), {"date_from": "2026-05-02", "date_to": "2026-05-01"})
    assert backwards.status_code == 400
    assert "The end date is before the start date." in backwards.content.decode()

    stranger = owner_client.get(audit_url(business), {"member": "999999"})
    assert stranger.status_code == 400


def test_only_owners_read_the_audit_log(client_for, business, member_of):
    for role in (Role.MANAGER, Role.SALES, Role.CASHIER):
        answer = client_for(member_of(business, role).user).get(audit_url(business))
        assert answer.status_code == 403, role
    elsewhere = registered_business(name="Kopi Senja")
    assert client_for(member_of(elsewhere, Role.OWNER).user).get(audit_url(business)).status_code == 404


def test_another_business_never_sees_this_log(owner_client, owner, business):
    elsewhere = registered_business(name="Kopi Senja")
    audit_record(business=elsewhere, actor=None, action=AuditAction.EXPORTED, detail={"count": 3})

    page = owner_client.get(audit_url(business)).content.decode()

    assert "Exported customers</strong>" not in page
    assert "Nothing in the log" in page


def test_the_audit_api_filters_and_pages(api_client_for, business, owner, manager):
    rina = contact_create(business=business, name="Rina")
    for _ in range(3):
        audit_record(business=business, actor=manager, action=AuditAction.VIEWED, contact=rina)
    audit_record(business=business, actor=owner, action=AuditAction.EXPORTED, detail={"count": 2})
    api = api_client_for(owner)
    path = f"/api/v1/businesses/{business.slug}/audit"

    everything = api.get(path, {"size": 2})
    assert everything.status_code == 200
    body = everything.json()
    assert (len(body["items"]), body["next_page"]) == (2, 2)
    assert body["items"][0]["action"] == "exported"
    assert body["items"][0]["actor_name"] == owner.name

    viewed = api.get(path, {"action": "viewed", "member": manager.pk}).json()["items"]
    assert len(viewed) == 3
    assert {(item["contact_name"], item["actor_id"]) for item in viewed} == {("Rina", manager.pk)}

    assert api.get(path, {"action": "stolen"}).status_code == 422
    assert api.get(path, {"date_from": "2026-05-02", "date_to": "2026-05-01"}).status_code == 400
    assert api_client_for(manager).get(path).status_code == 403


def test_the_audit_list_reads_a_fixed_number_of_queries(client_for, api_client_for, business, owner):
    rina = contact_create(business=business, name="Rina")
    audit_record(business=business, actor=owner, action=AuditAction.VIEWED, contact=rina)
    api, browser = api_client_for(owner), client_for(owner)
    path = f"/api/v1/businesses/{business.slug}/audit"

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as by_api:
            assert api.get(path).status_code == 200
        with CaptureQueriesContext(connection) as by_page:
            assert browser.get(audit_url(business)).status_code == 200
        return len(by_api), len(by_page)

    queries()  # warm up: tokens, sessions, content types
    few = queries()
    for _ in range(20):
        audit_record(business=business, actor=owner, action=AuditAction.VIEWED, contact=rina)
    assert queries() == few


# --- an erasure staff take by phone or in person --------------------------------------------------


def test_staff_erase_at_the_customers_request_and_are_recorded(client_for, world, manager):
    browser = client_for(manager)
    form = browser.get(erase_url(world.contact))
    assert form.status_code == 200
    assert "You are recorded as the person who took the request" in form.content.decode()

    answer = browser.post(erase_url(world.contact), {"received_via": "phone", "confirm": "on"})

    assert answer.status_code == 302
    assert answer["Location"] == reverse("customers:detail", args=[world.business.slug, world.contact.pk])
    assert_erased_at_the_shop(world)
    request = PrivacyRequest.objects.get(kind=PrivacyRequestKind.ERASURE)
    assert request.requested_by == manager
    entry = AuditEntry.objects.get(action=AuditAction.ERASED)
    assert (entry.actor, entry.detail["by"]) == (manager, "staff")
    erased = Activity.objects.get(verb="contact_erased")
    assert (erased.actor, erased.channel) == (manager, "phone")
    contact_page = browser.get(answer["Location"]).content.decode()
    assert "Erased customer" in contact_page
    assert world.customer.name not in contact_page
    assert erase_url(world.contact) not in contact_page


def test_staff_erasure_needs_confirmation(client_for, world, manager):
    answer = client_for(manager).post(erase_url(world.contact), {"received_via": "phone"})

    assert answer.status_code == 400
    assert "Tick the box to confirm the erasure." in answer.content.decode()
    assert Contact.objects.get(pk=world.contact.pk).erased_at is None


def test_erasing_an_erased_customer_again_says_so(client_for, world, manager):
    browser = client_for(manager)
    browser.post(erase_url(world.contact), {"received_via": "counter", "confirm": "on"})

    again = browser.post(erase_url(world.contact), {"received_via": "counter", "confirm": "on"})

    assert again.status_code == 409
    assert "already erased on" in again.content.decode()
    assert PrivacyRequest.objects.count() == 1
    assert browser.get(erase_url(world.contact)).status_code == 200


def test_only_customer_managers_of_this_business_may_erase(client_for, world, member_of):
    sales = member_of(world.business, Role.SALES).user
    assert client_for(sales).post(erase_url(world.contact), {"received_via": "phone", "confirm": "on"}).status_code == (
        403
    )
    outsider = client_for(world.other.memberships.get().user)
    assert outsider.post(erase_url(world.contact), {"received_via": "phone", "confirm": "on"}).status_code == 404
    theirs = reverse("customers_privacy:contact_erase", args=[world.business.slug, world.other_contact.pk])
    assert client_for(world.owner).post(theirs, {"received_via": "phone", "confirm": "on"}).status_code == 404
    assert not Contact.objects.filter(erased_at__isnull=False).exists()


def test_staff_erasure_needs_the_csrf_token(client_for, world):
    strict = client_for(world.owner, enforce_csrf_checks=True)

    assert strict.post(erase_url(world.contact), {"received_via": "phone", "confirm": "on"}).status_code == 403
    assert Contact.objects.get(pk=world.contact.pk).erased_at is None


def test_the_staff_erasure_api(api_client_for, world, manager):
    api = api_client_for(manager)
    path = f"/api/v1/businesses/{world.business.slug}/contacts/{world.contact.pk}/erasure"

    assert post_json(api, path, {"confirm": False}).status_code == 400
    wrong_way = post_json(api, path, {"confirm": True, "received_via": "carrier pigeon"})
    assert wrong_way.status_code == 400
    assert wrong_way.json()["error"]["fields"]["received_via"]
    assert Contact.objects.get(pk=world.contact.pk).erased_at is None

    answer = post_json(api, path, {"confirm": True, "received_via": "counter"})
    assert answer.status_code == 201
    assert answer.json()["contact_id"] == world.contact.pk
    assert_erased_at_the_shop(world)
    assert PrivacyRequest.objects.get().requested_by == manager

    again = post_json(api, path, {"confirm": True})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_erased"


def test_the_staff_erasure_api_refuses_other_businesses_contacts(api_client_for, world):
    api = api_client_for(world.owner)
    theirs = f"/api/v1/businesses/{world.business.slug}/contacts/{world.other_contact.pk}/erasure"
    assert post_json(api, theirs, {"confirm": True}).status_code == 404
    foreign = f"/api/v1/businesses/{world.other.slug}/contacts/{world.other_contact.pk}/erasure"
    assert post_json(api, foreign, {"confirm": True}).status_code == 404
    assert not Contact.objects.filter(erased_at__isnull=False).exists()


def test_erasing_a_customer_erases_the_records_merged_into_it(client_for, world, manager):
    duplicate = contact_create(
        business=world.business, name="Budi P.", phone="0813-7777-1234", address="Jl. Kaliurang 5", actor=manager
    )
    note_add(contact=duplicate, author=manager, body="Called about a wedding order")
    contact_merge(business=world.business, keep=world.contact, other=duplicate, actor=manager)

    answer = client_for(manager).post(erase_url(world.contact), {"received_via": "counter", "confirm": "on"})

    assert answer.status_code == 302
    assert_erased_at_the_shop(world)
    merged = Contact.objects.get(pk=duplicate.pk)
    assert (merged.name, merged.phone, merged.address) == (ERASED_NAME, "", "")
    assert merged.erased_at is not None
    text = business_rows_text(world.business)
    for personal in ("Budi P.", "Jl. Kaliurang 5", "wedding order", "7777"):
        assert personal not in text, personal
