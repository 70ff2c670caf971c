"""Orders API: carts, checkout, orders, payments, receipts and reviews for customers and staff,
and the payment gateway's notification callback.

Customers act on their own carts and orders: another customer's order answers 404 like a missing
one. Staff operations need a permission of the business (``orders.view``, ``orders.manage``,
``payments.record``, ``payments.confirm``); a business the caller is not a member of, or an order
of another business, answers 404. Prices are never read from a request: every line is priced from
the current product on the server. Money is an integer of minor units (whole rupiah for IDR).

Checkout, order creation and payments take an optional ``Idempotency-Key`` header: a retry with the
same key (from the same person) answers exactly like the first request, with the same status code
(201) and the same order or payment, and changes nothing.
"""

import json
from datetime import date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Body, File, Form, Header, Path, Query, Router, Status
from ninja.files import UploadedFile

from etalase.accounts.auth import api_auth, api_user
from etalase.activity.enums import Channel
from etalase.catalog.selectors import product_public_get
from etalase.core.api import Id, PageIn, Slug, errors
from etalase.core.errors import NotFound, ValidationError
from etalase.core.formats import money_format
from etalase.core.pagination import paginate
from etalase.customers.models import Contact
from etalase.customers.selectors import contact_get
from etalase.directory.models import Business
from etalase.directory.permissions import Permission
from etalase.directory.selectors import business_public_require, membership_list
from etalase.directory.tenancy import BusinessContext, business_context_for
from etalase.orders.enums import Fulfilment, OrderChannel, PaymentMethod
from etalase.orders.models import Order, OrderSettings, Payment, Review
from etalase.orders.proofs import proof_response
from etalase.orders.schemas import (
    MAX_NUMBER,
    CartDetailOut,
    CartItemIn,
    CartListOut,
    CartQuantityIn,
    CheckoutIn,
    CustomerCancelIn,
    GatewayOutcomeOut,
    OrderOut,
    OrderPage,
    OrderReorderOut,
    OrderSettingsOut,
    OrderSettingsPatchIn,
    PaymentRecordIn,
    PaymentSubmitIn,
    ReceiptOut,
    ReconciliationIn,
    ReconciliationOut,
    RejectIn,
    ReviewIn,
    ReviewOut,
    StaffCancelIn,
    StaffOrderFilterIn,
    StaffOrderIn,
    StaffOrderOut,
    StaffOrderPage,
    StaffPaymentOut,
    StatusIn,
)
from etalase.orders.schemas import PaymentOut as CustomerPaymentOut
from etalase.orders.selectors import (
    CartView,
    cart_count,
    cart_for,
    carts_for_user,
    customer_order_get,
    customer_order_list,
    fulfilments_for,
    order_get,
    order_list,
    order_receipt_get,
    order_settings_for,
    payment_get,
    payment_methods_for,
    reconciliation_for,
)
from etalase.orders.services.carts import cart_add, cart_clear, cart_set_quantity, order_reorder
from etalase.orders.services.gateway import gateway_notification_receive
from etalase.orders.services.order_settings import order_settings_update
from etalase.orders.services.payments import payment_confirm, payment_record, payment_reject, payment_submit
from etalase.orders.services.placement import LineRequest, NewContact, order_checkout, order_take
from etalase.orders.services.reviews import review_create
from etalase.orders.services.status import order_cancel, order_transition
from etalase.orders.wording import recon_problems, recon_row_shown

router = Router(tags=["orders"])

Number = Annotated[int, Path(ge=1, le=MAX_NUMBER, description="The order number, counted per business.")]
Token = Annotated[str, Path(max_length=64, pattern=r"^[-a-zA-Z0-9_]+$")]
GatewayName = Annotated[str, Path(max_length=32, pattern=r"^[-a-z0-9_]+$")]
IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        max_length=100,
        description="Any unique text (a UUID); a retry with the same key answers the same, doing nothing again.",
    ),
]

CUSTOMER_READ = errors(401, 404, 422)
CUSTOMER_WRITE = errors(400, 401, 404, 409, 422)
STAFF_READ = errors(401, 403, 404, 422)
STAFF_WRITE = errors(400, 401, 403, 404, 409, 422)


