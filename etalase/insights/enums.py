"""What the daily rollups count and which activity verbs feed them; the customer-information quadrants.

Every metric is a non-negative daily flow, so any range is the sum of its days. Numbers that are a
difference (net favourites, revenue net of cancellations, payments still pending) are computed when
read, from two flows, never stored.

The rollups count verbs of the catalog, engagement and orders apps (each app's ``enums.Verb``,
listed in ``services.COUNTED_VERBS``). The orders app's verbs each carry
``data={"amount_minor": <int>}`` (minor units):

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


class Period(models.TextChoices):
    TODAY = "today", _("Today")
    DAYS_7 = "7d", _("7 days")
    DAYS_30 = "30d", _("30 days")
    CUSTOM = "custom", _("Custom range")


class Direction(models.TextChoices):
    UP = "up", _("up")
    DOWN = "down", _("down")
    FLAT = "flat", _("no change")


class Quadrant(models.TextChoices):
    """The four cells of the customer-information matrix (customer intelligence)."""

    LITTLE_ALIKE = "little_alike", _("Know little, treat alike")
    MUCH_ALIKE = "much_alike", _("Know much, treat alike")
    LITTLE_INDIVIDUAL = "little_individual", _("Know little, treat individually")
    MUCH_INDIVIDUAL = "much_individual", _("Know much, treat individually")
