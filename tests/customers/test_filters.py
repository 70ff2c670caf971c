"""The contact list's filters: parsed from GET parameters with clear errors, applied with the indexes."""

import datetime as dt

import pytest
from django.http import QueryDict
from django.utils import timezone

from etalase.customers.enums import ConsentChannel, ConsentPurpose, ConsentSource, RfmSegment, Stage
from etalase.customers.filters import (
    ContactFilter,
    InvalidFilter,
    contact_filter_parse,
    contact_filter_read,
    phone_prefix,
)
from etalase.customers.models import Contact
from etalase.customers.selectors import contact_list, contact_page, contact_search
from etalase.customers.services.aggregates import contact_scores_set
from etalase.customers.services.consent import consent_set
from etalase.customers.services.contacts import contact_create, contact_search_text
from etalase.customers.services.merge import contact_merge
from etalase.customers.services.tags import contact_tags_set
from tests.factories import registered_business

pytestmark = pytest.mark.django_db


def names(queryset) -> list[str]:
    return [contact.name for contact in queryset]


# --- parsing -------------------------------------------------------------------------------------


def test_good_values_parse_into_a_typed_filter_and_back():
    params = QueryDict(
        "q=rina&tag=VIP&stage=repeat&segment=champions&city=Solo&last_seen_days=30&spent_min=100.000"
        "&spent_max=2000000&orders_min=2&orders_max=10&consent=whatsapp_marketing&sort=spent&page=3&x=1"
    )
    parsed = contact_filter_parse(params)
    assert parsed == ContactFilter(
        q="rina",
        tag="VIP",
        stage=Stage.REPEAT,
        segment=RfmSegment.CHAMPIONS,
        city="Solo",
        last_seen_days=30,
        spent_min=100_000,
        spent_max=2_000_000,
        orders_min=2,
        orders_max=10,
        consent="whatsapp_marketing",
        sort="spent",
    )
    assert contact_filter_parse(parsed.as_params()) == parsed
    assert "sort" not in parsed.as_params(with_sort=False)
    assert ContactFilter().as_params() == {}
    assert not ContactFilter(sort="name").is_filtered


@pytest.mark.parametrize(
    ("params", "field", "text"),
    [
        ({"spent_min": "lots"}, "spent_min", "whole number"),
        ({"last_seen_days": "0"}, "last_seen_days", "between 1 and 3650"),
        ({"orders_max": "-1"}, "orders_max", "between 0"),
        ({"stage": "gold"}, "stage", "not one of the choices"),
        ({"segment": "whales"}, "segment", "not one of the choices"),
        ({"consent": "fax_marketing"}, "consent", "not one of the choices"),
        ({"sort": "random"}, "sort", "not one of the choices"),
        ({"spent_min": "500", "spent_max": "100"}, "spent_max", "must not be less"),
        ({"orders_min": "5", "orders_max": "1"}, "orders_max", "must not be less"),
        ({"info_min": "101"}, "info_min", "between 0 and 100"),
        ({"personal_max": "-5"}, "personal_max", "between 0 and 100"),
        ({"info_min": "half"}, "info_min", "whole number"),
        ({"info_min": "80", "info_max": "20"}, "info_max", "must not be less"),
        ({"personal_min": "60", "personal_max": "59"}, "personal_max", "must not be less"),
        ({"q": "x" * 101}, "q", "too long"),
        ({"spent_min": "9" * 30}, "spent_min", "too long"),
    ],
)
def test_a_bad_value_is_named_with_a_clear_message(params, field, text, english):
    with pytest.raises(InvalidFilter) as error:
        contact_filter_parse(params)
    assert error.value.code == "invalid_filter"
    assert text in str(error.value.fields[field])


def test_the_lenient_reader_keeps_the_good_values(english):
    parsed, problems = contact_filter_read({"city": "Solo", "spent_min": "abc", "stage": "vip"})
    assert parsed == ContactFilter(city="Solo", stage=Stage.VIP)
    assert list(problems) == ["spent_min"]
    assert ContactFilter.from_query({"city": "Solo", "spent_min": "abc"}) == ContactFilter(city="Solo")


