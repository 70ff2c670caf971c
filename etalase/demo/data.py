"""The demo data set: businesses in several fields and cities, their teams, their storefronts
(cover, address, map location, hours), catalogues and showcase posts, a few hundred customers and
months of what they did: sign-ups and logins, follows, favourites, questions and answers, views
and shares, all built through the apps' services; and their orders and payments (``orders``: the
recent days through the orders services, the older ones written in bulk as those services would).

Everything random comes from ``random.Random(seed)`` and every moment is placed relative to one
"now" taken when seeding starts, so one seed always tells the same story: the same businesses,
people, numbers and rhythm of visits, only shifted to end today.

Services stamp what they write with the current time; the story happens over weeks. So each step
runs at the real time and its rows are then moved back to the moment the story gives them, with bulk
updates (users' ``date_joined``, businesses' and teams' timestamps, products, posts, follows,
favourites and comments, orders and payments, and every ``Activity``'s ``occurred_at``). Activities
recorded by the seed are processed like any other, after commit; the dashboard's daily rollups are
rebuilt from them before, so its numbers are there at once.

What the shops sell and say lives in ``storefronts``; their pictures are drawn by ``pictures``; what
customers buy there, and how they pay, lives in ``orders``.
"""

import datetime as dt
import io
import multiprocessing
import os
import random
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models, transaction
from django.db.models import ForeignObjectRel, Max, Min
from django.test.utils import override_settings
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from etalase.accounts.enums import Language
from etalase.accounts.enums import Verb as AccountVerb
from etalase.accounts.models import User
from etalase.accounts.services import user_signup
from etalase.activity.enums import Channel
from etalase.activity.models import Activity
from etalase.activity.services import activity_record
from etalase.catalog.enums import ProductStatus
from etalase.catalog.enums import Verb as CatalogVerb
from etalase.catalog.models import Post, Product, ProductImage
from etalase.catalog.services import VIEW_WINDOW, post_create, product_create, product_hide, product_reorder
from etalase.core.phones import InvalidPhoneNumber, phone_normalize
from etalase.customers.services.aggregates import contacts_aggregates_rebuild
from etalase.demo import pictures, storefronts
from etalase.demo.orders import DemoOrders, orders_log_quiet
from etalase.demo.pictures import Look
from etalase.demo.storefronts import STOREFRONTS, ProductSpec
from etalase.directory.enums import InvitationStatus, Role
from etalase.directory.models import Business, Category, Invitation, Membership
from etalase.directory.services import (
    business_register,
    business_storefront_update,
    business_update,
    business_verify,
    category_ensure,
    invitation_create,
    invitation_revoke,
    invitations_accept_on_verification,
)
from etalase.directory.tenancy import BusinessContext, business_context_resolve
from etalase.engagement.enums import CommentKind, ShareChannel, ShareTarget
from etalase.engagement.enums import Verb as EngagementVerb
from etalase.engagement.models import Comment, Favourite, Follow
from etalase.engagement.services import comment_add, comment_answer, favourite_add, follow_add, share_record
from etalase.insights.customers.services import customer_scores_recompute
from etalase.orders.enums import OrderStatus, PaymentStatus
from etalase.orders.models import Order, Payment, Review

DEMO_PASSWORD = "etalase-demo"  # noqa: S105 - the published password of the demo accounts
OPERATOR_EMAIL = "operator@example.com"
OPERATOR_NAME = "Operator Etalase"

Progress = Callable[[str], None]


class DemoAlreadyLoaded(Exception):
    """The demo data is in the database already; seeding again needs ``reset=True``."""


# --------------------------------------------------------------------------------------------------
# The cast: businesses and their teams are fixed, so the logins printed by ``etalase demo`` are
# always the same memorable numbers (all valid Indonesian mobile numbers).


@dataclass(frozen=True)
class Person:
    name: str
    phone: str = ""  # as a person would type it; stored in E.164
    email: str = ""
    language: str = Language.INDONESIAN


@dataclass(frozen=True)
class TeamMember:
    person: Person
    role: str
    invited_by: int | None = None  # index of an earlier member who invites; None: the owner
    by_email: bool = False  # invited by email address instead of phone number


@dataclass(frozen=True)
class BusinessSpec:
    name: str
    category: str
    city: str
    timezone: str
    whatsapp: str
    description: str
    owner: Person
    team: tuple[TeamMember, ...]
    background: str
    accent: str
    shape: str
    is_verified: bool = False
    pending: tuple[tuple[str, str], ...] = ()  # (phone or email, role) never answered
    revoked: tuple[tuple[str, str], ...] = ()  # invited, then the invitation withdrawn
    later_description: str = ""  # the owner rewrites the description halfway through


# Names for the business fields used below, for a database where an operator removed them.
CATEGORY_NAMES = {
    "fashion-batik": ("Batik & Busana", "Batik & Fashion"),
    "coffee-shop": ("Kedai Kopi", "Coffee Shop"),
    "food-catering": ("Katering & Makanan", "Catering & Food"),
    "bakery": ("Toko Roti & Kue", "Bakery & Cakes"),
    "phone-repair": ("Servis Ponsel & Elektronik", "Phone & Electronics Repair"),
    "laundry": ("Laundry", "Laundry"),
    "beauty": ("Kecantikan & Salon", "Beauty & Salon"),
    "workshop": ("Bengkel Motor & Mobil", "Motorbike & Car Workshop"),
}

OWNER_SARI = Person("Sari Wulandari", "0812-0000-0001")
MANAGER_RINA = Person("Rina Marlina", "0812-0000-0021", email="rina.marlina@example.com")
CASHIER_DADAN = Person("Dadan Hermawan", "0812-0000-0022")
TECHNICIAN_AGUS = Person("Agus Setiawan", "0812-0000-0031")
CUSTOMER_BUDI = Person("Budi Santoso", "0812-0000-0100", email="budi.santoso@example.com")
CUSTOMER_EMILY = Person("Emily Clarke", "+61 412 000 100", email="emily.clarke@example.com", language=Language.ENGLISH)

BUSINESSES: tuple[BusinessSpec, ...] = (
    BusinessSpec(
        name="Batik Sari",
        category="fashion-batik",
        city="Yogyakarta",
        timezone="Asia/Jakarta",
        whatsapp="0812-0000-0001",
        description="Batik tulis dan cap khas Yogyakarta, dikerjakan tangan oleh pengrajin lokal. "
        "Kain, kemeja, dan daster siap kirim.",
        owner=OWNER_SARI,
        team=(
            TeamMember(Person("Dwi Handayani", "0812-0000-0011"), Role.MANAGER),
            TeamMember(Person("Bayu Pratama", "0812-0000-0012"), Role.SALES),
            TeamMember(Person("Rini Astuti", "0812-0000-0013"), Role.CASHIER, invited_by=0),
        ),
        background="#5b3a29",
        accent="#e0a458",
        shape="kawung",
        is_verified=True,
        pending=(("dewi.anggraini@example.com", Role.SALES),),
    ),
    BusinessSpec(
        name="Kopi Kembang",
        category="coffee-shop",
        city="Bandung",
        timezone="Asia/Jakarta",
        whatsapp="0812-0000-0002",
        description="Kopi arabika Jawa Barat diseduh manual, roti bakar, dan tempat nongkrong yang tenang.",
        owner=Person("Asep Sunandar", "0812-0000-0002"),
        team=(
            TeamMember(MANAGER_RINA, Role.MANAGER, by_email=True),
            TeamMember(CASHIER_DADAN, Role.CASHIER, invited_by=0),
            TeamMember(Person("Euis Komalasari", "0812-0000-0023"), Role.CASHIER, invited_by=0),
        ),
        background="#3e2723",
        accent="#d7ccc8",
        shape="cup",
        is_verified=True,
        later_description="Kopi arabika Jawa Barat diseduh manual, roti bakar, dan menu sarapan baru. "
        "Buka setiap hari pukul 07.00-22.00.",
    ),
    BusinessSpec(
        name="Servis HP Cepat Pulih",
        category="phone-repair",
        city="Surabaya",
        timezone="Asia/Jakarta",
        whatsapp="0813-0000-0003",
        description="Ganti LCD, baterai, dan konektor cas semua merek. Bisa ditunggu, garansi 30 hari.",
        owner=Person("Hendra Gunawan", "0812-0000-0003"),
        team=(
            TeamMember(TECHNICIAN_AGUS, Role.TECHNICIAN),
            TeamMember(Person("Yusuf Hidayat", "0812-0000-0032"), Role.TECHNICIAN),
            TeamMember(Person("Nur Aini", "0812-0000-0033"), Role.SUPPORT),
        ),
        background="#0d47a1",
        accent="#90caf9",
        shape="phone",
        is_verified=True,
        revoked=(("0812-0000-0039", Role.TECHNICIAN),),
    ),
    BusinessSpec(
        name="Laundry Bersih Wangi",
        category="laundry",
        city="Medan",
        timezone="Asia/Jakarta",
        whatsapp="0812-0000-0004",
        description="Cuci kiloan, setrika, dan cuci karpet. Antar-jemput gratis untuk wilayah Medan Kota.",
        owner=Person("Rudi Siregar", "0812-0000-0004"),
        team=(
            TeamMember(Person("Butet Nasution", "0812-0000-0041"), Role.OWNER),
            TeamMember(Person("Maya Lubis", "0812-0000-0042"), Role.CASHIER),
            TeamMember(Person("Fajar Harahap", "0812-0000-0043"), Role.SUPPORT, invited_by=0),
        ),
        background="#00838f",
        accent="#e0f7fa",
        shape="bubbles",
        pending=(("0812-0000-0049", Role.CASHIER),),
    ),
    BusinessSpec(
        name="Dapur Bu Ani",
        category="food-catering",
        city="Makassar",
        timezone="Asia/Makassar",
        whatsapp="0812-0000-0005",
        description="Katering nasi kotak, tumpeng, dan coto Makassar untuk kantor dan acara keluarga.",
        owner=Person("Ani Rahmawati", "0812-0000-0005"),
        team=(
            TeamMember(Person("Muhammad Irwan", "0812-0000-0051"), Role.MANAGER),
            TeamMember(Person("Andi Syahrul", "0812-0000-0052"), Role.SALES, invited_by=0),
        ),
        background="#bf360c",
        accent="#ffcc80",
        shape="bowl",
        is_verified=True,
    ),
    BusinessSpec(
        name="Roti Sekar Bali",
        category="bakery",
        city="Denpasar",
        timezone="Asia/Makassar",
        whatsapp="0812-0000-0006",
        description="Roti sobek, kue basah, dan lapis legit dipanggang tiap pagi. "
        "Terima pesanan untuk upacara dan arisan.",
        owner=Person("Ketut Suardana", "0812-0000-0006"),
        team=(
            TeamMember(Person("Kadek Ayu Lestari", "0812-0000-0061"), Role.CASHIER),
            TeamMember(Person("Wayan Adi Putra", "0812-0000-0062"), Role.SALES),
        ),
        background="#f9a825",
        accent="#fff8e1",
        shape="sun",
        is_verified=True,
    ),
    BusinessSpec(
        name="Salon Ayu Jelita",
        category="beauty",
        city="Semarang",
        timezone="Asia/Jakarta",
        whatsapp="0812-0000-0007",
        description="Potong rambut, creambath, dan rias pengantin. Khusus wanita, bisa panggil ke rumah.",
        owner=Person("Lina Kartika", "0812-0000-0007"),
        team=(TeamMember(Person("Fitri Handayani", "0812-0000-0071"), Role.CASHIER),),
        background="#ad1457",
        accent="#f8bbd0",
        shape="diamond",
    ),
    BusinessSpec(
        name="Bengkel Motor Maju Jaya",
        category="workshop",
        city="Malang",
        timezone="Asia/Jakarta",
        whatsapp="0812-0000-0008",
        description="Servis rutin, ganti oli, dan turun mesin sepeda motor. Suku cadang asli bergaransi.",
        owner=Person("Slamet Riyadi", "0812-0000-0008"),
        team=(
            TeamMember(Person("Joko Susilo", "0812-0000-0081"), Role.TECHNICIAN),
            TeamMember(Person("Eko Prasetyo", "0812-0000-0082"), Role.TECHNICIAN),
            TeamMember(Person("Tri Wahyuni", "0812-0000-0083"), Role.CASHIER),
        ),
        background="#263238",
        accent="#ff7043",
        shape="gear",
    ),
)

