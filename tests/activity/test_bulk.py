"""``activity_record_many``: many rows in a few statements, the same rows and processing as one by one."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType

from etalase.activity.bulk import activity_record_many
from etalase.activity.models import Activity
from etalase.activity.services import activity_record
from etalase.directory.models import Business

pytestmark = pytest.mark.django_db

AT = dt.datetime(2026, 6, 15, 3, 0, tzinfo=dt.UTC)


def test_rows_get_the_defaults_and_the_contact_of_activity_record(business, django_capture_on_commit_callbacks):
    business_type = ContentType.objects.get_for_model(Business).pk
    rows = [
        {
            "verb": "viewed_business",
            "business_id": business.pk,
            "target_type_id": business_type,
            "target_id": business.pk,
        },
        {"verb": "noted", "business_id": business.pk, "data": {"contact_id": 7}, "channel": "admin", "occurred_at": AT},
    ]

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert activity_record_many(rows) == 2

    view, note = Activity.objects.get(verb="viewed_business"), Activity.objects.get(verb="noted")
    assert (view.channel, view.data, view.target_id) == ("web", {}, str(business.pk))
    assert (view.contact_id, view.idempotency_key) == (None, None)
    assert (note.channel, note.contact_id, note.occurred_at) == ("admin", 7, AT)
    assert len(callbacks) == 2  # one processing task per new row, after commit
    assert Activity.objects.filter(verb__in=["viewed_business", "noted"], processed_at__isnull=False).count() == 2


def test_a_key_already_recorded_or_repeated_writes_once(business, django_capture_on_commit_callbacks):
    activity_record(verb="viewed_business", business=business, idempotency_key="view:1", occurred_at=AT)
    rows = [
        {"verb": "viewed_business", "business_id": business.pk, "idempotency_key": "view:1"},
        {"verb": "viewed_business", "business_id": business.pk, "idempotency_key": "view:2", "occurred_at": AT},
        {"verb": "viewed_business", "business_id": business.pk, "idempotency_key": "view:2"},
    ]

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert activity_record_many(rows) == 1
    with django_capture_on_commit_callbacks(execute=True) as again:
        assert activity_record_many(rows) == 0

    assert Activity.objects.filter(verb="viewed_business").count() == 2
    assert Activity.objects.get(idempotency_key="view:2").occurred_at == AT  # the first of the repeated rows
    assert (len(callbacks), len(again)) == (1, 0)


def test_a_row_without_a_verb_is_refused_and_nothing_is_written(business):
    with pytest.raises(ValueError, match="verb"):
        activity_record_many([{"verb": "viewed_business", "business_id": business.pk}, {"business_id": business.pk}])

    assert not Activity.objects.filter(verb="viewed_business").exists()
