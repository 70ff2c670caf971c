"""The customers API: contacts, timeline, tags, notes, consent, stage and segments, with the pages' rules."""

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from etalase.activity.services import activity_record
from etalase.customers.enums import AuditAction, Stage
from etalase.customers.models import AuditEntry, Consent, Contact, Note, Segment
from etalase.customers.services.contacts import contact_create
from etalase.customers.services.segments import segment_save
from etalase.customers.services.tags import contact_tags_set
from etalase.directory.enums import Role
from tests.factories import registered_business
from tests.support.api import patch_json, post_json, send_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(api_client_for, owner, business):
    return api_client_for(owner)


def base(business) -> str:
    return f"/api/v1/businesses/{business.slug}"


@pytest.fixture
def rina(business, owner):
    contact = contact_create(business=business, name="Rina Wati", phone="0812 7000 1111", city="Solo")
    contact_tags_set(contact=contact, names=["VIP"], actor=owner)
    return contact


def error_of(response) -> dict[str, Any]:
    body = response.json()
    assert set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


# --- contacts ------------------------------------------------------------------------------------


def test_the_contact_list_filters_and_pages(api, business, owner, rina):
    for number in range(3):
        contact_create(business=business, name=f"Malang {number}", city="Malang")
    answer = api.get(f"{base(business)}/contacts", {"city": "solo"})
    assert answer.status_code == 200
    body = answer.json()
    assert [item["name"] for item in body["items"]] == ["Rina Wati"]
    assert body["items"][0]["tags"] == ["VIP"]
    assert body["items"][0]["phone"] == "+6281270001111"
    assert body["items"][0]["url"] == f"/manage/{business.slug}/customers/{rina.pk}/"

    first = api.get(f"{base(business)}/contacts", {"size": 2, "sort": "name"}).json()
    assert ([item["name"] for item in first["items"]], first["next_page"]) == (["Malang 0", "Malang 1"], 2)
    second = api.get(f"{base(business)}/contacts", {"size": 2, "sort": "name", "page": 2}).json()
    assert ([item["name"] for item in second["items"]], second["next_page"]) == (["Malang 2", "Rina Wati"], None)
    assert api.get(f"{base(business)}/contacts", {"q": "0812 7000"}).json()["items"][0]["id"] == rina.pk


def test_the_contact_list_takes_a_fixed_number_of_queries(api, business, owner, django_assert_num_queries):
    for number in range(20):
        contact = contact_create(business=business, name=f"P {number}")
        contact_tags_set(contact=contact, names=["a", "b"], actor=owner)
    # token, membership, the contacts (PostgreSQL: seen, then never seen), their tags
    with django_assert_num_queries(4 + (2 if connection.vendor == "postgresql" else 1)):
        answer = api.get(f"{base(business)}/contacts", {"size": 15})
    assert len(answer.json()["items"]) == 15


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"spent_min": "lots"}, 422, "spent_min"),
        ({"stage": "gold"}, 422, "stage"),
        ({"sort": "random"}, 422, "sort"),
        ({"consent": "fax_marketing"}, 400, "consent"),
        ({"spent_min": 10, "spent_max": 5}, 400, "spent_max"),
        ({"size": 1000}, 422, "size"),
    ],
)
def test_a_bad_filter_is_a_clear_error(api, business, params, status, field):
    answer = api.get(f"{base(business)}/contacts", params)
    assert answer.status_code == status
    assert field in error_of(answer)["fields"]


def test_add_a_contact_or_find_the_known_one(api, business, rina):
    added = post_json(
        api, f"{base(business)}/contacts", {"name": "Pak Budi", "phone": "0813-2222-3333", "birthday": "1985-02-01"}
    )
    assert added.status_code == 201
    body = added.json()
    assert (body["phone"], body["birthday"], body["stage"]) == ("+6281322223333", "1985-02-01", Stage.INTERESTED)
    assert body["source"] == "staff"

    again = post_json(api, f"{base(business)}/contacts", {"name": "R", "phone": "+62 812 7000 1111"})
    assert again.status_code == 200
    assert again.json()["id"] == rina.pk

    bad = post_json(api, f"{base(business)}/contacts", {"name": "X", "phone": "12"})
    assert bad.status_code == 400
    assert error_of(bad)["code"] == "invalid_phone"
    empty = post_json(api, f"{base(business)}/contacts", {})
    assert empty.status_code == 400
    assert "name" in error_of(empty)["fields"]
    assert Contact.objects.filter(business=business).count() == 2


