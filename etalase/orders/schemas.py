"""What the orders API reads and answers: carts, orders, payments, receipts, reviews, settings.

Money is an integer of minor units (``*_minor``, whole rupiah for IDR) with its ``currency`` and,
for people, ``*_formatted`` in the request's language ("Rp 15.000" in Indonesian, "IDR 15,000" in
English). The inputs have no price fields: the server prices every line from the current products,
and a price a client sends is ignored like any unknown field.
"""

from datetime import date, datetime
from typing import Annotated, Any

from django.urls import reverse
from ninja import Schema
from pydantic import Field, StrictInt

from etalase.accounts.models import User
from etalase.core.api import MAX_ID, PageIn, PageMeta
from etalase.core.formats import money_format
from etalase.orders.enums import Fulfilment, OrderChannel, OrderStatus, PaymentMethod, PaymentStatus
from etalase.orders.transitions import order_can_cancel, order_can_customer_cancel, order_next_statuses

MAX_NUMBER = 2**31 - 1
"""Order numbers and quantities are stored as 32-bit integers."""

MAX_AMOUNT = 10**15
"""Bounds an amount so a huge number answers 422, never a database overflow."""

Quantity = Annotated[StrictInt, Field(description="How many; 0 removes the product from the cart.", le=10_000)]
IdIn = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]


def _money(amount: int, currency: str) -> str:
    return money_format(int(amount), currency)


def _person(user: User) -> dict[str, Any] | None:
    return None if user is None else {"id": user.pk, "name": user.display_name}


def _attribute(obj: Any, path: str) -> Any:
    for name in path.split("."):
        obj = getattr(obj, name)
    return obj


# Resolvers written once: ``resolve_total_formatted = money_resolver("total_minor", "currency")`` in a
# schema declaring ``total_formatted: str`` fills it like a ``@staticmethod def resolve_…`` would.


def money_resolver(amount: str, currency: str) -> Any:
    """``amount`` (an attribute in minor units) formatted in the currency at the ``currency`` path."""
    return staticmethod(lambda obj: _money(getattr(obj, amount), _attribute(obj, currency)))


def display_resolver(field: str) -> Any:
    """The label of a choice field, in the request's language."""
    return staticmethod(lambda obj: str(getattr(obj, f"get_{field}_display")()))


def related_resolver(name: str) -> Any:
    """The (prefetched) rows of a related manager, as a list."""
    return staticmethod(lambda obj: list(getattr(obj, name).all()))


def person_resolver(name: str) -> Any:
    """A user foreign key as ``{"id", "name"}``, or None."""
    return staticmethod(lambda obj: _person(getattr(obj, name)))


# --- shared pieces --------------------------------------------------------------------------------


class ChoiceOut(Schema):
    key: str
    label: str


class PersonOut(Schema):
    id: int
    name: str


# --- carts ----------------------------------------------------------------------------------------


class CartLineOut(Schema):
    product_id: int = Field(..., alias="product.pk")
    title: str = Field(..., alias="product.title", description="As the shop typed it; escape it in HTML.")
    quantity: int
    unit_price_minor: int = Field(..., description="The product's current price.")
    unit_price_formatted: str
    total_minor: int
    total_formatted: str
    stock: int | None = Field(..., alias="product.stock", description="None: unlimited.")
    problem: str | None = Field(
        ..., description="Why this line cannot be ordered as it is (unavailable, only N left); null when it can."
    )

    resolve_unit_price_formatted = money_resolver("unit_price_minor", "product.currency")

    resolve_total_formatted = money_resolver("total_minor", "product.currency")

    @staticmethod
    def resolve_problem(obj: Any) -> str | None:
        return None if obj.problem is None else str(obj.problem)


class CartOut(Schema):
    business: str = Field(..., alias="business.slug")
    business_name: str = Field(..., alias="business.name")
    currency: str = Field(..., alias="business.currency")
    lines: list[CartLineOut]
    count: int = Field(..., description="How many items (the sum of the quantities).")
    subtotal_minor: int = Field(..., description="The lines at current prices, without delivery.")
    subtotal_formatted: str
    is_empty: bool
    has_problems: bool = Field(..., description="True when a line must be changed before checking out.")

    resolve_subtotal_formatted = money_resolver("subtotal_minor", "business.currency")


class CartListOut(Schema):
    items: list[CartOut] = Field(..., description="Every cart with something in it, the latest changed first.")
    count: int = Field(..., description="Items in all carts together (for a badge).")


class CheckoutOptionsOut(Schema):
    accepts_orders: bool
    fulfilments: list[ChoiceOut] = Field(..., description="pickup and/or delivery, as the shop offers them.")
    delivery_fee_minor: int
    delivery_fee_formatted: str
    currency: str
    payment_methods: list[ChoiceOut]
    bank_details: str = Field(..., description="Where to send a bank transfer.")
    qris_details: str


