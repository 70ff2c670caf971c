"""CRM latency: the contact list, searches and segment counts of one big business, and a 50,000-row import.

``etalase bench crm`` builds one seeded business with 200,000 contacts (Indonesian names, +62 8xx
phones, emails for some, cities, stages, RFM segments, money spent and orders, last seen, tags,
consent) and 2,000,000 activities over a year (views, favourites, follows, questions, orders,
payments, cancellations), then times the selectors the pages and the API use: a filtered first page
(``customers.selectors.contact_page`` with a ``ContactFilter``), searches by a name word (common,
rare, absent), by the start of a name, by a phone number in the ways people write it and by email,
segment counts (``segment_count``) of the same filters and of the saved segments, and, for
information, the whole list page through Django's test client and a contact's timeline. Each case
runs at least ``--repetitions`` times over varied inputs and reports p50 and p95 in ms against the
issue's targets (a page or a search under 50 ms at p95, a count under 200 ms). Last, a 50,000-row
CSV is imported twice through ``customers.io`` (the second run must merge every row: no duplicates).

The aggregates written with the contacts are those the activities imply; a recount from the
activities (``contacts_aggregates_rebuild``) must change nothing, and every search's count must equal
a plain substring scan of the contacts' search text, so a faster index never changes an answer.

Rows are written in bulk: ``bulk_create`` for users, contacts and tags, ``executemany`` (SQLite) or
``COPY`` (PostgreSQL) for activities. Which database: as ``etalase bench dashboard``, the command
re-runs itself with ``DATABASE_URL`` set to ``--database-url``, else to the caller's
``DATABASE_URL``, else to a fresh SQLite file ``var/bench-crm.sqlite3``, and migrates it. A database
that already holds the benchmark business is refused unless ``--flush`` (empty the database first)
or ``--reuse`` (measure the data already there, e.g. after adding an index) is given.

    etalase bench crm                                         # full size, var/bench-crm.sqlite3
    etalase bench crm --quick                                 # 2,000 contacts, a few repetitions
    etalase bench crm --database-url postgres://root@127.0.0.1:5432/crm_bench --strict
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import math
import random
import secrets
import statistics
import sys
import time
from array import array
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from etalase.accounts.models import User
from etalase.activity.models import Activity
from etalase.bench.common import (
    activities_insert,
    add_database_arguments,
    database_prepare,
    p50_p95_ms,
    product_published,
    progress_bar,
)
from etalase.catalog.models import Product
from etalase.customers.enums import ContactSource, RfmSegment, Stage
from etalase.customers.filters import contact_filter_parse
from etalase.customers.models import Contact, ContactTag, Segment, Tag
from etalase.customers.selectors import contact_page, contact_search, contact_timeline, segment_count
from etalase.customers.services.aggregates import contacts_aggregates_rebuild
from etalase.customers.services.contacts import contact_search_text
from etalase.customers.services.segments import segment_save
from etalase.directory.models import Business, Category, Membership
from etalase.insights.customers.scoring import (
    DEFAULT_GAP_DAYS,
    churn_risk,
    info_known,
    info_score,
    rfm_bounds,
    rfm_scores,
    rfm_segment,
    usual_gap_days,
)

REEXEC_MARK = "ETALASE_BENCH_CRM_DATABASE"
DEFAULT_FILE = "bench-crm.sqlite3"
BUSINESS_SLUG = "bench-crm"
PAGE_SIZE = 30  # the list page's size (customers.views.PAGE_SIZE)
TIMELINE_SIZE = 30
PRODUCTS = 150
BATCH = 5000
TARGET_PAGE_MS = 50.0
TARGET_COUNT_MS = 200.0
TARGET_IMPORT_S = 60.0
QUICK = {"contacts": 2000, "activities": 20_000, "repetitions": 3, "import_rows": 300}

# --- realistic names, places and habits ------------------------------------------------------------

FIRST_NAMES = [
    ("Budi", 30), ("Siti", 32), ("Dewi", 26), ("Agus", 24), ("Sri", 28), ("Rina", 16), ("Andi", 18),
    ("Putri", 18), ("Wahyu", 14), ("Eko", 14), ("Dian", 16), ("Indah", 12), ("Rizky", 16), ("Fajar", 12),
    ("Nur", 18), ("Ahmad", 20), ("Muhammad", 26), ("Yuni", 10), ("Ratna", 9), ("Hendra", 10), ("Joko", 9),
    ("Bambang", 8), ("Wati", 8), ("Ayu", 12), ("Dimas", 10), ("Anisa", 11), ("Fitri", 12), ("Rudi", 9),
    ("Hadi", 8), ("Tri", 10), ("Dwi", 12), ("Arif", 10), ("Ika", 8), ("Nurul", 11), ("Sari", 10),
    ("Adi", 9), ("Reza", 9), ("Intan", 8), ("Maya", 8), ("Yoga", 7), ("Bayu", 8), ("Rahmat", 8),
    ("Taufik", 6), ("Yusuf", 7), ("Ani", 7), ("Eka", 8), ("Mega", 7), ("Lina", 6), ("Tuti", 5),
    ("Slamet", 5), ("Sutrisno", 4), ("Suparman", 3), ("Heru", 5), ("Yanti", 6), ("Novi", 6), ("Desi", 7),
    ("Irfan", 6), ("Galih", 4), ("Rini", 6), ("Wulan", 5), ("Citra", 6), ("Kevin", 4), ("Michael", 3),
    ("Stefani", 3), ("Wayan", 4), ("Made", 4), ("Nyoman", 2), ("Ketut", 2), ("Putu", 4), ("Kadek", 3),
]  # fmt: skip
RARE_FIRST_NAMES = [
    "Yohana", "Theresia", "Bernadus", "Aurelia", "Valentino", "Kristoforus", "Yosefina", "Gregorius",
    "Fransiska", "Ignatius", "Paulina", "Benediktus", "Oktaviani", "Zulkarnain", "Habibah", "Marpaung",
    "Sulistyowati", "Purnamasari", "Kartolo", "Soekarno", "Jelita", "Kinanti", "Larasati", "Pramudya",
    "Sekar", "Gendhis", "Bhre", "Tjahjo", "Oei", "Liem", "Josephine", "Matius", "Yehezkiel", "Agustinus",
    "Cornelia", "Emanuel", "Florentina", "Hieronimus", "Leonardus", "Natalia",
]  # fmt: skip
LAST_NAMES = [
    ("Santoso", 14), ("Wijaya", 14), ("Lestari", 10), ("Pratama", 14), ("Hidayat", 12), ("Kusuma", 10),
    ("Nugroho", 10), ("Saputra", 14), ("Setiawan", 12), ("Susanto", 8), ("Gunawan", 8), ("Halim", 5),
    ("Siregar", 6), ("Nasution", 6), ("Simanjuntak", 4), ("Harahap", 5), ("Lubis", 5), ("Sitompul", 3),
    ("Hutapea", 3), ("Purba", 3), ("Tanjung", 4), ("Putra", 12), ("Wibowo", 10), ("Prasetyo", 10),
    ("Rahman", 8), ("Hakim", 6), ("Ramadhan", 8), ("Permana", 6), ("Kurniawan", 10), ("Firmansyah", 7),
    ("Sembiring", 4), ("Ginting", 4), ("Tarigan", 3), ("Manurung", 3), ("Sinaga", 4), ("Tan", 4), ("Lim", 3),
    ("Wong", 2), ("Gozali", 2), ("Hartono", 5), ("Sutanto", 4), ("Suryadi", 5), ("Syahputra", 6),
    ("Maulana", 7), ("Fauzi", 6), ("Anggraini", 7), ("Utami", 7), ("Rahayu", 8), ("Handayani", 7),
    ("Wulandari", 8), ("Pangaribuan", 2), ("Tambunan", 2), ("Situmorang", 3), ("Daulay", 2),
]  # fmt: skip
TITLES = ["Bu", "Pak", "Ibu", "Mas", "Mbak", "Kak", "Koh", "Cik"]
CITIES = [
    ("Jakarta", 14), ("Surabaya", 8), ("Bandung", 7), ("Medan", 5), ("Semarang", 4), ("Makassar", 3),
    ("Yogyakarta", 4), ("Sleman", 2), ("Bantul", 1.5), ("Solo", 2.5), ("Malang", 3), ("Denpasar", 2.5),
    ("Palembang", 2.5), ("Bekasi", 4), ("Tangerang", 4), ("Depok", 3), ("Bogor", 3), ("Balikpapan", 1),
    ("Pontianak", 1), ("Manado", 1), ("Padang", 1.5), ("Pekanbaru", 1.5), ("Batam", 1.5),
    ("Banjarmasin", 1), ("Samarinda", 1), ("Mataram", 0.8), ("Kupang", 0.5), ("Jayapura", 0.3),
    ("Ambon", 0.3), ("Ternate", 0.1), ("Sorong", 0.1), ("", 12),
]  # fmt: skip
STREETS = ["Malioboro", "Sudirman", "Diponegoro", "Gajah Mada", "Ahmad Yani", "Veteran", "Kaliurang", "Merdeka"]
DOMAINS = [("gmail.com", 70), ("yahoo.co.id", 8), ("yahoo.com", 7), ("hotmail.com", 4), ("outlook.com", 4),
           ("ymail.com", 2), ("icloud.com", 2), ("kantor.co.id", 3)]  # fmt: skip
PHONE_PREFIXES = ["811", "812", "813", "821", "822", "823", "851", "852", "853", "855", "856", "857", "858",
                  "877", "878", "881", "882", "895", "896", "897", "898"]  # fmt: skip
TAGS = [
    ("Langganan", 20), ("WhatsApp", 15), ("Instagram", 12), ("Reseller", 6), ("Tokopedia", 5), ("Grosir", 4),
    ("Bazar", 3), ("VIP", 2), ("Dropshipper", 1.5), ("Komplain", 1), ("Ulang Tahun", 0.5), ("Karyawan", 0.3),
]  # fmt: skip
ORDER_COUNTS = [(0, 50), (1, 25), (2, 10), (3, 5), (4, 3), (5, 2), (6, 1), (8, 1.5), (12, 1.2), (20, 0.6), (35, 0.2)]
SOURCES = [(ContactSource.STAFF, 40), (ContactSource.IMPORT, 45), (ContactSource.WHATSAPP, 10), (ContactSource.SMS, 5)]

# Event codes (kept in compact arrays while the data set is generated).
VIEWED_PRODUCT, VIEWED_BUSINESS, FAVOURITED, UNFAVOURITED, FOLLOWED, COMMENTED, ASKED, SHARED = range(8)
ORDERED, PAID, PAYMENT_CONFIRMED, CANCELLED, CONTACT_CREATED = range(8, 13)
VERB_NAMES = [
    "viewed_product", "viewed_business", "favourited", "unfavourited", "followed", "commented", "asked",
    "shared", "ordered", "paid", "payment_confirmed", "cancelled", "contact_created",
]  # fmt: skip
ENGAGEMENT = [
    (VIEWED_PRODUCT, 55), (VIEWED_BUSINESS, 18), (FAVOURITED, 9), (UNFAVOURITED, 1.5), (FOLLOWED, 3),
    (COMMENTED, 3), (ASKED, 3), (SHARED, 3),
]  # fmt: skip


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument("--contacts", type=int, default=200_000)
    parser.add_argument("--activities", type=int, default=2_000_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--repetitions", type=int, default=30, help="timed runs per case (varied inputs), at least 30")
    parser.add_argument("--import-rows", type=int, default=50_000, help="rows of the CSV import (0: skip it)")
    parser.add_argument("--only", default="", help="measure only the cases whose label contains this text")
    parser.add_argument("--quick", action="store_true", help="a small data set and few repetitions (tests)")
    parser.add_argument("--strict", action="store_true", help="exit with an error when a target is missed")
    add_database_arguments(parser)


def run(command: BaseCommand, **options: Any) -> None:
    if options["quick"]:
        for name, value in QUICK.items():
            if options[name] == _default(name):
                options[name] = value
    database_prepare(command, options, mark=REEXEC_MARK, default_file=DEFAULT_FILE)
    out = command.stdout
    business = Business.objects.filter(slug=BUSINESS_SLUG).first()
    if business is not None and not (options["reuse"] or options["flush"]):
        raise CommandError("This database already holds the CRM benchmark: pass --flush to empty it, or --reuse.")
    if options["flush"] and business is not None and not options["reuse"]:
        call_command("flush", verbosity=0, interactive=False)
        business = None
    if business is None:
        started = time.perf_counter()
        with _large_cache():
            business, summary = dataset_generate(
                contacts=options["contacts"],
                activities=options["activities"],
                days=options["days"],
                seed=options["seed"],
            )
        out.write(f"Generated {summary} in {time.perf_counter() - started:.1f} s.")
        started = time.perf_counter()
        changed = contacts_aggregates_rebuild(business=business)
        if changed:
            raise CommandError(f"A recount from the activities changed {changed} contacts' aggregates.")
        out.write(
            f"A recount of every contact's orders, spending and favourites from the activities changed nothing "
            f"({time.perf_counter() - started:.1f} s)."
        )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # As autovacuum leaves a table in use: visibility map and hint bits set, so it does not
            # start on the freshly written tables in the middle of the measuring.
            cursor.execute("VACUUM customers_contact, customers_contacttag, activity_activity")
        cursor.execute("ANALYZE")  # fresh statistics for the planner, on both databases
    bench = Bench(business=business, repetitions=max(1, options["repetitions"]), seed=options["seed"])
    out.write(bench.describe())
    bench.check_searches()
    out.write(f"Every search's count equals a substring scan of the search text ({bench.checked} searches).")
    results = bench.measure(only=options["only"], progress=progress_bar("measuring", "cases"))
    sys.stderr.write("\n")
    imported = import_measure(options["import_rows"]) if options["import_rows"] else None
    out.write(report(results, imported, vendor=connection.vendor, repetitions=bench.repetitions))
    missed = [result.label for result in results if result.met is False]
    if imported is not None and not imported.met:
        missed.append("CSV import")
    if options["strict"] and missed:
        raise CommandError("Targets missed: " + "; ".join(missed))


@contextlib.contextmanager
def _large_cache() -> Iterator[None]:
    """SQLite: a 256 MB page cache while the data set is written (a dozen indexes on the contacts
    table are updated for every row), then SQLite's default again, so the measuring is not flattered."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        default = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size = -262144")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(default)}")


