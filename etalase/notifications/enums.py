from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """What a notification is about. Member kinds go to a business's team; customer kinds to a person."""

    # For the team of a business.
    FAVOURITED = "favourited", _("Favourites")
    COMMENTED = "commented", _("Comments")
    ASKED = "asked", _("Questions")
    FOLLOWED = "followed", _("New followers")
    INTEREST = "interest", _("Interested customers")
    ORDERED = "ordered", _("Orders")
    FIRST_ORDER = "first_order", _("First orders from new customers")
    PAID = "paid", _("Payments received")
    PAYMENT_WAITING = "payment_waiting", _("Payments waiting for confirmation")
    ORDER_CANCELLED = "order_cancelled", _("Orders cancelled by customers")
    COMPLAINT = "complaint", _("Complaints")
    # For customers.
    NEW_PRODUCT = "new_product", _("New products from shops I follow")
    NEW_POST = "new_post", _("New posts from shops I follow")
    ANSWERED = "answered", _("Answers to my questions")
    ORDER_STATUS = "order_status", _("My orders")
    ORDER_PAYMENT = "order_payment", _("Payments for my orders")
    # For both.
    DIGEST = "digest", _("Daily summary")


class Priority(models.TextChoices):
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")


class Channel(models.TextChoices):
    """Where a notification may go. In-app and web push deliver today; the others are preferences kept
    for the messaging app."""

    IN_APP = "in_app", _("In the app")
    PUSH = "push", _("Push on this phone")
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")
    EMAIL = "email", _("Email")


DELIVERING_CHANNELS = frozenset({Channel.IN_APP, Channel.PUSH})