def _page(queryset: Any, paging: PageIn) -> dict[str, Any]:
    page = paginate(queryset, page=paging.page, size=paging.size)
    return {"items": page.items, "page": page.number, "size": page.size, "next_page": page.next_number}


def _cart_detail(view: CartView) -> dict[str, Any]:
    settings = order_settings_for(business=view.business)
    fulfilments = [
        {"key": key, "label": str(Fulfilment(key).label)}
        for key in fulfilments_for(business=view.business, settings=settings)
    ]
    methods = payment_methods_for(business=view.business, settings=settings)
    return {
        "cart": view,
        "checkout": {
            "accepts_orders": settings.accepts_orders,
            "fulfilments": fulfilments,
            "delivery_fee_minor": settings.delivery_fee_minor,
            "delivery_fee_formatted": money_format(settings.delivery_fee_minor, view.business.currency),
            "currency": view.business.currency,
            "payment_methods": [{"key": method, "label": str(PaymentMethod(method).label)} for method in methods],
            "bank_details": settings.bank_details if PaymentMethod.TRANSFER in methods else "",
            "qris_details": settings.qris_details if PaymentMethod.QRIS in methods else "",
        },
    }


def _my_order(request: HttpRequest, slug: str, number: int) -> Order:
    return customer_order_get(user=api_user(request), business=business_public_require(slug=slug), number=number)


# --- carts ----------------------------------------------------------------------------------------


@router.get("/cart", response={200: CartListOut, **errors(401)}, auth=api_auth, summary="All my carts")
def my_carts(request: HttpRequest) -> dict[str, Any]:
    """One cart per shop, each priced with today's prices; empty carts are left out."""
    user = api_user(request)
    return {"items": carts_for_user(user=user), "count": cart_count(user=user)}


CART = "/businesses/{slug}/cart"


@router.get(CART, response={200: CartDetailOut, **CUSTOMER_READ}, auth=api_auth, summary="My cart at a shop")
def cart_get(request: HttpRequest, slug: Slug) -> dict[str, Any]:
    """The cart with today's prices and stock (``problem`` says what to change before checking out),
    and what the shop offers at checkout: pickup and/or delivery, the delivery fee, payment methods."""
    return _cart_detail(cart_for(business=business_public_require(slug=slug), user=api_user(request)))


@router.post(CART + "/items", response={200: CartDetailOut, **CUSTOMER_WRITE}, auth=api_auth)
def cart_item_add(request: HttpRequest, slug: Slug, payload: CartItemIn) -> dict[str, Any]:
    """Add ``quantity`` of a product of this shop (more of it when it is in the cart already)."""
    business = business_public_require(slug=slug)
    product = product_public_get(business, payload.product_id)
    if product is None:
        message = _("This product is not available in this shop.")
        raise ValidationError(message, code="product_unavailable", fields={"product_id": message})
    return _cart_detail(cart_add(user=api_user(request), product=product, quantity=payload.quantity))


@router.patch(CART + "/items/{product_id}", response={200: CartDetailOut, **CUSTOMER_WRITE}, auth=api_auth)
def cart_item_update(request: HttpRequest, slug: Slug, product_id: Id, payload: CartQuantityIn) -> dict[str, Any]:
    """Set how many of a product the cart holds; 0 removes it."""
    view = cart_set_quantity(
        user=api_user(request),
        business=business_public_require(slug=slug),
        product_id=product_id,
        quantity=payload.quantity,
    )
    return _cart_detail(view)


@router.delete(CART + "/items/{product_id}", response={200: CartDetailOut, **CUSTOMER_WRITE}, auth=api_auth)
def cart_item_remove(request: HttpRequest, slug: Slug, product_id: Id) -> dict[str, Any]:
    view = cart_set_quantity(
        user=api_user(request), business=business_public_require(slug=slug), product_id=product_id, quantity=0
    )
    return _cart_detail(view)


@router.delete(CART, response={204: None, **CUSTOMER_WRITE}, auth=api_auth)
def cart_empty(request: HttpRequest, slug: Slug) -> Status[None]:
    cart_clear(user=api_user(request), business=business_public_require(slug=slug))
    return Status(204, None)


