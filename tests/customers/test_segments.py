"""Saved segments: the list's filters under a name, with live counts, opened as the filtered list."""

import pytest
from django.urls import reverse

from etalase.core.errors import Conflict, ValidationError
from etalase.customers.enums import Stage
from etalase.customers.filters import InvalidFilter
from etalase.customers.models import Contact, Segment
from etalase.customers.selectors import segment_contacts, segment_count, segment_list_with_counts
from etalase.customers.services.contacts import contact_create
from etalase.customers.services.segments import segment_delete, segment_save
from etalase.directory.enums import Role
from tests.factories import registered_business

pytestmark = pytest.mark.django_db


@pytest.fixture
def solo(business):
    for number in range(3):
        contact_create(business=business, name=f"Solo {number}", city="Solo")
    contact_create(business=business, name="Malang", city="Malang")
    return business


def test_a_segment_is_a_live_filter(solo, owner):
    segment = segment_save(
        business=solo, name="  Pelanggan   Solo ", filters={"city": "solo", "sort": "name"}, actor=owner
    )
    assert segment.name == "Pelanggan Solo"
    assert segment.filters == {"city": "solo"}
    assert segment.created_by == owner
    assert segment_count(business=solo, segment=segment) == 3

    contact_create(business=solo, name="Solo baru", city="Solo")
    assert segment_count(business=solo, segment=segment) == 4
    assert sorted(c.name for c in segment_contacts(business=solo, segment=segment))[0] == "Solo 0"


def test_saving_again_changes_the_segment(solo, owner):
    segment = segment_save(business=solo, name="Solo", filters={"city": "Solo"}, actor=owner)
    changed = segment_save(business=solo, name="Malang", filters={"city": "Malang"}, actor=owner, segment=segment)
    assert changed.pk == segment.pk
    assert Segment.objects.get().filters == {"city": "Malang"}
    assert segment_count(business=solo, segment=changed) == 1


@pytest.mark.parametrize(
    ("name", "filters", "error", "field"),
    [
        ("", {"city": "Solo"}, ValidationError, "name"),
        ("x" * 81, {"city": "Solo"}, ValidationError, "name"),
        ("Semua", {}, ValidationError, "filters"),
        ("Semua", {"sort": "name"}, ValidationError, "filters"),
        ("Boros", {"spent_min": "banyak"}, InvalidFilter, "spent_min"),
        ("Aneh", {"colour": "red"}, InvalidFilter, "colour"),
    ],
)
def test_bad_segments_are_refused(solo, owner, name, filters, error, field):
    with pytest.raises(error) as raised:
        segment_save(business=solo, name=name, filters=filters, actor=owner)
    assert field in raised.value.fields
    assert not Segment.objects.exists()


def test_segment_names_are_unique_per_business_in_any_case(solo, owner):
    segment_save(business=solo, name="Solo", filters={"city": "Solo"}, actor=owner)
    with pytest.raises(Conflict):
        segment_save(business=solo, name="SOLO", filters={"city": "Malang"}, actor=owner)
    other = registered_business()
    segment_save(business=other, name="Solo", filters={"city": "Solo"}, actor=owner)
    assert Segment.objects.count() == 2


def test_counts_for_every_segment(solo, owner):
    segment_save(business=solo, name="Solo", filters={"city": "Solo"}, actor=owner)
    segment_save(business=solo, name="Repeat", filters={"stage": Stage.REPEAT}, actor=owner)
    broken = segment_save(business=solo, name="Broken", filters={"city": "Solo"}, actor=owner)
    Segment.objects.filter(pk=broken.pk).update(filters={"stage": "gold"})  # e.g. written by an older version

    rows = {row.segment.name: row for row in segment_list_with_counts(business=solo)}
    assert (rows["Solo"].count, rows["Repeat"].count) == (3, 0)
    assert rows["Broken"].count is None
    assert rows["Broken"].error


