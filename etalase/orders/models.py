"""Carts, orders and their lines, the status timeline, payments, gateway notifications and reviews.

Tables only: every rule (prices, stock, transitions, amounts) lives in ``services.py`` and
``transitions.py``. Money is integer minor units in the business currency.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from etalase.core.models import TimeStampedModel
from etalase.core.storage import private_storage
from etalase.orders.enums import Fulfilment, OrderChannel, OrderStatus, PaymentMethod, PaymentStatus


def receipt_token() -> str:
    return secrets.token_urlsafe(18)


class OrderSettings(models.Model):
    """How one business takes orders and payments."""

    business = models.OneToOneField("directory.Business", on_delete=models.CASCADE, related_name="order_settings")
    accepts_orders = models.BooleanField(_("take orders from the storefront"), default=True)
    pickup_enabled = models.BooleanField(_("pickup at the shop"), default=True)
    delivery_enabled = models.BooleanField(_("delivery"), default=True)
    delivery_fee_minor = models.BigIntegerField(_("delivery fee"), default=0)
    cash_enabled = models.BooleanField(_("cash"), default=True)
    transfer_enabled = models.BooleanField(_("bank transfer"), default=True)
    bank_details = models.TextField(
        _("bank account for transfers"), max_length=500, blank=True, help_text=_("Bank, account number and name.")
    )
    qris_enabled = models.BooleanField(_("QRIS / e-wallet"), default=False)
    qris_details = models.TextField(_("QRIS / e-wallet instructions"), max_length=500, blank=True)
    gateway_enabled = models.BooleanField(_("online payment"), default=False)
    gateway_server_key = models.CharField(_("payment gateway server key"), max_length=128, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("order settings")
        verbose_name_plural = _("order settings")
        constraints = [
            models.CheckConstraint(condition=Q(delivery_fee_minor__gte=0), name="order_settings_fee_not_negative")
        ]

    def __str__(self) -> str:
        return str(self.business)


class OrderCounter(models.Model):
    """The last order number a business gave; locked while the next one is taken."""

    business = models.OneToOneField("directory.Business", on_delete=models.CASCADE, related_name="+")
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.business_id}: {self.last_number}"


class Cart(TimeStampedModel):
    """One customer's cart at one business."""

    business = models.ForeignKey("directory.Business", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="carts")

    class Meta:
        verbose_name = _("cart")
        verbose_name_plural = _("carts")
        constraints = [models.UniqueConstraint(fields=["user", "business"], name="cart_one_per_user_business")]


class CartItem(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "product"], name="cart_item_one_per_product"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="cart_item_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id}"


class Order(TimeStampedModel):
    business = models.ForeignKey(
        "directory.Business", on_delete=models.CASCADE, related_name="orders", verbose_name=_("business")
    )
    number = models.PositiveIntegerField(_("order number"))
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("customer account"),
    )
    contact = models.ForeignKey(
        "customers.Contact", on_delete=models.PROTECT, related_name="orders", verbose_name=_("customer")
    )
    channel = models.CharField(_("channel"), max_length=16, choices=OrderChannel, default=OrderChannel.WEB)
    status = models.CharField(_("status"), max_length=20, choices=OrderStatus, default=OrderStatus.PENDING)
    fulfilment = models.CharField(_("pickup or delivery"), max_length=16, choices=Fulfilment)
    delivery_address = models.CharField(_("delivery address"), max_length=300, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    preferred_time = models.CharField(_("preferred time"), max_length=80, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="IDR")
    subtotal_minor = models.BigIntegerField(_("subtotal"))
    delivery_fee_minor = models.BigIntegerField(_("delivery fee"), default=0)
    total_minor = models.BigIntegerField(_("total"))
    paid_minor = models.BigIntegerField(_("paid (confirmed)"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("taken by"),
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    placed_at = models.DateTimeField(_("placed at"), db_index=True)
    receipt_token = models.CharField(max_length=32, unique=True, default=receipt_token, editable=False)
    idempotency_key = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-placed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["business", "number"], name="order_number_unique"),
            models.UniqueConstraint(
                fields=["business", "idempotency_key"], condition=~Q(idempotency_key=""), name="order_idempotency"
            ),
            models.CheckConstraint(
                condition=Q(subtotal_minor__gte=0, delivery_fee_minor__gte=0, paid_minor__gte=0),
                name="order_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(total_minor=models.F("subtotal_minor") + models.F("delivery_fee_minor")),
                name="order_total_adds_up",
            ),
        ]
        indexes = [
            models.Index(fields=["business", "status", "-placed_at"], name="order_business_status"),
            models.Index(fields=["customer", "-placed_at"], name="order_customer"),
            models.Index(fields=["contact", "-placed_at"], name="order_contact"),
        ]

    def __str__(self) -> str:
        return f"#{self.number}"

    @property
    def due_minor(self) -> int:
        return max(self.total_minor - self.paid_minor, 0)

    @property
    def is_paid(self) -> bool:
        return self.paid_minor >= self.total_minor

    @property
    def is_pending(self) -> bool:
        """Waiting for the shop's confirmation."""
        return self.status == OrderStatus.PENDING

    @property
    def is_completed(self) -> bool:
        return self.status == OrderStatus.COMPLETED

    @property
    def is_cancelled(self) -> bool:
        return self.status == OrderStatus.CANCELLED

    @property
    def is_delivery(self) -> bool:
        return self.fulfilment == Fulfilment.DELIVERY


class OrderLine(models.Model):
    """A snapshot of what was ordered: title, SKU and price as they were at checkout."""

    business = models.ForeignKey("directory.Business", on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.SET_NULL, null=True, related_name="order_lines")
    title = models.CharField(_("title"), max_length=120)
    sku = models.CharField(_("SKU"), max_length=64, blank=True)
    unit_price_minor = models.BigIntegerField(_("unit price"))
    quantity = models.PositiveIntegerField(_("quantity"))
    total_minor = models.BigIntegerField(_("line total"))

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price_minor__gte=0), name="order_line_price_not_negative"),
            models.CheckConstraint(
                condition=Q(total_minor=models.F("unit_price_minor") * models.F("quantity")),
                name="order_line_total_adds_up",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.title}"


