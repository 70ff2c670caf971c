"""What notifications do when a customer's data is erased at one shop (UU PDP).

The customers app runs the eraser inside the erasure (``NotificationsConfig.ready``), before the
person's activities lose their account and personal data, so the activities still say whose they
were. The shop's team keeps its notifications, reworded so they no longer name the customer; the
customer's own notifications from that shop are deleted. Their devices for web push and their
personal preferences are theirs, not the shop's, and stay.
"""

from typing import Any

from django.db.models import Q
from django.utils import translation

from etalase.activity.models import Activity
from etalase.catalog.models import Product
from etalase.customers.models import Contact
from etalase.customers.selectors import contact_identities
from etalase.directory.models import Business
from etalase.notifications import rules
from etalase.notifications.enums import Kind
from etalase.notifications.models import Notification
from etalase.orders.models import Order

SAFE_ACTIVITY_NAMES = ("title", "number", "amount_minor", "method", "order_paid")
"""What a reworded notification may still take from its activity: the product, order and money."""


def _activities_of(business: Business, contact_ids: list[int], users: list[int]) -> Any:
    """The activities at the shop done by the person or about them: their acts, their orders."""
    person = Q(contact_id__in=contact_ids)
    if users:
        person |= Q(actor_id__in=users) | Q(data__customer_id__in=users)
    return Activity.objects.filter(person, business_id=business.pk)


def _names(row: Notification, business: Business, activity: Activity | None) -> dict[str, Any]:
    """The wording's values without the customer: no name, none of their words, no reason they gave."""
    data = activity.data if activity is not None and isinstance(activity.data, dict) else {}
    names: dict[str, Any] = {key: data.get(key) for key in SAFE_ACTIVITY_NAMES}
    names["product"] = names.pop("title")
    product_id = row.data.get("product_id")
    if names["product"] is None and product_id:  # an interest flagged by a view names no product
        names["product"] = (
            Product.objects.filter(pk=product_id, business=business).values_list("title", flat=True).first()
        )
    names["business"] = business.name
    names["views"] = row.data.get("views")
    if names["number"] is None:
        names["number"] = row.data.get("number")
    if names["number"] is not None:
        currency = Order.objects.filter(business=business, number=names["number"]).values_list("currency", flat=True)
        names["currency"] = currency.first() or business.currency
    return names


def notifications_personal_data_erase(contact: Contact) -> None:
    """Reword the team's notifications about the person and delete the person's own from the shop.

    A team notification is about the person when its activity is one of theirs (a favourite, a
    comment, an order of theirs) or, without an activity, when it names their account as actor. It
    is worded again in its recipient's language as for an unknown customer ("A customer favourited
    …"), without their words (a comment's excerpt, a cancellation's reason), and loses their account
    id in its data. Bursts keep their count. Running it again words the same rows the same way.
    """
    business = contact.business
    contact_ids, users = contact_identities(contact=contact)
    activities = _activities_of(business, contact_ids, users)
    about = Q(activity__in=activities.values("pk"))
    if users:
        about |= Q(activity__isnull=True, data__actor_id__in=users)
    rows = list(
        Notification.objects.filter(about, business=business)
        .select_related("recipient", "activity")
        .only("pk", "kind", "count", "data", "group_key", "recipient__language", "activity__data")
        .order_by("pk")
    )
    for row in rows:
        with translation.override(row.recipient.language or None):
            title, body = rules.message(row.kind, count=row.count, **_names(row, business, row.activity))
        row.title, row.body = title[:200], body[:500]
        if row.data.get("actor_id") in users:
            row.data = {key: value for key, value in row.data.items() if key != "actor_id"}
        if row.kind == Kind.INTEREST:
            row.group_key = ""  # it holds the account id ("interest:<user>:<product>:<day>")
    Notification.objects.bulk_update(rows, ["title", "body", "data", "group_key"], batch_size=500)

    if users:
        from_shop = Q(data__shop=business.slug) | Q(activity__business_id=business.pk)
        Notification.objects.filter(from_shop, recipient_id__in=users, business__isnull=True).delete()