@router.post(
    "/businesses/{slug}/checkout", response={201: OrderOut, **CUSTOMER_WRITE}, auth=api_auth, summary="Check out"
)
def checkout(
    request: HttpRequest, slug: Slug, payload: CheckoutIn, idempotency_key: IdempotencyKey = ""
) -> Status[Order]:
    """Turn my cart at this shop into an order, priced on the server, and empty the cart.

    Refused (400, nothing changes) when the cart is empty, a line is no longer available or above
    the stock, delivery has no address, or the shop does not take this kind of order. A retry with
    the same ``Idempotency-Key`` answers 201 with the same order, even after the cart was emptied."""
    user = api_user(request)
    business = business_public_require(slug=slug)
    order = order_checkout(
        user=user,
        business=business,
        fulfilment=payload.fulfilment,
        delivery_address=payload.delivery_address,
        note=payload.note,
        preferred_time=payload.preferred_time,
        idempotency_key=idempotency_key,  # scoped to the user by the service: u<user id>:<key>
        channel=OrderChannel.API,
    )
    return Status(201, customer_order_get(user=user, business=business, number=order.number))


# --- my orders ------------------------------------------------------------------------------------

MY_ORDER = "/me/orders/{slug}/{number}"


@router.get("/me/orders", response={200: OrderPage, **errors(401, 422)}, auth=api_auth, summary="My orders")
def my_orders(request: HttpRequest, paging: Query[PageIn]) -> dict[str, Any]:
    """My orders at every shop, newest first."""
    return _page(customer_order_list(user=api_user(request)), paging)


@router.get(MY_ORDER, response={200: OrderOut, **CUSTOMER_READ}, auth=api_auth, summary="One of my orders")
def my_order(request: HttpRequest, slug: Slug, number: Number) -> Order:
    """With its lines, status timeline, payments (paid and still due) and reviews."""
    return _my_order(request, slug, number)


@router.post(MY_ORDER + "/cancel", response={200: OrderOut, **CUSTOMER_WRITE}, auth=api_auth)
def my_order_cancel(
    request: HttpRequest, slug: Slug, number: Number, payload: Body[CustomerCancelIn | None] = None
) -> Order:
    """Cancel while the shop has not confirmed the order yet; the stock goes back. The body (a
    ``reason``) may be left out."""
    order = _my_order(request, slug, number)
    reason = payload.reason if payload is not None else ""
    order_cancel(order=order, actor=api_user(request), reason=reason, by_customer=True, channel=Channel.API)
    return _my_order(request, slug, number)


@router.post(MY_ORDER + "/reorder", response={200: OrderReorderOut, **CUSTOMER_WRITE}, auth=api_auth)
def my_order_reorder(request: HttpRequest, slug: Slug, number: Number) -> dict[str, Any]:
    """Put the order's products back in the cart at today's prices; ``skipped`` names those that
    are no longer available."""
    view = order_reorder(user=api_user(request), order=_my_order(request, slug, number))
    return {**_cart_detail(view), "skipped": [str(title) for title in view.skipped]}


@router.post(MY_ORDER + "/reviews", response={201: ReviewOut, **errors(400, 401, 404, 409, 422)}, auth=api_auth)
def my_order_review(request: HttpRequest, slug: Slug, number: Number, payload: ReviewIn) -> Status[Review]:
    """Rate a product of a completed order, once."""
    review = review_create(
        order=_my_order(request, slug, number),
        user=api_user(request),
        product_id=payload.product_id,
        rating=payload.rating,
        text=payload.text,
        channel=Channel.API,
    )
    return Status(201, review)


@router.post(MY_ORDER + "/payments", response={201: CustomerPaymentOut, **CUSTOMER_WRITE}, auth=api_auth)
def my_order_pay(
    request: HttpRequest,
    slug: Slug,
    number: Number,
    payload: Form[PaymentSubmitIn],
    proof: File[UploadedFile | None] = None,
    idempotency_key: IdempotencyKey = "",
) -> Status[Payment]:
    """Tell the shop about a payment (multipart): ``method`` (transfer or qris), ``amount_minor``
    (at most what is still due), ``reference`` (needed for QRIS / e-wallet) and ``proof`` (the
    transfer receipt: an image or a PDF, at most 5 MB). The shop confirms it; until then it is
    pending. A retry with the same ``Idempotency-Key`` answers 201 with the same payment."""
    user = api_user(request)
    payment = payment_submit(
        order=_my_order(request, slug, number),
        user=user,
        method=payload.method,
        amount_minor=payload.amount_minor,
        reference=payload.reference,
        proof=proof,
        idempotency_key=idempotency_key,  # scoped to the user by the service
        channel=Channel.API,
    )
    return Status(201, payment)