# The first customers are fixed too, so there is a customer login to print.
CUSTOMER_PERSONAS: tuple[Person, ...] = (CUSTOMER_BUDI, CUSTOMER_EMILY)


def demo_logins() -> list[tuple[str, str]]:
    """The accounts to try the demo with (all share :data:`DEMO_PASSWORD`)."""
    return [
        ("owner (Batik Sari)", OWNER_SARI.phone),
        ("manager (Kopi Kembang)", MANAGER_RINA.phone),
        ("cashier (Kopi Kembang)", CASHIER_DADAN.phone),
        ("technician (HP Cepat)", TECHNICIAN_AGUS.phone),
        ("customer", CUSTOMER_BUDI.phone),
        ("customer (English)", CUSTOMER_EMILY.email),
        ("operator", OPERATOR_EMAIL),
    ]


def demo_is_loaded() -> bool:
    return User.objects.filter(email=OPERATOR_EMAIL).exists()


# --------------------------------------------------------------------------------------------------
# Generated customers: names from several regions of Indonesia (and a few foreigners).


@dataclass(frozen=True)
class NameStyle:
    weight: int
    male: tuple[str, ...]
    female: tuple[str, ...]
    male_last: tuple[str, ...]
    female_last: tuple[str, ...]
    single_name_share: float = 0.0  # people known by one name only
    male_prefix: tuple[str, ...] = ()
    female_prefix: tuple[str, ...] = ()
    prefix_share: float = 0.0
    is_foreign: bool = False


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split(","))


NAME_STYLES: tuple[NameStyle, ...] = (
    NameStyle(  # Javanese
        weight=30,
        male=_names("Budi,Agus,Joko,Bambang,Slamet,Eko,Bayu,Dimas,Wahyu,Hadi,Sigit,Teguh,Arif,Yudi,Adi,Fajar"),
        female=_names("Siti,Sri,Dewi,Rina,Wulan,Endang,Ayu,Ratna,Tri,Indah,Kartika,Yuni,Putri,Dyah,Ratih"),
        male_last=_names(
            "Santoso,Wibowo,Susanto,Setiawan,Pratama,Hidayat,Saputra,Kurniawan,Nugroho,Purnomo,"
            "Prasetyo,Hartono,Suryadi,Utomo,Widodo,Sulistyo"
        ),
        female_last=_names(
            "Rahayu,Handayani,Lestari,Wulandari,Sulistyowati,Maharani,Puspitasari,Safitri,Rahmawati,Susanti,Kusumawati"
        ),
        single_name_share=0.08,
    ),
    NameStyle(  # Sundanese
        weight=14,
        male=_names("Asep,Ujang,Dadang,Cecep,Yayan,Dede,Iwan,Deden,Jajang,Aep"),
        female=_names("Euis,Neneng,Iis,Lilis,Yanti,Nining,Cucu,Entin,Nenden,Rina"),
        male_last=_names("Sunandar,Supriatna,Permana,Hermawan,Kusnadi,Gunawan,Suherman,Ruhiyat,Saepudin"),
        female_last=_names("Komalasari,Marlina,Nurhayati,Rosmiati,Kurniasih,Sumiati,Herawati,Mulyani"),
        single_name_share=0.05,
    ),
    NameStyle(  # names common all over the archipelago
        weight=12,
        male=_names("Muhammad,Ahmad,Rizky,Ilham,Rahmat,Fauzan,Hafiz,Reza,Dani,Yoga"),
        female=_names("Nurul,Annisa,Aisyah,Fatimah,Nur,Zahra,Salsabila,Anggun,Intan,Nabila"),
        male_last=_names("Fauzi,Hakim,Ramadhan,Maulana,Firdaus,Akbar,Syahputra,Hidayatullah,Rizki"),
        female_last=_names("Hidayah,Aini,Fitriani,Azizah,Khasanah,Rahmawati,Putri,Ramadhani,Amalia"),
    ),
    NameStyle(  # Batak: a given name and the marga
        weight=8,
        male=_names("Ucok,Horas,Togar,Binsar,Parulian,Rudi,Daniel,Samuel,Jonathan,Robert"),
        female=_names("Butet,Romauli,Tiurma,Rosa,Maria,Lasma,Desi,Sarah,Yohana,Friska"),
        male_last=_names(
            "Siregar,Nasution,Lubis,Harahap,Simanjuntak,Sitorus,Sinaga,Hutapea,Panjaitan,Situmorang,"
            "Tampubolon,Pardede,Manurung,Silalahi,Hutagalung,Simatupang"
        ),
        female_last=(),  # the same marga
    ),
    NameStyle(  # Balinese: the birth-order name first
        weight=7,
        male=_names("Putu,Wayan,Gede,Made,Kadek,Nyoman,Komang,Ketut"),
        female=_names("Putu,Wayan,Made,Kadek,Nyoman,Komang,Ketut"),
        male_last=_names("Wirawan,Sudarma,Arimbawa,Suardana,Astawa,Mahendra,Adi Putra,Suarjana,Wiguna"),
        female_last=_names("Ayu,Sari,Pradnyani,Lestari,Dewi,Wahyuni,Sukmawati,Ayu Pratiwi,Ariani"),
        male_prefix=("I",),
        female_prefix=("Ni", "Ni Luh"),
        prefix_share=0.25,
    ),
    NameStyle(  # Minangkabau
        weight=6,
        male=_names("Rizal,Fadli,Yusuf,Afrizal,Andre,Zulkifli,Hendri,Irfan"),
        female=_names("Rahmi,Yuliani,Fitria,Rahmah,Silvia,Elvina,Yulia,Rani"),
        male_last=_names("Chaniago,Piliang,Koto,Tanjung,Sikumbang,Jambak"),
        female_last=(),
    ),
    NameStyle(  # Bugis and Makassar
        weight=6,
        male=_names("Syahrul,Amran,Irwan,Rahman,Hasan,Ikhsan,Fadel,Akbar"),
        female=_names("Nurul,Ani,Hasnah,Sitti,Rosmini,Hasniah,Nurhayati,Rahma"),
        male_last=_names("Syamsuddin,Hasanuddin,Amiruddin,Rahim,Latief,Tahir,Kadir,Basri"),
        female_last=(),
        male_prefix=("Andi",),
        female_prefix=("Andi",),
        prefix_share=0.3,
    ),
    NameStyle(  # Chinese Indonesian
        weight=7,
        male=_names("Hendra,Kevin,Stefanus,Ricky,Yohanes,Wilson,Felix,Andreas,Budi"),
        female=_names("Linda,Yohana,Michelle,Jessica,Vivian,Cindy,Fransiska,Melinda"),
        male_last=_names("Gunawan,Tanuwijaya,Halim,Hartono,Salim,Wijaya,Tjahjadi,Kusuma,Setiadi,Sutanto"),
        female_last=(),
    ),
    NameStyle(  # Minahasa, Maluku and Papua
        weight=4,
        male=_names("Jeremy,Marthen,Yosias,Frans,Alfons,Rolly,Johny,Ferdinand"),
        female=_names("Maria,Grace,Meyke,Olivia,Stella,Natalia,Yuliana,Agustina"),
        male_last=_names("Wowor,Lumenta,Sumual,Pangemanan,Rumengan,Latuheru,Pattinasarany,Tuhumury,Rumbiak,Mandowen"),
        female_last=(),
    ),
    NameStyle(  # visitors and residents from abroad, who use the app in English
        weight=4,
        male=_names("James,Oliver,Jack,Lucas,Noah,Daniel,Thomas,William,Henry,Samuel"),
        female=_names("Emily,Charlotte,Hannah,Grace,Chloe,Olivia,Sophie,Ava,Isla,Lucy"),
        male_last=_names("Miller,Bennett,Hughes,Thompson,Walsh,Robinson,Taylor,Evans,de Vries,van Dijk,O'Brien,Jansen"),
        female_last=(),
        is_foreign=True,
    ),
)