def _default(name: str) -> Any:
    return {"contacts": 200_000, "activities": 2_000_000, "repetitions": 30, "import_rows": 50_000}[name]


# --- the data set -----------------------------------------------------------------------------------


def _picker(rng: random.Random, weighted: Sequence[tuple[Any, float]]) -> Callable[[int], list[Any]]:
    values = [value for value, _weight in weighted]
    cumulative = list(itertools.accumulate(weight for _value, weight in weighted))
    return lambda k: rng.choices(values, cum_weights=cumulative, k=k)


@dataclass
class Person:
    """One planned contact and what its activities add up to."""

    name: str
    phone: str
    email: str
    city: str
    source: str
    is_user: bool
    start: float  # seconds before now: first seen
    end: float  # seconds before now: last active (0 = still active)
    orders: int = 0
    spent: int = 0
    first_order: float | None = None  # seconds before now
    last_order: float | None = None
    last_seen: float | None = None
    favourites: dict[int, bool] = field(default_factory=dict)
    merged_into: int | None = None  # index of the person it was merged into


def dataset_generate(*, contacts: int, activities: int, days: int, seed: int) -> tuple[Business, str]:
    """One business, its products, contacts (with users for the app customers), tags and activities."""
    from etalase.accounts.services import user_signup
    from etalase.directory.services import business_register

    rng = random.Random(seed)
    now = timezone.now()
    span = days * 86_400.0
    owner = user_signup(
        email="owner@bench-crm.example.com",
        password=secrets.token_urlsafe(16),
        name="Bu Sari",
        language="id",
        verified=True,
    )
    category = Category.objects.filter(is_active=True).order_by("pk").first() or Category.objects.create(
        slug="bench", name_id="Bench", name_en="Bench"
    )
    business = business_register(
        owner=owner, name="Toko Bench CRM", category_slug=category.slug, city="Yogyakarta", whatsapp="081200000001"
    )
    if business.slug != BUSINESS_SLUG:
        Business.objects.filter(pk=business.pk).update(slug=BUSINESS_SLUG)
        business.slug = BUSINESS_SLUG
    Product.objects.bulk_create(
        [
            product_published(
                business, title=f"Produk {n}", price_minor=rng.randrange(10, 500) * 1000, position=n, now=now
            )
            for n in range(PRODUCTS)
        ]
    )
    product_ids = list(Product.objects.filter(business=business).order_by("pk").values_list("pk", flat=True))
    people = _people(rng, contacts, span)
    events = _events(rng, people, activities, span)
    users = _users_create(people, now)
    contact_ids = _contacts_create(business, people, users, now, rng)
    _tags_create(business, contact_ids, rng)
    types: dict[type, int] = {model: ContentType.objects.get_for_model(model).pk for model in (Product, Business)}
    written = activities_insert(
        _activity_rows(
            events,
            business_id=business.pk,
            owner_id=owner.pk,
            people=people,
            users=users,
            contact_ids=contact_ids,
            product_ids=product_ids,
            types=types,
            now=now,
        ),
        total=len(events.time),
    )
    Business.objects.filter(pk=business.pk).update(updated_at=now)
    return business, f"{len(contact_ids)} contacts ({len(users)} app users) and {written} activities"