class CartDetailOut(Schema):
    cart: CartOut
    checkout: CheckoutOptionsOut


class CartItemIn(Schema):
    product_id: IdIn
    quantity: Quantity = 1


class CartQuantityIn(Schema):
    quantity: Quantity


class OrderReorderOut(CartDetailOut):
    skipped: list[str] = Field(..., description="Titles of the order's products that could not be added again.")


# --- orders: the parts ------------------------------------------------------------------------------


class OrderLineOut(Schema):
    product_id: int | None = Field(..., description="None when the product was deleted since.")
    title: str = Field(..., description="As it was when ordered.")
    sku: str
    quantity: int
    unit_price_minor: int = Field(..., description="The price when ordered.")
    unit_price_formatted: str
    total_minor: int
    total_formatted: str

    resolve_unit_price_formatted = money_resolver("unit_price_minor", "order.currency")

    resolve_total_formatted = money_resolver("total_minor", "order.currency")


class OrderEventOut(Schema):
    from_status: str = Field(..., description="Empty for the first step.")
    to_status: OrderStatus
    label: str
    note: str
    created_at: datetime

    resolve_label = display_resolver("to_status")


class StaffOrderEventOut(OrderEventOut):
    actor: PersonOut | None

    resolve_actor = person_resolver("actor")


class PaymentOut(Schema):
    id: int
    method: PaymentMethod
    method_label: str
    status: PaymentStatus
    status_label: str
    amount_minor: int
    amount_formatted: str
    currency: str = Field(..., alias="order.currency")
    reference: str
    has_proof: bool
    paid_at: datetime
    confirmed_at: datetime | None
    rejected_reason: str

    resolve_method_label = display_resolver("method")

    resolve_status_label = display_resolver("status")

    resolve_amount_formatted = money_resolver("amount_minor", "order.currency")

    @staticmethod
    def resolve_has_proof(obj: Any) -> bool:
        return bool(obj.proof)


class StaffPaymentOut(PaymentOut):
    order_number: int = Field(..., alias="order.number")
    proof_url: str | None
    recorded_by: PersonOut | None = Field(..., description="Who entered it (null for the customer or a gateway).")
    received_by: PersonOut | None = Field(..., description="The member who took the money.")
    confirmed_by: PersonOut | None
    gateway: str
    gateway_transaction_id: str
    created_at: datetime

    @staticmethod
    def resolve_proof_url(obj: Any) -> str | None:
        if not obj.proof:
            return None
        return f"/api/v1/businesses/{obj.business.slug}/payments/{obj.pk}/proof"

    resolve_recorded_by = person_resolver("recorded_by")

    resolve_received_by = person_resolver("received_by")

    resolve_confirmed_by = person_resolver("confirmed_by")


class ReviewOut(Schema):
    id: int
    product_id: int
    rating: int
    text: str
    created_at: datetime


class _Amounts(Schema):
    """The order's money, each as minor units and formatted."""

    currency: str
    total_minor: int
    total_formatted: str
    paid_minor: int = Field(..., description="Confirmed payments only.")
    paid_formatted: str
    due_minor: int = Field(..., description="What is still to pay: the total less confirmed payments.")
    due_formatted: str
    is_paid: bool

    resolve_total_formatted = money_resolver("total_minor", "currency")

    resolve_paid_formatted = money_resolver("paid_minor", "currency")

    resolve_due_formatted = money_resolver("due_minor", "currency")


class _FullAmounts(_Amounts):
    subtotal_minor: int
    subtotal_formatted: str
    delivery_fee_minor: int
    delivery_fee_formatted: str

    resolve_subtotal_formatted = money_resolver("subtotal_minor", "currency")

    resolve_delivery_fee_formatted = money_resolver("delivery_fee_minor", "currency")


def _receipt_url(obj: Any) -> str:
    return reverse("orders:receipt", args=[obj.receipt_token])


# --- orders: customers ------------------------------------------------------------------------------


class OrderSummaryOut(_Amounts):
    business: str = Field(..., alias="business.slug")
    business_name: str = Field(..., alias="business.name")
    number: int
    status: OrderStatus
    status_label: str
    fulfilment: Fulfilment
    placed_at: datetime

    resolve_status_label = display_resolver("status")


class OrderPage(PageMeta):
    items: list[OrderSummaryOut]