class OrderEvent(models.Model):
    """One step of an order's status timeline."""

    business = models.ForeignKey("directory.Business", on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=OrderStatus, blank=True)
    to_status = models.CharField(max_length=20, choices=OrderStatus)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"

    @property
    def is_cancellation(self) -> bool:
        """The step that cancelled the order."""
        return self.to_status == OrderStatus.CANCELLED


class Payment(TimeStampedModel):
    """Money received for an order, with its trail: who received it, when, confirmed by whom."""

    business = models.ForeignKey("directory.Business", on_delete=models.CASCADE, related_name="payments")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments", verbose_name=_("order"))
    amount_minor = models.BigIntegerField(_("amount"))
    method = models.CharField(_("method"), max_length=16, choices=PaymentMethod)
    status = models.CharField(_("status"), max_length=16, choices=PaymentStatus, default=PaymentStatus.PENDING)
    reference = models.CharField(_("reference"), max_length=120, blank=True)
    proof = models.FileField(
        _("proof of payment"), upload_to="payment-proofs/%Y/%m/", storage=private_storage, blank=True
    )
    paid_at = models.DateTimeField(_("paid at"), db_index=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("received by"),
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    rejected_reason = models.CharField(_("reason for rejecting"), max_length=300, blank=True)
    gateway = models.CharField(max_length=32, blank=True)
    gateway_transaction_id = models.CharField(max_length=120, blank=True)
    idempotency_key = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-paid_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="payment_amount_positive"),
            models.UniqueConstraint(
                fields=["business", "idempotency_key"], condition=~Q(idempotency_key=""), name="payment_idempotency"
            ),
            models.UniqueConstraint(
                fields=["gateway", "gateway_transaction_id"],
                condition=~Q(gateway_transaction_id=""),
                name="payment_gateway_transaction_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["business", "paid_at"], name="payment_business_paid"),
            models.Index(fields=["business", "status"], name="payment_business_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.amount_minor}"

    @property
    def is_pending(self) -> bool:
        """Waiting for a cashier's confirmation."""
        return self.status == PaymentStatus.PENDING

    @property
    def is_confirmed(self) -> bool:
        return self.status == PaymentStatus.CONFIRMED

    @property
    def is_rejected(self) -> bool:
        return self.status == PaymentStatus.REJECTED


class GatewayNotification(models.Model):
    """Every payment-gateway callback as received, with what came of it (kept for audit)."""

    business = models.ForeignKey("directory.Business", on_delete=models.CASCADE, null=True, related_name="+")
    gateway = models.CharField(max_length=32)
    order_reference = models.CharField(max_length=120, blank=True)
    transaction_id = models.CharField(max_length=120, blank=True)
    body = models.JSONField(default=dict)
    signature_valid = models.BooleanField(default=False)
    outcome = models.CharField(max_length=32)
    detail = models.CharField(max_length=300, blank=True)
    payment = models.ForeignKey(Payment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.gateway} {self.transaction_id}: {self.outcome}"


class Review(TimeStampedModel):
    """A customer's rating of a product from a completed order."""

    business = models.ForeignKey("directory.Business", on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="reviews")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="reviews")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField(_("rating"))
    text = models.TextField(_("review"), max_length=2000, blank=True)
    is_hidden = models.BooleanField(_("hidden"), default=False)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["order", "product"], name="review_one_per_order_product"),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="review_rating_1_to_5"),
        ]
        indexes = [models.Index(fields=["product", "-created_at"], name="review_product")]
