"""``Activity.contact``: the contact an act is about, copied from ``data["contact_id"]`` into an indexed
column that timelines, aggregates, merges and erasures read."""

import importlib

import pytest
from django.db import connection

from etalase.activity.models import Activity
from etalase.activity.services import activity_contact_repoint, activity_record, data_contact_id
from etalase.customers.enums import Verb
from etalase.customers.selectors import contact_timeline
from etalase.customers.services.contacts import contact_create
from etalase.customers.services.merge import contact_merge
from etalase.customers.services.notes import note_add
from tests.factories import UserFactory, registered_business

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"contact_id": 12}, 12),
        ({"contact_id": "12"}, None),
        ({"contact_id": True}, None),
        ({"contact_id": 0}, None),
        ({"contact_id": None}, None),
        ({}, None),
        (None, None),
        ([12], None),
    ],
)
def test_only_a_whole_contact_id_is_copied(data, expected):
    assert data_contact_id(data) == expected


def test_recording_an_act_about_a_contact_fills_the_column():
    business = registered_business()
    contact = contact_create(business=business, name="Rina")
    about = activity_record(verb="noted", business=business, data={"contact_id": contact.pk, "excerpt": "hi"})
    plain = activity_record(verb="viewed_business", business=business, data={"visitor": "abc"})
    assert Activity.objects.get(pk=about.pk).contact_id == contact.pk
    assert Activity.objects.get(pk=plain.pk).contact_id is None


def test_existing_rows_are_filled_from_their_data():
    business = registered_business()
    contact = contact_create(business=business, name="Rina")
    rows = [
        activity_record(verb="noted", business=business, data={"contact_id": contact.pk}),
        activity_record(verb="noted", business=business, data={"contact_id": "x"}),
        activity_record(verb="noted", business=business, data={"other": 1}),
    ]
    Activity.objects.update(contact_id=None)  # as before the column existed
    migration = importlib.import_module("etalase.activity.migrations.0002_contact")

    class Editor:
        def __init__(self) -> None:
            self.connection = connection

        def execute(self, sql: str) -> None:
            with connection.cursor() as cursor:
                cursor.execute(sql)

    migration.contacts_fill(None, Editor())
    filled = dict(Activity.objects.filter(pk__in=[row.pk for row in rows]).values_list("pk", "contact_id"))
    assert filled == {rows[0].pk: contact.pk, rows[1].pk: None, rows[2].pk: None}


def test_the_timeline_and_a_merge_follow_the_column(owner, business):
    user = UserFactory()
    keep = contact_create(business=business, name="Rina")
    other = contact_create(business=business, name="Rina W.")
    note_add(contact=other, body="Suka batik tulis", author=owner)
    activity_record(verb="followed", business=business, actor=user, data={})
    keep.user = user
    keep.save(update_fields=["user"])
    assert [a.verb for a in contact_timeline(business=business, contact=other)] == [Verb.NOTE_ADDED]

    contact_merge(business=business, keep=keep, other=other, actor=owner)

    moved = Activity.objects.get(verb=Verb.NOTE_ADDED)
    assert moved.contact_id == keep.pk
    assert moved.data["contact_id"] == keep.pk
    assert moved.data["merged_from_contact_id"] == other.pk
    verbs = [a.verb for a in contact_timeline(business=business, contact=keep)]
    assert {Verb.NOTE_ADDED, "followed", Verb.CONTACT_MERGED} <= set(verbs)


def test_repointing_moves_one_business_s_rows_and_keeps_the_first_origin():
    business, elsewhere = registered_business(), registered_business()
    source, target = contact_create(business=business, name="Rina"), contact_create(business=business, name="R")
    about = activity_record(verb="noted", business=business, data={"contact_id": source.pk, "n": 1})
    earlier = activity_record(
        verb="noted", business=business, data={"contact_id": source.pk, "merged_from_contact_id": 7}
    )
    foreign = activity_record(verb="noted", business=elsewhere, data={"contact_id": source.pk})

    moved = activity_contact_repoint(business=business, from_contact_id=source.pk, to_contact_id=target.pk)

    assert moved == 2
    rows = {row.pk: row for row in Activity.objects.all()}
    assert (rows[about.pk].contact_id, rows[about.pk].data) == (
        target.pk,
        {"contact_id": target.pk, "n": 1, "merged_from_contact_id": source.pk},
    )
    assert rows[earlier.pk].data == {"contact_id": target.pk, "merged_from_contact_id": 7}
    assert (rows[foreign.pk].contact_id, rows[foreign.pk].data) == (source.pk, {"contact_id": source.pk})


@pytest.mark.sqlite_only
def test_sqlite_reads_a_contact_s_timeline_through_its_indexes():
    business = registered_business()
    contact = contact_create(business=business, name="Rina")
    sql, params = contact_timeline(business=business, contact=contact)[:20].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "activity_contact_time" in plan
