from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    PACKED = "packed", _("Packed")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    READY_FOR_PICKUP = "ready_for_pickup", _("Ready for pickup")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class Fulfilment(models.TextChoices):
    PICKUP = "pickup", _("Pickup")
    DELIVERY = "delivery", _("Delivery")


class OrderChannel(models.TextChoices):
    """Where the order was taken."""

    WEB = "web", _("Storefront")
    PHONE = "phone", _("Phone call")
    CHAT = "chat", _("Chat")
    WHATSAPP = "whatsapp", _("WhatsApp")
    WALK_IN = "walk_in", _("Walk-in")
    SMS = "sms", _("SMS")
    API = "api", _("API")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    TRANSFER = "transfer", _("Bank transfer")
    QRIS = "qris", _("QRIS / e-wallet")
    GATEWAY = "gateway", _("Online payment")


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class Verb(models.TextChoices):
    """The activities the orders app records."""

    ORDERED = "ordered", _("placed an order")
    ORDER_STATUS_CHANGED = "order_status_changed", _("changed an order's status")
    PAID = "paid", _("paid an order")
    PAYMENT_CONFIRMED = "payment_confirmed", _("confirmed a payment")
    PAYMENT_REJECTED = "payment_rejected", _("rejected a payment")
    CANCELLED = "cancelled", _("cancelled an order")
    REVIEWED = "reviewed", _("reviewed a product")