@pytest.mark.parametrize(
    ("typed", "prefix"),
    [
        ("0812 7000", "+628127000"),
        ("+62 812-7000", "+628127000"),
        ("62812 7000", "+628127000"),
        ("812 7000", "+628127000"),
        ("rina", None),
        ("12", None),
    ],
)
def test_phone_like_queries_become_the_start_of_an_e164_number(typed, prefix):
    assert phone_prefix(typed) == prefix


# --- search --------------------------------------------------------------------------------------


@pytest.fixture
def people(business):
    return {
        "rina": contact_create(business=business, name="Rina Wati", phone="0812 7000 1111", city="Solo"),
        "budi": contact_create(business=business, name="Budi Santoso", email="budi.s@example.id", city="Kota Malang"),
        "jose": contact_create(business=business, name="José Marina", phone="0813 9000 2222"),
    }


def test_the_search_text_holds_every_spelling(people):
    text = contact_search_text(people["rina"])
    for token in (" rina ", " wati ", " 6281270001111 ", " 081270001111 ", " 81270001111 ", " solo "):
        assert token in text
    assert " budi.s@example.id " in contact_search_text(people["budi"])
    assert people["rina"].search_text == text


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("rin", ["Rina Wati"]),
        ("WATI", ["Rina Wati"]),
        ("ina", []),  # words match from their start
        ("jose", ["José Marina"]),
        ("marina", ["José Marina"]),
        ("budi malang", ["Budi Santoso"]),
        ("budi solo", []),
        ("0812 7000", ["Rina Wati"]),
        ("+62 812 7000 1111", ["Rina Wati"]),
        ("6281270001111", ["Rina Wati"]),
        ("81390", ["José Marina"]),
        ("08", ["Rina Wati", "José Marina"]),
        ("budi.s@example.id", ["Budi Santoso"]),
        ("BUDI.S@EXAMPLE.ID", ["Budi Santoso"]),
        ("rina 0812", ["Rina Wati"]),
    ],
)
def test_search_by_name_phone_email_or_city(business, people, query, found):
    assert sorted(names(contact_list(business=business, filters=ContactFilter(q=query)))) == sorted(found)


def test_a_phone_search_uses_the_unique_phone_index(business, people):
    """The range on phone (never a LIKE) is what keeps a phone search fast at 200,000 contacts."""
    queryset = contact_list(business=business, filters=ContactFilter(q="0812 7000"))
    sql = str(queryset.query)
    assert "LIKE" not in sql.upper()
    assert '"phone" >=' in sql


def test_search_and_lists_leave_out_other_businesses_and_merged_contacts(business, owner, people):
    contact_create(business=registered_business(), name="Rina Lain", phone="0812 7000 1112")
    duplicate = contact_create(business=business, name="Rina W.")
    contact_merge(business=business, keep=people["rina"], other=duplicate, actor=owner)
    assert names(contact_search(business=business, query="rina")) == ["Rina Wati"]


# --- filters -------------------------------------------------------------------------------------


def test_each_filter_narrows_the_list(business, owner, people):
    rina, budi, jose = people["rina"], people["budi"], people["jose"]
    contact_tags_set(contact=rina, names=["VIP"], actor=owner)
    Contact.objects.filter(pk=rina.pk).update(
        stage=Stage.REPEAT, orders_count=3, spent_minor=450_000, last_seen_at=timezone.now() - dt.timedelta(days=2)
    )
    Contact.objects.filter(pk=budi.pk).update(
        stage=Stage.CUSTOMER, orders_count=1, spent_minor=90_000, last_seen_at=timezone.now() - dt.timedelta(days=40)
    )
    contact_scores_set(contact_id=jose.pk, rfm_segment=RfmSegment.AT_RISK, churn_risk=80)
    consent_set(
        contact=budi,
        channel=ConsentChannel.WHATSAPP,
        purpose=ConsentPurpose.MARKETING,
        granted=True,
        source=ConsentSource.STAFF,
        actor=owner,
    )
    consent_set(
        contact=rina,
        channel=ConsentChannel.WHATSAPP,
        purpose=ConsentPurpose.MARKETING,
        granted=False,
        source=ConsentSource.STAFF,
        actor=owner,
    )

    def found(**values) -> list[str]:
        return sorted(names(contact_list(business=business, filters=contact_filter_parse(values))))

    assert found(tag="vip") == ["Rina Wati"]
    assert found(tag="nobody") == []
    assert found(stage="repeat") == ["Rina Wati"]
    assert found(segment="at_risk") == ["José Marina"]
    assert found(city="solo") == ["Rina Wati"]
    assert found(city="KOTA MALANG") == ["Budi Santoso"]
    assert found(last_seen_days="7") == ["Rina Wati"]
    assert found(last_seen_days="60") == ["Budi Santoso", "Rina Wati"]
    assert found(spent_min="100000") == ["Rina Wati"]
    assert found(spent_max="100000") == ["Budi Santoso", "José Marina"]
    assert found(orders_min="1", orders_max="2") == ["Budi Santoso"]
    assert found(consent="whatsapp_marketing") == ["Budi Santoso"]
    assert found(tag="VIP", stage="customer") == []


