"""Notifications API: the centre, read marks, preferences, and this device's web push subscription."""

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from etalase.accounts.auth import api_auth, api_user
from etalase.core.api import Id, PageMeta, errors
from etalase.core.errors import NotFound
from etalase.core.pagination import paginate
from etalase.directory.tenancy import business_context_for
from etalase.notifications import rules
from etalase.notifications.enums import Channel, Kind, Priority
from etalase.notifications.models import Notification, NotificationPreference
from etalase.notifications.selectors import (
    notification_list_for_user,
    notification_unread_count,
    preference_scopes_for_user,
)
from etalase.notifications.services import (
    notification_mark_all_read,
    notification_mark_read,
    notification_payload,
    notification_preference_update,
    push_subscription_delete,
    push_subscription_save,
)

router = Router(tags=["notifications"], auth=api_auth)


class NotificationOut(Schema):
    id: int
    kind: Kind
    priority: Priority
    title: str
    body: str
    url: str = Field(..., description="Opens the notification's object and marks it read.")
    count: int = Field(..., description="How many acts a burst gathers (5 new favourites...).")
    business: str | None = Field(None, description="The business it concerns; empty for your own.")
    created_at: dt.datetime = Field(..., description="When the notification was written.")
    occurred_at: dt.datetime = Field(
        ..., description="When the act happened (a burst's latest act): what to show and sort by."
    )
    read: bool


def _out(row: Notification) -> dict[str, Any]:
    return notification_payload(row)


class NotificationPage(PageMeta):
    items: list[NotificationOut]
    unread: int


class NotificationListIn(Schema):
    page: int = Field(1, ge=1, le=10_000)
    size: int = Field(20, ge=1, le=100)
    unread: bool = Field(False, description="Only unread notifications.")


class UnreadOut(Schema):
    unread: int


class ReadAllOut(Schema):
    updated: int


@router.get("/notifications", response={200: NotificationPage, **errors(401, 422)})
def notification_list(request: HttpRequest, filters: Query[NotificationListIn]) -> dict[str, Any]:
    """Your notifications (your businesses' and your own), the latest acts first."""
    user = api_user(request)
    page = paginate(
        notification_list_for_user(user=user, unread_only=filters.unread), page=filters.page, size=filters.size
    )
    return {
        "items": [_out(row) for row in page.items],
        "page": page.number,
        "size": page.size,
        "next_page": page.next_number,
        "unread": notification_unread_count(user_id=user.pk),
    }


@router.get("/notifications/unread-count", response={200: UnreadOut, **errors(401)})
def unread_count(request: HttpRequest) -> dict[str, int]:
    return {"unread": notification_unread_count(user_id=api_user(request).pk)}


@router.post("/notifications/read-all", response={200: ReadAllOut, **errors(401, 403)})
def read_all(request: HttpRequest) -> dict[str, int]:
    return {"updated": notification_mark_all_read(user=api_user(request))}


@router.post("/notifications/{notification_id}/read", response={200: NotificationOut, **errors(401, 403, 404, 422)})
def read_one(request: HttpRequest, notification_id: Id) -> dict[str, Any]:
    """Mark one notification read. Another person's notification answers 404."""
    return _out(notification_mark_read(user=api_user(request), notification_id=notification_id))


# --- preferences ---------------------------------------------------------------------------------

ChannelList = list[Channel]


class PreferenceOut(Schema):
    business: str | None = Field(None, description="The business's slug; empty for your personal choices.")
    kinds: list[Kind] = Field(..., description="The kinds this scope can receive.")
    channels: dict[str, ChannelList] = Field(..., description="For each kind, where it goes.")
    quiet_start: dt.time | None
    quiet_end: dt.time | None
    digest_enabled: bool
    digest_hour: int


class PreferenceIn(Schema):
    business: str | None = Field(None, max_length=64, pattern=r"^[-a-zA-Z0-9_]+$")
    channels: dict[Annotated[str, Field(max_length=40)], Annotated[list[Channel], Field(max_length=5)]] = Field(
        default_factory=dict, max_length=30, description="Kinds left out keep the default: in-app and push."
    )
    quiet_start: dt.time | None = None
    quiet_end: dt.time | None = None
    digest_enabled: bool = False
    digest_hour: int = Field(18, ge=0, le=23)


def _preference_out(preference: NotificationPreference) -> dict[str, Any]:
    kinds = [*(rules.MEMBER_KINDS if preference.business_id else rules.CUSTOMER_KINDS), Kind.DIGEST]
    return {
        "business": preference.business.slug if preference.business_id and preference.business else None,
        "kinds": kinds,
        "channels": {kind: sorted(rules.channels_for(preference, kind)) for kind in kinds},
        "quiet_start": preference.quiet_start,
        "quiet_end": preference.quiet_end,
        "digest_enabled": preference.digest_enabled,
        "digest_hour": preference.digest_hour,
    }


@router.get("/notification-preferences", response={200: list[PreferenceOut], **errors(401)})
def preference_list(request: HttpRequest) -> list[dict[str, Any]]:
    """Your choices: personal first, then one per business you work in."""
    return [_preference_out(pref) for pref in preference_scopes_for_user(user=api_user(request))]


@router.put("/notification-preferences", response={200: PreferenceOut, **errors(400, 401, 403, 404, 422)})
def preference_update(request: HttpRequest, payload: PreferenceIn) -> dict[str, Any]:
    """Save the choices of one scope (``business`` slug, or none for personal). Quiet hours are in the
    business's timezone."""
    business = business_context_for(request, payload.business).business if payload.business else None
    preference = notification_preference_update(
        user=api_user(request),
        business=business,
        channels={kind: [str(channel) for channel in chosen] for kind, chosen in payload.channels.items()},
        quiet_start=payload.quiet_start,
        quiet_end=payload.quiet_end,
        digest_enabled=payload.digest_enabled,
        digest_hour=payload.digest_hour,
    )
    return _preference_out(preference)


# --- push subscriptions --------------------------------------------------------------------------


class PushKeysIn(Schema):
    p256dh: str = Field(..., max_length=200)
    auth: str = Field(..., max_length=200)


class PushSubscriptionIn(Schema):
    """A browser's ``PushSubscription.toJSON()``."""

    endpoint: str = Field(..., max_length=2000)
    keys: PushKeysIn
    expirationTime: float | None = None  # noqa: N815 - the browser's own name


class PushSubscriptionOut(Schema):
    id: int
    endpoint: str
    created_at: dt.datetime


class PushEndpointIn(Schema):
    endpoint: str = Field(..., max_length=2000)


@router.post("/push-subscriptions", response={201: PushSubscriptionOut, **errors(400, 401, 403, 422)})
def push_subscription_create(request: HttpRequest, payload: PushSubscriptionIn) -> Status[Any]:
    """Receive web push on this device. The endpoint must be the push service's https address and
    the keys the browser's (p256dh: 65 bytes, auth: 16 bytes, base64url)."""
    subscription = push_subscription_save(
        user=api_user(request),
        endpoint=payload.endpoint,
        p256dh=payload.keys.p256dh,
        auth=payload.keys.auth,
        user_agent=request.headers.get("User-Agent", ""),
    )
    return Status(201, subscription)


@router.delete("/push-subscriptions", response={204: None, **errors(400, 401, 403, 404, 422)})
def push_subscription_remove(request: HttpRequest, payload: PushEndpointIn) -> Status[None]:
    """Stop web push on the device with this endpoint (404 when it is not one of yours)."""
    if not push_subscription_delete(user=api_user(request), endpoint=payload.endpoint):
        raise NotFound()
    return Status(204, None)
