"""How the contact list reads its rows does not change which rows it shows.

On SQLite the list walks in order or drives from the most selective index (``filters``), a search may
read the full-text index of migration 0004, and a count is every contact less the merged ones
(``selectors.contact_count``); each must answer exactly what the plain conditions mean. On
PostgreSQL the same data answers the same.
"""

import datetime as dt
import itertools

import pytest
from django.db import connection, transaction
from django.utils import timezone

from etalase.core.text import text_normalize
from etalase.customers import filters as contact_filters
from etalase.customers import selectors
from etalase.customers.enums import ConsentChannel, ConsentPurpose, ConsentSource, RfmSegment, Stage
from etalase.customers.filters import CHECK, DRIVE, WALK, ContactFilter, contact_filter_apply, contact_filter_parse
from etalase.customers.models import Contact
from etalase.customers.selectors import contact_count, contact_page, contact_search
from etalase.customers.services.aggregates import contact_scores_set
from etalase.customers.services.consent import consent_set
from etalase.customers.services.contacts import contact_create, contact_update
from etalase.customers.services.merge import contact_merge
from etalase.customers.services.tags import contact_tags_set
from tests.factories import registered_business

pytestmark = pytest.mark.django_db

sqlite_only = pytest.mark.sqlite_only  # SQLite's own plans and indexes: deselected on PostgreSQL

NAMES = ["Rina Wati", "Budi Santoso", "Yohana Sitompul", "Rini Wijaya", "José Marina", "Bu Ani", "Agus Budiman"]
CITIES = ["Solo", "solo", "SOLO", "Yogyakarta", "Kota Malang", ""]
FILTERS: list[dict[str, str]] = [
    {},
    {"q": "rin"},
    {"q": "yohana"},
    {"q": "budi"},
    {"q": "budi santoso"},
    {"q": "jose"},
    {"q": "bu"},
    {"q": "nobody"},
    {"q": "0812 7000"},
    {"q": "+62 812-7000-0003"},
    {"q": "0812"},
    {"q": "rina.wati0@contoh.co.id"},
    {"q": "rina.wati0@con"},
    {"q": "yohana.sitompul2@"},
    {"tag": "vip"},
    {"tag": "Langganan"},
    {"tag": "nobody"},
    {"stage": Stage.REPEAT},
    {"segment": RfmSegment.AT_RISK},
    {"city": "solo"},
    {"city": "KOTA MALANG"},
    {"last_seen_days": "7"},
    {"spent_min": "100000"},
    {"spent_max": "100000"},
    {"orders_min": "1", "orders_max": "2"},
    {"consent": "whatsapp_marketing"},
    {"consent": "sms_service"},
    {"city": "solo", "tag": "langganan", "stage": Stage.REPEAT},
    {"q": "rin", "city": "Solo", "consent": "whatsapp_marketing"},
    {"segment": RfmSegment.AT_RISK, "spent_min": "1", "sort": "spent"},
    {"tag": "langganan", "sort": "name"},
    {"city": "solo", "sort": "orders"},
    {"last_seen_days": "30", "sort": "created"},
    {"info_min": "50"},
    {"info_max": "49", "personal_max": "49"},
    {"info_min": "50", "personal_min": "50", "sort": "name"},
    {"personal_min": "50", "tag": "langganan"},
    {"info_max": "49", "city": "solo", "sort": "spent"},
]