class OrderOut(OrderSummaryOut, _FullAmounts):
    channel: OrderChannel
    delivery_address: str
    note: str
    preferred_time: str
    cancel_reason: str
    cancelled_at: datetime | None
    completed_at: datetime | None
    can_cancel: bool = Field(..., description="Only while the shop has not confirmed it yet.")
    can_review: bool = Field(..., description="Once completed, each product may be reviewed once.")
    lines: list[OrderLineOut]
    events: list[OrderEventOut] = Field(..., description="The status timeline, oldest first.")
    payments: list[PaymentOut] = Field(..., description="Oldest first, rejected ones included.")
    reviews: list[ReviewOut]
    receipt_token: str
    receipt_url: str = Field(..., description="The printable receipt page, to share.")

    @staticmethod
    def resolve_can_cancel(obj: Any) -> bool:
        return order_can_customer_cancel(obj)

    @staticmethod
    def resolve_can_review(obj: Any) -> bool:
        return bool(obj.is_completed)

    resolve_lines = related_resolver("lines")

    resolve_events = related_resolver("events")

    resolve_payments = related_resolver("payments")

    resolve_reviews = related_resolver("reviews")

    resolve_receipt_url = staticmethod(_receipt_url)


class CheckoutIn(Schema):
    fulfilment: Fulfilment
    delivery_address: str = Field("", max_length=300, description="Needed for delivery.")
    note: str = Field("", max_length=500)
    preferred_time: str = Field("", max_length=80, description="When the customer would like it, in their words.")


class CustomerCancelIn(Schema):
    reason: str = Field("", max_length=300)


class PaymentSubmitIn(Schema):
    method: PaymentMethod
    amount_minor: int = Field(..., le=MAX_AMOUNT, description="Integer minor units: 15000 = Rp 15.000.")
    reference: str = Field("", max_length=120, description="The transfer or QRIS / e-wallet reference.")


class ReviewIn(Schema):
    product_id: IdIn
    rating: StrictInt = Field(..., ge=1, le=5, description="1 to 5 stars.")
    text: str = Field("", max_length=2000)


# --- receipts ---------------------------------------------------------------------------------------


class ReceiptLineOut(OrderLineOut):
    pass


class ReceiptPaymentOut(Schema):
    method: PaymentMethod
    method_label: str
    status: PaymentStatus = Field(..., description="confirmed, or pending: waiting for the shop's confirmation.")
    amount_minor: int
    amount_formatted: str
    paid_at: datetime

    resolve_method_label = display_resolver("method")

    resolve_amount_formatted = money_resolver("amount_minor", "order.currency")


class ReceiptOut(_FullAmounts):
    """What the printed receipt shows, and nothing more: the customer's name and the delivery
    address, never their phone number, email or account."""

    business: str = Field(..., alias="business.slug")
    business_name: str = Field(..., alias="business.name")
    business_city: str = Field(..., alias="business.city")
    business_address: str = Field(..., alias="business.address")
    business_whatsapp: str = Field(..., alias="business.whatsapp")
    number: int
    status: OrderStatus
    status_label: str
    fulfilment: Fulfilment
    delivery_address: str
    customer_name: str = Field(..., alias="contact.display_name")
    placed_at: datetime
    lines: list[ReceiptLineOut]
    payments: list[ReceiptPaymentOut] = Field(..., description="Confirmed and pending payments, oldest first.")
    receipt_url: str

    resolve_status_label = display_resolver("status")

    resolve_lines = related_resolver("lines")

    @staticmethod
    def resolve_payments(obj: Any) -> list[Any]:
        return [payment for payment in obj.payments.all() if payment.status != PaymentStatus.REJECTED]

    resolve_receipt_url = staticmethod(_receipt_url)


# --- orders: staff ----------------------------------------------------------------------------------


class OrderContactOut(Schema):
    id: int
    name: str
    phone: str
    email: str


class StaffOrderSummaryOut(_Amounts):
    number: int
    status: OrderStatus
    status_label: str
    channel: OrderChannel
    fulfilment: Fulfilment
    contact: OrderContactOut
    placed_at: datetime

    resolve_status_label = display_resolver("status")


class StaffOrderPage(PageMeta):
    items: list[StaffOrderSummaryOut]


class StaffOrderOut(StaffOrderSummaryOut, _FullAmounts):
    customer_id: int | None = Field(..., description="The customer's account, when they have one.")
    created_by: PersonOut | None = Field(..., description="The member who took the order (null: the customer).")
    delivery_address: str
    note: str
    preferred_time: str
    cancel_reason: str
    cancelled_at: datetime | None
    completed_at: datetime | None
    next_statuses: list[ChoiceOut] = Field(..., description="Where the order may go next (cancel apart).")
    can_cancel: bool
    lines: list[OrderLineOut]
    events: list[StaffOrderEventOut]
    payments: list[StaffPaymentOut]
    receipt_token: str
    receipt_url: str

    resolve_created_by = person_resolver("created_by")

    @staticmethod
    def resolve_next_statuses(obj: Any) -> list[dict[str, str]]:
        return [{"key": status, "label": str(OrderStatus(status).label)} for status in order_next_statuses(obj)]

    @staticmethod
    def resolve_can_cancel(obj: Any) -> bool:
        return order_can_cancel(obj)

    resolve_lines = related_resolver("lines")

    resolve_events = related_resolver("events")

    resolve_payments = related_resolver("payments")

    resolve_receipt_url = staticmethod(_receipt_url)


