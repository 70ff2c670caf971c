"""The customers API's shapes: contacts, their timeline, tags, notes, consent ledger and segments."""

from datetime import date, datetime
from typing import Any, Literal

from django.urls import reverse
from ninja import Schema
from pydantic import Field, StrictBool

from etalase.activity.models import Activity
from etalase.activity.registry import verb_label
from etalase.core.api import IdIn, PageMeta
from etalase.customers.enums import ConsentChannel, ConsentPurpose, ConsentSource, RfmSegment, Stage
from etalase.customers.filters import MAX_DAYS, MAX_MONEY, MAX_ORDERS, MAX_SCORE, SORTS
from etalase.customers.models import Contact, Segment

Sort = Literal["last_seen", "name", "spent", "orders", "created"]
assert set(SORTS) == set(Sort.__args__)  # type: ignore[attr-defined]  # noqa: S101


class CustomersPageIn(Schema):
    page: int = Field(1, ge=1, le=10_000)
    size: int = Field(30, ge=1, le=100)


class ContactFilterIn(CustomersPageIn):
    """The contact list's filters (the page's GET parameters); every one optional, all must hold."""

    q: str = Field("", max_length=100, description="Words starting a name, email or city word; or phone digits.")
    tag: str = Field("", max_length=40, description="A tag's name (any case).")
    stage: Stage | None = None
    segment: RfmSegment | None = Field(None, description="The RFM segment.")
    city: str = Field("", max_length=80)
    last_seen_days: int | None = Field(None, ge=1, le=MAX_DAYS, description="Seen within this many days.")
    spent_min: int | None = Field(None, ge=0, le=MAX_MONEY, description="Minor units.")
    spent_max: int | None = Field(None, ge=0, le=MAX_MONEY, description="Minor units.")
    orders_min: int | None = Field(None, ge=0, le=MAX_ORDERS)
    orders_max: int | None = Field(None, ge=0, le=MAX_ORDERS)
    info_min: int | None = Field(None, ge=0, le=MAX_SCORE, description="Information known, 0–100 (``info_score``).")
    info_max: int | None = Field(None, ge=0, le=MAX_SCORE)
    personal_min: int | None = Field(
        None, ge=0, le=MAX_SCORE, description="Individual service, 0–100 (``personal_score``)."
    )
    personal_max: int | None = Field(None, ge=0, le=MAX_SCORE)
    consent: str = Field(
        "", max_length=40, description="Consent given for ``<channel>_<purpose>``, e.g. whatsapp_marketing."
    )
    sort: Sort = "last_seen"

    def filter_params(self) -> dict[str, str]:
        values = self.dict(exclude={"page", "size"})
        return {key: str(value) for key, value in values.items() if value not in (None, "")}


class ContactOut(Schema):
    id: int
    name: str
    display_name: str
    phone: str = Field(..., description="E.164, e.g. +6281234567890; empty when unknown.")
    email: str
    city: str
    stage: Stage
    tags: list[str]
    last_seen_at: datetime | None
    orders_count: int
    spent_minor: int = Field(..., description="Confirmed payments, integer minor units.")
    rfm_segment: RfmSegment | Literal[""]
    created_at: datetime
    url: str = Field(..., description="The contact's page in the web app.")

    @staticmethod
    def resolve_tags(obj: Contact) -> list[str]:
        return [tag.name for tag in obj.tags.all()]

    @staticmethod
    def resolve_url(obj: Contact) -> str:
        return reverse("customers:detail", args=[obj.business.slug, obj.pk])


class ContactPage(PageMeta):
    items: list[ContactOut]


class ScoresOut(Schema):
    rfm_recency: int = Field(..., description="1–5; 0 while unknown.")
    rfm_frequency: int
    rfm_monetary: int
    rfm_segment: RfmSegment | Literal[""]
    churn_risk: int | None = Field(..., description="0–100 (percent); None while unknown.")
    info_score: int = Field(..., description="How complete the contact's information is, 0–100.")
    personal_score: int = Field(..., description="How individually the business serves the contact, 0–100.")
    scores_at: datetime | None