@pytest.fixture
def shop(django_user_model):
    business = registered_business()
    owner = business.memberships.get().user
    other = registered_business(name="Toko Lain", whatsapp="0812-9999-0000")
    now = timezone.now()
    contacts = []
    for n, (name, city) in enumerate(zip(itertools.islice(itertools.cycle(NAMES), 21), itertools.cycle(CITIES))):
        local = ".".join(text_normalize(name).split())
        email = f"{local}{n}@contoh.co.id" if n % 3 == 0 else ""
        contact = contact_create(
            business=business, name=name, phone=f"0812-7000-{n:04d}", email=email, city=city, actor=owner
        )
        contacts.append(contact)
        Contact.objects.filter(pk=contact.pk).update(
            last_seen_at=None if n % 4 == 0 else now - dt.timedelta(days=n * 2),
            orders_count=n % 4,
            spent_minor=(n % 5) * 75_000,
            stage=[Stage.INTERESTED, Stage.CUSTOMER, Stage.REPEAT][n % 3],
        )
        if n % 2:
            contact_tags_set(contact=contact, names=["Langganan", *(["VIP"] if n % 3 else [])], actor=owner)
        if n % 3 == 1:
            consent_set(
                contact=contact,
                channel=ConsentChannel.WHATSAPP,
                purpose=ConsentPurpose.MARKETING,
                granted=n % 2 == 1,
                source=ConsentSource.STAFF,
                actor=owner,
            )
        if n % 5 == 2:
            contact_scores_set(contact_id=contact.pk, rfm_segment=RfmSegment.AT_RISK)
        contact_scores_set(contact_id=contact.pk, info_score=(n * 17) % 101, personal_score=(n * 29) % 101)
    # A merged contact leaves every list; another business's Rina is never found here.
    contact_merge(business=business, keep=contacts[1], other=contacts[8], actor=owner)
    contact_create(business=other, name="Rina Lain", phone="0812-7000-0001", city="Solo")
    return business


def names(rows) -> list[str]:
    return [f"{contact.pk}:{contact.name}" for contact in rows]


@pytest.mark.parametrize("params", FILTERS, ids=[str(sorted(p.items())) or "none" for p in FILTERS])
def test_every_way_of_reading_gives_the_same_rows_and_counts(shop, params):
    contact_filter = contact_filter_parse(params)
    listed = names(selectors.contact_list(business=shop, filters=contact_filter))
    plain = _reference(shop, contact_filter)
    assert listed == plain
    assert contact_count(business=shop, filters=contact_filter) == len(plain)
    assert names(contact_page(business=shop, filters=contact_filter, size=100).items) == plain
    if connection.vendor == "sqlite":
        for plan in (WALK, DRIVE):
            read = contact_filter_apply(selectors._contacts(shop), contact_filter, business_id=shop.pk, plan=plan)
            assert names(read) == plain, plan
        # A page that runs out of its budget at once drives: the same rows.
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(selectors, "WALK_BUDGET", 0)
            assert names(contact_page(business=shop, filters=contact_filter, size=100).items) == plain


def _reference(business, contact_filter: ContactFilter) -> list[str]:
    """The rows the conditions mean, read with no plan at all (the generic conditions, Python's sort)."""
    rows = contact_filter_apply(
        Contact.objects.filter(business=business, merged_into__isnull=True), contact_filter
    ).order_by()
    key = {
        "last_seen": lambda c: (c.last_seen_at is None, -(c.last_seen_at.timestamp() if c.last_seen_at else 0), -c.pk),
        "name": lambda c: (c.name, c.pk),
        "spent": lambda c: (-c.spent_minor, -c.pk),
        "orders": lambda c: (-c.orders_count, -c.pk),
        "created": lambda c: -c.pk,
    }[contact_filter.sort]
    return names(sorted(rows, key=key))


def test_the_picker_finds_what_the_list_finds(shop):
    for query in ("rin", "0812 7000 0003", "budi santoso", "nobody", ""):
        expected = names(contact_page(business=shop, filters=ContactFilter(q=query), size=5).items)
        assert names(contact_search(business=shop, query=query, limit=5)) == expected


