"""Orders and payments in the demo: what customers bought at the demo shops over the story's days,
how they paid, and what they thought of it.

Each shop has its habits (``HABITS``): orders on an average day and the weekly rhythm, the share
taken by the team at the counter, by phone or by WhatsApp, pickup or delivery, how people pay (cash,
bank transfer with its proof, QRIS, the online gateway), down payments on big orders, how long an
order takes, how often customers leave a review. Every order is planned first, from its own random
stream, as a list of steps in story time (placed, confirmed, packed, ready or on its way, paid,
confirmed, completed, reviewed; a few cancelled, a few transfers rejected and sent again). A step
that would happen after "now" does not happen yet, so the newest orders wait for the team today.

Then the steps happen, in two ways:

- The last ``RECENT_DAYS`` days go through the orders services, one story step at a time like the
  rest of the demo (``order_place``, ``order_transition``, ``payment_submit``, ``payment_record``,
  ``payment_confirm``, ``payment_reject``, ``gateway_notification_receive``, ``order_cancel``,
  ``review_create``), and their rows are moved to their story moments afterwards.
- The older days are written by :class:`_BulkWriter` as one step of the story, just before the
  recent days: the same rows the services write (orders numbered in turn, lines, status events,
  payments with their trail, gateway notifications, reviews, and activities with the services'
  data), in bulk. Per-order services for all 90 days would take the seed too long. Contacts are
  still made by the customers app's services. A step of an older order planned after that moment
  (a late confirmation, a review) goes through the services. The activities written in bulk are
  history: they are marked processed (notifications ignore anything older than two days anyway)
  and the dashboard's rollups are rebuilt from the activity table at the end of the seed.

Only products with unlimited stock are ordered through the services, so the catalogue's stock stays
as the storefronts describe it whatever the seed. Transfer proofs are small drawn m-banking
screens: each recent transfer uploads its own, older ones share a few stored pictures.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import logging
import math
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models
from django.db.models import Max, Min
from PIL import Image, ImageDraw, ImageFont

from etalase.accounts.models import User
from etalase.activity.enums import Channel
from etalase.activity.models import Activity
from etalase.activity.services import data_contact_id
from etalase.catalog.models import Product
from etalase.core.storage import private_storage
from etalase.customers.enums import ContactSource
from etalase.customers.models import Contact
from etalase.customers.services.contacts import contact_create, contact_for_user
from etalase.demo.storefronts import STOREFRONTS
from etalase.directory.enums import Role
from etalase.directory.models import Business
from etalase.directory.permissions import Permission, permissions_for_role
from etalase.insights.services import rollups_rebuild
from etalase.orders import gateways
from etalase.orders.enums import Fulfilment, OrderChannel, OrderStatus, PaymentMethod, PaymentStatus, Verb
from etalase.orders.models import GatewayNotification, Order, OrderCounter, OrderEvent, OrderLine, Payment, Review
from etalase.orders.services.gateway import gateway_notification_receive
from etalase.orders.services.order_settings import order_settings_update
from etalase.orders.services.payments import payment_confirm, payment_record, payment_reject, payment_submit
from etalase.orders.services.placement import ACTIVITY_CHANNEL, LineRequest, order_place
from etalase.orders.services.reviews import review_create
from etalase.orders.services.status import order_cancel, order_transition

if TYPE_CHECKING:
    from etalase.demo.data import BusinessSpec, Person, _Story

RECENT_DAYS = 14
"""The last days whose orders go through the orders services one step at a time."""

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
S = OrderStatus
M = PaymentMethod

# --------------------------------------------------------------------------------------------------
# What each shop is like.


@dataclass(frozen=True)
class Habits:
    per_day: float  # orders on an average day (the shops grow: fewer at the start, more lately)
    weekly: tuple[float, float, float, float, float, float, float]  # Monday first
    settings: dict[str, Any]  # ``order_settings_update`` fields
    staff_share: float  # orders the team takes (counter, phone, WhatsApp) rather than the storefront
    staff_channels: tuple[tuple[str, int], ...]
    delivery_share: float  # of storefront, phone and WhatsApp orders, when the shop delivers
    online_methods: tuple[tuple[str, int], ...]  # how storefront customers pay
    counter_methods: tuple[tuple[str, int], ...]  # how customers of orders the team took pay
    lines: tuple[tuple[int, int], ...] = ((1, 65), (2, 27), (3, 8))
    quantities: tuple[tuple[int, int], ...] = ((1, 78), (2, 17), (3, 5))
    many: dict[int, tuple[int, int]] = field(default_factory=dict)  # product index -> quantity range
    # Durations are in opening hours (the story skips the nights): 15 are about a day.
    ready_hours: tuple[float, float] = (0.5, 4.0)  # from confirmed to ready or on its way
    counter_hours: tuple[float, float] = (0.05, 0.3)  # a counter order, from confirmed to done (or ready)
    packs: bool = False  # orders are packed before pickup or delivery
    deposit_over: int | None = None  # orders from this total pay half first, by transfer
    review_share: float = 0.3
    notes: tuple[str, ...] = ()
    times: tuple[str, ...] = ()


HABITS: dict[str, Habits] = {
    "Batik Sari": Habits(
        per_day=2.0,
        weekly=(0.9, 0.9, 1.0, 1.0, 1.1, 1.3, 1.1),
        settings={
            "delivery_enabled": True,
            "delivery_fee_minor": 15_000,
            "transfer_enabled": True,
            "bank_details": "BCA 0123 456 789 a.n. Sari Wulandari",
            "qris_enabled": True,
            "qris_details": "Scan QRIS Batik Sari di kasir, atau minta kodenya lewat WhatsApp.",
            "gateway_enabled": True,
            "gateway_server_key": "SB-Mid-server-demo-batik-sari",
        },
        staff_share=0.25,
        staff_channels=((OrderChannel.WALK_IN, 5), (OrderChannel.WHATSAPP, 4), (OrderChannel.PHONE, 1)),
        delivery_share=0.55,
        online_methods=((M.TRANSFER, 45), (M.GATEWAY, 30), (M.QRIS, 5), (M.CASH, 20)),
        counter_methods=((M.CASH, 60), (M.QRIS, 30), (M.TRANSFER, 10)),
        ready_hours=(2, 20),
        packs=True,
        deposit_over=1_000_000,
        review_share=0.35,
        notes=("Tolong dibungkus kado ya", "Ukuran L", "Ukuran M", "Warna sesuai foto", "Kirim sebelum Jumat"),
        times=("Besok pagi", "Sabtu siang", "Secepatnya"),
    ),
    "Kopi Kembang": Habits(
        per_day=4.0,
        weekly=(0.85, 0.85, 0.9, 0.95, 1.1, 1.35, 1.25),
        settings={
            "delivery_enabled": True,
            "delivery_fee_minor": 10_000,
            "transfer_enabled": True,
            "bank_details": "BCA 7770 012 345 a.n. Asep Sunandar",
            "qris_enabled": True,
            "qris_details": "QRIS Kopi Kembang ada di meja kasir; tulis nomor referensinya setelah bayar.",
            "gateway_enabled": True,
            "gateway_server_key": "SB-Mid-server-demo-kopi-kembang",
        },
        staff_share=0.5,
        staff_channels=((OrderChannel.WALK_IN, 9), (OrderChannel.WHATSAPP, 1)),
        delivery_share=0.35,
        online_methods=((M.QRIS, 35), (M.GATEWAY, 25), (M.TRANSFER, 15), (M.CASH, 25)),
        counter_methods=((M.CASH, 45), (M.QRIS, 55)),
        lines=((1, 45), (2, 35), (3, 15), (4, 5)),
        quantities=((1, 70), (2, 22), (3, 8)),
        ready_hours=(0.1, 0.5),
        review_share=0.25,
        notes=("Es-nya sedikit saja", "Gula aren dipisah", "Less sugar please", "Roti bakarnya garing ya"),
        times=("Jam 8 pagi", "Sore, jam 4", "Sekarang"),
    ),
    "Servis HP Cepat Pulih": Habits(
        per_day=1.5,
        weekly=(1.0, 1.0, 1.0, 1.0, 1.05, 1.2, 0.9),
        settings={
            "delivery_enabled": False,
            "transfer_enabled": True,
            "bank_details": "Mandiri 142 000 123 4567 a.n. Hendra Gunawan",
            "qris_enabled": True,
            "qris_details": "QRIS ada di etalase depan.",
        },
        staff_share=0.6,
        staff_channels=((OrderChannel.WALK_IN, 8), (OrderChannel.WHATSAPP, 2)),
        delivery_share=0.0,
        online_methods=((M.TRANSFER, 45), (M.CASH, 40), (M.QRIS, 15)),
        counter_methods=((M.CASH, 60), (M.QRIS, 25), (M.TRANSFER, 15)),
        lines=((1, 80), (2, 20)),
        quantities=((1, 100),),
        ready_hours=(1, 15),
        counter_hours=(0.5, 15),
        deposit_over=1_000_000,
        notes=("Layar bergaris hijau", "HP jatuh ke air", "Baterai cepat habis", "Tolong cek juga speakernya"),
        times=("Ditunggu", "Diambil besok sore"),
    ),
    "Laundry Bersih Wangi": Habits(
        per_day=2.5,
        weekly=(1.2, 1.0, 0.95, 0.95, 1.0, 1.1, 0.8),
        settings={
            "delivery_enabled": True,
            "delivery_fee_minor": 0,  # free pick-up and delivery in Medan Kota
            "transfer_enabled": True,
            "bank_details": "BRI 0123 01 000123 56 7 a.n. Rudi Siregar",
            "qris_enabled": True,
            "qris_details": "Scan QRIS di kasir atau saat kurir mengantar.",
        },
        staff_share=0.5,
        staff_channels=((OrderChannel.WALK_IN, 7), (OrderChannel.WHATSAPP, 3)),
        delivery_share=0.35,
        online_methods=((M.CASH, 55), (M.TRANSFER, 30), (M.QRIS, 15)),
        counter_methods=((M.CASH, 80), (M.QRIS, 20)),
        lines=((1, 70), (2, 25), (3, 5)),
        many={0: (3, 9), 1: (3, 8), 2: (2, 6), 3: (2, 5), 5: (2, 6)},
        ready_hours=(15, 30),
        counter_hours=(15, 30),
        review_share=0.2,
        notes=("Pakai pewangi lavender", "Baju putih dipisah", "Jangan disetrika terlalu panas"),
        times=("Jemput pagi", "Antar sore"),
    ),
    "Dapur Bu Ani": Habits(
        per_day=2.5,
        weekly=(1.15, 1.15, 1.1, 1.1, 1.2, 0.8, 0.5),
        settings={
            "delivery_enabled": True,
            "delivery_fee_minor": 20_000,
            "transfer_enabled": True,
            "bank_details": "BNI 0987 654 321 a.n. Ani Rahmawati",
            "qris_enabled": True,
            "qris_details": "Minta QRIS lewat WhatsApp, kirim nomor referensinya di sini.",
        },
        staff_share=0.4,
        staff_channels=((OrderChannel.WHATSAPP, 7), (OrderChannel.PHONE, 3)),
        delivery_share=0.7,
        online_methods=((M.TRANSFER, 55), (M.QRIS, 15), (M.CASH, 30)),
        counter_methods=((M.TRANSFER, 50), (M.CASH, 50)),
        lines=((1, 60), (2, 30), (3, 10)),
        many={0: (10, 60), 1: (10, 40), 2: (10, 40), 9: (10, 50), 3: (1, 4), 4: (1, 4)},
        ready_hours=(3, 22),
        deposit_over=750_000,
        review_share=0.3,
        notes=("Untuk rapat kantor", "Sambal dipisah", "Tidak pedas ya", "Acara syukuran"),
        times=("Besok jam 11.00", "Jumat jam 12.00", "Sabtu pagi"),
    ),
    "Roti Sekar Bali": Habits(
        per_day=3.5,
        weekly=(0.9, 0.9, 0.95, 1.0, 1.05, 1.3, 1.2),
        settings={
            "delivery_enabled": True,
            "delivery_fee_minor": 12_000,
            "transfer_enabled": True,
            "bank_details": "BPD Bali 018 02 00123 45 a.n. Ketut Suardana",
            "qris_enabled": True,
            "qris_details": "QRIS Roti Sekar ada di kasir dan di kotak roti.",
        },
        staff_share=0.5,
        staff_channels=((OrderChannel.WALK_IN, 17), (OrderChannel.WHATSAPP, 3)),
        delivery_share=0.3,
        online_methods=((M.TRANSFER, 30), (M.QRIS, 35), (M.CASH, 35)),
        counter_methods=((M.CASH, 60), (M.QRIS, 40)),
        lines=((1, 50), (2, 35), (3, 15)),
        quantities=((1, 60), (2, 28), (3, 12)),
        ready_hours=(0.5, 6),
        packs=True,
        review_share=0.3,
        notes=("Untuk upacara, mohon ditata rapi", "Tulisan di kue: Selamat Ulang Tahun", "Tanpa kacang"),
        times=("Besok jam 7 pagi", "Sore ini", "Minggu pagi"),
    ),
    "Salon Ayu Jelita": Habits(
        per_day=1.5,
        weekly=(0.0, 0.9, 0.9, 1.0, 1.1, 1.4, 1.3),
        settings={
            "delivery_enabled": False,
            "transfer_enabled": True,
            "bank_details": "BCA 8800 123 456 a.n. Lina Kartika",
            "qris_enabled": True,
            "qris_details": "QRIS di meja resepsionis.",
        },
        staff_share=0.55,
        staff_channels=((OrderChannel.WALK_IN, 6), (OrderChannel.WHATSAPP, 4)),
        delivery_share=0.0,
        online_methods=((M.TRANSFER, 35), (M.CASH, 45), (M.QRIS, 20)),
        counter_methods=((M.CASH, 55), (M.QRIS, 45)),
        lines=((1, 85), (2, 15)),
        quantities=((1, 100),),
        ready_hours=(2, 30),
        counter_hours=(1, 3),
        deposit_over=1_000_000,
        review_share=0.4,
        notes=("Rambut panjang sebahu", "Untuk acara wisuda", "Mohon stylist Mbak Fitri"),
        times=("Sabtu jam 10.00", "Besok jam 14.00", "Minggu pagi"),
    ),
    "Bengkel Motor Maju Jaya": Habits(
        per_day=2.0,
        weekly=(1.0, 1.0, 1.0, 1.0, 1.0, 1.3, 0.6),
        settings={
            "delivery_enabled": False,
            "transfer_enabled": False,
            "qris_enabled": True,
            "qris_details": "QRIS di kasir bengkel.",
        },
        staff_share=0.75,
        staff_channels=((OrderChannel.WALK_IN, 17), (OrderChannel.PHONE, 3)),
        delivery_share=0.0,
        online_methods=((M.CASH, 65), (M.QRIS, 35)),
        counter_methods=((M.CASH, 70), (M.QRIS, 30)),
        lines=((1, 55), (2, 35), (3, 10)),
        quantities=((1, 100),),
        many={2: (1, 2)},
        ready_hours=(1, 6),
        counter_hours=(0.5, 4),
        review_share=0.25,
        notes=("Motor Beat 2019", "Vario 125, rem bunyi", "NMAX, tarikan berat"),
        times=("Pagi jam 9", "Ditunggu"),
    ),
}

# Storefront customers cancel a few orders while pending; shops a few, before anything was paid.
CUSTOMER_CANCEL_SHARE = 0.03
SHOP_CANCEL_SHARE = 0.025
TRANSFER_REJECTED_SHARE = 0.06
NOTE_SHARE = 0.25
CUSTOMER_CANCEL_REASONS = ("", "Salah pilih produk", "Mau ganti alamat", "Jadi beli langsung di toko", "Double order")
SHOP_CANCEL_REASONS = (
    "Stok habis",
    "Di luar jangkauan pengantaran",
    "Pelanggan tidak bisa dihubungi",
    "Toko tutup lebih awal hari ini",
)
REJECT_REASONS = ("Dana belum masuk ke rekening", "Bukti transfer tidak terbaca", "Nominal tidak sesuai")
WALK_IN_NAMES = (
    "Joko", "Sri", "Dimas", "Ayu", "Harun", "Wati", "Rizky", "Nanda", "Yanti", "Heru", "Tono", "Indah",
    "Bambang", "Siti", "Rahmat", "Lestari", "Agung", "Putri", "Wahyu", "Endang", "Gilang", "Fitri",
    "Made", "Komang", "Andi", "Ucok", "Teguh", "Ratna", "Yoga", "Sinta",
)  # fmt: skip
HONORIFICS = (("Pak", 3), ("Bu", 3), ("Mas", 2), ("Mbak", 2), ("Kak", 1))
STREETS = (
    "Jl. Melati", "Jl. Kenanga", "Jl. Diponegoro", "Jl. Sudirman", "Jl. Gajah Mada", "Gg. Mawar",
    "Jl. Ahmad Yani", "Jl. Pahlawan", "Jl. Cempaka", "Perum Griya Asri Blok C",
)  # fmt: skip
GATEWAY_TYPES = (("qris", 4), ("gopay", 3), ("bank_transfer", 3), ("shopeepay", 2), ("credit_card", 1))

# Reviews: (rating, weight) and what people write for each rating.
RATINGS = ((5, 56), (4, 30), (3, 9), (2, 3), (1, 2))
REVIEWS_ID: dict[int, tuple[str, ...]] = {
    5: (
        "Mantap, sesuai pesanan dan cepat!",
        "Puas banget, pasti pesan lagi.",
        "Pelayanannya ramah, hasilnya rapi.",
        "Kualitas oke, harga bersahabat.",
        "Terima kasih, semuanya sempurna.",
        "",
    ),
    4: ("Bagus, cuma agak lama menunggu.", "Enak, porsinya pas.", "Sesuai harapan.", "Oke, recommended.", ""),
    3: ("Lumayan, tapi ada yang kurang rapi.", "Biasa saja.", "Harga agak mahal untuk hasilnya."),
    2: ("Terlambat dari jam yang dijanjikan.", "Kurang sesuai dengan foto."),
    1: ("Kecewa, pesanan tidak lengkap.",),
}
REVIEWS_EN: dict[int, tuple[str, ...]] = {
    5: ("Lovely, exactly as pictured.", "Great service, will order again!", "Really friendly and quick.", ""),
    4: ("Good, a bit of a wait.", "Nice quality for the price.", ""),
    3: ("It was okay.", "Decent, but the packaging could be better."),
    2: ("Arrived later than promised.",),
    1: ("Disappointed, part of the order was missing.",),
}

# Who of the team does what, by weight (among the members whose role has the permission).
ORDER_ROLES: dict[str, int] = {Role.CASHIER: 3, Role.SALES: 3, Role.MANAGER: 2, Role.OWNER: 1}
CONFIRM_ROLES: dict[str, int] = {Role.CASHIER: 4, Role.MANAGER: 2, Role.OWNER: 1}
CASH_ROLES: dict[str, int] = {Role.CASHIER: 4, Role.SALES: 2, Role.MANAGER: 1, Role.OWNER: 1}


def _weighted(rng: random.Random, options: Sequence[tuple[Any, float]]) -> Any:
    return rng.choices([value for value, _ in options], weights=[weight for _, weight in options])[0]


# --------------------------------------------------------------------------------------------------
# Plans.


@dataclass(frozen=True)
class PaymentPlan:
    method: str
    amount: int
    by_customer: bool  # submitted by the customer (transfer, QRIS) or the gateway; else recorded by staff
    reference: str = ""
    channel: str = Channel.WEB  # the activity channel of a payment staff record


@dataclass(frozen=True)
class Step:
    offset: float
    kind: str  # status, cancel, submit, record, gateway, confirm, reject, review
    staff: Person | None = None
    status: str = ""
    payment: int = -1  # index into the plan's payments
    confirm: bool = False
    by_customer: bool = False
    reason: str = ""
    product: int = -1  # index into the shop's products
    rating: int = 0
    text: str = ""


@dataclass
class OrderPlan:
    shop: str
    offset: float
    person: Person | None  # the customer's account, if they have one
    walk_in: int | None  # else the index of one of the shop's walk-in customers
    taker: Person | None  # the member who took the order; None: the customer, online
    channel: str
    fulfilment: str
    lines: list[tuple[int, int]]  # (product index, quantity)
    total: int
    address: str = ""
    note: str = ""
    preferred_time: str = ""
    payments: list[PaymentPlan] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    # Filled as it happens.
    order: Order | None = None
    payment_rows: list[Payment | None] = field(default_factory=list)


@dataclass(frozen=True)
class WalkIn:
    name: str
    phone: str


class DemoOrders:
    """The orders part of the story: planned after the storefronts, from its own random stream."""

    def __init__(
        self, story: _Story, specs: Sequence[BusinessSpec], personas: Sequence[Person], rng: random.Random
    ) -> None:
        self.story = story
        self.specs = {spec.name: spec for spec in specs}
        self.personas = set(personas)
        self.rng = rng
        clock = story.clock
        self.cutoff = max(clock.span - RECENT_DAYS, 0.0)
        self.plans: list[OrderPlan] = []
        self.walk_ins: dict[str, list[WalkIn]] = {}
        self.contacts: dict[tuple[str, str], Contact] = {}  # (shop, person key or walk-in name)
        self.addresses: dict[tuple[str, str], str] = {}
        self.regulars: dict[str, list[tuple[Person, float, str, float]]] = {}
        # The story's moments of the rows the services wrote, to move them there afterwards.
        self.order_times: dict[int, dict[str, dt.datetime]] = {}
        self.event_times: dict[int, list[dt.datetime]] = {}  # order id -> its newest events' moments
        self.payment_times: dict[int, dict[str, dt.datetime]] = {}
        self.review_times: dict[int, dt.datetime] = {}
        self.notification_times: dict[int, dt.datetime] = {}
        self.proofs = _Proofs(seed=rng.getrandbits(32))
        self.bulk = _BulkWriter(self)

    # -- helpers -----------------------------------------------------------------------------------

    def hours(self, hours: float) -> float:
        """Story offset for a span of hours (the story counts only opening hours: nights pass at once)."""
        return hours / self.story.clock.open_hours

    def offset_of(self, moment: dt.datetime) -> float:
        clock = self.story.clock
        local = moment.astimezone(clock.tz)
        day = (local.date() - clock.first_day).days
        opening = dt.datetime.combine(local.date(), dt.time(clock.opening_hour), tzinfo=clock.tz)
        return day + (local - opening) / dt.timedelta(hours=clock.open_hours)

    def day_slots(self, name: str, day: int) -> list[tuple[float, float]]:
        """The shop's opening hours on story day ``day``, as offsets within that day."""
        clock = self.story.clock
        date = clock.first_day + dt.timedelta(days=day)
        zone = ZoneInfo(self.specs[name].timezone)
        slots = []
        for start, end in STOREFRONTS[name].hours.get(WEEKDAYS[date.weekday()], []):
            low = dt.datetime.combine(date, dt.time.fromisoformat(start), tzinfo=zone)
            high = dt.datetime.combine(date, dt.time.fromisoformat(end), tzinfo=zone)
            if high <= low:
                high += dt.timedelta(days=1)
            low_offset = max(self.offset_of(low), day + 0.0)
            high_offset = min(self.offset_of(high), day + 0.999)
            if high_offset - low_offset > 0.02:
                slots.append((low_offset, high_offset))
        return slots

    def member(self, name: str, offset: float, weights: dict[str, int], permission: str) -> Person | None:
        team = [
            (person, weights.get(role, 1))
            for person, role, joined in self.story.shops.team[name]
            if joined < offset and permission in permissions_for_role(role)
        ]
        return _weighted(self.rng, team) if team else None

    def user(self, person: Person | None) -> User | None:
        return self.story.shops._user(person) if person is not None else None

    def someone(self, person: Person | None) -> User:
        """The account of a person the plan always names here (a customer's own act, a member's)."""
        if person is None:  # pragma: no cover - the planner never leaves these acts without a person
            raise RuntimeError("a planned act without the person who does it")
        return self.story.shops._user(person)

    def may_confirm(self, person: Person, name: str) -> bool:
        roles = [role for member, role, _joined in self.story.shops.team[name] if member == person]
        return bool(roles) and Permission.PAYMENTS_CONFIRM in permissions_for_role(roles[0])

    # -- planning ----------------------------------------------------------------------------------

    def plan(self) -> None:
        story = self.story
        for name in self.specs:
            opened = story.shops.opened[name]
            story._add(opened + 0.015, partial(self._settings_set, name))
            self._plan_walk_ins(name)
            self._plan_regulars(name)
        for name, habits in HABITS.items():
            self._plan_shop(name, habits)
        self._plan_today()
        self.plans.sort(key=lambda plan: plan.offset)
        story._add(self.cutoff, self.bulk.write, backdates=False)
        for plan in self.plans:
            if plan.offset >= self.cutoff:
                story._add(plan.offset, partial(self._place, plan))
            for step in plan.steps:
                if step.offset >= self.cutoff:
                    story._add(step.offset, partial(self._step, plan, step))

    def _plan_walk_ins(self, name: str) -> None:
        rng = self.rng
        taken = {person.phone for person, _signed, _channel in self.story.shops.customers}
        people = []
        for _ in range(rng.randint(15, 30)):
            honorific = _weighted(rng, HONORIFICS)
            given = rng.choice(WALK_IN_NAMES)
            phone = ""
            while not phone or phone in taken:
                phone = f"+62857{rng.randrange(10**7, 10**8)}"
            taken.add(phone)
            people.append(WalkIn(f"{honorific} {given}", phone if rng.random() < 0.8 else ""))
        self.walk_ins[name] = people

    def _plan_regulars(self, name: str) -> None:
        """Every customer's liking for this shop: a few regulars, most come now and then."""
        rng = self.rng
        regulars = []
        popularity = STOREFRONTS[name].popularity
        for person, signed_up, channel in self.story.shops.customers:
            liking = rng.lognormvariate(0, 1) * (4 if rng.random() < 0.12 * popularity else 0.3)
            if person in self.personas:
                liking *= 6  # the demo's own customers have a history to show
            regulars.append((person, signed_up, channel, liking))
        self.regulars[name] = regulars

    def _customer(self, name: str, offset: float) -> tuple[Person, str] | None:
        eligible = [
            (person, channel, liking) for person, signed, channel, liking in self.regulars[name] if signed < offset
        ]
        if not eligible:
            return None
        person, channel, _liking = self.rng.choices(eligible, weights=[liking for *_rest, liking in eligible])[0]
        return person, channel

    def _plan_shop(self, name: str, habits: Habits) -> None:
        rng = self.rng
        span = self.story.clock.span
        start = int(self.story.shops.opened[name]) + 1
        for day in range(start, int(span) + 1):
            slots = self.day_slots(name, day)
            if not slots:
                continue
            date = self.story.clock.first_day + dt.timedelta(days=day)
            growth = 0.75 + 0.5 * day / max(span, 1)
            expected = habits.per_day * habits.weekly[date.weekday()] * growth
            for _ in range(_poisson(rng, expected)):
                low, high = rng.choices(slots, weights=[high - low for low, high in slots])[0]
                offset = low + (high - low) * rng.random()
                if offset < span - 0.002:
                    self._plan_order(name, habits, offset)

    def _plan_today(self) -> None:
        """Each shop has something waiting right now: a new order, and a payment to confirm."""
        span = self.story.clock.span
        for name, habits in HABITS.items():
            for waits in ("order", "payment"):
                offset = span - self.hours(self.rng.uniform(0.3, 2.5))
                self._plan_order(name, habits, offset, online=True, waits=waits)

    def _plan_order(
        self, name: str, habits: Habits, offset: float, *, online: bool | None = None, waits: str = ""
    ) -> None:
        rng = self.rng
        staff_taken = (rng.random() < habits.staff_share) if online is None else not online
        channel = _weighted(rng, habits.staff_channels) if staff_taken else OrderChannel.WEB
        person: Person | None = None
        walk_in: int | None = None
        if not staff_taken or (channel != OrderChannel.WALK_IN and rng.random() < 0.5) or rng.random() < 0.2:
            chosen = self._customer(name, offset)
            if chosen is None:
                if not staff_taken:
                    return
            else:
                person, signed_channel = chosen
                if not staff_taken and signed_channel == Channel.API:
                    channel = OrderChannel.API
        if person is None:
            walk_in = min(int(rng.paretovariate(1.2)) - 1, len(self.walk_ins[name]) - 1)
        taker = self.member(name, offset, ORDER_ROLES, Permission.ORDERS_MANAGE) if staff_taken else None
        if staff_taken and taker is None:
            return
        fulfilment = Fulfilment.PICKUP
        if (
            channel != OrderChannel.WALK_IN
            and HABITS[name].settings.get("delivery_enabled")
            and rng.random() < habits.delivery_share
        ):
            fulfilment = Fulfilment.DELIVERY
        lines = self._lines(name, habits, offset)
        if not lines:
            return
        fee = int(habits.settings.get("delivery_fee_minor", 0)) if fulfilment == Fulfilment.DELIVERY else 0
        products = STOREFRONTS[name].products
        total = sum(products[index].price * quantity for index, quantity in lines) + fee
        plan = OrderPlan(
            shop=name,
            offset=offset,
            person=person,
            walk_in=walk_in,
            taker=taker,
            channel=channel,
            fulfilment=fulfilment,
            lines=lines,
            total=total,
        )
        english = person is not None and person.language == "en"
        if fulfilment == Fulfilment.DELIVERY:
            plan.address = self._address(name, person, walk_in)
        if habits.notes and rng.random() < NOTE_SHARE and not english:
            plan.note = rng.choice(habits.notes)
        if habits.times and rng.random() < NOTE_SHARE and not english and channel != OrderChannel.WALK_IN:
            plan.preferred_time = rng.choice(habits.times)
        _Journey(self, plan, habits, waits=waits).chart()
        self.plans.append(plan)

    def _lines(self, name: str, habits: Habits, offset: float) -> list[tuple[int, int]]:
        rng = self.rng
        through_services = offset >= self.cutoff
        products = STOREFRONTS[name].products
        choices = []
        for index, product in enumerate(products):
            window = self.story.shops.windows.get((name, index))
            if window is None or not window[0] < offset < window[1]:
                continue
            if product.stock is not None and (through_services or product.stock == 0):
                continue  # see the module docstring: stock stays as the storefront describes it
            choices.append((index, product.popularity))
        count = _weighted(rng, habits.lines)
        picked: list[tuple[int, int]] = []
        while choices and len(picked) < count:
            index = _weighted(rng, choices)
            choices = [choice for choice in choices if choice[0] != index]
            low_high = habits.many.get(index)
            quantity = rng.randint(*low_high) if low_high else _weighted(rng, habits.quantities)
            picked.append((index, quantity))
        return picked

    def _address(self, name: str, person: Person | None, walk_in: int | None) -> str:
        key = (name, person.phone or person.email if person is not None else f"walk-in:{walk_in}")
        if key not in self.addresses:
            rng = self.rng
            street = f"{rng.choice(STREETS)} No. {rng.randint(1, 120)}"
            self.addresses[key] = f"{street}, {self.specs[name].city}"
        return self.addresses[key]

    # -- the steps, through the services -------------------------------------------------------------

    def _settings_set(self, name: str, when: dt.datetime) -> None:
        business = self.story.businesses[name]
        owner = self.user(self.specs[name].owner)
        order_settings_update(
            business=business, actor=owner, accepts_orders=True, pickup_enabled=True, **HABITS[name].settings
        )

    def contact_for(self, plan: OrderPlan) -> Contact:
        business = self.story.businesses[plan.shop]
        if plan.person is not None:
            key = (plan.shop, plan.person.phone or plan.person.email)
            if key not in self.contacts:
                self.contacts[key] = contact_for_user(business=business, user=self.someone(plan.person))
        else:
            walk_in = self.walk_ins[plan.shop][plan.walk_in or 0]
            key = (plan.shop, f"walk-in:{plan.walk_in}")
            if key not in self.contacts:
                source = ContactSource.WHATSAPP if plan.channel == OrderChannel.WHATSAPP else ContactSource.STAFF
                self.contacts[key] = contact_create(
                    business=business, name=walk_in.name, phone=walk_in.phone, source=source
                )
        return self.contacts[key]

    def _place(self, plan: OrderPlan, when: dt.datetime) -> None:
        business = self.story.businesses[plan.shop]
        customer = self.user(plan.person)
        actor = self.user(plan.taker) if plan.taker is not None else customer
        products = [self.story.shops.products[plan.shop, index] for index, _quantity in plan.lines]
        order = order_place(
            business=business,
            lines=[
                LineRequest(product_id=product.pk, quantity=quantity)
                for product, (_index, quantity) in zip(products, plan.lines, strict=True)
            ],
            fulfilment=plan.fulfilment,
            actor=actor,
            contact=self.contact_for(plan),
            customer=customer,
            channel=plan.channel,
            delivery_address=plan.address,
            note=plan.note,
            preferred_time=plan.preferred_time,
        )
        plan.order = order
        plan.payment_rows = [None] * len(plan.payments)
        self.order_times[order.pk] = {"placed_at": when, "updated_at": when}
        self.event_times[order.pk] = [when]

    def _step(self, plan: OrderPlan, step: Step, when: dt.datetime) -> None:
        order = plan.order
        if order is None:  # pragma: no cover - a step is always planned after its order
            raise RuntimeError("a step before its order")
        staff, customer = self.user(step.staff), self.user(plan.person)
        times = self.order_times.setdefault(order.pk, {})
        times["updated_at"] = when
        if step.kind == "status":
            plan.order = order_transition(order=order, actor=staff, to_status=step.status)
            self.event_times.setdefault(order.pk, []).append(when)
            if step.status == S.COMPLETED:
                times["completed_at"] = when
        elif step.kind == "cancel":
            actor = customer if step.by_customer else staff
            plan.order = order_cancel(order=order, actor=actor, reason=step.reason, by_customer=step.by_customer)
            self.event_times.setdefault(order.pk, []).append(when)
            times["cancelled_at"] = when
        elif step.kind in ("submit", "record", "gateway"):
            payment = self._pay(plan, step, order, when)
            plan.payment_rows[step.payment] = payment
            self.payment_times[payment.pk] = {"paid_at": when, "updated_at": when}
            if payment.confirmed_at is not None:
                self.payment_times[payment.pk]["confirmed_at"] = when
        elif step.kind in ("confirm", "reject"):
            payment_row = plan.payment_rows[step.payment]
            if payment_row is None:  # pragma: no cover - a payment is always planned before its check
                raise RuntimeError("a confirmation before its payment")
            if step.kind == "confirm":
                payment_confirm(payment=payment_row, actor=staff)
            else:
                payment_reject(payment=payment_row, actor=staff, reason=step.reason)
            self.payment_times.setdefault(payment_row.pk, {}).update({"confirmed_at": when, "updated_at": when})
        elif step.kind == "review":
            product = self.story.shops.products[plan.shop, step.product]
            review = review_create(
                order=order, user=self.someone(plan.person), product_id=product.pk, rating=step.rating, text=step.text
            )
            self.review_times[review.pk] = when

    def _pay(self, plan: OrderPlan, step: Step, order: Order, when: dt.datetime) -> Payment:
        spec = plan.payments[step.payment]
        if step.kind == "submit":
            proof = None
            if spec.method == M.TRANSFER:
                proof = SimpleUploadedFile("bukti-transfer.png", self.proofs.picture(), content_type="image/png")
            return payment_submit(
                order=order,
                user=self.someone(plan.person),
                method=spec.method,
                amount_minor=spec.amount,
                reference=spec.reference,
                proof=proof,
            )
        if step.kind == "record":
            staff = self.someone(step.staff)
            return payment_record(
                order=order,
                actor=staff,
                method=spec.method,
                amount_minor=spec.amount,
                reference=spec.reference,
                confirm=step.confirm,
                paid_at=when,
                channel=spec.channel,
            )
        body = self.gateway_body(plan, order.number, spec)
        notice = gateway_notification_receive(gateway=gateways.SANDBOX, body=body)
        if notice.payment is None:  # pragma: no cover - the demo's notifications are genuine
            raise RuntimeError(f"gateway notification refused: {notice.outcome} {notice.detail}")
        self.notification_times[notice.pk] = when
        return notice.payment

    def gateway_body(self, plan: OrderPlan, number: int, spec: PaymentPlan) -> dict[str, Any]:
        """The notification the gateway sends when the customer paid ``spec`` online."""
        business = self.story.businesses[plan.shop]
        return gateways.GATEWAYS[gateways.SANDBOX].notification_build(
            order_id=f"{business.slug}-{number}",
            amount_minor=spec.amount,
            server_key=str(HABITS[plan.shop].settings["gateway_server_key"]),
            transaction_id=spec.reference,
            payment_type=gateway_type(spec),
        )

    # -- afterwards --------------------------------------------------------------------------------

    def backdate(self) -> None:
        """Move what the services wrote to the story's moments; contacts to their first and last order."""
        recent = sum(1 for plan in self.plans if plan.offset >= self.cutoff)
        self.story.progress(f"orders of the last {RECENT_DAYS} days, through the services: {recent}")
        orders = Order.objects.filter(pk__in=self.order_times).values_list(
            "pk", "placed_at", "completed_at", "cancelled_at"
        )
        order_rows = []
        for pk, placed, completed, cancelled in orders:
            times = self.order_times[pk]
            placed = times.get("placed_at", placed)
            completed = times.get("completed_at", completed)
            cancelled = times.get("cancelled_at", cancelled)
            order_rows.append((placed, placed, times.get("updated_at", placed), completed, cancelled, pk))
        rows_update(Order, ["placed_at", "created_at", "updated_at", "completed_at", "cancelled_at"], order_rows)
        event_rows = []
        by_order: dict[int, list[int]] = {}
        for pk, order_id in OrderEvent.objects.filter(order_id__in=self.event_times).values_list("pk", "order_id"):
            by_order.setdefault(order_id, []).append(pk)
        for order_id, moments in self.event_times.items():
            newest = sorted(by_order.get(order_id, []))[-len(moments) :]  # older ones were written in bulk
            event_rows += [(moment, pk) for moment, pk in zip(moments, newest, strict=True)]
        rows_update(OrderEvent, ["created_at"], event_rows)
        payment_rows = []
        payments = Payment.objects.filter(pk__in=self.payment_times).values_list("pk", "paid_at", "confirmed_at")
        for pk, paid, confirmed in payments:
            times = self.payment_times[pk]
            paid = times.get("paid_at", paid)
            confirmed = times.get("confirmed_at", confirmed) if confirmed is not None else None
            payment_rows.append((paid, paid, times.get("updated_at", paid), confirmed, pk))
        rows_update(Payment, ["paid_at", "created_at", "updated_at", "confirmed_at"], payment_rows)
        rows_update(Review, ["created_at", "updated_at"], [(t, t, pk) for pk, t in self.review_times.items()])
        rows_update(GatewayNotification, ["received_at"], [(t, pk) for pk, t in self.notification_times.items()])
        self._contacts_backdate()

    def _contacts_backdate(self) -> None:
        spans = (
            Order.objects.filter(business__in=list(self.story.businesses.values()))
            .values("contact_id")
            .annotate(first=Min("placed_at"), last=Max("placed_at"))
            .values_list("first", "last", "last", "last", "contact_id")
        )
        rows_update(Contact, ["created_at", "updated_at", "last_seen_at"], [(a, b, c, pk) for a, b, c, _d, pk in spans])

    def rollups_fill(self) -> None:
        """The dashboard's numbers for every day of the story, from the activity table."""
        clock = self.story.clock
        today = self.story.now.astimezone(clock.tz).date()
        rollups_rebuild(
            businesses=list(self.story.businesses.values()),
            start=clock.first_day - dt.timedelta(days=1),
            end=today + dt.timedelta(days=1),
        )