# --- receipts -------------------------------------------------------------------------------------


@router.get("/receipts/{token}", response={200: ReceiptOut, **errors(404, 422)}, auth=None, summary="A receipt")
def receipt(request: HttpRequest, token: Token) -> Order:
    """The receipt behind a shared link: what the printed receipt shows (the customer's name, not
    their phone, email or address). The token is the secret; anything else answers 404."""
    return order_receipt_get(token=token)


# --- staff: orders --------------------------------------------------------------------------------

ORDERS = "/businesses/{slug}/orders"


@router.get(ORDERS, response={200: StaffOrderPage, **STAFF_READ}, auth=api_auth, summary="The shop's orders")
def staff_orders(request: HttpRequest, slug: Slug, filters: Query[StaffOrderFilterIn]) -> dict[str, Any]:
    """Newest first; ``status`` filters, ``q`` finds an order number or a customer's name or phone."""
    context = business_context_for(request, slug, Permission.ORDERS_VIEW)
    return _page(order_list(business=context.business, status=filters.status, query=filters.q), filters)


def _order_contact(context: BusinessContext, payload: StaffOrderIn) -> tuple[Contact | None, NewContact | None]:
    """The customer the order is for: one of the shop's (``contact_id``) or a new one (``contact``)."""
    if payload.contact_id is not None and payload.contact is not None:
        message = _("Choose a customer or enter a new one, not both.")
        raise ValidationError(message, fields={"contact": message})
    if payload.contact_id is not None:
        contact = contact_get(business=context.business, contact_id=payload.contact_id)
        if contact is None:
            message = _("This customer is not in your customer list.")
            raise ValidationError(message, fields={"contact_id": message})
        return contact, None
    if payload.contact is None:
        message = _("Choose a customer or enter a new one.")
        raise ValidationError(message, fields={"contact": message})
    new = payload.contact
    return None, NewContact(name=new.name, phone=new.phone, email=new.email, address=new.address)


@router.post(ORDERS, response={201: StaffOrderOut, **STAFF_WRITE}, auth=api_auth, summary="Take an order")
def staff_order_create(
    request: HttpRequest, slug: Slug, payload: StaffOrderIn, idempotency_key: IdempotencyKey = ""
) -> Status[Order]:
    """An order a customer gave by phone, chat or at the counter: an existing customer
    (``contact_id``) or a new one (``contact``), and the ``channel`` it came by. Prices come from
    the products. A retry with the same ``Idempotency-Key`` answers 201 with the same order."""
    context = business_context_for(request, slug, Permission.ORDERS_MANAGE)
    contact, new_contact = _order_contact(context, payload)
    order = order_take(
        business=context.business,
        actor=context.user,
        contact=contact,
        new_contact=new_contact,
        lines=[LineRequest(product_id=line.product_id, quantity=line.quantity) for line in payload.lines],
        fulfilment=payload.fulfilment,
        channel=payload.channel,
        delivery_address=payload.delivery_address,
        note=payload.note,
        preferred_time=payload.preferred_time,
        idempotency_key=idempotency_key,  # scoped to the member by the service
    )
    return Status(201, order_get(business=context.business, number=order.number))


@router.get(ORDERS + "/{number}", response={200: StaffOrderOut, **STAFF_READ}, auth=api_auth, summary="An order")
def staff_order(request: HttpRequest, slug: Slug, number: Number) -> Order:
    """With the customer, lines, status timeline, payments and what is still due."""
    return order_get(business=business_context_for(request, slug, Permission.ORDERS_VIEW).business, number=number)


@router.post(ORDERS + "/{number}/status", response={200: StaffOrderOut, **STAFF_WRITE}, auth=api_auth)
def staff_order_status(request: HttpRequest, slug: Slug, number: Number, payload: StatusIn) -> Order:
    """Move the order on (confirmed, packed, out for delivery, ready for pickup, completed); a step
    that ``next_statuses`` does not offer is refused with code ``transition_not_allowed``."""
    context = business_context_for(request, slug, Permission.ORDERS_MANAGE)
    order = order_get(business=context.business, number=number)
    order_transition(order=order, actor=context.user, to_status=payload.status, note=payload.note, channel=Channel.API)
    return order_get(business=context.business, number=number)