# Indonesian mobile prefixes, weighted roughly by how many people carry each operator.
MOBILE_PREFIXES: tuple[tuple[str, int], ...] = (
    ("0811", 3),
    ("0812", 8),
    ("0813", 8),
    ("0821", 6),
    ("0822", 6),
    ("0823", 3),
    ("0852", 6),
    ("0853", 5),
    ("0814", 1),
    ("0815", 2),
    ("0816", 2),
    ("0855", 1),
    ("0856", 4),
    ("0857", 4),
    ("0858", 2),
    ("0817", 3),
    ("0818", 3),
    ("0819", 3),
    ("0859", 2),
    ("0877", 3),
    ("0878", 3),
    ("0831", 1),
    ("0832", 1),
    ("0838", 2),
    ("0895", 2),
    ("0896", 3),
    ("0897", 1),
    ("0898", 2),
    ("0899", 1),
    ("0881", 1),
    ("0882", 1),
    ("0887", 1),
    ("0888", 1),
)
# Mobile numbers of foreigners who keep their home SIM: (country code, first digits, digits after).
FOREIGN_MOBILES: tuple[tuple[str, str, int], ...] = (
    ("+61", "4", 8),  # Australia
    ("+65", "9", 7),  # Singapore
    ("+65", "8", 7),
    ("+44", "79", 8),  # United Kingdom
    ("+31", "6", 8),  # Netherlands
)
EMAIL_DOMAINS = ("example.com", "example.net", "example.org")


def _weighted(rng: random.Random, options: Sequence[tuple[Any, int]]) -> Any:
    return rng.choices([option for option, _ in options], weights=[weight for _, weight in options])[0]


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", ".", ascii_text).strip(".")


class _Numbers:
    """Hands out valid, unique phone numbers and email addresses."""

    def __init__(self, rng: random.Random, reserved: Sequence[str]) -> None:
        self.rng = rng
        self.phones: set[str] = set()
        self.emails: set[str] = set()
        for identifier in reserved:
            if "@" in identifier:
                self.emails.add(identifier.lower())
            else:
                self.phones.add(phone_normalize(identifier))

    def _claim_phone(self, candidate: str) -> bool:
        try:
            e164 = phone_normalize(candidate)
        except InvalidPhoneNumber:
            return False
        if e164 in self.phones:
            return False
        self.phones.add(e164)
        return True

    def indonesian(self) -> str:
        rng = self.rng
        while True:
            prefix = _weighted(rng, MOBILE_PREFIXES)
            length = _weighted(rng, ((8, 8), (7, 1), (9, 1)))
            digits = "".join(str(rng.randrange(10)) for _ in range(length))
            local = prefix + digits
            # People type their number in many ways; the app reads them all as one.
            spelling = rng.randrange(5)
            if spelling == 0:
                typed = f"{local[:4]}-{local[4:8]}-{local[8:]}"
            elif spelling == 1:
                typed = local
            elif spelling == 2:
                typed = f"+62 {local[1:4]}-{local[4:8]}-{local[8:]}"
            elif spelling == 3:
                typed = f"+62{local[1:]}"
            else:
                typed = f"62{local[1:4]} {local[4:8]} {local[8:]}"
            if self._claim_phone(typed):
                return typed

    def foreign(self) -> str:
        rng = self.rng
        while True:
            country, start, length = rng.choice(FOREIGN_MOBILES)
            typed = f"{country} {start}{''.join(str(rng.randrange(10)) for _ in range(length))}"
            if self._claim_phone(typed):
                return typed

    def email(self, name: str) -> str:
        rng = self.rng
        parts = [part for part in _slug(name).split(".") if part] or ["pelanggan"]
        first, last = parts[0], parts[-1]
        style = rng.randrange(4)
        if style == 0 or len(parts) == 1:
            local = ".".join(parts)
        elif style == 1:
            local = f"{first}{last}{rng.randrange(70, 100):02d}"
        elif style == 2:
            local = f"{first}.{last[0]}"
        else:
            local = f"{first}_{rng.randrange(1, 1000)}"
        domain = rng.choice(EMAIL_DOMAINS)
        candidate = f"{local}@{domain}"
        while candidate in self.emails:
            candidate = f"{local}{rng.randrange(10, 10000)}@{domain}"
        self.emails.add(candidate)
        return candidate


def _name(rng: random.Random, style: NameStyle) -> str:
    is_female = rng.random() < 0.5
    given = rng.choice(style.female if is_female else style.male)
    lasts = (style.female_last if is_female else style.male_last) or style.male_last
    parts = [given]
    prefixes = style.female_prefix if is_female else style.male_prefix
    if prefixes and rng.random() < style.prefix_share:
        parts.insert(0, rng.choice(prefixes))
    if rng.random() >= style.single_name_share:
        parts.append(rng.choice(lasts))
    return " ".join(parts)


def _customer_people(rng: random.Random, count: int, numbers: _Numbers) -> list[Person]:
    people = list(CUSTOMER_PERSONAS[:count])
    styles = [(style, style.weight) for style in NAME_STYLES]
    while len(people) < count:
        style: NameStyle = _weighted(rng, styles)
        name = _name(rng, style)
        if style.is_foreign:
            has_phone = rng.random() < 0.7
            local_sim = rng.random() < 0.5
            phone = (numbers.indonesian() if local_sim else numbers.foreign()) if has_phone else ""
            people.append(Person(name, phone, email=numbers.email(name), language=Language.ENGLISH))
        else:
            email = numbers.email(name) if rng.random() < 0.4 else ""
            language = Language.ENGLISH if rng.random() < 0.04 else Language.INDONESIAN
            people.append(Person(name, numbers.indonesian(), email=email, language=language))
    return people


# --------------------------------------------------------------------------------------------------
# Time: the story is told in "day offsets" and mapped to moments in the past.


class _Clock:
    """Maps a day offset to a past moment during opening hours (07:00-22:00 local time).

    Offset 0 is the morning ``days`` days ago; the integer part counts days and the fraction is
    the share of that day's opening hours gone by, so a larger offset is never an earlier moment.
    Today counts only as far as it has gone: every offset up to :attr:`span` is in the past.
    """

    opening_hour = 7
    open_hours = 15

    def __init__(self, *, now: dt.datetime, days: int) -> None:
        self.now = now
        self.tz = ZoneInfo(settings.TIME_ZONE)
        local_now = now.astimezone(self.tz)
        self.first_day = local_now.date() - dt.timedelta(days=days)
        opening = dt.datetime.combine(local_now.date(), dt.time(self.opening_hour), tzinfo=self.tz)
        today = (local_now - opening) / dt.timedelta(hours=self.open_hours)
        self.span = days + min(max(today, 0.0), 1.0)
        self.latest = now - dt.timedelta(minutes=1)

    def at(self, offset: float) -> dt.datetime:
        offset = min(max(offset, 0.0), self.span)
        day = int(offset)
        opening = dt.datetime.combine(
            self.first_day + dt.timedelta(days=day), dt.time(self.opening_hour), tzinfo=self.tz
        )
        moment = opening + dt.timedelta(hours=(offset - day) * self.open_hours)
        return min(moment, self.latest)


# --------------------------------------------------------------------------------------------------
# Logos: a simple picture per business, drawn here (nothing is downloaded).


def _initials(name: str) -> str:
    words = [word for word in re.split(r"\s+", name) if word[:1].isalpha()]
    return "".join(word[0] for word in words[:2]).upper()


