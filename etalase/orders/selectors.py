"""Reads of carts, orders, payments, the daily reconciliation and reviews. The business comes first.

Carts are shown with today's prices and stock: each line says what is wrong with it (no longer
available, sold out, only N left) so the page can explain before checkout refuses.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AnonymousUser
from django.db.models import Avg, Count, F, Prefetch, Q, QuerySet, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from etalase.accounts.models import User
from etalase.catalog.enums import ProductStatus
from etalase.catalog.models import Product
from etalase.catalog.selectors import cover_prefetch
from etalase.core.errors import NotFound
from etalase.directory.enums import BusinessStatus
from etalase.directory.models import Business, Membership
from etalase.orders.enums import Fulfilment, OrderStatus, PaymentMethod, PaymentStatus
from etalase.orders.models import Cart, CartItem, Order, OrderEvent, OrderSettings, Payment, Review

# --- settings ------------------------------------------------------------------------------------


def order_settings_for(*, business: Business) -> OrderSettings:
    """The business's order settings, created with the defaults the first time they are asked for."""
    settings, _created = OrderSettings.objects.get_or_create(business=business)
    return settings


def payment_methods_for(*, business: Business, settings: OrderSettings | None = None) -> list[str]:
    """The payment methods the business takes, in a fixed order; online payment only with a server key."""
    settings = settings or order_settings_for(business=business)
    methods: list[str] = []
    if settings.cash_enabled:
        methods.append(PaymentMethod.CASH)
    if settings.transfer_enabled:
        methods.append(PaymentMethod.TRANSFER)
    if settings.qris_enabled:
        methods.append(PaymentMethod.QRIS)
    if settings.gateway_enabled and settings.gateway_server_key:
        methods.append(PaymentMethod.GATEWAY)
    return methods


def fulfilments_for(*, business: Business, settings: OrderSettings | None = None) -> list[str]:
    """How the business hands orders over (pickup, delivery), in a fixed order."""
    settings = settings or order_settings_for(business=business)
    choices: list[str] = []
    if settings.pickup_enabled:
        choices.append(Fulfilment.PICKUP)
    if settings.delivery_enabled:
        choices.append(Fulfilment.DELIVERY)
    return choices


# --- carts ---------------------------------------------------------------------------------------


@dataclass
class CartLineView:
    product: Product
    quantity: int
    unit_price_minor: int
    total_minor: int
    problem: str | None = None  # translated: why this line cannot be ordered as it is


@dataclass
class CartView:
    business: Business
    lines: list[CartLineView]
    subtotal_minor: int
    count: int
    is_empty: bool
    has_problems: bool
    skipped: list[str] = field(default_factory=list)  # titles ``order_reorder`` could not add again

    @property
    def currency(self) -> str:
        return self.business.currency


def product_orderable(product: Product) -> bool:
    """Whether a customer may order ``product`` now: published, visible, of an active business."""
    return (
        product.status == ProductStatus.PUBLISHED
        and not product.is_hidden
        and product.business.status == BusinessStatus.ACTIVE
    )


def _line_problem(product: Product, quantity: int) -> str | None:
    if not product_orderable(product):
        return str(_("No longer available."))
    if product.stock is not None and product.stock <= 0:
        return str(_("Sold out."))
    if product.stock is not None and quantity > product.stock:
        return str(_("Only %(count)d left.") % {"count": product.stock})
    return None


def _cart_view(business: Business, items: Iterable[CartItem]) -> CartView:
    lines = []
    for item in items:
        product = item.product
        lines.append(
            CartLineView(
                product=product,
                quantity=item.quantity,
                unit_price_minor=product.price_minor,
                total_minor=product.price_minor * item.quantity,
                problem=_line_problem(product, item.quantity),
            )
        )
    return CartView(
        business=business,
        lines=lines,
        subtotal_minor=sum(line.total_minor for line in lines),
        count=sum(line.quantity for line in lines),
        is_empty=not lines,
        has_problems=any(line.problem for line in lines),
    )


def _cart_items() -> QuerySet[CartItem]:
    return CartItem.objects.select_related("product", "product__business").prefetch_related(
        cover_prefetch("product__images")
    )


def cart_for(*, business: Business, user: User | AnonymousUser | None) -> CartView:
    """The user's cart at ``business`` with today's prices (empty for anonymous visitors)."""
    if not isinstance(user, User):
        return _cart_view(business, [])
    items = _cart_items().filter(cart__business=business, cart__user=user).order_by("added_at", "pk")
    return _cart_view(business, list(items))


