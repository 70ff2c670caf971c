"""The privacy API: a customer's data at each business (download, erasure, marketing consent); the
owners' audit log and erasures that staff take by phone or in person.

A business that holds no record about the caller answers 404 like one that does not exist, so the
API never tells who is whose customer.
"""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Status

from etalase.accounts.auth import api_auth, api_user
from etalase.activity.enums import Channel
from etalase.core.api import Id, Slug, errors
from etalase.core.errors import NotFound, ValidationError
from etalase.core.pagination import paginate
from etalase.customers.models import PrivacyRequest
from etalase.customers.privacy.forms import RECEIVED_VIA
from etalase.customers.privacy.permissions import AUDIT_VIEW
from etalase.customers.privacy.schemas import (
    AuditFilterIn,
    AuditPage,
    ErasureIn,
    ErasureOut,
    MarketingConsentIn,
    MarketingConsentOut,
    PersonalDataOut,
    PrivacyBusinessPage,
    PrivacyPageIn,
    StaffErasureIn,
    marketing_consent_of,
)
from etalase.customers.privacy.selectors import audit_list, privacy_contact_for_user, privacy_contacts_for_user
from etalase.customers.privacy.services import privacy_erase, privacy_export, privacy_marketing_consent_set
from etalase.customers.selectors import contact_get
from etalase.directory.permissions import Permission
from etalase.directory.tenancy import business_context_for

router = Router(tags=["privacy"], auth=api_auth)


CUSTOMER_READ = errors(401, 404, 422)
CUSTOMER_WRITE = errors(400, 401, 404, 409, 422)
STAFF_READ = errors(401, 403, 404, 422)
STAFF_WRITE = errors(400, 401, 403, 404, 409, 422)


def _confirmed(payload: ErasureIn) -> None:
    if not payload.confirm:
        message = _("Send confirm: true to erase: the erasure cannot be undone.")
        raise ValidationError(message, code="not_confirmed", fields={"confirm": message})


# --- the customer's side ------------------------------------------------------------------------


@router.get("/me/privacy/businesses", response={200: PrivacyBusinessPage, **errors(401, 422)})
def my_businesses(request: HttpRequest, paging: Query[PrivacyPageIn]) -> dict[str, Any]:
    """The businesses that hold a customer record about you, by name."""
    page = paginate(privacy_contacts_for_user(user=api_user(request)), page=paging.page, size=paging.size)
    return {"items": page.items, "page": page.number, "size": page.size, "next_page": page.next_number}


@router.get("/me/privacy/businesses/{slug}/export", response={200: PersonalDataOut, **CUSTOMER_READ})
def my_export(request: HttpRequest, slug: Slug) -> dict[str, Any]:
    """Everything the business holds about you, as JSON (recorded as a download request)."""
    contact = privacy_contact_for_user(user=api_user(request), slug=slug)
    return privacy_export(contact=contact, requested_by=api_user(request), channel=Channel.API)


@router.post("/me/privacy/businesses/{slug}/erasure", response={201: ErasureOut, **CUSTOMER_WRITE})
def my_erasure(request: HttpRequest, slug: Slug, payload: ErasureIn) -> Status[PrivacyRequest]:
    """Erase your personal data at the business (cannot be undone; send ``confirm: true``).

    Orders keep their amounts and dates for the books; other businesses are not touched."""
    contact = privacy_contact_for_user(user=api_user(request), slug=slug)
    _confirmed(payload)
    done = privacy_erase(contact=contact, requested_by=api_user(request), by_staff=False, channel=Channel.API)
    return Status(201, done)


@router.put("/me/privacy/businesses/{slug}/consent", response={200: MarketingConsentOut, **CUSTOMER_WRITE})
def my_consent(request: HttpRequest, slug: Slug, payload: MarketingConsentIn) -> dict[str, Any]:
    """Give (true) or withdraw (false) marketing consent per channel; it applies at once."""
    contact = privacy_contact_for_user(user=api_user(request), slug=slug)
    channels = {channel: granted for channel, granted in payload.dict().items() if granted is not None}
    contact = privacy_marketing_consent_set(contact=contact, user=api_user(request), channels=channels)
    return {"slug": slug, "marketing_consent": marketing_consent_of(contact)}


# --- the business's side ------------------------------------------------------------------------


@router.get("/businesses/{slug}/audit", response={200: AuditPage, **STAFF_READ})
def audit(request: HttpRequest, slug: Slug, filters: Query[AuditFilterIn]) -> dict[str, Any]:
    """The customer-data audit log, newest first (owners only)."""
    context = business_context_for(request, slug, AUDIT_VIEW)
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        message = _("The end date is before the start date.")
        raise ValidationError(message, fields={"date_to": message})
    entries = audit_list(
        business=context.business,
        action=filters.action,
        actor_id=filters.member,
        date_from=filters.date_from,
        date_to=filters.date_to,
    )
    page = paginate(entries, page=filters.page, size=filters.size)
    return {"items": page.items, "page": page.number, "size": page.size, "next_page": page.next_number}


@router.post("/businesses/{slug}/contacts/{contact_id}/erasure", response={201: ErasureOut, **STAFF_WRITE})
def contact_erasure(
    request: HttpRequest, slug: Slug, contact_id: Id, payload: StaffErasureIn
) -> Status[PrivacyRequest]:
    """Erase a customer's personal data at their request by phone or in person; you are recorded as
    the person who took the request. A second erasure of the same customer answers 409."""
    context = business_context_for(request, slug, Permission.CUSTOMERS_MANAGE)
    contact = contact_get(business=context.business, contact_id=contact_id)
    if contact is None:
        raise NotFound()
    _confirmed(payload)
    if payload.received_via not in dict(RECEIVED_VIA):
        message = _("Choose how the customer asked: %(choices)s.") % {"choices": ", ".join(dict(RECEIVED_VIA))}
        raise ValidationError(message, fields={"received_via": message})
    done = privacy_erase(contact=contact, requested_by=api_user(request), by_staff=True, channel=payload.received_via)
    return Status(201, done)