@router.post(ORDERS + "/{number}/cancel", response={200: StaffOrderOut, **STAFF_WRITE}, auth=api_auth)
def staff_order_cancel(request: HttpRequest, slug: Slug, number: Number, payload: StaffCancelIn) -> Order:
    """Cancel with a reason the customer sees; the stock goes back. An order with confirmed
    payments is refunded first."""
    context = business_context_for(request, slug, Permission.ORDERS_MANAGE)
    order = order_get(business=context.business, number=number)
    order_cancel(order=order, actor=context.user, reason=payload.reason, by_customer=False, channel=Channel.API)
    return order_get(business=context.business, number=number)


def _aware(moment: datetime | None, business: Business) -> datetime | None:
    """A time without an offset is the shop's local time."""
    if moment is None or timezone.is_aware(moment):
        return moment
    return timezone.make_aware(moment, _zone(business))


def _zone(business: Business) -> ZoneInfo:
    return ZoneInfo(business.timezone or "Asia/Jakarta")


def _member(context: BusinessContext, user_id: int | None) -> Any:
    if user_id is None:
        return context.user
    membership = membership_list(business=context.business).filter(user_id=user_id).first()
    if membership is None:
        message = _("Choose a member of your team.")
        raise ValidationError(message, fields={"received_by": message})
    return membership.user


@router.post(ORDERS + "/{number}/payments", response={201: StaffPaymentOut, **STAFF_WRITE}, auth=api_auth)
def staff_payment_record(
    request: HttpRequest,
    slug: Slug,
    number: Number,
    payload: Form[PaymentRecordIn],
    proof: File[UploadedFile | None] = None,
    idempotency_key: IdempotencyKey = "",
) -> Status[Payment]:
    """Record money received for the order (multipart; partial payments are fine): ``method``,
    ``amount_minor``, ``reference``, ``proof``, ``received_by`` (the user id of the member who took
    the money, as in the team list; you by default) and ``paid_at`` (now by default). Confirmed at
    once when you may confirm payments (``payments.confirm``), else waiting for the cashier."""
    context = business_context_for(request, slug, Permission.PAYMENTS_RECORD)
    order = order_get(business=context.business, number=number)
    payment = payment_record(
        order=order,
        actor=context.user,
        method=payload.method,
        amount_minor=payload.amount_minor,
        reference=payload.reference,
        proof=proof,
        received_by=_member(context, payload.received_by),
        confirm=context.has(Permission.PAYMENTS_CONFIRM),
        idempotency_key=idempotency_key,  # scoped to the member by the service
        paid_at=_aware(payload.paid_at, context.business),
        channel=Channel.API,
    )
    return Status(201, payment_get(business=context.business, payment_id=payment.pk))


# --- staff: payments ------------------------------------------------------------------------------

PAYMENTS = "/businesses/{slug}/payments"


@router.post(PAYMENTS + "/{payment_id}/confirm", response={200: StaffPaymentOut, **STAFF_WRITE}, auth=api_auth)
def staff_payment_confirm(request: HttpRequest, slug: Slug, payment_id: Id) -> Payment:
    """The money is really there: the order's paid amount goes up."""
    context = business_context_for(request, slug, Permission.PAYMENTS_CONFIRM)
    payment = payment_get(business=context.business, payment_id=payment_id)
    payment_confirm(payment=payment, actor=context.user, channel=Channel.API)
    return payment_get(business=context.business, payment_id=payment_id)


@router.get(
    PAYMENTS + "/{payment_id}/proof",
    response={200: None, **STAFF_READ},
    auth=api_auth,
    openapi_extra={"responses": {200: {"description": "The proof: an image or a PDF."}}},
)
def staff_payment_proof(request: HttpRequest, slug: Slug, payment_id: Id) -> HttpResponseBase:
    """The proof of payment the customer or a member uploaded (for the shop's team only)."""
    context = business_context_for(request, slug, Permission.ORDERS_VIEW)
    try:
        return proof_response(payment_get(business=context.business, payment_id=payment_id))
    except Http404 as error:
        raise NotFound() from error