def test_the_information_matrix_scores_narrow_the_list(business, people):
    """The customer-insights quadrant links (``info_min``... 0–100) open exactly that quadrant's contacts."""
    rina, budi, jose = people["rina"], people["budi"], people["jose"]
    contact_scores_set(contact_id=rina.pk, info_score=80, personal_score=70)
    contact_scores_set(contact_id=budi.pk, info_score=80, personal_score=10)
    contact_scores_set(contact_id=jose.pk, info_score=20, personal_score=50)

    def found(**values) -> list[str]:
        return sorted(names(contact_list(business=business, filters=contact_filter_parse(values))))

    assert found(info_min="50", personal_min="50") == ["Rina Wati"]
    assert found(info_min="50", personal_max="49") == ["Budi Santoso"]
    assert found(info_max="49", personal_min="50") == ["José Marina"]
    assert found(info_max="49", personal_max="49") == []
    assert found(info_min="80", info_max="80") == ["Budi Santoso", "Rina Wati"]
    assert found(info_min="0") == ["Budi Santoso", "José Marina", "Rina Wati"]  # "from 0" is no condition
    assert contact_filter_parse({"info_min": "0"}).is_filtered is False
    assert contact_filter_parse({"personal_max": "49"}).as_params() == {"personal_max": "49"}


def test_sorts(business, people):
    rina, budi, jose = people["rina"], people["budi"], people["jose"]
    Contact.objects.filter(pk=rina.pk).update(spent_minor=5, orders_count=1)
    Contact.objects.filter(pk=budi.pk).update(spent_minor=9, orders_count=0)
    Contact.objects.filter(pk=jose.pk).update(spent_minor=1, orders_count=7)

    def order(sort: str) -> list[str]:
        return names(contact_list(business=business, filters=ContactFilter(sort=sort)))

    assert order("name") == ["Budi Santoso", "José Marina", "Rina Wati"]
    assert order("spent") == ["Budi Santoso", "Rina Wati", "José Marina"]
    assert order("orders") == ["José Marina", "Rina Wati", "Budi Santoso"]
    assert order("created") == ["José Marina", "Budi Santoso", "Rina Wati"]


def test_pages_of_the_default_order_show_the_seen_first_then_the_rest_once_each(business):
    now = timezone.now()
    seen = []
    for number in range(5):
        contact = contact_create(business=business, name=f"Seen {number}")
        Contact.objects.filter(pk=contact.pk).update(last_seen_at=now - dt.timedelta(hours=number))
        seen.append(f"Seen {number}")
    never = [contact_create(business=business, name=f"Never {number}").name for number in range(4)]
    expected = seen + list(reversed(never))  # newest contact first among the never seen

    for size in (2, 3, 5, 9, 10):
        shown, number = [], 1
        while True:
            page = contact_page(business=business, page=number, size=size)
            shown += names(page.items)
            if not page.has_next:
                break
            number += 1
        assert shown == expected, size
    assert names(contact_list(business=business)) == expected
    assert contact_page(business=business, page=5, size=3).items == []