@sqlite_only
def test_the_full_text_index_follows_every_change(shop):
    owner = shop.memberships.get().user

    def found(query: str) -> list[str]:
        drive = contact_filter_apply(selectors._contacts(shop), ContactFilter(q=query), business_id=shop.pk, plan=DRIVE)
        return [contact.name for contact in drive]

    contact = contact_create(business=shop, name="Theresia Kinanti", city="Sleman", actor=owner)
    assert found("theres") == ["Theresia Kinanti"]
    assert found("kinanti sleman") == ["Theresia Kinanti"]
    contact_update(contact=contact, name="Theresia Larasati", city="Sleman", actor=owner)
    assert found("kinanti") == []
    assert found("larasati") == ["Theresia Larasati"]
    twin = contact_create(business=shop, name="Gendhis Larasati", actor=owner)
    contact_merge(business=shop, keep=contact, other=twin, actor=owner)
    assert found("gendhis") == []
    Contact.objects.filter(pk=contact.pk).delete()
    assert found("larasati") == []
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM customers_contact_fts")
        indexed = cursor.fetchone()[0]
    assert indexed == Contact.objects.count()


@sqlite_only
def test_without_its_triggers_the_full_text_index_is_not_trusted(shop):
    contact_filters._FTS_STATE.clear()
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER customers_contact_fts_insert")
    try:
        contact_create(business=shop, name="Kristoforus Matius")
        read = contact_filter_apply(
            selectors._contacts(shop), ContactFilter(q="kristo"), business_id=shop.pk, plan=DRIVE
        )
        assert [contact.name for contact in read] == ["Kristoforus Matius"]
    finally:
        contact_filters._FTS_STATE.clear()


@sqlite_only
def test_a_walk_out_of_budget_leaves_the_transaction_usable(shop):
    walk = contact_filter_apply(selectors._contacts(shop), ContactFilter(), business_id=shop.pk, plan=WALK)
    with transaction.atomic():
        contact = contact_create(business=shop, name="Dalam Transaksi")
        assert selectors._within_budget(lambda: list(walk.all()), steps=1) is None
        assert selectors._within_budget(lambda: list(walk[:1]), steps=10**9) is not None
        assert Contact.objects.filter(pk=contact.pk).exists()
    assert Contact.objects.filter(pk=contact.pk).exists()


@sqlite_only
def test_a_count_checks_merged_contacts_row_by_row(shop):
    merged = Contact.objects.filter(business=shop, merged_into__isnull=False).get()
    read = contact_filter_apply(
        Contact.objects.filter(pk=merged.pk), ContactFilter(city=merged.city or "x"), business_id=shop.pk, plan=CHECK
    )
    assert list(read) == ([merged] if merged.city else [])


def test_consent_means_a_json_true(shop):
    contact = Contact.objects.filter(business=shop).exclude(consent__has_key="whatsapp_marketing").first()
    assert contact is not None
    Contact.objects.filter(pk=contact.pk).update(consent={"whatsapp_marketing": "yes", "sms_marketing": 1})
    for key in ("whatsapp_marketing", "sms_marketing"):
        listed = selectors.contact_list(business=shop, filters=ContactFilter(consent=key))
        assert contact not in list(listed)


LIST_INDEXES = {
    # migration 0004, written in SQL: a later rebuild of the table drops them without a word
    "contact_business_city_lower",
    "contact_tag_business_contact",
    *(f"contact_consent_{channel}_{purpose}" for channel in ConsentChannel.values for purpose in ConsentPurpose.values),
    # the models' own indexes the list reads by
    "contact_business_seen",
    "contact_business_stage",
    "contact_business_rfm",
    "contact_business_spent",
    "contact_business_city",
    "contact_business_orders",
    "contact_business_info",
    "contact_business_personal",
    "contact_tag_business",
}


@sqlite_only
def test_the_full_text_index_its_triggers_and_the_list_indexes_exist():
    """A migration that rebuilds ``customers_contact`` on SQLite (most AlterField do) drops the triggers
    and indexes migration 0004 made in SQL; it must make them again (``indexes_create``)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT type, name FROM sqlite_master")
        found = set(cursor.fetchall())
    assert ("table", "customers_contact_fts") in found
    triggers = {name for kind, name in found if kind == "trigger"}
    assert {f"customers_contact_fts_{event}" for event in ("insert", "update", "delete")} <= triggers
    indexes = {name for kind, name in found if kind == "index"}
    assert sorted(LIST_INDEXES - indexes) == []