@router.post(PAYMENTS + "/{payment_id}/reject", response={200: StaffPaymentOut, **STAFF_WRITE}, auth=api_auth)
def staff_payment_reject(request: HttpRequest, slug: Slug, payment_id: Id, payload: RejectIn) -> Payment:
    """The money did not arrive (or not this much): the customer sees the reason."""
    context = business_context_for(request, slug, Permission.PAYMENTS_CONFIRM)
    payment = payment_get(business=context.business, payment_id=payment_id)
    payment_reject(payment=payment, actor=context.user, reason=payload.reason, channel=Channel.API)
    return payment_get(business=context.business, payment_id=payment_id)


@router.get(
    PAYMENTS + "/reconciliation",
    response={200: ReconciliationOut, **STAFF_READ},
    auth=api_auth,
    summary="The day's payments, checked",
)
def staff_reconciliation(request: HttpRequest, slug: Slug, query: Query[ReconciliationIn]) -> dict[str, Any]:
    """Payments of one local day per method and per staff member: recorded, confirmed, pending and
    rejected amounts, with ``problems`` saying what does not add up."""
    context = business_context_for(request, slug, Permission.PAYMENTS_CONFIRM)
    day: date = query.date or timezone.localdate(timezone=_zone(context.business))
    recon = reconciliation_for(business=context.business, day=day)
    return {
        "day": recon.day,
        "currency": recon.currency,
        "by_method": [recon_row_shown(row, recon.currency) for row in recon.rows_by_method],
        "by_staff": [recon_row_shown(row, recon.currency) for row in recon.rows_by_staff],
        "totals": recon_row_shown(recon.totals, recon.currency),
        "problems": recon_problems(recon),
        "payments": recon.payments,
    }


# --- staff: settings ------------------------------------------------------------------------------

SETTINGS = "/businesses/{slug}/order-settings"


@router.get(SETTINGS, response={200: OrderSettingsOut, **STAFF_READ}, auth=api_auth, summary="How the shop sells")
def staff_order_settings(request: HttpRequest, slug: Slug) -> OrderSettings:
    """The payment gateway's server key is never shown: ``gateway_server_key_set`` says whether there is one."""
    return order_settings_for(business=business_context_for(request, slug, Permission.BUSINESS_EDIT).business)


@router.patch(SETTINGS, response={200: OrderSettingsOut, **STAFF_WRITE}, auth=api_auth)
def staff_order_settings_update(request: HttpRequest, slug: Slug, payload: OrderSettingsPatchIn) -> OrderSettings:
    """Change only the fields sent."""
    context = business_context_for(request, slug, Permission.BUSINESS_EDIT)
    return order_settings_update(business=context.business, actor=context.user, **payload.dict(exclude_unset=True))


# --- the payment gateway --------------------------------------------------------------------------


def _holds_nul(value: object) -> bool:
    """Whether a decoded JSON value has a NUL character in a key or a text (JSON's ``\\u0000``)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


@router.post(
    "/payments/gateway/{gateway}/notification",
    response={200: GatewayOutcomeOut, **errors(400, 404, 422)},
    auth=None,
    summary="Payment gateway notification",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object", "additionalProperties": True}}},
        }
    },
)
def gateway_notification(request: HttpRequest, gateway: GatewayName) -> dict[str, str]:
    """Where the gateway posts its HTTP notification (JSON, signed with the shop's server key).

    A well-formed notification answers 200 with what came of it, even when it was refused (a
    forged signature, a wrong amount, an unknown order) or already received, so the gateway stops
    retrying; only a paid notification that checks out records a payment, once. A body that is not
    a JSON object answers 400; an unknown gateway 404."""
    try:
        body = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nested too deep
        body = None
    if not isinstance(body, dict) or _holds_nul(body):  # PostgreSQL stores no NUL character
        raise ValidationError(_("Send the notification as a JSON object."), code="malformed")
    notification = gateway_notification_receive(gateway=gateway, body=body)  # kept for audit, whatever came of it
    if notification.outcome == "unknown_gateway":
        raise NotFound()
    return {"outcome": notification.outcome}
