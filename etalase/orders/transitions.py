"""The one place that says which status an order may go to next.

Pages and the API offer ``order_next_statuses``; ``order_transition`` refuses anything else. A
delivery order is never "ready for pickup" and a pickup order never "out for delivery".
"""

from typing import TYPE_CHECKING

from etalase.orders.enums import Fulfilment, OrderStatus

if TYPE_CHECKING:
    from etalase.orders.models import Order

S = OrderStatus

ALLOWED: dict[str, frozenset[str]] = {
    S.PENDING: frozenset({S.CONFIRMED, S.CANCELLED}),
    S.CONFIRMED: frozenset({S.PACKED, S.READY_FOR_PICKUP, S.OUT_FOR_DELIVERY, S.COMPLETED, S.CANCELLED}),
    S.PACKED: frozenset({S.OUT_FOR_DELIVERY, S.READY_FOR_PICKUP, S.CANCELLED}),
    S.OUT_FOR_DELIVERY: frozenset({S.COMPLETED, S.CANCELLED}),
    S.READY_FOR_PICKUP: frozenset({S.COMPLETED, S.CANCELLED}),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
}

# A status that only one way of handing over the order uses.
_NOT_FOR: dict[str, str] = {
    Fulfilment.DELIVERY: S.READY_FOR_PICKUP,
    Fulfilment.PICKUP: S.OUT_FOR_DELIVERY,
}

_STATUS_ORDER = list(OrderStatus.values)


def transition_allowed(*, fulfilment: str, from_status: str, to_status: str) -> bool:
    if to_status not in ALLOWED.get(from_status, frozenset()):
        return False
    return _NOT_FOR.get(fulfilment) != to_status


def order_next_statuses(order: "Order") -> list[str]:
    """The statuses the staff buttons offer for ``order``, in the order of the journey (cancelling apart)."""
    return [
        status
        for status in _STATUS_ORDER
        if status != S.CANCELLED
        and transition_allowed(fulfilment=order.fulfilment, from_status=order.status, to_status=status)
    ]


def order_can_cancel(order: "Order") -> bool:
    """Whether staff may still cancel ``order`` (payments apart: see ``order_cancel``)."""
    return S.CANCELLED in ALLOWED.get(order.status, frozenset())


def order_can_customer_cancel(order: "Order") -> bool:
    """A customer cancels only while the shop has not confirmed the order yet."""
    return order.status == S.PENDING