def test_read_a_contact_and_the_view_is_audited(api, business, rina, owner):
    answer = api.get(f"{base(business)}/contacts/{rina.pk}")
    assert answer.status_code == 200
    body = answer.json()
    assert body["tags"] == ["VIP"]
    assert body["scores"]["rfm_recency"] == 0
    assert body["consent"] == {}
    api.get(f"{base(business)}/contacts/{rina.pk}")
    assert AuditEntry.objects.filter(action=AuditAction.VIEWED, contact=rina, actor=owner).count() == 1


def test_patch_changes_only_what_is_sent(api, business, rina):
    other = contact_create(business=business, name="Budi", phone="0813 1111 2222")
    changed = patch_json(api, f"{base(business)}/contacts/{rina.pk}", {"city": "Yogyakarta"})
    assert changed.status_code == 200
    assert (changed.json()["city"], changed.json()["phone"], changed.json()["name"]) == (
        "Yogyakarta",
        "+6281270001111",
        "Rina Wati",
    )
    taken = patch_json(api, f"{base(business)}/contacts/{rina.pk}", {"phone": other.phone})
    assert taken.status_code == 400
    assert error_of(taken)["code"] == "duplicate"
    rina.refresh_from_db()
    assert (rina.phone, rina.city) == ("+6281270001111", "Yogyakarta")
    assert " yogyakarta " in rina.search_text
    assert AuditEntry.objects.filter(action=AuditAction.EDITED, contact=rina).exists()


def test_merge_through_the_api(api, business, rina):
    duplicate = contact_create(business=business, name="Rina", email="rina@example.com")
    theirs = contact_create(business=registered_business(), name="Rina")
    url = f"{base(business)}/contacts/{rina.pk}/merge"

    assert post_json(api, url, {"other_id": theirs.pk}).status_code == 404
    itself = post_json(api, url, {"other_id": rina.pk})
    assert (itself.status_code, error_of(itself)["code"]) == (400, "same_contact")

    merged = post_json(api, url, {"other_id": duplicate.pk})
    assert merged.status_code == 200
    assert merged.json()["email"] == "rina@example.com"
    again = post_json(api, url, {"other_id": duplicate.pk})
    assert (again.status_code, error_of(again)["code"]) == (409, "already_merged")
    assert api.get(f"{base(business)}/contacts/{duplicate.pk}").json()["id"] == rina.pk


def test_the_timeline(api, business, rina):
    activity_record(verb="ordered", business=business, data={"number": 3, "amount_minor": 9000, "contact_id": rina.pk})
    body = api.get(f"{base(business)}/contacts/{rina.pk}/timeline").json()
    assert [(item["verb"], item["label"]) for item in body["items"]] == [("ordered", "placed an order")]
    assert body["items"][0]["data"]["amount_minor"] == 9000


def test_tags_set_and_bulk(api, business, rina):
    answer = send_json(
        api, "PUT", f"{base(business)}/contacts/{rina.pk}/tags", {"names": ["grosir", "Grosir", " online "]}
    )
    assert answer.json() == {"tags": ["grosir", "online"]}
    too_long = send_json(api, "PUT", f"{base(business)}/contacts/{rina.pk}/tags", {"names": ["x" * 41]})
    assert (too_long.status_code, error_of(too_long)["code"]) == (400, "invalid_tag")

    budi = contact_create(business=business, name="Budi")
    theirs = contact_create(business=registered_business(), name="Lain")
    bulk = post_json(
        api, f"{base(business)}/contacts/bulk-tag", {"contact_ids": [rina.pk, budi.pk, theirs.pk], "tag": "lebaran"}
    )
    assert bulk.json() == {"tagged": 2}
    assert not theirs.tags.exists()


def test_notes(api, business, rina, owner):
    added = post_json(api, f"{base(business)}/contacts/{rina.pk}/notes", {"body": "Suka warna biru"})
    assert added.status_code == 201
    assert added.json()["author"] == str(owner)
    blank = post_json(api, f"{base(business)}/contacts/{rina.pk}/notes", {"body": "  "})
    assert blank.status_code == 400
    notes = api.get(f"{base(business)}/contacts/{rina.pk}/notes").json()
    assert [note["body"] for note in notes["items"]] == ["Suka warna biru"]
    assert Note.objects.count() == 1


