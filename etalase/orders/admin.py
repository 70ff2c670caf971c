"""Operators' view of orders and payments: find them and read their trail.

Money is changed only by the shop, through the services (with activities and the payment trail),
so orders, payments and gateway notifications are read-only here; reviews can be hidden.
"""

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from etalase.orders.models import GatewayNotification, Order, OrderEvent, OrderLine, OrderSettings, Payment, Review


class ReadOnlyAdmin[M: Model](admin.ModelAdmin[M]):
    """Everything visible, nothing editable, added or deleted."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline[M: Model](admin.TabularInline[M, Order]):
    extra = 0
    can_delete = False
    max_num = 0

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


LINE_FIELDS = ("title", "sku", "unit_price_minor", "quantity", "total_minor", "product")
EVENT_FIELDS = ("created_at", "from_status", "to_status", "actor", "note")
PAYMENT_FIELDS = (
    "paid_at",
    "method",
    "amount_minor",
    "status",
    "reference",
    "recorded_by",
    "received_by",
    "confirmed_by",
    "confirmed_at",
    "gateway",
)


class OrderLineInline(ReadOnlyInline[OrderLine]):
    model = OrderLine
    fields = LINE_FIELDS
    readonly_fields = LINE_FIELDS


class OrderEventInline(ReadOnlyInline[OrderEvent]):
    model = OrderEvent
    fields = EVENT_FIELDS
    readonly_fields = EVENT_FIELDS


class PaymentInline(ReadOnlyInline[Payment]):
    model = Payment
    fields = PAYMENT_FIELDS
    readonly_fields = PAYMENT_FIELDS


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin[Order]):
    list_display = ["number", "business", "contact", "channel", "status", "total_minor", "paid_minor", "placed_at"]
    list_filter = ["status", "channel", "fulfilment", "currency"]
    search_fields = ["=number", "business__name", "business__slug", "contact__name", "contact__phone"]
    list_select_related = ["business", "contact"]
    date_hierarchy = "placed_at"
    inlines = [OrderLineInline, PaymentInline, OrderEventInline]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin[Payment]):
    list_display = [
        "pk",
        "business",
        "order",
        "method",
        "amount_minor",
        "status",
        "paid_at",
        "received_by",
        "confirmed_by",
        "gateway",
    ]
    list_filter = ["status", "method", "gateway"]
    search_fields = ["reference", "gateway_transaction_id", "business__name", "business__slug", "=order__number"]
    list_select_related = ["business", "order", "received_by", "confirmed_by"]
    date_hierarchy = "paid_at"


@admin.register(GatewayNotification)
class GatewayNotificationAdmin(ReadOnlyAdmin[GatewayNotification]):
    list_display = ["received_at", "gateway", "business", "order_reference", "transaction_id", "outcome"]
    list_filter = ["gateway", "outcome", "signature_valid"]
    search_fields = ["order_reference", "transaction_id"]
    list_select_related = ["business"]
    date_hierarchy = "received_at"


@admin.register(OrderSettings)
class OrderSettingsAdmin(ReadOnlyAdmin[OrderSettings]):
    list_display = ["business", "accepts_orders", "pickup_enabled", "delivery_enabled", "gateway_enabled"]
    list_select_related = ["business"]
    search_fields = ["business__name", "business__slug"]
    exclude = ["gateway_server_key"]  # a secret of the shop's


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin[Review]):
    list_display = ["product", "business", "user", "rating", "is_hidden", "created_at"]
    list_filter = ["rating", "is_hidden"]
    search_fields = ["product__title", "business__name", "text"]
    list_select_related = ["product", "business", "user"]
    raw_id_fields = ["business", "order", "product", "user"]
    readonly_fields = ["business", "order", "product", "user", "rating", "text", "created_at"]
    fields = ["business", "order", "product", "user", "rating", "text", "is_hidden", "created_at"]
    actions = ["hide", "show"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Hide selected reviews from the public"))
    def hide(self, request: HttpRequest, queryset: Any) -> None:
        queryset.update(is_hidden=True)

    @admin.action(description=_("Show selected reviews again"))
    def show(self, request: HttpRequest, queryset: Any) -> None:
        queryset.update(is_hidden=False)