def _logo_png(spec: BusinessSpec) -> bytes:
    size = 256
    image = Image.new("RGB", (size, size), spec.background)
    draw = ImageDraw.Draw(image)
    accent = spec.accent
    if spec.shape == "kawung":  # the four-petal batik motif, tiled
        for cx in range(0, size + 64, 64):
            for cy in range(0, size + 64, 64):
                for dx, dy in ((-1, 0), (1, 0), (0, -1), (0, 1)):
                    x, y = cx + dx * 14, cy + dy * 14
                    box = (x - 12, y - 7, x + 12, y + 7) if dy == 0 else (x - 7, y - 12, x + 7, y + 12)
                    draw.ellipse(box, outline=accent, width=3)
        draw.ellipse((58, 58, 198, 198), fill=spec.background, outline=accent, width=6)
    elif spec.shape == "cup":
        draw.rounded_rectangle((56, 80, 176, 200), radius=24, fill=accent)
        draw.arc((150, 100, 214, 164), start=270, end=90, fill=accent, width=14)
        for x in (88, 116, 144):
            draw.line((x, 30, x, 64), fill=accent, width=6)
    elif spec.shape == "phone":
        draw.rounded_rectangle((70, 24, 186, 232), radius=18, fill=accent)
        draw.rectangle((82, 48, 174, 196), fill=spec.background)
        draw.ellipse((118, 206, 138, 226), fill=spec.background)
    elif spec.shape == "bubbles":
        for box in ((20, 30, 110, 120), (140, 20, 230, 110), (90, 120, 200, 230), (24, 160, 84, 220)):
            draw.ellipse(box, outline=accent, width=8)
    elif spec.shape == "bowl":
        draw.pieslice((28, 18, 228, 218), start=0, end=180, fill=accent)
        draw.rectangle((92, 212, 164, 228), fill=accent)
        for x in (96, 128, 160):
            draw.arc((x - 10, 24, x + 10, 64), start=100, end=260, fill=accent, width=5)
    elif spec.shape == "sun":
        for angle in range(0, 360, 30):
            draw.pieslice((8, 8, 248, 248), start=angle, end=angle + 12, fill=accent)
        draw.ellipse((48, 48, 208, 208), fill=spec.background)
    elif spec.shape == "diamond":
        draw.polygon([(128, 12), (244, 128), (128, 244), (12, 128)], fill=accent)
        draw.polygon([(128, 40), (216, 128), (128, 216), (40, 128)], fill=spec.background)
    else:  # gear
        for angle in range(0, 360, 45):
            draw.pieslice((16, 16, 240, 240), start=angle, end=angle + 20, fill=accent)
        draw.ellipse((44, 44, 212, 212), fill=accent)
        draw.ellipse((68, 68, 188, 188), fill=spec.background)
    font = ImageFont.load_default(size=72)
    text = _initials(spec.name)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    position = ((size - (right - left)) / 2 - left, (size - (bottom - top)) / 2 - top)
    draw.text(position, text, fill="#ffffff", font=font, stroke_width=3, stroke_fill="#000000")
    output = io.BytesIO()
    image.save(output, format="PNG")
    return output.getvalue()


# --------------------------------------------------------------------------------------------------
# The story.


@dataclass(frozen=True)
class DemoSummary:
    businesses: int
    verified_businesses: int
    categories: int
    cities: int
    members_by_role: dict[str, int]
    pending_invitations: int
    customers: int
    operators: int
    activities: int
    first_activity: dt.datetime | None
    last_activity: dt.datetime | None
    products: int = 0
    published_products: int = 0
    product_photos: int = 0
    posts: int = 0
    follows: int = 0
    favourites: int = 0
    questions: int = 0
    answered_questions: int = 0
    comments: int = 0  # everything customers and staff wrote: comments, questions and answers
    views: int = 0
    shares: int = 0
    orders: int = 0
    open_orders: int = 0
    payments: int = 0
    payments_waiting: int = 0
    reviews: int = 0


@dataclass(order=True)
class _Event:
    offset: float
    sequence: int
    action: Callable[[dt.datetime], object] = field(compare=False)
    backdates_activities: bool = field(default=True, compare=False)


# Engagement of customers: how many times they log in over a 90-day story (weight, low, high).
ENGAGEMENT = ((15, 0, 0), (35, 1, 4), (35, 5, 12), (15, 12, 30))
# Chance that a member of each role opens the app on a given day.
DAILY_USE: dict[str, float] = {
    Role.OWNER: 0.85,
    Role.MANAGER: 0.7,
    Role.SALES: 0.55,
    Role.SUPPORT: 0.5,
    Role.TECHNICIAN: 0.45,
    Role.CASHIER: 0.6,
}


class _Story:
    """Plans every step as a day offset, then runs the steps in order of time through the services."""

    def __init__(self, *, seed: int, customers: int, days: int, now: dt.datetime, progress: Progress) -> None:
        master = random.Random(seed)
        # Separate streams: who the people are never depends on how the times fall. And no draw
        # depends on the time of day the story is told, so a seed always gives the same story.
        self.people_rng = random.Random(master.getrandbits(64))
        self.time_rng = random.Random(master.getrandbits(64))
        # The storefronts and what customers do there draw from their own stream, so adding them
        # left the people and the rhythm of sign-ups and logins of every seed as they were.
        self.shop_rng = random.Random(master.getrandbits(64))
        # Orders and payments came later still: their own stream too.
        order_rng = random.Random(master.getrandbits(64))
        self.clock = _Clock(now=now, days=days)
        self.now = now
        self.days = days
        self.customer_count = customers
        self.progress = progress
        self.scale = self.clock.span / 90  # the story's gaps are written for 90 days
        self.events: list[_Event] = []
        self.users: dict[str, User] = {}
        self.businesses: dict[str, Business] = {}
        self.invitations: dict[tuple[str, str], Invitation] = {}
        self.joined: dict[int, dt.datetime] = {}
        self.last_login: dict[int, dt.datetime] = {}
        self.registered: dict[int, dt.datetime] = {}
        self.updated: dict[int, dt.datetime] = {}
        self.verified: dict[int, dt.datetime] = {}
        self.membership_times: dict[tuple[int, int], dt.datetime] = {}
        self.invitation_times: dict[int, dt.datetime] = {}
        self.responded_times: dict[int, dt.datetime] = {}
        self.customers_done = 0
        self.shops = _Shops(self)
        self.orders = DemoOrders(self, BUSINESSES, CUSTOMER_PERSONAS, order_rng)

    # -- planning ----------------------------------------------------------------------------------

    def _add(self, offset: float, action: Callable[[dt.datetime], object], *, backdates: bool = True) -> float:
        offset = min(max(offset, 0.0), self.clock.span)
        self.events.append(_Event(offset, len(self.events), action, backdates))
        return offset

    def _later(self, offset: float, low: float, high: float) -> float:
        """An offset ``low``-``high`` story days after ``offset``, squeezed for shorter periods."""
        return offset + self.time_rng.uniform(low, high) * self.scale + 0.01

    def plan(self) -> None:
        numbers = _Numbers(self.people_rng, _reserved_identifiers())
        people = _customer_people(self.people_rng, self.customer_count, numbers)
        self._add(0.0, self._operator_create, backdates=False)
        for index, spec in enumerate(BUSINESSES):
            self._plan_business(index, spec)
        for person in people:
            self._plan_customer(person)
        self.shops.plan()
        self.orders.plan()

    def _plan_business(self, index: int, spec: BusinessSpec) -> None:
        rng = self.time_rng
        registered = (index + rng.random()) / len(BUSINESSES) * 6 * self.scale + 0.03
        self._add(registered - 0.02, partial(self._signup, spec.owner))
        self._add(registered, partial(self._business_register, spec))
        self.shops.opened[spec.name] = registered
        self.shops.team[spec.name] = [(spec.owner, Role.OWNER, registered)]
        self._plan_staff_logins(spec.owner, Role.OWNER, registered)
        joined_at = [registered]
        for member in spec.team:
            inviter_joined = registered if member.invited_by is None else joined_at[member.invited_by + 1]
            invited = self._later(inviter_joined, 0.1, 4)
            joined = self._later(invited, 0.05, 1.5)
            self._add(invited, partial(self._invite, spec, member))
            self._add(joined, partial(self._staff_signup, member))
            self._plan_staff_logins(member.person, member.role, joined)
            self.shops.team[spec.name].append((member.person, member.role, joined))
            joined_at.append(joined)
        if spec.is_verified:
            self._add(self._later(registered, 1, 10), partial(self._verify, spec))
        if spec.later_description:
            self._add((40 + rng.uniform(0, 10)) * self.scale, partial(self._describe_again, spec))
        for identifier, role in spec.revoked:
            invited = (20 + rng.uniform(0, 5)) * self.scale
            self._add(invited, partial(self._invite_as, spec, spec.owner, identifier, role))
            self._add(self._later(invited, 1, 3), partial(self._revoke, spec, identifier))
        for identifier, role in spec.pending:
            invited = (82 + rng.uniform(0, 7)) * self.scale
            self._add(invited, partial(self._invite_as, spec, spec.owner, identifier, role))

    def _plan_staff_logins(self, person: Person, role: str, joined: float) -> None:
        rng = self.time_rng
        chance = DAILY_USE[role]
        for day in range(self.days + 1):
            opens = rng.random() < chance
            offset = day + rng.uniform(0.0, 0.3)  # mostly in the morning
            if opens and joined < offset < self.clock.span:
                self._add(offset, partial(self._login, person, Channel.WEB), backdates=False)

    def _plan_customer(self, person: Person) -> None:
        rng = self.time_rng
        # Sign-ups grow a little over the period, once the businesses are there.
        signed_up_share = (3 + 87 * rng.random() ** 0.8) / 90
        signed_up = signed_up_share * self.clock.span
        channel = Channel.API if rng.random() < 0.25 else Channel.WEB
        self._add(signed_up, partial(self._customer_signup, person, channel))
        self.shops.customers.append((person, signed_up, channel))
        _weight, low, high = _weighted(rng, [(level, level[0]) for level in ENGAGEMENT])
        if person in CUSTOMER_PERSONAS:
            low, high = 15, 25
        # Those who joined late have had less time to come back.
        visits = round(rng.randint(low, high) * (1 - signed_up_share) * self.days / 90)
        for _ in range(visits):
            offset = rng.uniform(signed_up + 0.02, self.clock.span)
            self._add(offset, partial(self._login, person, channel), backdates=False)

    # -- the steps ---------------------------------------------------------------------------------

    def _operator_create(self, when: dt.datetime) -> None:
        operator = User.objects.create_superuser(email=OPERATOR_EMAIL, password=DEMO_PASSWORD, name=OPERATOR_NAME)
        self.users[OPERATOR_EMAIL] = operator
        self.joined[operator.pk] = when

    def _signup(self, person: Person, when: dt.datetime, *, channel: str = Channel.WEB) -> User:
        user = user_signup(
            password=DEMO_PASSWORD,
            phone=person.phone,
            email=person.email,
            name=person.name,
            language=person.language,
            channel=channel,
            verified=True,  # the demo's people own their numbers and addresses
        )
        self.users[_key(person)] = user
        self.joined[user.pk] = when
        return user

    def _context(self, spec: BusinessSpec, person: Person) -> BusinessContext:
        return business_context_resolve(user=self.users[_key(person)], slug=self.businesses[spec.name].slug)

    def _business_register(self, spec: BusinessSpec, when: dt.datetime) -> None:
        owner = self.users[_key(spec.owner)]
        business = business_register(
            owner=owner,
            name=spec.name,
            category_slug=spec.category,
            city=spec.city,
            whatsapp=spec.whatsapp,
            description=spec.description,
            logo=SimpleUploadedFile("logo.png", _logo_png(spec), content_type="image/png"),
            timezone_name=spec.timezone,
        )
        self.businesses[spec.name] = business
        self.registered[business.pk] = when
        self.membership_times[business.pk, owner.pk] = when
        if len(self.businesses) == len(BUSINESSES):
            self.progress(f"{len(BUSINESSES)} businesses registered")

    def _invite(self, spec: BusinessSpec, member: TeamMember, when: dt.datetime) -> None:
        inviter = spec.owner if member.invited_by is None else spec.team[member.invited_by].person
        identifier = member.person.email if member.by_email else member.person.phone
        self._invite_as(spec, inviter, identifier, member.role, when)

    def _invite_as(self, spec: BusinessSpec, inviter: Person, identifier: str, role: str, when: dt.datetime) -> None:
        context = self._context(spec, inviter)
        invitation = invitation_create(context=context, identifier=identifier, role=role)
        self.invitations[spec.name, identifier] = invitation
        self.invitation_times[invitation.pk] = when

    def _staff_signup(self, member: TeamMember, when: dt.datetime) -> None:
        user = self._signup(member.person, when)
        # In the running app the sign-up's activity makes this happen through the task queue.
        for membership in invitations_accept_on_verification(user=user):
            self.membership_times[membership.business_id, user.pk] = when
        for invitation_id in Invitation.objects.filter(accepted_by=user).values_list("pk", flat=True):
            self.responded_times[invitation_id] = when

    def _revoke(self, spec: BusinessSpec, identifier: str, when: dt.datetime) -> None:
        invitation = self.invitations[spec.name, identifier]
        invitation_revoke(context=self._context(spec, spec.owner), invitation_id=invitation.pk)
        self.responded_times[invitation.pk] = when

    def _verify(self, spec: BusinessSpec, when: dt.datetime) -> None:
        business = business_verify(business=self.businesses[spec.name], operator=self.users[OPERATOR_EMAIL])
        self.verified[business.pk] = when

    def _describe_again(self, spec: BusinessSpec, when: dt.datetime) -> None:
        business = self.businesses[spec.name]
        business_update(
            context=self._context(spec, spec.owner),
            name=business.name,
            category_slug=spec.category,
            city=business.city,
            whatsapp=business.whatsapp,
            description=spec.later_description,
        )
        self.updated[business.pk] = when

    def _customer_signup(self, person: Person, channel: str, when: dt.datetime) -> None:
        self._signup(person, when, channel=channel)
        self.customers_done += 1
        if self.customers_done % 100 == 0 or self.customers_done == self.customer_count:
            self.progress(f"customers: {self.customers_done}/{self.customer_count}")

    def _login(self, person: Person, channel: str, when: dt.datetime) -> None:
        user = self.users[_key(person)]
        activity_record(verb=AccountVerb.LOGGED_IN, actor=user, target=user, channel=channel, occurred_at=when)
        self.last_login[user.pk] = when

    # -- running -----------------------------------------------------------------------------------

    def run(self) -> None:
        # What the services record carries the real time, later than the story's now. Each step's
        # rows are the newest ones; they are moved to the step's moment at the end, by ranges of ids.
        newest = _newest_activity_id()
        moves: list[tuple[int, int, dt.datetime]] = []
        for event in sorted(self.events):
            when = self.clock.at(event.offset)
            event.action(when)
            latest = _newest_activity_id()
            if latest > newest and event.backdates_activities:
                moves.append((newest, latest, when))
            newest = latest
        _activities_move(moves)

    def backdate(self) -> None:
        """Move the rows the services stamped with the real time to the story's moments."""
        users = list(User.objects.filter(pk__in=self.joined))
        for user in users:
            user.date_joined = self.joined[user.pk]
            user.last_login = self.last_login.get(user.pk)
        User.objects.bulk_update(users, ["date_joined", "last_login"], batch_size=500)

        businesses = list(Business.objects.filter(pk__in=self.registered))
        for business in businesses:
            business.created_at = self.registered[business.pk]
            business.verified_at = self.verified.get(business.pk)
            business.updated_at = max(
                self.registered[business.pk],
                self.verified.get(business.pk, business.created_at),
                self.updated.get(business.pk, business.created_at),
                self.shops.storefront_times.get(business.pk, business.created_at),
            )
        Business.objects.bulk_update(businesses, ["created_at", "updated_at", "verified_at"])

        memberships = list(Membership.objects.filter(business__in=businesses))
        for membership in memberships:
            moment = self.membership_times[membership.business_id, membership.user_id]
            membership.created_at = membership.updated_at = moment
        Membership.objects.bulk_update(memberships, ["created_at", "updated_at"], batch_size=500)

        invitations = list(Invitation.objects.filter(pk__in=self.invitation_times))
        for invitation in invitations:
            invitation.created_at = self.invitation_times[invitation.pk]
            invitation.responded_at = self.responded_times.get(invitation.pk)
            invitation.updated_at = invitation.responded_at or invitation.created_at
        Invitation.objects.bulk_update(invitations, ["created_at", "updated_at", "responded_at"])
        self.shops.backdate()
        self.orders.backdate()

        # Recorded as it happened: the demo has no backlog of late-arriving activities.
        Activity.objects.filter(occurred_at__lt=self.now, recorded_at__gte=self.now).update(
            recorded_at=models.F("occurred_at")
        )


