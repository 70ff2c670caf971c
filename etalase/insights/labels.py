"""The words the dashboard pages put to the numbers' keys (the selectors return keys and numbers)."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from etalase.insights.enums import Metric

NUMBER_LABELS: dict[str, Promise] = {
    Metric.VISITORS: _("Visitors"),
    Metric.STOREFRONT_VIEWS: _("Storefront views"),
    Metric.PRODUCT_VIEWS: _("Product views"),
    Metric.FAVOURITES: _("Favourites"),
    Metric.FOLLOWERS_GAINED: _("New followers"),
    Metric.SHARES: _("Shares"),
    Metric.ORDERS: _("Orders"),
    Metric.PAID_ORDERS: _("Paid orders"),
    "views": _("Views"),
    "net_favourites": _("Net favourites"),
    "comments_and_questions": _("Comments and questions"),
    "revenue": _("Revenue"),
    "payments_received": _("Payments received"),
    "payments_pending": _("Payments pending"),
}
"""A number's name on the dashboard, the panel, the funnel and the charts."""

PRODUCT_NUMBER_LABELS: dict[str, Promise] = {**NUMBER_LABELS, Metric.PRODUCT_VIEWS: _("Views")}
"""On a product's page every view is a product view."""

SERIES_KEYS: list[str] = [Metric.VISITORS, "views", Metric.FAVOURITES, Metric.ORDERS]
"""The dashboard's charts, in order."""