def _people(rng: random.Random, count: int, span: float) -> list[Person]:
    first_pick, last_pick, city_pick = _picker(rng, FIRST_NAMES), _picker(rng, LAST_NAMES), _picker(rng, CITIES)
    domain_pick, source_pick = _picker(rng, DOMAINS), _picker(rng, SOURCES)
    firsts, lasts, middles = first_pick(count), last_pick(count), first_pick(count)
    cities, domains, sources = city_pick(count), domain_pick(count), source_pick(count)
    tails = rng.sample(range(10**8), count)  # unique, so every phone is unique
    people = []
    for n in range(count):
        first = firsts[n] if rng.random() > 0.004 else rng.choice(RARE_FIRST_NAMES)
        shape = rng.random()
        if shape < 0.15:
            name = first
        elif shape < 0.25:
            name = f"{first} {middles[n]} {lasts[n]}"
        elif shape < 0.30:
            name = f"{rng.choice(TITLES)} {first}"
        else:
            name = f"{first} {lasts[n]}"
        phone = f"+62{rng.choice(PHONE_PREFIXES)}{tails[n]:08d}" if rng.random() < 0.92 else ""
        email = ""
        if rng.random() < 0.45 or not phone:
            local = f"{first}.{lasts[n]}" if rng.random() < 0.6 else f"{first}{lasts[n][:3]}"
            email = f"{local.lower()}{n}@{domains[n]}"
        city = cities[n]
        if city and rng.random() < 0.04:
            city = city.lower() if rng.random() < 0.75 else city.upper()
        is_user = rng.random() < 0.55
        start = rng.random() * span
        end = 0.0 if rng.random() < 0.45 else start * rng.random() ** 0.7
        source = ContactSource.APP if is_user else sources[n]
        people.append(Person(name, phone, email, city, source, is_user, start, end))
    # A few contacts were merged into another one (the list leaves them out).
    for n in rng.sample(range(count), count // 200):
        person = people[n]
        if not person.is_user:
            person.merged_into = rng.randrange(count)
            if person.merged_into == n or people[person.merged_into].merged_into is not None:
                person.merged_into = None
    return people


@dataclass
class Events:
    """Every activity of the data set as parallel arrays (compact), in time order once sorted."""

    time: array[float] = field(default_factory=lambda: array("d"))  # seconds before now
    person: array[int] = field(default_factory=lambda: array("l"))
    code: array[int] = field(default_factory=lambda: array("b"))
    item: array[int] = field(default_factory=lambda: array("l"))  # product index, or order number
    amount: array[int] = field(default_factory=lambda: array("q"))

    def add(self, when: float, person: int, code: int, item: int = 0, amount: int = 0) -> None:
        self.time.append(when)
        self.person.append(person)
        self.code.append(code)
        self.item.append(item)
        self.amount.append(amount)


def _events(rng: random.Random, people: list[Person], total: int, span: float) -> Events:
    """Plan ``total`` activities: orders and payments first, a creation act for contacts added by staff
    or imported, then views, favourites, follows and questions of the app users (a few very active,
    most occasional); and fold them into each person's aggregates as the customers app would."""
    events = Events()
    order_counts = _picker(rng, ORDER_COUNTS)(len(people))
    created = [n for n, person in enumerate(people) if not person.is_user]
    # Orders take about a third of the activities at most (their acts: ordered, paid, confirmed...).
    expected = 2.4 * sum(order_counts) + len(created)
    thinning = min(1.0, total * 0.35 / expected) if expected else 1.0
    order_number = 0
    for n, person in enumerate(people):
        if person.merged_into is not None:
            continue
        orders = order_counts[n]
        if thinning < 1.0:
            orders = int(orders * thinning + rng.random())
        for _order in range(orders):
            if len(events.time) + 4 > total * 0.5:
                break
            order_number += 1
            when = _between(rng, person)
            amount = int(math.exp(rng.gauss(11.9, 0.8))) // 500 * 500 + 10_000
            events.add(when, n, ORDERED, order_number, amount)
            outcome = rng.random()
            if outcome < 0.05:
                events.add(max(0.0, when - rng.random() * 86_400), n, CANCELLED, order_number, amount)
                continue
            if outcome < 0.15:
                continue  # not paid yet
            paid = max(0.0, when - rng.random() * 3 * 86_400)
            if person.is_user and rng.random() < 0.5:
                events.add(max(paid, when - rng.random() * 3600), n, PAID, order_number, amount)
            events.add(paid, n, PAYMENT_CONFIRMED, order_number, amount)
    for n in created:
        if len(events.time) < total:
            events.add(people[n].start, n, CONTACT_CREATED)
    remaining = total - len(events.time)
    active = [n for n, person in enumerate(people) if person.is_user and person.merged_into is None]
    if remaining > 0 and active:
        weights = [min(40.0, rng.paretovariate(1.3)) for _n in active]
        scale = remaining / sum(weights)
        counts = [int(weight * scale) for weight in weights]
        for index in rng.choices(range(len(active)), weights=weights, k=remaining - sum(counts)):
            counts[index] += 1
        verb_pick = _picker(rng, ENGAGEMENT)
        for n, count in zip(active, counts, strict=True):
            person = people[n]
            for code in verb_pick(count):
                events.add(_between(rng, person), n, code, rng.randrange(PRODUCTS))
    _sort(events)
    _fold(events, people)
    return events


def _between(rng: random.Random, person: Person) -> float:
    return person.end + rng.random() * (person.start - person.end)


def _sort(events: Events) -> None:
    """Oldest first, so activity ids grow with time as they do in a real database."""
    order = sorted(range(len(events.time)), key=events.time.__getitem__, reverse=True)
    for name in ("time", "person", "code", "item", "amount"):
        column = getattr(events, name)
        setattr(events, name, array(column.typecode, (column[i] for i in order)))


def _fold(events: Events, people: list[Person]) -> None:
    """Each person's orders, spending, favourites and last seen, as the customers app counts them."""
    ordered: dict[int, tuple[int, float]] = {}
    cancelled: set[int] = set()
    for when, n, code, item, amount in zip(
        events.time, events.person, events.code, events.item, events.amount, strict=True
    ):
        person = people[n]
        if code == ORDERED:
            ordered[item] = (n, when)
        elif code == CANCELLED:
            cancelled.add(item)
        elif code == PAYMENT_CONFIRMED:
            person.spent += amount
        elif code in (FAVOURITED, UNFAVOURITED):
            person.favourites[item] = code == FAVOURITED
        if person.is_user and code != CONTACT_CREATED and code not in (PAYMENT_CONFIRMED, CANCELLED):
            person.last_seen = when if person.last_seen is None else min(person.last_seen, when)
    for number, (n, when) in ordered.items():
        if number in cancelled:
            continue
        person = people[n]
        person.orders += 1
        person.first_order = when if person.first_order is None else max(person.first_order, when)
        person.last_order = when if person.last_order is None else min(person.last_order, when)


def _users_create(people: list[Person], now: dt.datetime) -> dict[int, int]:
    """App accounts of the contacts who use the app: {person index: user id}."""
    indexes = [n for n, person in enumerate(people) if person.is_user]
    unusable = make_password(None)  # nobody signs in with these accounts
    made: dict[int, int] = {}
    for start in range(0, len(indexes), BATCH):
        chunk = indexes[start : start + BATCH]
        rows = User.objects.bulk_create(
            [
                User(
                    name=people[n].name,
                    phone=people[n].phone or None,
                    email=people[n].email or None,
                    password=unusable,
                    date_joined=now,
                )
                for n in chunk
            ]
        )
        made.update((n, user.pk) for n, user in zip(chunk, rows, strict=True))
    return made


def _stamp(now: dt.datetime, seconds: float | None) -> dt.datetime | None:
    return None if seconds is None else now - dt.timedelta(seconds=seconds)


def _contacts_create(
    business: Business, people: list[Person], users: dict[int, int], now: dt.datetime, rng: random.Random
) -> list[int]:
    """The contacts with their aggregates and scores; returns the contact id of each person."""
    ordered = [p for p in people if p.orders and p.merged_into is None]
    recency = [int((p.last_order or 0) / 86_400) for p in ordered]
    bounds = rfm_bounds(recency, [p.orders for p in ordered], [p.spent for p in ordered], currency="IDR")
    gaps = [
        gap
        for p in ordered
        if (gap := usual_gap_days(_stamp(now, p.first_order), _stamp(now, p.last_order), p.orders)) is not None
    ]
    median_gap = statistics.median(gaps) if gaps else DEFAULT_GAP_DAYS
    contact_ids: list[int] = [0] * len(people)
    progress = progress_bar("contacts", "rows")
    for start in range(0, len(people), BATCH):
        rows = []
        for n in range(start, min(start + BATCH, len(people))):
            rows.append(_contact(business, people[n], users.get(n), now, rng, bounds, median_gap))
        created = Contact.objects.bulk_create(rows)
        for offset, contact in enumerate(created):
            contact_ids[start + offset] = contact.pk
        progress(start + len(rows), len(people))
    sys.stderr.write("\n")
    merged = [(contact_ids[n], contact_ids[p.merged_into]) for n, p in enumerate(people) if p.merged_into is not None]
    with transaction.atomic():
        for pk, into in merged:
            Contact.objects.filter(pk=pk).update(merged_into_id=into)
    return contact_ids


def _contact(
    business: Business,
    person: Person,
    user_id: int | None,
    now: dt.datetime,
    rng: random.Random,
    bounds: Any,
    median_gap: float,
) -> Contact:
    birthday = dt.date(rng.randint(1960, 2006), rng.randint(1, 12), rng.randint(1, 28)) if rng.random() < 0.3 else None
    address = f"Jl. {rng.choice(STREETS)} No. {rng.randint(1, 300)}" if rng.random() < 0.4 else ""
    consent: dict[str, bool] = {}
    if rng.random() < 0.65:
        consent["whatsapp_service"] = rng.random() < 0.95
        consent["whatsapp_marketing"] = rng.random() < 0.55
        if rng.random() < 0.15:
            consent["sms_marketing"] = rng.random() < 0.6
        if person.email and rng.random() < 0.5:
            consent["email_marketing"] = rng.random() < 0.6
        if user_id and rng.random() < 0.4:
            consent["push_marketing"] = rng.random() < 0.5
    merged = person.merged_into is not None
    contact = Contact(
        business=business,
        user_id=user_id,
        name=person.name,
        phone="" if merged else person.phone,
        email="" if merged else person.email,
        city=person.city,
        address=address,
        birthday=birthday,
        source=person.source,
        last_seen_at=_stamp(now, person.last_seen),
        consent=consent,
        orders_count=person.orders,
        spent_minor=person.spent,
        first_order_at=_stamp(now, person.first_order),
        last_order_at=_stamp(now, person.last_order),
        favourites_count=sum(person.favourites.values()),
    )
    contact.stage = Stage.REPEAT if person.orders >= 2 else Stage.CUSTOMER if person.orders else Stage.INTERESTED
    if rng.random() < 0.01:
        contact.stage, contact.stage_set_by_staff = (Stage.VIP, True) if person.orders else (Stage.INACTIVE, True)
    if person.orders:
        recency, frequency, monetary = rfm_scores(
            int((person.last_order or 0) / 86_400), person.orders, person.spent, bounds
        )
        contact.rfm_recency, contact.rfm_frequency, contact.rfm_monetary = recency, frequency, monetary
        contact.rfm_segment = rfm_segment(recency, frequency, monetary) or ""
        gap = usual_gap_days(contact.first_order_at, contact.last_order_at, person.orders) or median_gap
        contact.churn_risk = churn_risk((person.last_order or 0) / 86_400, gap)
    known = info_known(
        name=contact.name,
        phone=contact.phone,
        email=contact.email,
        city=contact.city,
        address=address,
        birthday=birthday,
        consent=consent,
    )
    contact.info_score = info_score(known)
    contact.personal_score = rng.choice([0, 0, 0, 15, 25, 40, 40, 55, 70, 90])
    contact.scores_at = now
    contact.search_text = "" if merged else contact_search_text(contact)
    return contact


def _tags_create(business: Business, contact_ids: list[int], rng: random.Random) -> None:
    tags = Tag.objects.bulk_create([Tag(business=business, name=name) for name, _weight in TAGS])
    rows = []
    for contact_id in contact_ids:
        for tag, (_name, weight) in zip(tags, TAGS, strict=True):
            if rng.random() * 100 < weight:
                rows.append(ContactTag(business=business, contact_id=contact_id, tag=tag))
    ContactTag.objects.bulk_create(rows, batch_size=BATCH)


def _activity_rows(
    events: Events,
    *,
    business_id: int,
    owner_id: int,
    people: list[Person],
    users: dict[int, int],
    contact_ids: list[int],
    product_ids: list[int],
    types: dict[type, int],
    now: dt.datetime,
) -> Iterator[tuple[Any, ...]]:
    """(business, actor, verb, target type, target id, data, channel, occurred, recorded, processed)."""
    product_type, business_type = types[Product], types[Business]
    for when, n, code, item, amount in zip(
        events.time, events.person, events.code, events.item, events.amount, strict=True
    ):
        occurred = now - dt.timedelta(seconds=when)
        user = users.get(n)
        contact_id = contact_ids[n]
        verb = VERB_NAMES[code]
        actor: int | None = user
        target_type: int | None = None
        target_id = ""
        channel = "web"
        data: dict[str, Any]
        if code >= ORDERED:
            number = f"INV-{item:07d}"
            if code == CONTACT_CREATED:
                actor, data = owner_id, {"contact_id": contact_id, "name": people[n].name}
                channel = "web" if people[n].source != ContactSource.IMPORT else "system"
            elif code == ORDERED:
                data = {"number": number, "amount_minor": amount, "contact_id": contact_id, "channel": "web"}
                data["product_ids"] = [product_ids[(item * 7) % len(product_ids)]]
                if user is None:
                    actor, channel = owner_id, "whatsapp"
            elif code == PAID:
                data = {"number": number, "payment_id": item * 2, "amount_minor": amount, "confirmed": False}
                data["contact_id"] = contact_id
            elif code == PAYMENT_CONFIRMED:
                actor = owner_id
                data = {"number": number, "payment_id": item * 2 + 1, "amount_minor": amount, "confirmed": True}
                data["contact_id"] = contact_id
            else:
                data = {"number": number, "amount_minor": amount, "contact_id": contact_id, "by_customer": True}
        else:
            product = product_ids[item]
            target_type, target_id = product_type, str(product)
            if code in (VIEWED_PRODUCT, VIEWED_BUSINESS):
                data = {"visitor": f"{n:032x}"}
                if code == VIEWED_BUSINESS:
                    target_type, target_id = business_type, str(business_id)
            elif code == FOLLOWED:
                data, target_type, target_id = {}, business_type, str(business_id)
            elif code in (COMMENTED, ASKED):
                data = {"product_id": product, "title": "Produk", "excerpt": "Ada ukuran XL, kak?"}
            elif code == SHARED:
                data = {"what": "product", "id": product, "channel": "whatsapp"}
            else:
                data = {"product_id": product, "title": "Produk"}
        yield (business_id, actor, verb, target_type, target_id, data, channel, occurred, occurred, occurred)


# --- measuring ------------------------------------------------------------------------------------


@dataclass
class Case:
    label: str
    kind: str  # "page", "search", "count" (targets) or "info"
    inputs: list[Any]
    call: Callable[[Any], Any]


@dataclass
class Result:
    label: str
    kind: str
    runs: int
    p50: float
    p95: float
    target: float | None

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.p95 < self.target


class Bench:
    """The inputs of every case, drawn from the data in the database (so ``--reuse`` measures the same)."""

    def __init__(self, *, business: Business, repetitions: int, seed: int) -> None:
        self.business = business
        self.repetitions = repetitions
        self.rng = random.Random(seed + 1)
        self.checked = 0
        rows = list(
            Contact.objects.filter(business=business, merged_into__isnull=True).values_list(
                "pk", "name", "phone", "email", "city", "search_text", "user_id"
            )
        )
        self.total = len(rows)
        self.search_texts = [row[5] for row in rows]
        sample = self.rng.sample(rows, min(len(rows), 400))
        words = Counter(word for row in rows for word in row[5].split() if word.isalpha() and len(word) > 2)
        first_words = Counter(row[1].split()[0].lower() for row in rows if row[1])
        common = [word for word, _count in first_words.most_common(12)]
        rare = sorted(word for word, count in words.items() if 3 <= count <= max(3, self.total // 2000))
        self.common_words = common
        self.rare_words = self.rng.sample(rare, min(len(rare), 40)) or common
        self.partial_words = sorted({row[1].split()[-1].lower()[: self.rng.choice((3, 4, 5))] for row in sample[:60]})
        self.full_names = [row[1] for row in sample if len(row[1].split()) >= 2][:40]
        self.absent_words = [self._absent(words) for _n in range(20)]
        phones = [row[2] for row in sample if row[2]]
        self.phones = phones[:40]
        self.emails = [row[3] for row in sample if row[3]][:40]
        self.picker_words = common[:6] + self.rare_words[:6]
        cities = Counter(row[4] for row in rows if row[4])
        self.cities = [city for city, _n in cities.most_common(12)] + [city for city, _n in cities.most_common()[-4:]]
        self.tags = list(Tag.objects.filter(business=business).order_by("name").values_list("name", flat=True))
        self.user_contacts = [row[0] for row in sample if row[6]][:40]
        self.other_contacts = [row[0] for row in sample if not row[6]][:40]
        owner_id = Membership.objects.filter(business=business).order_by("pk").values_list("user_id", flat=True)[0]
        self.owner = User.objects.get(pk=owner_id)
        self.segments = self._saved_segments()

    def _absent(self, words: Counter[str]) -> str:
        while True:
            word = "".join(self.rng.choice("bcdfghjklmnpqrstvwxyz") for _n in range(6))
            if not any(known.startswith(word) for known in words):
                return word

    def _saved_segments(self) -> list[Segment]:
        wanted: dict[str, dict[str, Any]] = {
            "Pelanggan setia Jakarta": {"city": "Jakarta", "stage": Stage.REPEAT},
            "Champions": {"segment": RfmSegment.CHAMPIONS},
            "Berisiko, boleh WA": {"segment": RfmSegment.AT_RISK, "consent": "whatsapp_marketing"},
            "Reseller": {"tag": "Reseller"},
            "VIP Surabaya": {"tag": "VIP", "city": "Surabaya"},
            "Belanja > 2 juta": {"spent_min": "2000000"},
            "Sering pesan": {"orders_min": "5"},
            "Aktif 30 hari": {"last_seen_days": "30"},
            "Lama tak pesan, pernah belanja": {"segment": RfmSegment.HIBERNATING, "spent_min": "100000"},
            "Langganan Bandung 90 hari": {"tag": "Langganan", "city": "Bandung", "last_seen_days": "90"},
            "Budi": {"q": "budi"},
        }
        existing = {segment.name: segment for segment in Segment.objects.filter(business=self.business)}
        segments = []
        for name, filters in wanted.items():
            segment = existing.get(name) or segment_save(
                business=self.business, name=name, filters=filters, actor=self.owner
            )
            segments.append(segment)
        return segments

    def describe(self) -> str:
        activities = _activity_count(self.business)
        return (
            f"Business {self.business.slug}: {self.total} contacts in the list, {activities} activities; "
            f"{len(self.segments)} saved segments; {self.repetitions} runs per case."
        )

    # --- what each case does

    def page(self, params: dict[str, Any]) -> Any:
        return contact_page(business=self.business, filters=contact_filter_parse(params), page=1, size=PAGE_SIZE)

    def count(self, params: dict[str, Any]) -> int:
        return segment_count(business=self.business, segment=Segment(business=self.business, filters=params))

    def cases(self) -> list[Case]:
        filters, searches = self._filter_inputs(), self._search_inputs()
        cases = [Case(f"page: {label}", "page", inputs, self.page) for label, inputs in filters]
        cases += [Case(f"search: {label}", "search", [{"q": q} for q in qs], self.page) for label, qs in searches]
        cases += self._search_cases()
        cases += [
            Case(f"count: {label}", "count", [_without_sort(p) for p in inputs], self.count)
            for label, inputs in filters
            if "sorted" not in label
        ]
        cases += [
            Case(f"count: search {label}", "count", [{"q": q} for q in qs], self.count)
            for label, qs in searches
            if label.startswith(("name word", "start of a name"))
        ]
        cases += self._info_cases()
        return [case for case in cases if case.inputs]

    def _filter_inputs(self) -> list[tuple[str, list[dict[str, Any]]]]:
        """Each kind of filter with the values it is measured with."""
        cities, tags = self.cities, self.tags
        spent = [100_000, 250_000, 500_000, 1_000_000, 2_000_000, 5_000_000, 10_000_000]
        filters: list[tuple[str, list[dict[str, Any]]]] = [
            ("no filter", [{}]),
            ("city", [{"city": city} for city in cities]),
            ("tag", [{"tag": tag} for tag in tags]),
            ("stage", [{"stage": stage} for stage in Stage.values]),
            ("RFM segment", [{"segment": segment} for segment in RfmSegment.values]),
            ("seen within days", [{"last_seen_days": days} for days in (1, 3, 7, 14, 30, 90, 180, 365)]),
            ("spent from", [{"spent_min": value} for value in spent]),
            ("spent between", [{"spent_min": low, "spent_max": low * 4} for low in spent]),
            ("orders from", [{"orders_min": value} for value in (1, 2, 3, 5, 8, 12, 20)]),
            ("orders between", [{"orders_min": low, "orders_max": low + 2} for low in (1, 2, 3, 5, 8, 12)]),
            (
                "consent",
                [
                    {"consent": key}
                    for key in ("whatsapp_marketing", "sms_marketing", "email_marketing", "push_service")
                ],
            ),
            (
                "city + stage + tag",
                [
                    {"city": city, "stage": stage, "tag": tag}
                    for city, stage, tag in zip(cities * 3, Stage.values * 8, tags * 4, strict=False)
                ],
            ),
            (
                "segment + consent",
                [{"segment": s, "consent": "whatsapp_marketing"} for s in RfmSegment.values],
            ),
            (
                "information quadrant",
                [
                    {"info_min": 50, "personal_min": 50},
                    {"info_min": 50, "personal_max": 49},
                    {"info_max": 49, "personal_min": 50},
                    {"info_max": 49, "personal_max": 49},
                    {"info_min": 90},
                    {"personal_min": 90, "info_min": 80},
                ],
            ),
            ("city, sorted by spent", [{"city": city, "sort": "spent"} for city in cities]),
            ("tag, sorted by name", [{"tag": tag, "sort": "name"} for tag in tags]),
            ("no filter, sorted by orders", [{"sort": "orders"}, {"sort": "spent"}, {"sort": "created"}]),
        ]
        return filters

    def _search_inputs(self) -> list[tuple[str, list[str]]]:
        """Each kind of search with what is typed."""
        return [
            ("name word, common", self.common_words),
            ("name word, rare", self.rare_words),
            ("name word, absent", self.absent_words),
            ("start of a name", self.partial_words),
            ("first and last name", self.full_names),
            ("phone 0812-3456-7890", [_spell(phone, "local") for phone in self.phones]),
            ("phone +62 812 3456 7890", [_spell(phone, "international") for phone in self.phones]),
            ("phone 6281234567890", [_spell(phone, "digits") for phone in self.phones]),
            ("phone 81234567890", [_spell(phone, "national") for phone in self.phones]),
            ("phone, first 8 digits", [_spell(phone, "local")[:9] for phone in self.phones]),
            ("phone, first 4 digits", ["0812", "0857", "0878", "+62 813", "0896", "0811"]),
            ("email", self.emails),
            ("start of an email", [email.split("@")[0] + "@" + email.split("@")[1][:2] for email in self.emails]),
        ]

    def _search_cases(self) -> list[Case]:
        words_and_cities = zip(self.common_words + self.rare_words, self.cities * 5, strict=False)
        return [
            Case("search: name + city", "search", [{"q": w, "city": c} for w, c in words_and_cities], self.page),
            Case(
                "picker: contact_search",
                "search",
                self.picker_words,
                lambda q: list(contact_search(business=self.business, query=q)),
            ),
        ]

    def _info_cases(self) -> list[Case]:
        """The saved segments' counts, then cases measured for information: timelines, whole pages."""
        cities = self.cities
        cases = [
            Case(
                "count: saved segments",
                "count",
                self.segments,
                lambda segment: segment_count(business=self.business, segment=segment),
            )
        ]
        cases.append(
            Case("info: timeline, app user", "info", self.user_contacts, lambda pk: self.timeline(pk)),
        )
        cases.append(
            Case("info: timeline, no app", "info", self.other_contacts, lambda pk: self.timeline(pk)),
        )
        client = Client()
        client.force_login(self.owner)
        url = reverse("customers:list", args=[self.business.slug])

        def get(params: dict[str, Any]) -> None:
            response = client.get(url, params)
            if response.status_code != 200:
                raise CommandError(f"{url} answered {response.status_code}")

        cases.append(Case("info: whole page, city", "info", [{"city": city} for city in cities], get))
        cases.append(Case("info: whole page, name search", "info", [{"q": q} for q in self.rare_words], get))
        return cases

    def timeline(self, contact_id: int) -> list[Any]:
        contact = Contact.objects.get(pk=contact_id)
        return list(contact_timeline(business=self.business, contact=contact)[:TIMELINE_SIZE])

    def measure(self, *, only: str = "", progress: Callable[[int, int], None]) -> list[Result]:
        results = []
        cases = [case for case in self.cases() if only in case.label]
        for done, case in enumerate(cases):
            progress(done, len(cases))
            runs = max(self.repetitions, len(case.inputs))
            for value in case.inputs[: min(len(case.inputs), 5)]:
                case.call(value)  # warm the caches, as a page in use is
            samples = []
            for run in range(runs):
                value = case.inputs[run % len(case.inputs)]
                started = time.perf_counter()
                case.call(value)
                samples.append(time.perf_counter() - started)
            p50, p95 = p50_p95_ms(samples)
            target = {"page": TARGET_PAGE_MS, "search": TARGET_PAGE_MS, "count": TARGET_COUNT_MS}.get(case.kind)
            results.append(Result(case.label, case.kind, runs, p50, p95, target))
        progress(len(cases), len(cases))
        return results

    def check_searches(self) -> None:
        """Each search word's count equals a substring scan (the meaning of the search): an index that
        makes the search faster must not change its answer."""
        words = self.common_words + self.rare_words + self.absent_words + self.partial_words
        for word in words:
            expected = sum(1 for text in self.search_texts if " " + word in text)
            found = self.count({"q": word})
            if found != expected:
                raise CommandError(f"A search for “{word}” counts {found} contacts; a scan finds {expected}.")
            self.checked += 1
        for phone in self.phones[:10]:
            for style in ("local", "international", "digits", "national"):
                page = self.page({"q": _spell(phone, style)})
                if [contact.phone for contact in page.items] != [phone]:
                    raise CommandError(f"A search for {_spell(phone, style)} did not find exactly {phone}.")
                self.checked += 1


def _without_sort(params: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in params.items() if key != "sort"}


def _spell(phone: str, style: str) -> str:
    """+6281234567890 the way people write it."""
    national = phone[3:]
    if style == "local":
        return f"0{national[:3]}-{national[3:7]}-{national[7:]}"
    if style == "international":
        return f"+62 {national[:3]} {national[3:7]} {national[7:]}"
    if style == "digits":
        return phone[1:]
    return national


def _activity_count(business: Business) -> int:
    return Activity.objects.filter(business=business).count()


# --- the import -------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    rows: int
    first: dict[str, Any]
    rerun: dict[str, Any]
    megabytes: float

    @property
    def met(self) -> bool:
        no_duplicates = self.rerun.get("created") == 0
        return self.first["seconds"] < TARGET_IMPORT_S and self.rerun["seconds"] < TARGET_IMPORT_S and no_duplicates


def import_measure(rows: int) -> ImportResult:
    """A generated ``rows``-row CSV imported end to end (upload, start, run) twice, through ``customers.io``."""
    from etalase.bench.crm_import import import_benchmark

    result = import_benchmark(rows)
    return ImportResult(rows=rows, first=result["first"], rerun=result["rerun"], megabytes=result["megabytes"])


def report(results: list[Result], imported: ImportResult | None, *, vendor: str, repetitions: int) -> str:
    lines = [
        "",
        f"CRM latency ({vendor}), at least {repetitions} runs per case over varied inputs, ms:",
        f"{'case':<40} {'runs':>5} {'p50':>8} {'p95':>8} {'target':>8}  result",
    ]
    for result in results:
        target = f"< {result.target:.0f}" if result.target is not None else "—"
        verdict = {True: "met", False: "MISSED", None: ""}[result.met]
        lines.append(
            f"{result.label:<40} {result.runs:>5} {result.p50:>8.1f} {result.p95:>8.1f} {target:>8}  {verdict}"
        )
    if imported is not None:
        lines.append("")
        lines.append(
            f"CSV import, {imported.rows} rows ({imported.megabytes} MB), end to end "
            f"(target < {TARGET_IMPORT_S:.0f} s, re-run creates nothing): {'met' if imported.met else 'MISSED'}"
        )
        for run in ("first", "rerun"):
            facts = getattr(imported, run)
            lines.append(
                f"  {run:<6} {facts['seconds']:>7.1f} s  {facts.get('rows_per_second') or 0:>7} rows/s  "
                f"created {facts.get('created')}, merged {facts.get('merged')}, rejected {facts.get('rejected')} "
                f"({facts.get('status')})"
            )
    missed = [r for r in results if r.met is False]
    lines.append("")
    lines.append(
        f"{sum(1 for r in results if r.met)} of {sum(1 for r in results if r.target is not None)} targets met"
        + (f"; missed: {', '.join(r.label for r in missed)}" if missed else "")
        + "."
    )
    return "\n".join(lines)