# --------------------------------------------------------------------------------------------------
# Storefronts: what each shop shows, and what customers do there.

# (value, weight): how many shops a customer follows, products they favourite, comments they write.
FOLLOWS = ((0, 18), (1, 26), (2, 22), (3, 15), (4, 11), (5, 8))
FAVOURITES = tuple(zip(range(13), (16, 14, 13, 12, 10, 8, 7, 6, 5, 3, 3, 2, 1), strict=True))
COMMENTS = ((0, 52), (1, 24), (2, 12), (3, 8), (4, 4))
SHARE_CHANNELS = (
    (ShareChannel.WHATSAPP, 55),
    (ShareChannel.COPY, 12),
    (ShareChannel.NATIVE, 12),
    (ShareChannel.FACEBOOK, 9),
    (ShareChannel.TELEGRAM, 5),
    (ShareChannel.EMAIL, 4),
    (ShareChannel.SMS, 3),
)
QUESTION_SHARE = 0.6  # of comments, the share that are questions
ANSWERED_SHARE = 0.88  # of questions, the share the shop answers (the newest may still wait)
THANKED_SHARE = 0.3  # of plain comments, the share the shop thanks for
BROWSING_VIEWS = 7  # pages a customer opens, on average, besides the products they favourite
# The fixed customers have a feed to show as soon as they log in.
PERSONA_FOLLOWS: dict[Person, tuple[str, ...]] = {
    CUSTOMER_BUDI: ("Batik Sari", "Kopi Kembang", "Dapur Bu Ani", "Roti Sekar Bali", "Servis HP Cepat Pulih"),
    CUSTOMER_EMILY: ("Batik Sari", "Roti Sekar Bali", "Kopi Kembang"),
}
PERSONA_FAVOURITES = 10
CATALOGUE_ROLES = (Role.OWNER, Role.MANAGER)

ProductKey = tuple[str, int]  # (business name, index of the product in its storefront spec)


def _sample(rng: random.Random, items: Sequence[Any], weights: Sequence[float], count: int) -> list[Any]:
    """Up to ``count`` different items, the heavier ones more likely."""
    pool = list(zip(items, weights, strict=True))
    chosen = []
    for _ in range(min(count, len(pool))):
        index = rng.choices(range(len(pool)), weights=[weight for _, weight in pool])[0]
        chosen.append(pool.pop(index)[0])
    return chosen


def _look(product: ProductSpec) -> Look:
    main, second, accent = product.colours
    return Look(main, second, accent, product.backdrop)


def _shop_look(spec: BusinessSpec) -> Look:
    return Look(spec.background, spec.accent, spec.accent, spec.accent)


def _cover_job(spec: BusinessSpec) -> Callable[[], bytes]:
    shop = STOREFRONTS[spec.name]
    best: list[ProductSpec] = []  # the most popular things, three different kinds of them
    for product in sorted(shop.products, key=lambda product: -product.popularity):
        if product.state == storefronts.PUBLISHED and all(product.motif != other.motif for other in best):
            best.append(product)
    return partial(
        pictures.cover_picture,
        shop.tagline,
        shop.subline,
        _shop_look(spec),
        pattern_kind=shop.pattern,
        things=tuple((product.motif, product.variant, _look(product), product.text) for product in best[:3]),
        size=pictures.COVER_SIZE,
    )


def _photo_job(spec: BusinessSpec, product: ProductSpec, shot: int) -> Callable[[], bytes]:
    return partial(
        pictures.product_photo,
        product.motif,
        product.variant,
        _look(product),
        label=product.label,
        shop=spec.name,
        shot=shot,
        text=product.text,
        side=pictures.PHOTO_SIDE,
    )


