"""The status journey of an order: moving it on (see ``transitions.py``) and cancelling it."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from etalase.accounts.models import User
from etalase.activity.enums import Channel
from etalase.activity.services import activity_record
from etalase.catalog.services import stock_return
from etalase.core.errors import NotFound, ValidationError
from etalase.orders.enums import OrderStatus, PaymentStatus, Verb
from etalase.orders.models import Order, OrderLine, Payment
from etalase.orders.services.common import (
    REASON_MAX_LENGTH,
    invalid,
    money,
    order_data,
    order_event_add,
    order_locked,
    text_clean,
)
from etalase.orders.transitions import order_can_cancel, transition_allowed


@transaction.atomic
def order_transition(
    *, order: Order, actor: User | None, to_status: str, note: str = "", channel: str = Channel.WEB
) -> Order:
    """Move the order one step along its journey (see ``transitions.ALLOWED``); cancelling goes
    through ``order_cancel`` with ``note`` as the reason."""
    if to_status == OrderStatus.CANCELLED:
        return order_cancel(order=order, actor=actor, reason=note, by_customer=False, channel=channel)
    order = order_locked(order)
    if order.status == to_status:
        return order  # already there: a repeated tap changes nothing
    if to_status not in OrderStatus.values or not transition_allowed(
        fulfilment=order.fulfilment, from_status=order.status, to_status=to_status
    ):
        target = OrderStatus(to_status).label if to_status in OrderStatus.values else to_status
        raise ValidationError(
            _("An order that is “%(from)s” cannot be marked “%(to)s”.")
            % {"from": order.get_status_display(), "to": target},
            code="transition_not_allowed",
        )
    note = text_clean(note, limit=REASON_MAX_LENGTH, field="note", label=_("The note"))
    previous = order.status
    now = timezone.now()
    order.status = to_status
    fields = ["status", "updated_at"]
    if to_status == OrderStatus.COMPLETED:
        order.completed_at = now
        fields.append("completed_at")
    order.save(update_fields=fields)
    order_event_add(order, from_status=previous, to_status=to_status, actor=actor, note=note)
    activity_record(
        verb=Verb.ORDER_STATUS_CHANGED,
        business=order.business,
        actor=actor,
        target=order,
        channel=channel,
        data={**order_data(order), "from": previous, "to": to_status},
    )
    return order


@transaction.atomic
def order_cancel(
    *, order: Order, actor: User | None, reason: str, by_customer: bool, channel: str = Channel.WEB
) -> Order:
    """Cancel the order and give its stock back.

    A customer cancels their own order while it waits for confirmation; staff give a reason and
    cannot cancel a completed order. An order with confirmed payments is refunded first, and one
    with payments waiting for confirmation has them confirmed or rejected first, so no money is
    left hanging on a cancelled order.
    """
    order = order_locked(order)
    if by_customer and (actor is None or order.customer_id != actor.pk):
        raise NotFound(_("Order not found."))
    if order.status == OrderStatus.CANCELLED:
        return order  # cancelled already: a repeated tap changes nothing
    reason = text_clean(reason, limit=REASON_MAX_LENGTH, field="reason", label=_("The reason"))
    if by_customer:
        if order.status != OrderStatus.PENDING:
            raise ValidationError(
                _("The shop has already confirmed this order. Contact the shop to cancel it."),
                code="transition_not_allowed",
            )
    else:
        if not reason:
            raise invalid(_("Give the reason for cancelling."), field="reason")
        if not order_can_cancel(order):
            raise ValidationError(
                _("An order that is “%(status)s” cannot be cancelled.") % {"status": order.get_status_display()},
                code="transition_not_allowed",
            )
    if order.paid_minor > 0:
        raise ValidationError(
            _("%(amount)s has been paid for this order. Refund it before cancelling.")
            % {"amount": money(order.paid_minor, order.currency)},
            code="has_payments",
        )
    if Payment.objects.filter(order=order, status=PaymentStatus.PENDING).exists():
        message = (
            _("A payment for this order is waiting for confirmation. Contact the shop to cancel it.")
            if by_customer
            else _("A payment for this order is waiting for confirmation. Confirm or reject it first.")
        )
        raise ValidationError(message, code="has_payments")
    for product_id, quantity in (
        OrderLine.objects.filter(order=order, product__isnull=False)
        .order_by("product_id")
        .values_list("product_id", "quantity")
    ):
        stock_return(product_id=product_id, quantity=quantity)
    previous = order.status
    now = timezone.now()
    order.status = OrderStatus.CANCELLED
    order.cancel_reason = reason
    order.cancelled_at = now
    order.save(update_fields=["status", "cancel_reason", "cancelled_at", "updated_at"])
    order_event_add(order, from_status=previous, to_status=OrderStatus.CANCELLED, actor=actor, note=reason)
    activity_record(
        verb=Verb.CANCELLED,
        business=order.business,
        actor=actor,
        target=order,
        channel=channel,
        data={
            **order_data(order),
            "amount_minor": order.total_minor,
            "reason": reason,
            "by_customer": by_customer,
        },
    )
    return order