def test_consent_ledger(api, business, rina, owner):
    url = f"{base(business)}/contacts/{rina.pk}/consents"
    given = post_json(api, url, {"channel": "whatsapp", "purpose": "marketing", "granted": True, "source": "staff"})
    assert given.status_code == 201
    assert given.json()["recorded_by"] == str(owner)
    withdrawn = post_json(api, url, {"channel": "whatsapp", "purpose": "marketing", "granted": False})
    assert withdrawn.json()["source"] == "api"

    ledger = api.get(url).json()
    assert ledger["current"] == {"whatsapp_marketing": False}
    assert [entry["granted"] for entry in ledger["entries"]] == [False, True]

    future = (timezone.now() + dt.timedelta(days=2)).isoformat()
    later = post_json(api, url, {"channel": "sms", "purpose": "service", "granted": True, "occurred_at": future})
    assert later.status_code == 400
    assert "occurred_at" in error_of(later)["fields"]
    fax = post_json(api, url, {"channel": "fax", "purpose": "service", "granted": True})
    assert fax.status_code == 422
    not_bool = post_json(api, url, {"channel": "sms", "purpose": "service", "granted": "yes"})
    assert not_bool.status_code == 422
    assert Consent.objects.count() == 2


def test_stage(api, business, rina):
    url = f"{base(business)}/contacts/{rina.pk}/stage"
    vip = send_json(api, "PUT", url, {"stage": "vip"})
    assert (vip.json()["stage"], vip.json()["stage_set_by_staff"]) == ("vip", True)
    assert send_json(api, "PUT", url, {"stage": "repeat"}).status_code == 422
    auto = send_json(api, "PUT", url, {"stage": "auto"})
    assert (auto.json()["stage"], auto.json()["stage_set_by_staff"]) == ("interested", False)


# --- segments ------------------------------------------------------------------------------------


def test_segments(api, business, rina, owner):
    contact_create(business=business, name="Malang", city="Malang")
    created = post_json(
        api, f"{base(business)}/segments", {"name": "Solo", "filters": {"city": "Solo", "orders_max": 3}}
    )
    assert created.status_code == 201
    segment = created.json()
    assert (segment["filters"], segment["count"]) == ({"city": "Solo", "orders_max": "3"}, 1)

    taken = post_json(api, f"{base(business)}/segments", {"name": "solo", "filters": {"city": "X"}})
    assert (taken.status_code, error_of(taken)["code"]) == (409, "duplicate")
    bad = post_json(api, f"{base(business)}/segments", {"name": "Boros", "filters": {"spent_min": "x"}})
    assert (bad.status_code, error_of(bad)["code"]) == (400, "invalid_filter")

    listed = api.get(f"{base(business)}/segments").json()
    assert [(row["name"], row["count"]) for row in listed] == [("Solo", 1)]
    contacts = api.get(f"{base(business)}/segments/{segment['id']}/contacts").json()
    assert [item["name"] for item in contacts["items"]] == ["Rina Wati"]

    renamed = patch_json(
        api, f"{base(business)}/segments/{segment['id']}", {"name": "Semua Malang", "filters": {"city": "malang"}}
    )
    assert (renamed.json()["name"], renamed.json()["count"]) == ("Semua Malang", 1)
    assert api.delete(f"{base(business)}/segments/{segment['id']}").status_code == 204
    assert not Segment.objects.exists()


def test_another_business_rows_are_not_found(api, business, owner):
    other = registered_business()
    theirs = contact_create(business=other, name="Lain")
    their_segment = segment_save(business=other, name="S", filters={"city": "Solo"}, actor=owner)
    for method, path, data in (
        ("get", f"/contacts/{theirs.pk}", None),
        ("patch", f"/contacts/{theirs.pk}", {"name": "Hacked"}),
        ("get", f"/contacts/{theirs.pk}/timeline", None),
        ("put", f"/contacts/{theirs.pk}/tags", {"names": ["x"]}),
        ("post", f"/contacts/{theirs.pk}/notes", {"body": "x"}),
        ("put", f"/contacts/{theirs.pk}/stage", {"stage": "vip"}),
        ("patch", f"/segments/{their_segment.pk}", {"name": "x"}),
        ("delete", f"/segments/{their_segment.pk}", None),
        ("get", f"/segments/{their_segment.pk}/contacts", None),
    ):
        answer = send_json(api, method.upper(), base(business) + path, data)
        assert answer.status_code == 404, path
        assert error_of(answer)["code"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.name == "Lain"
    assert Segment.objects.filter(pk=their_segment.pk).exists()


def test_support_reads_but_cannot_write(api_client_for, business, member_of, rina):
    support = api_client_for(member_of(business, Role.SUPPORT).user)
    assert support.get(f"{base(business)}/contacts").status_code == 200
    assert support.get(f"{base(business)}/contacts/{rina.pk}/consents").status_code == 200
    denied = send_json(support, "PUT", f"{base(business)}/contacts/{rina.pk}/tags", {"names": []})
    assert (denied.status_code, error_of(denied)["code"]) == (403, "permission_denied")
    assert rina.tags.count() == 1