def test_save_the_list_filters_as_a_segment_then_open_it(owner_client, solo):
    list_url = reverse("customers:list", args=[solo.slug])
    filtered = owner_client.get(list_url, {"city": "Solo"})
    assert "Save these filters as a segment" in filtered.content.decode()

    saved = owner_client.post(
        reverse("customers:segment_create", args=[solo.slug]),
        {"name": "Solo", "return_query": "city=Solo&sort=name&page=2&evil=1"},
    )
    segment = Segment.objects.get()
    assert segment.filters == {"city": "Solo"}
    assert saved.status_code == 302
    assert saved["Location"] == f"{list_url}?city=Solo&saved={segment.pk}"

    opened = owner_client.get(saved["Location"])
    text = opened.content.decode()
    assert "<h1" in text
    assert ">Solo</h1>" in text
    assert "Solo 0" in text
    assert "Malang" not in text.split('id="contact-results"')[1]

    segments = owner_client.get(reverse("customers:segments", args=[solo.slug]))
    count_url = reverse("customers:segment_count", args=[solo.slug, segment.pk])
    assert f"city=Solo&amp;saved={segment.pk}" in segments.content.decode()
    assert f'hx-get="{count_url}"' in segments.content.decode()
    count = owner_client.get(count_url, HTTP_HX_REQUEST="true")
    assert count.content.decode().strip() == '<span class="muted">3 customers</span>'


def test_a_segment_count_whose_filters_no_longer_parse_says_so(owner_client, solo, owner):
    segment = segment_save(business=solo, name="Solo", filters={"city": "Solo"}, actor=owner)
    Segment.objects.filter(pk=segment.pk).update(filters={"stage": "gold"})
    count = owner_client.get(reverse("customers:segment_count", args=[solo.slug, segment.pk]))
    assert count.status_code == 200
    assert "not one of the choices" in count.content.decode()


def test_update_and_delete_a_segment_from_the_pages(owner_client, solo, owner):
    segment = segment_save(business=solo, name="Solo", filters={"city": "Solo"}, actor=owner)
    updated = owner_client.post(
        reverse("customers:segment_update", args=[solo.slug, segment.pk]),
        {"name": "Malang", "return_query": f"city=Malang&saved={segment.pk}"},
    )
    assert updated.status_code == 302
    segment.refresh_from_db()
    assert (segment.name, segment.filters) == ("Malang", {"city": "Malang"})

    deleted = owner_client.post(reverse("customers:segment_delete", args=[solo.slug, segment.pk]))
    assert deleted.status_code == 302
    assert not Segment.objects.exists()
    assert Contact.objects.filter(business=solo).count() == 4


def test_a_bad_segment_from_the_page_is_explained(owner_client, solo, owner):
    segment_save(business=solo, name="Solo", filters={"city": "Solo"}, actor=owner)
    answer = owner_client.post(
        reverse("customers:segment_create", args=[solo.slug]),
        {"name": "solo", "return_query": "city=Malang"},
        follow=True,
    )
    assert "already a segment called" in answer.content.decode()
    assert Segment.objects.count() == 1


def test_another_business_segment_is_not_found(owner_client, business, owner):
    other = registered_business()
    theirs = segment_save(business=other, name="Theirs", filters={"city": "Solo"}, actor=owner)
    assert owner_client.post(reverse("customers:segment_delete", args=[business.slug, theirs.pk])).status_code == 404
    assert owner_client.post(reverse("customers:segment_update", args=[business.slug, theirs.pk])).status_code == 404
    assert owner_client.get(reverse("customers:segment_count", args=[business.slug, theirs.pk])).status_code == 404
    assert Segment.objects.filter(pk=theirs.pk).exists()
    segment_delete(segment=theirs, actor=owner)


def test_support_sees_segments_but_cannot_change_them(client_for, solo, member_of, owner):
    segment_save(business=solo, name="Solo", filters={"city": "Solo"}, actor=owner)
    support = client_for(member_of(solo, Role.SUPPORT).user)
    page = support.get(reverse("customers:segments", args=[solo.slug]))
    assert page.status_code == 200
    assert "Delete" not in page.content.decode()
    assert (
        "Save these filters"
        not in support.get(reverse("customers:list", args=[solo.slug]), {"city": "Solo"}).content.decode()
    )
    assert support.post(reverse("customers:segment_create", args=[solo.slug]), {"name": "X"}).status_code == 403