def _post_job(spec: BusinessSpec, number: int) -> Callable[[], bytes]:
    shop = STOREFRONTS[spec.name]
    post = shop.posts[number]
    shown = shop.products[post.tags[0]]
    return partial(
        pictures.post_picture,
        post.headline,
        post.subline,
        _shop_look(spec),
        shop=spec.name,
        motif_name=shown.motif,
        variant=shown.variant,
        motif_look=_look(shown),
        badge=post.badge,
        pattern_kind=shop.pattern,
        text=shown.text,
        side=pictures.POST_SIDE,
    )


class _Pictures:
    """The pictures the story uploads, drawn ahead of the steps that need them.

    Drawing them takes seconds; when the machine has a second core, another process draws them
    in the order the steps will ask for them while this one writes. Otherwise (or should that
    process fail) each is drawn when asked for.
    """

    def __init__(self) -> None:
        self.jobs: dict[Hashable, tuple[float, Callable[[], bytes]]] = {}
        self.futures: dict[Hashable, Future[bytes]] = {}
        self.pool: ProcessPoolExecutor | None = None

    def want(self, key: Hashable, offset: float, job: Callable[[], bytes]) -> None:
        self.jobs[key] = (offset, job)

    def get(self, key: Hashable) -> bytes:
        future = self.futures.pop(key, None)
        if future is not None:
            try:
                return future.result()
            except BrokenProcessPool:
                pass
        return self.jobs[key][1]()

    def __enter__(self) -> "_Pictures":
        # A forked helper starts at once and imports nothing; it only draws (it never touches the
        # database connection it inherits) and leaves without closing anything.
        if (os.cpu_count() or 1) > 1 and self.jobs and "fork" in multiprocessing.get_all_start_methods():
            try:
                self.pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
                for key, (_offset, job) in sorted(self.jobs.items(), key=lambda item: item[1][0]):
                    self.futures[key] = self.pool.submit(job)
            except (OSError, ValueError, NotImplementedError):  # no such start method, no semaphores...
                self.pool, self.futures = None, {}
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool, self.futures = None, {}