class StaffOrderFilterIn(PageIn):
    status: OrderStatus | None = Field(None, description="Without it, orders of every status.")
    q: str = Field("", max_length=100, description="An order number, or part of the customer's name or phone.")


class LineIn(Schema):
    product_id: IdIn
    quantity: StrictInt = Field(..., le=10_000)


class NewContactIn(Schema):
    name: str = Field("", max_length=120)
    phone: str = Field("", max_length=32)
    email: str = Field("", max_length=254)
    address: str = Field("", max_length=300)


class StaffOrderIn(Schema):
    contact_id: IdIn | None = Field(None, description="A customer of this shop; or send ``contact`` instead.")
    contact: NewContactIn | None = Field(
        None, description="A new customer; one with the same phone or email is found again instead of doubled."
    )
    channel: OrderChannel = Field(..., description="Where the order was taken: phone, whatsapp, walk_in, ...")
    lines: list[LineIn] = Field(..., max_length=200)
    fulfilment: Fulfilment
    delivery_address: str = Field("", max_length=300)
    note: str = Field("", max_length=500)
    preferred_time: str = Field("", max_length=80)


class StatusIn(Schema):
    status: OrderStatus
    note: str = Field("", max_length=300)


class StaffCancelIn(Schema):
    reason: str = Field(..., max_length=300)


class PaymentRecordIn(PaymentSubmitIn):
    received_by: int | None = Field(
        None, ge=1, le=MAX_ID, description="The user id of the member who took the money (you by default)."
    )
    paid_at: datetime | None = Field(None, description="When the money was received (now by default).")


class RejectIn(Schema):
    reason: str = Field(..., max_length=300)


# --- reconciliation ---------------------------------------------------------------------------------


class ReconRowOut(Schema):
    key: str
    label: str
    count: int
    recorded_minor: int = Field(..., description="Everything recorded or submitted.")
    recorded_formatted: str
    confirmed_minor: int
    confirmed_formatted: str
    pending_minor: int = Field(..., description="Recorded and not confirmed yet: to check.")
    pending_formatted: str
    rejected_minor: int
    rejected_formatted: str
    flag: str | None = Field(..., description="What does not add up on this row; null when all is well.")


class ReconciliationOut(Schema):
    day: date
    currency: str
    by_method: list[ReconRowOut]
    by_staff: list[ReconRowOut]
    totals: ReconRowOut
    problems: list[str]
    payments: list[StaffPaymentOut]


Day = date  # the query parameter below is called "date"


class ReconciliationIn(Schema):
    date: Day | None = Field(None, description="The shop's local day, YYYY-MM-DD; today without it.")


# --- settings ---------------------------------------------------------------------------------------


class OrderSettingsOut(Schema):
    accepts_orders: bool
    pickup_enabled: bool
    delivery_enabled: bool
    delivery_fee_minor: int
    delivery_fee_formatted: str
    currency: str = Field(..., alias="business.currency")
    cash_enabled: bool
    transfer_enabled: bool
    bank_details: str
    qris_enabled: bool
    qris_details: str
    gateway_enabled: bool
    gateway_server_key_set: bool = Field(..., description="The key itself is never shown again.")

    resolve_delivery_fee_formatted = money_resolver("delivery_fee_minor", "business.currency")

    @staticmethod
    def resolve_gateway_server_key_set(obj: Any) -> bool:
        return bool(obj.gateway_server_key)


class OrderSettingsPatchIn(Schema):
    accepts_orders: bool | None = None
    pickup_enabled: bool | None = None
    delivery_enabled: bool | None = None
    delivery_fee_minor: StrictInt | None = Field(None, le=MAX_AMOUNT)
    cash_enabled: bool | None = None
    transfer_enabled: bool | None = None
    bank_details: str | None = Field(None, max_length=500)
    qris_enabled: bool | None = None
    qris_details: str | None = Field(None, max_length=500)
    gateway_enabled: bool | None = None
    gateway_server_key: str | None = Field(
        None, max_length=128, description="Write-only: answers show only whether one is set. Send '' to remove it."
    )


# --- gateway ----------------------------------------------------------------------------------------


class GatewayOutcomeOut(Schema):
    outcome: str = Field(..., description="What came of the notification (e.g. paid, duplicate, bad_signature).")
