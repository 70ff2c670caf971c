"""How orders follow the customers app: merged contacts and privacy requests.

Orders sit above customers, so the customers app announces a merge with an activity and asks for
the orders' part of a data download or an erasure through its registries; this module answers.
"""

from typing import Any

from etalase.activity.models import Activity
from etalase.customers.models import Contact
from etalase.orders.models import Cart, Order, OrderEvent, Payment, Review


def orders_on_contact_merged(activity: Activity) -> None:
    """A merged contact's orders belong to the contact it was merged into (idempotent)."""
    data = activity.data if isinstance(activity.data, dict) else {}
    source, target = data.get("from_contact_id"), data.get("into_contact_id")
    if activity.business_id is None or not isinstance(source, int) or not isinstance(target, int):
        return
    Order.objects.filter(business_id=activity.business_id, contact_id=source).update(contact_id=target)


def orders_personal_data(contact: Contact) -> list[dict[str, Any]]:
    """Every order of the contact at its business, as the customer's data download shows it."""
    orders = (
        Order.objects.filter(business_id=contact.business_id, contact=contact)
        .prefetch_related("lines", "payments", "events")
        .order_by("placed_at", "pk")
    )
    return [
        {
            "number": order.number,
            "status": order.status,
            "placed_at": order.placed_at.isoformat(),
            "channel": order.channel,
            "fulfilment": order.fulfilment,
            "delivery_address": order.delivery_address,
            "preferred_time": order.preferred_time,
            "note": order.note,
            "currency": order.currency,
            "subtotal_minor": order.subtotal_minor,
            "delivery_fee_minor": order.delivery_fee_minor,
            "total_minor": order.total_minor,
            "paid_minor": order.paid_minor,
            "cancel_reason": order.cancel_reason,
            "lines": [
                {
                    "title": line.title,
                    "sku": line.sku,
                    "unit_price_minor": line.unit_price_minor,
                    "quantity": line.quantity,
                    "total_minor": line.total_minor,
                }
                for line in order.lines.all()
            ],
            "payments": [
                {
                    "amount_minor": payment.amount_minor,
                    "method": payment.method,
                    "status": payment.status,
                    "reference": payment.reference,
                    "paid_at": payment.paid_at.isoformat(),
                }
                for payment in order.payments.all()
            ],
            "status_history": [
                {"from": event.from_status, "to": event.to_status, "at": event.created_at.isoformat()}
                for event in order.events.all()
            ],
        }
        for order in orders
    ]


def orders_personal_data_erase(contact: Contact) -> None:
    """Keep amounts and dates for the books; remove everything that describes or reaches the person."""
    orders = Order.objects.filter(business_id=contact.business_id, contact=contact)
    order_ids = list(orders.values_list("pk", flat=True))
    orders.update(customer=None, delivery_address="", note="", preferred_time="", cancel_reason="")
    OrderEvent.objects.filter(order_id__in=order_ids).update(note="")
    for payment in Payment.objects.filter(order_id__in=order_ids).exclude(proof=""):
        payment.proof.delete(save=False)
    Payment.objects.filter(order_id__in=order_ids).update(proof="", reference="", rejected_reason="")
    if contact.user_id:
        Review.objects.filter(business_id=contact.business_id, user_id=contact.user_id).delete()
        Cart.objects.filter(business_id=contact.business_id, user_id=contact.user_id).delete()