def rows_update(model: type[models.Model], columns: list[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """``UPDATE model SET columns… WHERE id = …`` for each row (its values, then its id), with one
    ``executemany``: moving thousands of rows in time without building model instances."""
    if not rows:
        return
    quote = connection.ops.quote_name
    adapt = connection.ops.adapt_datetimefield_value
    assignments = ", ".join(
        f"{quote(str(getattr(model._meta.get_field(name), 'column', name)))} = %s" for name in columns
    )
    table, key = quote(str(model._meta.db_table)), quote(str(model._meta.pk.column if model._meta.pk else "id"))
    sql = f"UPDATE {table} SET {assignments} WHERE {key} = %s"  # noqa: S608 - names from the models
    values = [tuple(adapt(value) if isinstance(value, dt.datetime) else value for value in row) for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)


@contextlib.contextmanager
def orders_log_quiet() -> Iterator[None]:
    """The orders services log every order placed and payment notified; the seed places hundreds."""
    logger = logging.getLogger("etalase.orders")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def gateway_type(spec: PaymentPlan) -> str:
    """How the customer paid on the gateway's page (its ``payment_type``), the same every time."""
    return str(_weighted(random.Random(spec.reference), GATEWAY_TYPES))


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's method; the means here are small)."""
    if mean <= 0:
        return 0
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


# --------------------------------------------------------------------------------------------------
# An order's journey, planned.


class _Journey:
    """Plans the steps of one order from its placing: confirmation, payments, the way to the customer,
    completion, a review; or a cancellation. Steps after "now" are left out (they have not happened)."""

    def __init__(self, orders: DemoOrders, plan: OrderPlan, habits: Habits, *, waits: str = "") -> None:
        self.orders = orders
        self.plan = plan
        self.habits = habits
        self.rng = orders.rng
        self.waits = waits
        self.span = orders.story.clock.span
        self.methods = self._methods()

    def _methods(self) -> set[str]:
        settings = self.habits.settings
        methods: set[str] = {M.CASH}
        if settings.get("transfer_enabled"):
            methods.add(M.TRANSFER)
        if settings.get("qris_enabled"):
            methods.add(M.QRIS)
        if settings.get("gateway_enabled") and settings.get("gateway_server_key"):
            methods.add(M.GATEWAY)
        return methods

    def hours(self, low: float, high: float) -> float:
        return self.orders.hours(self.rng.uniform(low, high))

    def add(self, offset: float, kind: str, **fields: Any) -> bool:
        """Add a step; False once the story's "now" is reached (that step and what follows wait)."""
        if offset >= self.span - 0.001:
            return False
        self.plan.steps.append(Step(offset=offset, kind=kind, **fields))
        return True

    def staff(self, offset: float, weights: dict[str, int], permission: str) -> Person | None:
        return self.orders.member(self.plan.shop, offset, weights, permission)

    def payment(self, method: str, amount: int, *, by_customer: bool, channel: str = Channel.WEB) -> int:
        rng = self.rng
        reference = ""
        if method == M.QRIS:
            reference = f"QR{rng.randrange(10**9, 10**10)}"
        elif method == M.TRANSFER and not by_customer:
            reference = f"TRF {rng.randrange(10**5, 10**6)}"
        elif method == M.GATEWAY:
            reference = f"demo-{rng.getrandbits(48):012x}"
        self.plan.payments.append(PaymentPlan(method, amount, by_customer, reference, channel))
        return len(self.plan.payments) - 1

    def plan_method(self) -> str:
        options = self.habits.counter_methods if self.plan.taker is not None else self.habits.online_methods
        allowed = [(method, weight) for method, weight in options if method in self.methods]
        method: str = _weighted(self.rng, allowed)
        if self.plan.person is None and method == M.GATEWAY:
            method = M.CASH
        return method

    def chart(self) -> None:
        """Plan the order's steps, in the order they happen."""
        plan, rng = self.plan, self.rng
        online = plan.taker is None
        now = plan.offset
        if self.waits == "order":
            return  # placed a moment ago: it waits for the team
        method = self.plan_method()
        due = plan.total
        if online and method == M.GATEWAY and not self.waits:
            now += self.hours(0.02, 0.2)
            index = self.payment(M.GATEWAY, plan.total, by_customer=True)
            if not self.add(now, "gateway", payment=index):
                return
            due = 0
        elif online and not self.waits and rng.random() < CUSTOMER_CANCEL_SHARE:
            self.add(now + self.hours(0.1, 1), "cancel", by_customer=True, reason=rng.choice(CUSTOMER_CANCEL_REASONS))
            return
        quick = self.waits or not online
        now += self.hours(0.005, 0.1) if quick else self.hours(0.05, 1)
        confirmer = plan.taker or self.staff(now, ORDER_ROLES, Permission.ORDERS_MANAGE)
        if confirmer is None or not self.add(now, "status", staff=confirmer, status=S.CONFIRMED):
            return
        if self.waits == "payment":  # the customer sent a transfer (or a QRIS reference) just now
            self.pay_ahead(now, M.TRANSFER if M.TRANSFER in self.methods else M.QRIS, due)
            return
        if due and rng.random() < SHOP_CANCEL_SHARE:
            self.add(now + self.hours(0.1, 2), "cancel", staff=confirmer, reason=rng.choice(SHOP_CANCEL_REASONS))
            return
        if due and self.habits.deposit_over and plan.total >= self.habits.deposit_over:
            deposit = plan.total // 2 // 1000 * 1000
            now = self.pay_ahead(now, M.TRANSFER if M.TRANSFER in self.methods else M.QRIS, deposit)
            due -= deposit
        elif due and (method == M.TRANSFER or (method == M.QRIS and plan.fulfilment == Fulfilment.DELIVERY)):
            now = self.pay_ahead(now, method, due)
            due = 0
        if now >= 0:
            self.hand_over(now, due, method)

    def pay_ahead(self, now: float, method: str, amount: int) -> float:
        """The customer pays before the order is handed over (a transfer with its proof, a QRIS
        reference) and the cashier checks it; a walk-in's transfer is recorded by the team.
        Returns when that is done, or -1 when the story's "now" comes first."""
        plan, rng = self.plan, self.rng
        by_customer = plan.person is not None
        now += self.hours(0.02, 0.3) if self.waits else self.hours(0.05, 2)
        if by_customer:
            index = self.payment(method, amount, by_customer=True)
            if not self.add(now, "submit", payment=index):
                return -1
        else:
            index = self.payment(method, amount, by_customer=False, channel=ACTIVITY_CHANNEL[plan.channel])
            recorder = plan.taker or self.staff(now, CASH_ROLES, Permission.PAYMENTS_RECORD)
            if recorder is None:
                return -1
            confirm = self.orders.may_confirm(recorder, plan.shop)
            if not self.add(now, "record", staff=recorder, payment=index, confirm=confirm):
                return -1
            if confirm:
                return now
        if self.waits:
            return -1  # waits for the cashier
        checked = now + self.hours(0.1, 3)
        cashier = self.staff(checked, CONFIRM_ROLES, Permission.PAYMENTS_CONFIRM)
        if cashier is None:
            return -1
        if by_customer and method == M.TRANSFER and rng.random() < TRANSFER_REJECTED_SHARE:
            if not self.add(checked, "reject", staff=cashier, payment=index, reason=rng.choice(REJECT_REASONS)):
                return -1
            return self.pay_ahead(checked + self.hours(0.2, 4), method, amount)  # sent again, right this time
        if not self.add(checked, "confirm", staff=cashier, payment=index):
            return -1
        return checked

    def hand_over(self, now: float, due: int, method: str) -> None:
        """Packed, ready or on its way, then completed; what is still due is paid on handing over."""
        plan, habits, rng = self.plan, self.habits, self.rng
        statuses: list[str] = []
        walk_in = plan.channel == OrderChannel.WALK_IN
        if walk_in and habits.counter_hours[1] <= 1:
            done = now + self.hours(*habits.counter_hours)  # served on the spot
        else:
            if habits.packs and not walk_in:
                statuses.append(S.PACKED)
            statuses.append(S.OUT_FOR_DELIVERY if plan.fulfilment == Fulfilment.DELIVERY else S.READY_FOR_PICKUP)
            ready = now + self.hours(*(habits.counter_hours if walk_in else habits.ready_hours))
            moments = sorted(now + (ready - now) * rng.uniform(0.2, 0.9) for _ in statuses[:-1]) + [ready]
            for status, moment in zip(statuses, moments, strict=True):
                member = self.staff(moment, ORDER_ROLES, Permission.ORDERS_MANAGE)
                if member is None or not self.add(moment, "status", staff=member, status=status):
                    return
            if plan.fulfilment == Fulfilment.DELIVERY:
                done = ready + self.hours(0.3, 3)  # on its way
            elif walk_in and habits.counter_hours[1] <= 8:
                done = ready + self.hours(0.02, 0.3)  # the customer waited
            else:
                done = ready + self.hours(0.2, 10)  # the customer comes back for it
        confirmed_at_once = True
        if due > 0:
            recorder = self.staff(done, CASH_ROLES, Permission.PAYMENTS_RECORD)
            if recorder is None:
                return
            confirmed_at_once = self.orders.may_confirm(recorder, plan.shop)
            paid_method = method if method in (M.CASH, M.QRIS) else M.CASH
            channel = Channel.WEB if plan.fulfilment == Fulfilment.DELIVERY else Channel.COUNTER
            index = self.payment(paid_method, due, by_customer=False, channel=channel)
            paid_at = done - self.hours(0.005, 0.02)
            if not self.add(paid_at, "record", staff=recorder, payment=index, confirm=confirmed_at_once):
                return
        closer = self.staff(done, ORDER_ROLES, Permission.ORDERS_MANAGE)
        if closer is None or not self.add(done, "status", staff=closer, status=S.COMPLETED):
            return
        if not confirmed_at_once:  # the cashier checks the day's cash later
            checked = done + self.hours(0.2, 4)
            cashier = self.staff(checked, CONFIRM_ROLES, Permission.PAYMENTS_CONFIRM)
            if cashier is not None:
                self.add(checked, "confirm", staff=cashier, payment=len(plan.payments) - 1)
        self.review(done)

    def review(self, done: float) -> None:
        plan, rng = self.plan, self.rng
        if plan.person is None or rng.random() >= self.habits.review_share:
            return
        when = done + self.hours(2, 60)
        english = plan.person.language == "en"
        indexes = [index for index, _quantity in plan.lines]
        for index in rng.sample(indexes, k=1 if len(indexes) == 1 or rng.random() < 0.8 else 2):
            rating = _weighted(rng, RATINGS)
            text = rng.choice((REVIEWS_EN if english else REVIEWS_ID)[rating])
            if not self.add(when, "review", product=index, rating=rating, text=text):
                return
            when += self.hours(0.001, 0.01)


# --------------------------------------------------------------------------------------------------
# Transfer proofs.


class _Proofs:
    """Small drawn m-banking screens ("Transfer berhasil"), a few variants, drawn once per seed."""

    BANKS = (("#005eb8", "m-BCA"), ("#003d79", "Livin'"), ("#f15a23", "BNI Mobile"), ("#00529c", "BRImo"))

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self._pictures: list[bytes] = []
        self._stored: list[str] = []

    def _draw(self, colour: str, bank: str) -> bytes:
        image = Image.new("RGB", (240, 420), "#f4f6f8")
        draw = ImageDraw.Draw(image)
        font = ImageFont.load_default(size=16)
        small = ImageFont.load_default(size=12)
        draw.rectangle((0, 0, 240, 56), fill=colour)
        draw.text((16, 18), bank, fill="#ffffff", font=font)
        draw.ellipse((90, 84, 150, 144), fill="#2e7d32")
        draw.line((104, 114, 116, 128, 138, 100), fill="#ffffff", width=6)
        draw.text((52, 160), "Transfer Berhasil", fill="#1b1b1b", font=font)
        for row, width in enumerate((150, 120, 170, 100, 140)):
            top = 206 + row * 34
            draw.rounded_rectangle((24, top, 24 + width, top + 12), radius=4, fill="#c9ced6")
            draw.rounded_rectangle((160, top, 216, top + 12), radius=4, fill="#9aa3ad")
        draw.text((24, 384), "Simpan bukti ini", fill="#5f6b76", font=small)
        output = io.BytesIO()
        image.save(output, format="PNG", optimize=True)
        return output.getvalue()

    def picture(self) -> bytes:
        if not self._pictures:
            self._pictures = [self._draw(colour, bank) for colour, bank in self.BANKS]
        return self.rng.choice(self._pictures)

    def stored(self) -> str:
        """The name of one of the shared stored proofs (for transfers written in bulk)."""
        if not self._stored:
            self.picture()
            for number, picture in enumerate(self._pictures):
                name = f"payment-proofs/demo/bukti-transfer-{number + 1}.png"
                self._stored.append(private_storage().save(name, ContentFile(picture)))
        return self.rng.choice(self._stored)


# --------------------------------------------------------------------------------------------------
# The older days, in bulk.

ActivityMaker = Callable[[], Activity]


@dataclass
class _Row:
    """One order of the older days as it stands at the cutoff, with the rows it has made."""

    plan: OrderPlan
    contact: Contact
    business: Business
    number: int
    status: str = S.PENDING
    paid: int = 0
    updated: dt.datetime | None = None
    completed: dt.datetime | None = None
    cancelled: dt.datetime | None = None
    cancel_reason: str = ""
    events: list[OrderEvent] = field(default_factory=list)
    payments: list[Payment | None] = field(default_factory=list)
    notices: list[tuple[GatewayNotification, Payment, PaymentPlan]] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    activities: list[ActivityMaker] = field(default_factory=list)

    @property
    def order(self) -> Order:
        if self.plan.order is None:  # pragma: no cover - the rows are written after the orders
            raise RuntimeError("the order is not written yet")
        return self.plan.order


class _BulkWriter:
    """Writes the orders of the older days as the services would have, in a few bulk inserts.

    Each order's steps before the cutoff are played here with the services' rules (the plans are
    valid: allowed transitions, never more than is due, no cancelling once something was paid) and
    make the rows the services make, with the same activity data. Activities are made last, once
    the orders and payments they name have their ids.
    """

    def __init__(self, orders: DemoOrders) -> None:
        self.orders = orders
        self.types: dict[type[models.Model], int] = {}

    def write(self, when: dt.datetime) -> None:
        orders = self.orders
        story = orders.story
        plans = [plan for plan in orders.plans if plan.offset < orders.cutoff]
        if not plans:
            return
        self.types = {model: ContentType.objects.get_for_model(model).pk for model in (Order, Product)}
        numbers: dict[str, int] = {}
        rows = []
        for plan in plans:
            numbers[plan.shop] = numbers.get(plan.shop, 0) + 1
            business = story.businesses[plan.shop]
            row = _Row(plan=plan, contact=orders.contact_for(plan), business=business, number=numbers[plan.shop])
            self._play(row)
            rows.append(row)
        self._orders(rows)
        for name, last in numbers.items():
            OrderCounter.objects.update_or_create(business=story.businesses[name], defaults={"last_number": last})
        self._children(rows)
        story.progress(f"orders of the older days, written in bulk: {len(rows)}")

    # -- playing the steps -------------------------------------------------------------------------

    def _play(self, row: _Row) -> None:
        orders, plan = self.orders, row.plan
        clock = orders.story.clock
        placed = row.updated = clock.at(plan.offset)
        customer, taker = orders.user(plan.person), orders.user(plan.taker)
        row.events.append(
            OrderEvent(
                business=row.business, from_status="", to_status=S.PENDING, actor=taker or customer, created_at=placed
            )
        )
        row.payments = [None] * len(plan.payments)
        product_ids = [orders.story.shops.products[plan.shop, index].pk for index, _quantity in plan.lines]
        data = {
            "number": row.number,
            "amount_minor": plan.total,
            "product_ids": product_ids,
            "contact_id": row.contact.pk,
            "customer_id": customer.pk if customer else None,
            "customer_name": row.contact.display_name,
            "channel": plan.channel,
            "fulfilment": plan.fulfilment,
            "taken_by_id": taker.pk if taker is not None and taker != customer else None,
        }
        channel = ACTIVITY_CHANNEL.get(plan.channel, Channel.WEB)
        row.activities.append(
            lambda: self._activity(
                row, Verb.ORDERED, customer, placed, {"order_id": row.order.pk, **data}, channel=channel
            )
        )
        for step in plan.steps:
            if step.offset >= orders.cutoff:
                break
            self._play_step(row, step, clock.at(step.offset))

    def _play_step(self, row: _Row, step: Step, when: dt.datetime) -> None:
        orders, plan = self.orders, row.plan
        staff, customer = orders.user(step.staff), orders.user(plan.person)
        row.updated = when
        about = {"number": row.number, "customer_id": customer.pk if customer else None, "contact_id": row.contact.pk}
        if step.kind in ("status", "cancel"):
            previous, to_status = row.status, step.status if step.kind == "status" else S.CANCELLED
            actor = customer if step.by_customer else staff
            row.status = to_status
            row.events.append(
                OrderEvent(
                    business=row.business,
                    from_status=previous,
                    to_status=to_status,
                    actor=actor,
                    note=step.reason,
                    created_at=when,
                )
            )
            if step.kind == "status":
                verb, data = Verb.ORDER_STATUS_CHANGED, {**about, "from": previous, "to": to_status}
                if to_status == S.COMPLETED:
                    row.completed = when
            else:
                row.cancelled, row.cancel_reason = when, step.reason
                verb = Verb.CANCELLED
                data = {**about, "amount_minor": plan.total, "reason": step.reason, "by_customer": step.by_customer}
            row.activities.append(lambda: self._activity(row, verb, actor, when, data))
        elif step.kind in ("submit", "record", "gateway"):
            self._pay(row, step, when, staff, customer, about)
        elif step.kind in ("confirm", "reject"):
            payment = row.payments[step.payment]
            if payment is None:  # pragma: no cover - a payment is always planned before its check
                raise RuntimeError("a confirmation before its payment")
            payment.confirmed_by, payment.confirmed_at = staff, when
            extra: dict[str, Any]
            if step.kind == "confirm":
                payment.status = PaymentStatus.CONFIRMED
                row.paid += payment.amount_minor
                verb, extra = Verb.PAYMENT_CONFIRMED, {"order_paid": row.paid >= plan.total}
            else:
                payment.status, payment.rejected_reason = PaymentStatus.REJECTED, step.reason
                verb, extra = Verb.PAYMENT_REJECTED, {"order_paid": row.paid >= plan.total, "reason": step.reason}
            row.activities.append(
                lambda: self._activity(row, verb, staff, when, {**self._payment_data(payment, about), **extra})
            )
        elif step.kind == "review":
            product = orders.story.shops.products[plan.shop, step.product]
            review = Review(business=row.business, product=product, user=customer, rating=step.rating, text=step.text)
            review.created_at = when
            row.reviews.append(review)
            row.activities.append(
                lambda: self._activity(
                    row,
                    Verb.REVIEWED,
                    customer,
                    when,
                    {
                        "number": row.number,
                        "order_id": row.order.pk,
                        "product_id": product.pk,
                        "rating": step.rating,
                        "contact_id": row.contact.pk,
                    },
                    target=product,
                )
            )

    def _pay(
        self, row: _Row, step: Step, when: dt.datetime, staff: User | None, customer: User | None, about: dict[str, Any]
    ) -> None:
        spec = row.plan.payments[step.payment]
        payment = Payment(
            business=row.business, amount_minor=spec.amount, method=spec.method, reference=spec.reference, paid_at=when
        )
        row.payments[step.payment] = payment
        actor: User | None
        channel: str
        if step.kind == "submit":
            payment.status, payment.recorded_by = PaymentStatus.PENDING, customer
            if spec.method == M.TRANSFER:
                payment.proof.name = self.orders.proofs.stored()
            extra: dict[str, Any] = {"confirmed": False}
            actor, channel = customer, Channel.WEB
        elif step.kind == "record":
            payment.recorded_by = payment.received_by = staff
            payment.status = PaymentStatus.CONFIRMED if step.confirm else PaymentStatus.PENDING
            if step.confirm:
                payment.confirmed_by, payment.confirmed_at = staff, when
                row.paid += spec.amount
            extra = {
                "confirmed": step.confirm,
                "order_paid": row.paid >= row.plan.total,
                "received_by_id": staff.pk if staff else None,
            }
            actor, channel = staff, spec.channel
        else:
            payment.status, payment.confirmed_at = PaymentStatus.CONFIRMED, when
            payment.gateway, payment.gateway_transaction_id = gateways.SANDBOX, spec.reference
            payment.reference = f"{gateway_type(spec)} {spec.reference}"
            row.paid += spec.amount
            notice = GatewayNotification(
                business=row.business,
                gateway=gateways.SANDBOX,
                transaction_id=spec.reference,
                signature_valid=True,
                outcome="paid",
            )
            notice.received_at = when
            row.notices.append((notice, payment, spec))
            extra = {"confirmed": True, "order_paid": row.paid >= row.plan.total, "gateway": gateways.SANDBOX}
            actor, channel = customer, Channel.SYSTEM
        row.activities.append(
            lambda: self._activity(
                row, Verb.PAID, actor, when, {**self._payment_data(payment, about), **extra}, channel=channel
            )
        )

    @staticmethod
    def _payment_data(payment: Payment, about: dict[str, Any]) -> dict[str, Any]:
        return {**about, "payment_id": payment.pk, "amount_minor": payment.amount_minor, "method": payment.method}

    def _activity(
        self,
        row: _Row,
        verb: str,
        actor: User | None,
        when: dt.datetime,
        data: dict[str, Any],
        *,
        channel: str = Channel.WEB,
        target: models.Model | None = None,
    ) -> Activity:
        target = target if target is not None else row.order
        return Activity(
            business=row.business,
            actor=actor,
            verb=verb,
            target_type_id=self.types[type(target)],
            target_id=str(target.pk),
            data=data,
            contact_id=data_contact_id(data),
            channel=channel,
            occurred_at=when,
            processed_at=when,  # history: see the module docstring
        )

    # -- writing the rows --------------------------------------------------------------------------

    def _orders(self, rows: list[_Row]) -> None:
        orders = self.orders
        objects = []
        for row in rows:
            plan = row.plan
            customer, taker = orders.user(plan.person), orders.user(plan.taker)
            subtotal = sum(STOREFRONTS[plan.shop].products[index].price * quantity for index, quantity in plan.lines)
            objects.append(
                Order(
                    business=row.business,
                    number=row.number,
                    customer=customer,
                    contact=row.contact,
                    channel=plan.channel,
                    status=row.status,
                    fulfilment=plan.fulfilment,
                    delivery_address=plan.address,
                    note=plan.note,
                    preferred_time=plan.preferred_time,
                    currency=row.business.currency,
                    subtotal_minor=subtotal,
                    delivery_fee_minor=plan.total - subtotal,
                    total_minor=plan.total,
                    paid_minor=row.paid,
                    created_by=taker or customer,
                    cancel_reason=row.cancel_reason,
                    cancelled_at=row.cancelled,
                    completed_at=row.completed,
                    placed_at=orders.story.clock.at(plan.offset),
                )
            )
        Order.objects.bulk_create(objects, batch_size=500)
        for row, order in zip(rows, objects, strict=True):
            row.plan.order = order
            order.created_at, order.updated_at = order.placed_at, row.updated or order.placed_at
        rows_update(Order, ["created_at", "updated_at"], [(o.created_at, o.updated_at, o.pk) for o in objects])

    def _children(self, rows: list[_Row]) -> None:
        products = self.orders.story.shops.products
        lines: list[OrderLine] = []
        events: list[OrderEvent] = []
        payments: list[Payment] = []
        reviews: list[Review] = []
        for row in rows:
            for index, quantity in row.plan.lines:
                product = products[row.plan.shop, index]
                lines.append(
                    OrderLine(
                        business=row.business,
                        order=row.order,
                        product=product,
                        title=product.title,
                        sku=product.sku,
                        unit_price_minor=product.price_minor,
                        quantity=quantity,
                        total_minor=product.price_minor * quantity,
                    )
                )
            for event in row.events:
                event.order = row.order
            events += row.events
            for payment in row.payments:
                if payment is not None:
                    payment.order = row.order
                    payments.append(payment)
            for review in row.reviews:
                review.order = row.order
            reviews += row.reviews
        OrderLine.objects.bulk_create(lines, batch_size=1000)
        OrderEvent.objects.bulk_create(events, batch_size=1000)
        Payment.objects.bulk_create(payments, batch_size=500)
        for payment in payments:
            payment.created_at = payment.paid_at
            payment.updated_at = payment.confirmed_at or payment.paid_at
        rows_update(Payment, ["created_at", "updated_at"], [(p.created_at, p.updated_at, p.pk) for p in payments])
        reviewed_at = [review.created_at for review in reviews]
        Review.objects.bulk_create(reviews, batch_size=500)
        for review, moment in zip(reviews, reviewed_at, strict=True):
            review.created_at = review.updated_at = moment
        rows_update(
            Review,
            ["created_at", "updated_at"],
            [(moment, moment, r.pk) for r, moment in zip(reviews, reviewed_at, strict=True)],
        )
        notices = []
        for row in rows:
            for notice, payment, spec in row.notices:
                notice.payment = payment
                notice.body = self.orders.gateway_body(row.plan, row.number, spec)
                notice.order_reference = str(notice.body["order_id"])
                notices.append(notice)
        received_at = [notice.received_at for notice in notices]
        GatewayNotification.objects.bulk_create(notices, batch_size=500)
        for notice, moment in zip(notices, received_at, strict=True):
            notice.received_at = moment
        rows_update(GatewayNotification, ["received_at"], [(n.received_at, n.pk) for n in notices])
        Activity.objects.bulk_create([make() for row in rows for make in row.activities], batch_size=1000)
        for row in rows:  # what is still open at the cutoff carries on through the services
            row.plan.payment_rows = list(row.payments)