class _Shops:
    """The storefront part of the story: each shop's storefront, products and posts, and what
    customers and passers-by do there (follow, favourite, ask and comment, look, share).

    Planned after the rest of the story, from its own random stream; a customer acts only after
    signing up, and only on a product while it is public.
    """

    def __init__(self, story: "_Story") -> None:
        self.story = story
        self.opened: dict[str, float] = {}
        self.team: dict[str, list[tuple[Person, str, float]]] = {}
        self.customers: list[tuple[Person, float, str]] = []
        self.windows: dict[ProductKey, tuple[float, float]] = {}  # when each product is public
        self.products: dict[ProductKey, Product] = {}
        self.comments: list[Comment | None] = []  # planned comment number -> its row, once written
        self.seen: set[tuple[str, str, int, int]] = set()  # (visitor, shop, product index or -1, hour)
        self.pictures = _Pictures()
        self.said: dict[ProductKey, set[str]] = {}  # what was already asked or said about a product
        self.planned: Counter[str] = Counter()
        self.done: Counter[str] = Counter()
        # The story's moments of the rows written, to move them there afterwards.
        self.storefront_times: dict[int, dt.datetime] = {}
        self.product_times: dict[int, dt.datetime] = {}
        self.product_updates: dict[int, dt.datetime] = {}
        self.post_times: dict[int, dt.datetime] = {}
        self.follow_times: dict[int, dt.datetime] = {}
        self.favourite_times: dict[int, dt.datetime] = {}
        self.comment_times: dict[int, dt.datetime] = {}

    @property
    def rng(self) -> random.Random:
        return self.story.shop_rng

    @property
    def span(self) -> float:
        return self.story.clock.span

    def _add(
        self, offset: float, action: Callable[[dt.datetime], object], kind: str = "", *, backdates: bool = True
    ) -> None:
        self.story._add(offset, action, backdates=backdates)
        if kind:
            self.planned[kind] += 1

    def _count(self, kind: str, message: Callable[[int], str]) -> None:
        self.done[kind] += 1
        if self.done[kind] == self.planned[kind]:
            self.story.progress(message(self.done[kind]))

    # -- planning ----------------------------------------------------------------------------------

    def plan(self) -> None:
        for spec in BUSINESSES:
            self._plan_shop(spec)
        for person, signed_up, channel in self.customers:
            self._plan_customer(person, signed_up, channel)
        for _ in range(self.story.customer_count):  # as many passers-by as customers
            self._plan_passer_by()

    def _catalogue_keeper(self, name: str, offset: float) -> Person:
        """Who adds products and posts: the owner, or sometimes a manager already in the team."""
        members = [person for person, role, joined in self.team[name] if role in CATALOGUE_ROLES and joined < offset]
        owner = self.team[name][0][0]
        managers = [person for person in members if person != owner]
        return self.rng.choice(managers) if managers and self.rng.random() < 0.4 else owner

    def _plan_shop(self, spec: BusinessSpec) -> None:
        rng, scale, span = self.rng, self.story.scale, self.span
        shop = STOREFRONTS[spec.name]
        opened = self.opened[spec.name]
        storefront_set = opened + 0.01 + rng.uniform(0, 0.4) * scale
        self._add(storefront_set, partial(self._storefront_set, spec))
        self.pictures.want(("cover", spec.name), storefront_set, _cover_job(spec))
        first_listed = []
        for index, product in enumerate(shop.products):
            if product.late:
                created = rng.uniform(0.6, 0.99) * span
            else:
                created = opened + 0.02 + rng.uniform(0.05, 10) * scale
                first_listed.append(created)
            created = min(max(created, opened + 0.02), span - 0.02)
            hidden = created + (span - created) * rng.uniform(0.4, 0.7) if product.state == storefronts.HIDDEN else None
            if product.state != storefronts.DRAFT:
                self.windows[spec.name, index] = (created + 0.002, (hidden or span) - 0.002)
            keeper = self._catalogue_keeper(spec.name, created)
            self._add(created, partial(self._product_create, spec, index, keeper), "products")
            for shot in range(product.photos):
                self.pictures.want(("photo", spec.name, index, shot), created, _photo_job(spec, product, shot))
            if hidden is not None:
                self._add(hidden, partial(self._product_hide, spec, index, keeper))
        # Once the first products are in, the owner puts the favourites at the top.
        self._add(max(first_listed) + 0.01, partial(self._products_arrange, spec))
        for number, post in enumerate(shop.posts):
            ready = max(self.windows[spec.name, tag][0] for tag in post.tags) + 0.002
            slot = opened + (span - opened) * (number + rng.uniform(0.3, 0.95)) / len(shop.posts)
            if number == len(shop.posts) - 1:  # the latest news is fresh
                slot = span - 0.05 - rng.uniform(0, 4) * scale
            when = min(max(slot, ready), span - 0.01)
            self.pictures.want(("post", spec.name, number), when, _post_job(spec, number))
            self._add(when, partial(self._post_create, spec, number, self._catalogue_keeper(spec.name, when)), "posts")

    def _window(self, key: ProductKey, start: float) -> tuple[float, float] | None:
        low, high = self.windows[key]
        low = max(low, start)
        return (low, high) if high - low > 0.004 else None

    def _plan_customer(self, person: Person, signed_up: float, channel: str) -> None:
        rng, span = self.rng, self.span
        start = signed_up + 0.005
        visitor = f"{rng.getrandbits(128):032x}"
        if start > span - 0.01:
            return
        names = [spec.name for spec in BUSINESSES]
        if person in PERSONA_FOLLOWS:
            followed = list(PERSONA_FOLLOWS[person])
            favourite_count, comment_count = PERSONA_FAVOURITES, 3
        else:
            shop_weights = [STOREFRONTS[name].popularity for name in names]
            followed = _sample(rng, names, shop_weights, _weighted(rng, FOLLOWS))
            favourite_count, comment_count = _weighted(rng, FAVOURITES), _weighted(rng, COMMENTS)
        for name in followed:
            low = max(start, self.opened[name] + 0.05)
            self._add(low + (span - low) * rng.random() ** 1.5, partial(self._follow, person, name, channel), "follows")

        products = list(self.windows)
        weights = [
            STOREFRONTS[name].products[index].popularity
            * (2.5 if name in followed else 1.0)
            * STOREFRONTS[name].popularity ** 0.5
            for name, index in products
        ]
        liked = []
        for key in _sample(rng, products, weights, favourite_count):
            window = self._window(key, start)
            if window is None:
                continue
            low, high = window
            when = low + (high - low) * rng.random() ** 0.6  # more of them lately, as the shops grow
            self._plan_view(visitor, person, key, max(low, when - rng.uniform(0.002, 0.03)))
            self._add(when, partial(self._favourite, person, key, channel), "favourites")
            liked.append(key)
            if when > span - 1.5 and rng.random() < 0.5:
                # Liked today, and came back to look at it twice more: the shop hears of the interest.
                for hours in (1.5, 3.5):
                    again = when + rng.choice((-1, 1)) * hours / self.story.clock.open_hours
                    if int(again) == int(when) and again > start:
                        self._plan_view(visitor, person, key, again)

        for _ in range(comment_count):
            key = rng.choice(liked) if liked and rng.random() < 0.6 else _sample(rng, products, weights, 1)[0]
            window = self._window(key, start)
            if window is not None:
                low, high = window
                self._plan_comment(person, key, low + (high - low) * rng.random() ** 0.7, channel)

        for _ in range(min(40, int(rng.expovariate(1 / BROWSING_VIEWS)))):
            if rng.random() < 0.35:
                shop_weights = [STOREFRONTS[name].popularity * (3 if name in followed else 1) for name in names]
                name = _sample(rng, names, shop_weights, 1)[0]
                low = max(start, self.opened[name] + 0.02)
                self._plan_view(visitor, person, (name, -1), low + (span - low) * rng.random() ** 0.5)
            else:
                key = _sample(rng, products, weights, 1)[0]
                window = self._window(key, start)
                if window is not None:
                    low, high = window
                    self._plan_view(visitor, person, key, low + (high - low) * rng.random() ** 0.5)

        if rng.random() < 0.3:
            for _ in range(rng.randint(1, 2)):
                channel_used = _weighted(rng, SHARE_CHANNELS)
                if liked and rng.random() < 0.7:
                    key = rng.choice(liked)
                    window = self._window(key, start)
                    if window is not None:
                        when = window[0] + (window[1] - window[0]) * rng.random()
                        self._add(when, partial(self._share, person, key, channel_used), "shares")
                elif followed:
                    name = rng.choice(followed)
                    low = max(start, self.opened[name] + 0.05)
                    when = low + (span - low) * rng.random()
                    self._add(when, partial(self._share, person, (name, -1), channel_used), "shares")

    def _plan_comment(self, person: Person, key: ProductKey, when: float, channel: str) -> None:
        rng = self.rng
        shop = STOREFRONTS[key[0]]
        talk = shop.conversation
        english = person.language == Language.ENGLISH
        asks = rng.random() < QUESTION_SHARE
        if asks:
            if english:
                pool = talk.questions_en + storefronts.QUESTIONS_ANYWHERE_EN
            else:
                shipping = storefronts.SHIPPING_QUESTIONS if shop.ships else ()
                pool = talk.questions * 2 + storefronts.QUESTIONS_ANYWHERE + shipping
            body, reply = rng.choice(self._fresh(key, pool, lambda pair: pair[0]))
        else:
            if english:
                pool_said = talk.comments_en + storefronts.COMMENTS_ANYWHERE_EN
            else:
                pool_said = talk.comments * 2 + storefronts.COMMENTS_ANYWHERE
            body = rng.choice(self._fresh(key, pool_said, lambda text: text))
            reply = rng.choice(storefronts.THANKS_EN if english else storefronts.THANKS)
        self.said.setdefault(key, set()).add(body)
        number = len(self.comments)
        self.comments.append(None)
        kind = CommentKind.QUESTION if asks else CommentKind.COMMENT
        self._add(when, partial(self._comment, number, person, key, body, kind, channel), "comments")
        if rng.random() < (ANSWERED_SHARE if asks else THANKED_SHARE):
            replied = when + rng.uniform(0.02, 0.7)  # within hours, in the shop's own time
            staff = self._answerer(key[0], replied)
            if staff is not None and replied < self.span:
                self._add(replied, partial(self._answer, number, staff, reply), "answers")

    def _fresh(self, key: ProductKey, pool: Sequence[Any], text_of: Callable[[Any], str]) -> Sequence[Any]:
        """The lines of ``pool`` nobody wrote about this product yet (all of them once all were)."""
        said = self.said.get(key, set())
        unsaid = [line for line in pool if text_of(line) not in said]
        return unsaid or pool

    def _answerer(self, name: str, offset: float) -> Person | None:
        roles = STOREFRONTS[name].answer_roles
        members = [
            (person, roles[role]) for person, role, joined in self.team[name] if role in roles and joined < offset
        ]
        return _weighted(self.rng, members) if members else None

    def _plan_passer_by(self) -> None:
        """Someone who is not signed in: a few pages in one sitting, sometimes a link passed on."""
        rng, span = self.rng, self.span
        visitor = f"{rng.getrandbits(128):032x}"
        sitting = span * rng.random() ** 0.5
        names = [spec.name for spec in BUSINESSES]
        products = list(self.windows)
        weights = [STOREFRONTS[name].products[index].popularity for name, index in products]
        for _ in range(1 + min(8, int(rng.expovariate(1 / 2)))):
            when = min(span, sitting + rng.uniform(0, 0.04))
            if rng.random() < 0.4:
                name = _sample(rng, names, [STOREFRONTS[name].popularity for name in names], 1)[0]
                self._plan_view(visitor, None, (name, -1), when)
            else:
                self._plan_view(visitor, None, _sample(rng, products, weights, 1)[0], when)
        if rng.random() < 0.08:
            key = _sample(rng, products, weights, 1)[0]
            low, high = self.windows[key]
            if low < sitting < high:
                self._add(sitting, partial(self._share, None, key, _weighted(rng, SHARE_CHANNELS)), "shares")

    def _plan_view(self, visitor: str, person: Person | None, key: ProductKey, when: float) -> None:
        """A page seen by a visitor; seen again within the same hour, it is the same view (as in the app)."""
        name, index = key
        if index >= 0:
            low, high = self.windows[key]
            if not low <= when <= high:
                return
        elif when < self.opened[name] + 0.02:
            return
        if when > self.span:
            return
        hour = int(self.story.clock.at(when).timestamp() // VIEW_WINDOW.total_seconds())
        if (visitor, name, index, hour) in self.seen:
            return
        self.seen.add((visitor, name, index, hour))
        self._add(when, partial(self._view, visitor, person, key), "views", backdates=False)

    # -- the steps ---------------------------------------------------------------------------------

    def _user(self, person: Person) -> User:
        return self.story.users[_key(person)]

    def _storefront_set(self, spec: BusinessSpec, when: dt.datetime) -> None:
        shop = STOREFRONTS[spec.name]
        business = business_storefront_update(
            context=self.story._context(spec, spec.owner),
            address=shop.address,
            latitude=shop.latitude,
            longitude=shop.longitude,
            opening_hours=shop.hours,
            cover=SimpleUploadedFile("cover.jpg", self.pictures.get(("cover", spec.name)), content_type="image/jpeg"),
        )
        self.storefront_times[business.pk] = when

    def _product_create(self, spec: BusinessSpec, index: int, keeper: Person, when: dt.datetime) -> None:
        product = STOREFRONTS[spec.name].products[index]
        photos = [
            SimpleUploadedFile(
                f"{product.sku or 'foto'}-{shot + 1}.jpg",
                self.pictures.get(("photo", spec.name, index, shot)),
                content_type="image/jpeg",
            )
            for shot in range(product.photos)
        ]
        row = product_create(
            context=self.story._context(spec, keeper),
            title=product.title,
            price_minor=product.price,
            description=product.description,
            compare_at_minor=product.compare_at,
            stock=product.stock,
            sku=product.sku,
            images=photos,
            publish=product.state != storefronts.DRAFT,
        )
        self.products[spec.name, index] = row
        self.product_times[row.pk] = when
        self._count("products", lambda count: f"products: {count}, with their photos")

    def _product_hide(self, spec: BusinessSpec, index: int, keeper: Person, when: dt.datetime) -> None:
        row = product_hide(context=self.story._context(spec, keeper), product_id=self.products[spec.name, index].pk)
        self.product_updates[row.pk] = when

    def _products_arrange(self, spec: BusinessSpec, when: dt.datetime) -> None:
        shop = STOREFRONTS[spec.name]
        listed = [index for index, product in enumerate(shop.products) if (spec.name, index) in self.products]
        listed.sort(key=lambda index: -shop.products[index].popularity)
        product_reorder(
            context=self.story._context(spec, spec.owner),
            ordered_ids=[self.products[spec.name, index].pk for index in listed],
        )

    def _post_create(self, spec: BusinessSpec, number: int, keeper: Person, when: dt.datetime) -> None:
        shop = STOREFRONTS[spec.name]
        post = shop.posts[number]
        picture = self.pictures.get(("post", spec.name, number))
        row = post_create(
            context=self.story._context(spec, keeper),
            image=SimpleUploadedFile("post.jpg", picture, content_type="image/jpeg"),
            caption=post.caption,
            product_ids=[self.products[spec.name, tag].pk for tag in post.tags],
        )
        self.post_times[row.pk] = when
        self._count("posts", lambda count: f"showcase posts: {count}")

    def _follow(self, person: Person, name: str, channel: str, when: dt.datetime) -> None:
        row = follow_add(user=self._user(person), business=self.story.businesses[name], channel=channel)
        self.follow_times[row.pk] = when

    def _favourite(self, person: Person, key: ProductKey, channel: str, when: dt.datetime) -> None:
        row = favourite_add(user=self._user(person), product_id=self.products[key].pk, channel=channel)
        self.favourite_times[row.pk] = when

    def _comment(
        self, number: int, person: Person, key: ProductKey, body: str, kind: str, channel: str, when: dt.datetime
    ) -> None:
        row = comment_add(
            user=self._user(person), product_id=self.products[key].pk, body=body, kind=kind, channel=channel
        )
        self.comments[number] = row
        self.comment_times[row.pk] = when

    def _answer(self, number: int, staff: Person, body: str, when: dt.datetime) -> None:
        question = self.comments[number]
        if question is None:  # pragma: no cover - an answer is always planned after its question
            raise RuntimeError("an answer before its question")
        row = comment_answer(user=self._user(staff), comment_id=question.pk, body=body)
        self.comment_times[row.pk] = when

    def _view(self, visitor: str, person: Person | None, key: ProductKey, when: dt.datetime) -> None:
        """A view, recorded as ``catalog.services.view_record`` does, in the story's hour rather than the
        real one (whose window would make every later view of the same page a repeat)."""
        name, index = key
        business = self.story.businesses[name]
        target: models.Model = self.products[key] if index >= 0 else business
        verb = CatalogVerb.VIEWED_PRODUCT if index >= 0 else CatalogVerb.VIEWED_BUSINESS
        hour = int(when.timestamp() // VIEW_WINDOW.total_seconds())
        activity_record(
            verb=verb,
            business=business,
            actor=self._user(person) if person is not None else None,
            target=target,
            data={"visitor": visitor},
            channel=Channel.WEB,
            occurred_at=when,
            idempotency_key=f"view:{verb}:{target.pk}:{visitor}:{hour}",
        )
        self._count("views", lambda count: f"storefront and product views: {count}")

    def _share(self, person: Person | None, key: ProductKey, channel: str, when: dt.datetime) -> None:
        name, index = key
        user = self._user(person) if person is not None else None
        if index >= 0:
            share_record(user=user, what=ShareTarget.PRODUCT, product_id=self.products[key].pk, share_channel=channel)
        else:
            business = self.story.businesses[name]
            share_record(user=user, what=ShareTarget.BUSINESS, business_slug=business.slug, share_channel=channel)

    # -- afterwards --------------------------------------------------------------------------------

    def backdate(self) -> None:
        products = list(Product.objects.filter(pk__in=self.product_times))
        for product in products:
            created = self.product_times[product.pk]
            product.created_at = created
            product.updated_at = self.product_updates.get(product.pk, created)
            if product.published_at is not None:
                product.published_at = created
        Product.objects.bulk_update(products, ["created_at", "updated_at", "published_at"], batch_size=500)
        images = list(ProductImage.objects.filter(product__in=products))
        for image in images:
            image.created_at = self.product_times[image.product_id]
        ProductImage.objects.bulk_update(images, ["created_at"], batch_size=500)
        posts = list(Post.objects.filter(pk__in=self.post_times))
        for post in posts:
            post.created_at = post.updated_at = post.published_at = self.post_times[post.pk]
        Post.objects.bulk_update(posts, ["created_at", "updated_at", "published_at"])
        for model, times in (
            (Follow, self.follow_times),
            (Favourite, self.favourite_times),
            (Comment, self.comment_times),
        ):
            _created_at_set(model, times)


def _created_at_set(model: type[models.Model], times: dict[int, dt.datetime]) -> None:
    """Give each row its story moment; the rows are found by a range of keys (no list of thousands)."""
    if not times:
        return
    rows = [row for row in model._base_manager.filter(pk__range=(min(times), max(times))).only("pk") if row.pk in times]
    for row in rows:
        row.created_at = times[row.pk]  # type: ignore[attr-defined]
    model._base_manager.bulk_update(rows, ["created_at"], batch_size=500)


def _newest_activity_id() -> int:
    """The highest activity id: one cheap query after each of thousands of steps."""
    table = connection.ops.quote_name(Activity._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {table}")  # noqa: S608 - a fixed table name
        row = cursor.fetchone()
    return int(row[0] or 0) if row else 0


def _activities_move(moves: Sequence[tuple[int, int, dt.datetime]]) -> None:
    """Set ``occurred_at`` of the activities with ids in (low, high] to ``when``, for each move.

    One statement run once per move, each finding its few rows by a range of the primary key: a
    quarter of the time of ``CASE`` updates over wide ranges of ids.
    """
    if not moves:
        return
    ops = connection.ops
    table = ops.quote_name(Activity._meta.db_table)
    column, key = ops.quote_name("occurred_at"), ops.quote_name("id")  # the model's own column names
    rows = [(ops.adapt_datetimefield_value(when), low, high) for low, high, when in moves]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {column} = %s WHERE {key} > %s AND {key} <= %s", rows)  # noqa: S608


def _key(person: Person) -> str:
    return person.phone or person.email


def _reserved_identifiers() -> list[str]:
    """Every phone number and email address of the fixed cast, kept away from generated customers."""
    people = [OPERATOR_EMAIL]
    for spec in BUSINESSES:
        for person in (spec.owner, *(member.person for member in spec.team)):
            people += [identifier for identifier in (person.phone, person.email) if identifier]
        people += [identifier for identifier, _role in (*spec.pending, *spec.revoked)]
    for person in CUSTOMER_PERSONAS:
        people += [identifier for identifier in (person.phone, person.email) if identifier]
    return people


# Every uploaded file a business's rows point at: logos and covers, product photos, post pictures.
UPLOADS: tuple[tuple[type[models.Model], tuple[str, ...]], ...] = (
    (Business, ("logo", "cover")),
    (ProductImage, ("detail", "thumbnail")),
    (Post, ("image", "thumbnail")),
    (Payment, ("proof",)),
)


def _wipe() -> None:
    """Delete every business and user and everything that hangs off them; keep business fields.

    Their uploaded files go too, once the deletion is committed.
    """
    files = []
    for model, names in UPLOADS:
        for row in model._base_manager.only(*names).iterator():
            files += [getattr(row, name) for name in names if getattr(row, name)]
    done: set[type[models.Model]] = set()
    _wipe_model(Business, done)
    _wipe_model(User, done)
    Session.objects.all().delete()

    def remove_files() -> None:
        for file in files:
            file.storage.delete(file.name)

    transaction.on_commit(remove_files)


def _wipe_model(model: type[models.Model], done: set[type[models.Model]]) -> None:
    """Delete all rows of ``model``; first empty the tables that protect them from deletion.

    Cascades take care of rows that depend on ``model``; a table whose foreign key PROTECTs them
    (such as ``Activity`` for businesses), at any depth of the cascade, is emptied before.
    """
    _empty_protecting(model, done)
    model._base_manager.all().delete()


def _empty_protecting(model: type[models.Model], done: set[type[models.Model]]) -> None:
    if model in done:
        return
    done.add(model)
    # Hidden relations too: ``Activity`` points at businesses with ``related_name="+"``.
    for relation in model._meta.get_fields(include_hidden=True):
        if not isinstance(relation, ForeignObjectRel) or relation.many_to_many:
            continue
        related = relation.related_model
        if not isinstance(related, type) or related is model:
            continue
        if relation.on_delete in (models.PROTECT, models.RESTRICT):
            _wipe_model(related, done)
        elif relation.on_delete is models.CASCADE:
            _empty_protecting(related, done)


def _categories_ensure() -> None:
    existing = set(Category.objects.values_list("slug", flat=True))
    for position, (slug, (name_id, name_en)) in enumerate(CATEGORY_NAMES.items()):
        if slug not in existing:
            category_ensure(slug=slug, name_id=name_id, name_en=name_en, position=position)


def demo_summary() -> DemoSummary:
    business_rows = Business.objects.all()
    roles = Counter(Membership.objects.values_list("role", flat=True))
    span = Activity.objects.aggregate(first=Min("occurred_at"), last=Max("occurred_at"))
    questions = Comment.objects.filter(kind=CommentKind.QUESTION)
    return DemoSummary(
        businesses=business_rows.count(),
        verified_businesses=business_rows.filter(is_verified=True).count(),
        categories=business_rows.values("category").distinct().count(),
        cities=business_rows.values("city").distinct().count(),
        members_by_role={role: roles[role] for role in Role.values},
        pending_invitations=Invitation.objects.filter(status=InvitationStatus.PENDING).count(),
        customers=User.objects.filter(memberships__isnull=True, is_staff=False).count(),
        operators=User.objects.filter(is_staff=True).count(),
        activities=Activity.objects.count(),
        first_activity=span["first"],
        last_activity=span["last"],
        products=Product.objects.count(),
        published_products=Product.objects.filter(status=ProductStatus.PUBLISHED, is_hidden=False).count(),
        product_photos=ProductImage.objects.count(),
        posts=Post.objects.count(),
        follows=Follow.objects.count(),
        favourites=Favourite.objects.count(),
        questions=questions.count(),
        answered_questions=questions.filter(answers__isnull=False).distinct().count(),
        comments=Comment.objects.count(),
        views=Activity.objects.filter(verb__in=[CatalogVerb.VIEWED_BUSINESS, CatalogVerb.VIEWED_PRODUCT]).count(),
        shares=Activity.objects.filter(verb=EngagementVerb.SHARED).count(),
        orders=Order.objects.count(),
        open_orders=Order.objects.exclude(status__in=[OrderStatus.COMPLETED, OrderStatus.CANCELLED]).count(),
        payments=Payment.objects.count(),
        payments_waiting=Payment.objects.filter(status=PaymentStatus.PENDING).count(),
        reviews=Review.objects.count(),
    )


def demo_seed(
    *,
    seed: int = 2026,
    customers: int = 300,
    days: int = 90,
    reset: bool = False,
    progress: Progress | None = None,
    now: dt.datetime | None = None,
) -> DemoSummary:
    """Load the demo data set in one transaction and return what is in the database afterwards.

    With ``reset`` every business and user (and all that belongs to them) is deleted first;
    without it, a database that already holds the demo raises :class:`DemoAlreadyLoaded`. ``now`` is
    the story's present (default: this moment); the same seed and ``now`` give the same data, while
    two loads moments apart may differ by a step that fell between them.
    """
    if customers < 0 or days < 1:
        raise ValueError("customers must be 0 or more and days 1 or more")
    say = progress or (lambda message: None)
    # One real hash for everyone, computed once: Argon2 is slow on purpose.
    password_hash = make_password(DEMO_PASSWORD, hasher="argon2")
    now = now or timezone.now()
    with transaction.atomic():
        if reset:
            say("deleting the previous data")
            _wipe()
        elif demo_is_loaded():
            raise DemoAlreadyLoaded()
        _categories_ensure()
        story = _Story(seed=seed, customers=customers, days=days, now=now, progress=say)
        story.plan()
        say(f"{len(story.events)} steps over {days} day{'' if days == 1 else 's'}")
        fast_hashing = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        with override_settings(PASSWORD_HASHERS=fast_hashing), story.shops.pictures, orders_log_quiet():
            story.run()
        say("moving everything to its day")
        story.backdate()
        say("counting the dashboard's numbers")
        story.orders.rollups_fill()
        say("knowing the customers: totals, RFM, loyalty and preferences")
        for business in Business.objects.order_by("pk"):
            contacts_aggregates_rebuild(business=business)
            customer_scores_recompute(business=business, now=now, preferences="all")
        User.objects.filter(pk__in=story.joined).update(password=password_hash)
        return demo_summary()