def carts_for_user(*, user: User) -> list[CartView]:
    """Every non-empty cart of the user, the most recently changed first."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    carts = (
        Cart.objects.filter(user=user, items__isnull=False)
        .distinct()
        .select_related("business")
        .prefetch_related(Prefetch("items", queryset=_cart_items().order_by("added_at", "pk")))
        .order_by("-updated_at", "-pk")
    )
    return [_cart_view(cart.business, cart.items.all()) for cart in carts]


def cart_count(*, user: User | AnonymousUser | None) -> int:
    """How many items the user has in all carts together (the badge)."""
    if not isinstance(user, User):
        return 0
    total = CartItem.objects.filter(cart__user=user).aggregate(total=Sum("quantity"))["total"]
    return int(total or 0)


# --- orders --------------------------------------------------------------------------------------


def _order_detail(queryset: QuerySet[Order]) -> QuerySet[Order]:
    return queryset.select_related("business", "contact", "customer", "created_by").prefetch_related(
        "lines",
        Prefetch("events", queryset=OrderEvent.objects.select_related("actor").order_by("created_at", "pk")),
        Prefetch(
            "payments",
            queryset=Payment.objects.select_related("recorded_by", "received_by", "confirmed_by").order_by(
                "paid_at", "pk"
            ),
        ),
    )


def order_list(*, business: Business, status: str | None = None, query: str = "") -> QuerySet[Order]:
    """The business's orders, newest first, optionally of one status and matching ``query``
    (an order number such as "12" or "#12", or part of the customer's name or phone number)."""
    orders = Order.objects.filter(business=business).select_related("contact", "customer")
    if status:
        orders = orders.filter(status=status)
    text = (query or "").strip()
    if text:
        condition = Q(contact__name__icontains=text)
        number = text.removeprefix("#").strip()
        if number.isdigit() and len(number) <= 9:
            condition |= Q(number=int(number))
        digits = "".join(ch for ch in text if ch.isdigit())
        if len(digits) >= 3:
            condition |= Q(contact__phone__contains=digits.removeprefix("0"))
        orders = orders.filter(condition)
    return orders.order_by("-placed_at", "-pk")


def order_get(*, business: Business, number: int) -> Order:
    """One order of the business with its lines, timeline and payments; NotFound otherwise."""
    order = _order_detail(Order.objects.filter(business=business, number=number)).first()
    if order is None:
        raise NotFound(_("Order not found."))
    return order


def customer_order_list(*, user: User) -> QuerySet[Order]:
    """The user's orders at every business, newest first."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Order.objects.none()
    return (
        Order.objects.filter(customer=user)
        .select_related("business", "contact")
        .prefetch_related("lines")
        .order_by("-placed_at", "-pk")
    )


def customer_order_get(*, user: User, business: Business, number: int) -> Order:
    """One of the user's own orders; someone else's order looks exactly like a missing one."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise NotFound(_("Order not found."))
    order = _order_detail(Order.objects.filter(business=business, number=number, customer=user)).first()
    if order is None:
        raise NotFound(_("Order not found."))
    return order


def order_receipt_get(*, token: str) -> Order:
    """The order a receipt link points at (the token is the secret); NotFound otherwise."""
    if not token or len(token) > 64:
        raise NotFound(_("Receipt not found."))
    order = _order_detail(Order.objects.filter(receipt_token=token)).first()
    if order is None:
        raise NotFound(_("Receipt not found."))
    return order


def order_pending_minor(order: Order) -> int:
    """What the order's payments waiting for confirmation add up to (from its prefetched payments
    when a selector fetched them, else one query)."""
    return sum(payment.amount_minor for payment in order.payments.all() if payment.status == PaymentStatus.PENDING)


def order_payable_minor(order: Order) -> int:
    """What may still be paid: the total less confirmed and pending payments."""
    return max(order.total_minor - order.paid_minor - order_pending_minor(order), 0)


def payment_get(*, business: Business, payment_id: int) -> Payment:
    payment = (
        Payment.objects.filter(business=business, pk=payment_id)
        .select_related("order", "order__contact", "recorded_by", "received_by", "confirmed_by")
        .first()
    )
    if payment is None:
        raise NotFound(_("Payment not found."))
    return payment


def payment_list(*, business: Business, status: str | None = None) -> QuerySet[Payment]:
    """The business's payments, newest first (for example those waiting for confirmation)."""
    payments = Payment.objects.filter(business=business).select_related(
        "order", "order__contact", "recorded_by", "received_by", "confirmed_by"
    )
    if status:
        payments = payments.filter(status=status)
    return payments.order_by("-paid_at", "-pk")


# --- daily reconciliation ------------------------------------------------------------------------

CUSTOMER_KEY = "customer"
GATEWAY_KEY = "gateway"


@dataclass
class ReconRow:
    label: str
    key: str
    recorded_minor: int = 0  # everything recorded: confirmed + pending + rejected
    confirmed_minor: int = 0
    pending_minor: int = 0
    rejected_minor: int = 0
    count: int = 0

    def add(self, payment: Payment) -> None:
        self.count += 1
        self.recorded_minor += payment.amount_minor
        if payment.status == PaymentStatus.CONFIRMED:
            self.confirmed_minor += payment.amount_minor
        elif payment.status == PaymentStatus.PENDING:
            self.pending_minor += payment.amount_minor
        else:
            self.rejected_minor += payment.amount_minor


@dataclass
class Reconciliation:
    """The day's payments in rows and what a cashier should act on; ``orders.wording`` says it in words."""

    day: dt.date
    rows_by_method: list[ReconRow]
    rows_by_staff: list[ReconRow]
    totals: ReconRow
    payments: list[Payment]
    currency: str = "IDR"
    pending_earlier: list[Payment] = field(default_factory=list)  # still waiting from before the day
    completed_unpaid: list[Order] = field(default_factory=list)  # completed that day, not fully paid

    @property
    def payments_to_check(self) -> list[Payment]:
        """The day's payments not confirmed: waiting (cash recorded or a customer's) or rejected."""
        return [payment for payment in self.payments if payment.status != PaymentStatus.CONFIRMED]

    @property
    def is_clean(self) -> bool:
        return not (self.payments_to_check or self.pending_earlier or self.completed_unpaid)


def local_day_bounds(business: Business, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The start and end of ``day`` in the business's timezone, as aware datetimes."""
    zone = ZoneInfo(business.timezone or "Asia/Jakarta")
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def _staff_key(payment: Payment, member_ids: set[int]) -> tuple[str, Any]:
    if payment.gateway:
        return GATEWAY_KEY, None
    person = payment.received_by or payment.recorded_by
    if person is not None and person.pk in member_ids:
        return f"user:{person.pk}", person
    return CUSTOMER_KEY, None


def reconciliation_for(*, business: Business, day: dt.date) -> Reconciliation:
    """What was paid on ``day`` (the business's local day), per method and per staff member, with
    what a cashier should act on: the day's payments not confirmed, payments still waiting from
    earlier days, orders completed that day without being fully paid."""
    start, end = local_day_bounds(business, day)
    payments = list(
        Payment.objects.filter(business=business, paid_at__gte=start, paid_at__lt=end)
        .select_related("order", "order__contact", "recorded_by", "received_by", "confirmed_by")
        .order_by("paid_at", "pk")
    )
    rows_by_method, rows_by_staff, totals = _recon_rows(business, payments)
    return Reconciliation(
        day=day,
        rows_by_method=rows_by_method,
        rows_by_staff=rows_by_staff,
        totals=totals,
        payments=payments,
        currency=business.currency,
        pending_earlier=list(
            Payment.objects.filter(business=business, status=PaymentStatus.PENDING, paid_at__lt=start)
            .select_related("order", "recorded_by", "received_by")
            .order_by("paid_at", "pk")
        ),
        completed_unpaid=list(
            Order.objects.filter(
                business=business,
                status=OrderStatus.COMPLETED,
                completed_at__gte=start,
                completed_at__lt=end,
                paid_minor__lt=F("total_minor"),
            )
            .select_related("contact")
            .order_by("completed_at", "pk")
        ),
    )


def _recon_rows(business: Business, payments: list[Payment]) -> tuple[list[ReconRow], list[ReconRow], ReconRow]:
    """The payments added up per method (those used), per person (members by name, then the
    customers and the gateway) and in total."""
    member_ids = set(Membership.objects.filter(business=business).values_list("user_id", flat=True))
    by_method = {method: ReconRow(label=str(label), key=method) for method, label in PaymentMethod.choices}
    by_staff: dict[str, ReconRow] = {}
    totals = ReconRow(label=str(_("Total")), key="total")
    for payment in payments:
        by_method[payment.method].add(payment)
        key, person = _staff_key(payment, member_ids)
        if key not in by_staff:
            if key == GATEWAY_KEY:
                name: str | Promise = _("Payment gateway")
            elif key == CUSTOMER_KEY:
                name = _("Customer (online)")
            else:
                name = person.display_name
            by_staff[key] = ReconRow(label=str(name), key=key)
        by_staff[key].add(payment)
        totals.add(payment)
    rows_by_method = [row for row in by_method.values() if row.count]
    rows_by_staff = sorted(by_staff.values(), key=lambda row: (row.key in (CUSTOMER_KEY, GATEWAY_KEY), row.label))
    return rows_by_method, rows_by_staff, totals


# --- reviews -------------------------------------------------------------------------------------


def product_reviews(*, product: Product) -> QuerySet[Review]:
    """The visible reviews of a product, newest first."""
    return Review.objects.filter(product=product, is_hidden=False).select_related("user").order_by("-created_at", "-pk")


def review_summary(*, product: Product) -> tuple[int, Decimal | None]:
    """How many visible reviews the product has and their average rating (one decimal), or None."""
    values = Review.objects.filter(product=product, is_hidden=False).aggregate(count=Count("pk"), average=Avg("rating"))
    count = int(values["count"] or 0)
    if not count or values["average"] is None:
        return count, None
    average = Decimal(str(values["average"])).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return count, average
