from datetime import date, datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from etalase.activity.enums import Channel
from etalase.core.api import PageMeta
from etalase.customers.enums import AuditAction, ConsentChannel, ConsentPurpose
from etalase.customers.models import AuditEntry, Contact


class PrivacyBusinessOut(Schema):
    """A business that holds a customer record about the signed-in person."""

    slug: str = Field(..., alias="business.slug")
    name: str = Field(..., alias="business.name")
    customer_since: datetime = Field(..., alias="created_at")
    marketing_consent: dict[str, bool]

    @staticmethod
    def resolve_marketing_consent(obj: Contact) -> dict[str, bool]:
        return marketing_consent_of(obj)


class PrivacyBusinessPage(PageMeta):
    items: list[PrivacyBusinessOut]


class PrivacyPageIn(Schema):
    page: int = Field(1, ge=1, le=10_000)
    size: int = Field(30, ge=1, le=100)


def marketing_consent_of(contact: Contact) -> dict[str, bool]:
    return {
        channel: contact.consent.get(f"{channel}_{ConsentPurpose.MARKETING}") is True
        for channel in ConsentChannel.values
    }


class PersonalDataOut(Schema):
    """Everything one business holds about the person (format ``etalase-personal-data/1``)."""

    format: str
    generated_at: datetime
    business: dict[str, str]
    contact: dict[str, Any]
    tags: list[str]
    notes: list[dict[str, Any]] = Field(..., description="Staff notes about the person")
    consent: dict[str, Any] = Field(..., description="current: state per channel_purpose; history: the ledger")
    activities: list[dict[str, Any]] = Field(..., description="The person's timeline at the business, oldest first")
    sections: dict[str, list[dict[str, Any]]] = Field(..., description="What other parts of Etalase hold: orders...")
    privacy_requests: list[dict[str, Any]]


class ErasureIn(Schema):
    confirm: bool = Field(..., description="Must be true: the erasure cannot be undone")


class StaffErasureIn(ErasureIn):
    received_via: str = Field(
        Channel.PHONE,
        max_length=16,
        description="How the customer asked: phone, counter (in person), whatsapp, sms or email",
    )


class ErasureOut(Schema):
    id: int
    kind: str
    contact_id: int | None
    created_at: datetime
    completed_at: datetime | None


class MarketingConsentIn(Schema):
    """Marketing consent per channel; a channel left out keeps its current state."""

    whatsapp: bool | None = None
    sms: bool | None = None
    email: bool | None = None
    push: bool | None = None


class MarketingConsentOut(Schema):
    slug: str
    marketing_consent: dict[str, bool]


class AuditFilterIn(Schema):
    action: AuditAction | None = None
    member: int | None = Field(None, ge=1, le=2**53, description="A team member's user id")
    date_from: date | None = Field(None, description="First day, in the business's timezone")
    date_to: date | None = Field(None, description="Last day, in the business's timezone")
    page: int = Field(1, ge=1, le=10_000)
    size: int = Field(30, ge=1, le=100)


class AuditOut(Schema):
    id: int
    action: str
    action_label: str
    actor_id: int | None
    actor_name: str | None
    contact_id: int | None
    contact_name: str | None
    detail: dict[str, Any]
    created_at: datetime

    @staticmethod
    def resolve_action_label(obj: AuditEntry) -> str:
        return str(obj.get_action_display())

    @staticmethod
    def resolve_actor_name(obj: AuditEntry) -> str | None:
        return str(obj.actor) if obj.actor is not None else None

    @staticmethod
    def resolve_contact_name(obj: AuditEntry) -> str | None:
        return obj.contact.display_name if obj.contact is not None else None


class AuditPage(PageMeta):
    items: list[AuditOut]
