"""The demo data set: businesses in several fields and cities, their teams, a few hundred customers
and months of their activity, built through the apps' services.

Everything random comes from ``random.Random(seed)`` and every moment is placed relative to one
"now" taken when seeding starts, so one seed always tells the same story: the same businesses,
people, numbers and rhythm of visits, only shifted to end today.

Services stamp what they write with the current time; the story happens over weeks. So each step
runs at the real time and its rows are then moved back to the moment the story gives them, with bulk
updates (users' ``date_joined``, businesses' and teams' timestamps, and every ``Activity``'s
``occurred_at``). Activities recorded by the seed are processed like any other, after commit.
"""

import datetime as dt
import io
import random
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
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
from etalase.core.phones import InvalidPhoneNumber, phone_normalize
from etalase.directory.enums import InvitationStatus, Role
from etalase.directory.models import Business, Category, Invitation, Membership
from etalase.directory.services import (
    business_register,
    business_update,
    business_verify,
    category_ensure,
    invitation_create,
    invitation_revoke,
    invitations_accept_for_new_user,
)
from etalase.directory.tenancy import BusinessContext, business_context_resolve

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

    def _plan_business(self, index: int, spec: BusinessSpec) -> None:
        rng = self.time_rng
        registered = (index + rng.random()) / len(BUSINESSES) * 6 * self.scale + 0.03
        self._add(registered - 0.02, partial(self._signup, spec.owner))
        self._add(registered, partial(self._business_register, spec))
        self._plan_staff_logins(spec.owner, Role.OWNER, registered)
        joined_at = [registered]
        for member in spec.team:
            inviter_joined = registered if member.invited_by is None else joined_at[member.invited_by + 1]
            invited = self._later(inviter_joined, 0.1, 4)
            joined = self._later(invited, 0.05, 1.5)
            self._add(invited, partial(self._invite, spec, member))
            self._add(joined, partial(self._staff_signup, member))
            self._plan_staff_logins(member.person, member.role, joined)
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
        for membership in invitations_accept_for_new_user(user=user):
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
        for event in sorted(self.events):
            when = self.clock.at(event.offset)
            event.action(when)
            if event.backdates_activities:
                # What the services just recorded carries the real time, later than the story's now.
                Activity.objects.filter(occurred_at__gte=self.now).update(occurred_at=when)

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

        # Recorded as it happened: the demo has no backlog of late-arriving activities.
        Activity.objects.filter(occurred_at__lt=self.now, recorded_at__gte=self.now).update(
            recorded_at=models.F("occurred_at")
        )


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


def _wipe() -> None:
    """Delete every business and user and everything that hangs off them; keep business fields."""
    logos = [business.logo for business in Business.objects.exclude(logo="").only("logo")]
    done: set[type[models.Model]] = set()
    _wipe_model(Business, done)
    _wipe_model(User, done)
    Session.objects.all().delete()

    def remove_logos() -> None:
        for logo in logos:
            if logo.name:
                logo.storage.delete(logo.name)

    transaction.on_commit(remove_logos)


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
    )


def demo_seed(
    *,
    seed: int = 2026,
    customers: int = 300,
    days: int = 90,
    reset: bool = False,
    progress: Progress | None = None,
) -> DemoSummary:
    """Load the demo data set in one transaction and return what is in the database afterwards.

    With ``reset`` every business and user (and all that belongs to them) is deleted first;
    without it, a database that already holds the demo raises :class:`DemoAlreadyLoaded`.
    """
    if customers < 0 or days < 1:
        raise ValueError("customers must be 0 or more and days 1 or more")
    say = progress or (lambda message: None)
    # One real hash for everyone, computed once: Argon2 is slow on purpose.
    password_hash = make_password(DEMO_PASSWORD, hasher="argon2")
    now = timezone.now()
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
        with override_settings(PASSWORD_HASHERS=fast_hashing):
            story.run()
        say("moving everything to its day")
        story.backdate()
        User.objects.filter(pk__in=story.joined).update(password=password_hash)
        return demo_summary()