class ContactDetailOut(ContactOut):
    address: str
    birthday: date | None
    source: str
    has_app: bool
    stage_set_by_staff: bool
    consent: dict[str, bool] = Field(..., description="Current consent per ``<channel>_<purpose>``.")
    first_order_at: datetime | None
    last_order_at: datetime | None
    favourites_count: int
    preferences: dict[str, Any] = Field(..., description="Favourite products and business fields (inferred).")
    scores: ScoresOut
    erased_at: datetime | None

    @staticmethod
    def resolve_has_app(obj: Contact) -> bool:
        return obj.user_id is not None

    @staticmethod
    def resolve_scores(obj: Contact) -> Contact:
        return obj

    @staticmethod
    def resolve_tags(obj: Contact) -> list[str]:
        return sorted((tag.name for tag in obj.tags.all()), key=str.casefold)


class ContactIn(Schema):
    name: str = Field("", max_length=120)
    phone: str = Field("", max_length=32, description="Any spelling: 0812-3456-7890, +62 812 3456 7890.")
    email: str = Field("", max_length=254)
    city: str = Field("", max_length=80)
    address: str = Field("", max_length=300)
    birthday: date | None = None


class ContactPatchIn(Schema):
    name: str | None = Field(None, max_length=120)
    phone: str | None = Field(None, max_length=32)
    email: str | None = Field(None, max_length=254)
    city: str | None = Field(None, max_length=80)
    address: str | None = Field(None, max_length=300)
    birthday: date | None = None


class MergeIn(Schema):
    other_id: IdIn = Field(..., description="The duplicate to merge into this contact (it disappears).")


class TimelineEntryOut(Schema):
    id: int
    verb: str
    label: str = Field(..., description="What happened, in the reader's language.")
    actor: str | None
    channel: str
    occurred_at: datetime
    data: dict[str, Any]

    @staticmethod
    def resolve_label(obj: Activity) -> str:
        return verb_label(obj.verb)

    @staticmethod
    def resolve_actor(obj: Activity) -> str | None:
        return str(obj.actor) if obj.actor_id and obj.actor else None


class TimelinePage(PageMeta):
    items: list[TimelineEntryOut]


class TagsIn(Schema):
    names: list[str] = Field(..., max_length=30, description="The contact's tags from now on (made on first use).")


class TagsOut(Schema):
    tags: list[str]


class BulkTagIn(Schema):
    contact_ids: list[IdIn] = Field(..., min_length=1, max_length=1000)
    tag: str = Field(..., max_length=40)


class BulkTagOut(Schema):
    tagged: int = Field(..., description="How many of the contacts (of this business) carry the tag now.")


class NoteIn(Schema):
    body: str = Field(..., max_length=2000)


class NoteOut(Schema):
    id: int
    body: str
    author: str | None
    created_at: datetime

    @staticmethod
    def resolve_author(obj: Any) -> str | None:
        return str(obj.author) if obj.author_id and obj.author else None


class NotePage(PageMeta):
    items: list[NoteOut]


class ConsentIn(Schema):
    channel: ConsentChannel
    purpose: ConsentPurpose
    granted: StrictBool = Field(..., description="True: consent given; false: withdrawn.")
    source: ConsentSource = Field(ConsentSource.API, description="How the customer gave or withdrew it.")
    occurred_at: datetime | None = Field(None, description="When (default: now); never in the future.")


class ConsentEntryOut(Schema):
    id: int
    channel: ConsentChannel
    purpose: ConsentPurpose
    granted: bool
    source: ConsentSource
    recorded_by: str | None
    occurred_at: datetime

    @staticmethod
    def resolve_recorded_by(obj: Any) -> str | None:
        return str(obj.recorded_by) if obj.recorded_by_id and obj.recorded_by else None


class ConsentLedgerOut(Schema):
    current: dict[str, bool] = Field(..., description="Current consent per ``<channel>_<purpose>``.")
    entries: list[ConsentEntryOut] = Field(..., description="The ledger, newest first (at most 200).")


class StageIn(Schema):
    stage: Literal["vip", "inactive", "auto"] = Field(
        ..., description="VIP or inactive stay until changed; auto: interested/customer/repeat from orders."
    )


class SegmentIn(Schema):
    name: str = Field(..., max_length=80)
    filters: dict[str, str | int] = Field(
        ..., description="The list's filters, as its GET parameters: q, tag, stage, segment, city, last_seen_days…"
    )


class SegmentPatchIn(Schema):
    name: str | None = Field(None, max_length=80)
    filters: dict[str, str | int] | None = None


class SegmentOut(Schema):
    id: int
    name: str
    filters: dict[str, str]
    count: int | None = Field(
        ..., description="Contacts matching now; None when the stored filters are no longer valid."
    )
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_count(obj: Segment) -> int | None:
        return getattr(obj, "live_count", None)
