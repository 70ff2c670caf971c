"""What the daily rollups count, and which activity verbs feed them.

Every metric is a non-negative daily flow, so any range is the sum of its days. Numbers that are a
difference (net favourites, revenue net of cancellations, payments still pending) are computed when
read, from two flows, never stored.

Order verbs are recorded by the orders app (``etalase.orders.enums.Verb``); ``OrderVerb`` names the
ones the rollups count. Each carries ``data={"amount_minor": <int>}`` (minor units):

- ``ordered``: an order placed (its total), with ``"product_ids": [..]`` to credit the products;
- ``cancelled``: an order cancelled (its total);
- ``paid``: each payment made, ``"confirmed": true`` when recorded and confirmed at once, and
  ``"order_paid": true`` when that made the order fully paid;
- ``payment_confirmed``: a waiting payment confirmed (``"order_paid"`` as above);
- ``payment_rejected``: a waiting payment rejected.

So payments made = confirmed + rejected + still pending, and an order counts as paid once, by the
payment that paid it in full.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Metric(models.TextChoices):
    STOREFRONT_VIEWS = "storefront_views", _("Storefront views")
    PRODUCT_VIEWS = "product_views", _("Product views")
    VISITORS = "visitors", _("Visitors")
    FAVOURITES = "favourites", _("Favourites")
    UNFAVOURITES = "unfavourites", _("Favourites removed")
    FOLLOWERS_GAINED = "followers_gained", _("New followers")
    FOLLOWERS_LOST = "followers_lost", _("Followers lost")
    COMMENTS = "comments", _("Comments")
    QUESTIONS = "questions", _("Questions")
    SHARES = "shares", _("Shares")
    ORDERS = "orders", _("Orders")
    ORDER_VALUE = "order_value", _("Value of orders")
    CANCELLATIONS = "cancellations", _("Cancelled orders")
    CANCELLED_VALUE = "cancelled_value", _("Value of cancelled orders")
    PAID_ORDERS = "paid_orders", _("Paid orders")
    PAYMENTS_PAID = "payments_paid", _("Payments made")
    PAYMENTS_CONFIRMED = "payments_confirmed", _("Payments confirmed")
    PAYMENTS_REJECTED = "payments_rejected", _("Payments rejected")


class OrderVerb(models.TextChoices):
    """The orders app's verbs the rollups count (the orders app records them and labels them in
    ``etalase.orders.enums.Verb``; the values are the same)."""

    ORDERED = "ordered", _("placed an order")
    PAID = "paid", _("paid an order")
    PAYMENT_CONFIRMED = "payment_confirmed", _("confirmed a payment")
    PAYMENT_REJECTED = "payment_rejected", _("rejected a payment")
    CANCELLED = "cancelled", _("cancelled an order")


class Period(models.TextChoices):
    TODAY = "today", _("Today")
    DAYS_7 = "7d", _("7 days")
    DAYS_30 = "30d", _("30 days")
    CUSTOM = "custom", _("Custom range")


class Direction(models.TextChoices):
    UP = "up", _("up")
    DOWN = "down", _("down")
    FLAT = "flat", _("no change")
