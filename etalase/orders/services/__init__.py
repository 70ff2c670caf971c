"""Order and payment writes, one module a part of the journey:

- ``carts``: the customer's carts, and a past order put in the cart again;
- ``placement``: checkout and the orders members take by phone, chat or at the counter;
- ``status``: moving an order on and cancelling it;
- ``payments``: payments submitted, recorded, confirmed and rejected, with their trail;
- ``gateway``: the payment gateway's notifications and the sandbox;
- ``reviews``: ratings of the products of completed orders;
- ``order_settings``: how the business takes orders and payments;
- ``common``: what those modules share (checks, locks, the SQLite retry).

Every service runs in one transaction and records its Activity in it. Callers (pages, API) have
already resolved who may do what (a customer acts on their own orders, staff through a
``BusinessContext`` with the right permission); services check what keeps the data true. Locks are
always taken in the same order (cart, then order counter or order, then products), so two services
never wait for each other in a circle.

Import a service from the module that owns it. The names below are kept here for the callers
outside the orders app that still import them from the package.
"""

from etalase.orders.services.carts import cart_add
from etalase.orders.services.gateway import gateway_notification_receive, gateway_sandbox_pay
from etalase.orders.services.order_settings import order_settings_update
from etalase.orders.services.payments import payment_confirm, payment_record, payment_reject, payment_submit
from etalase.orders.services.placement import ACTIVITY_CHANNEL, LineRequest, order_checkout, order_place
from etalase.orders.services.reviews import review_create
from etalase.orders.services.status import order_cancel, order_transition

__all__ = [
    "ACTIVITY_CHANNEL",
    "LineRequest",
    "cart_add",
    "gateway_notification_receive",
    "gateway_sandbox_pay",
    "order_cancel",
    "order_checkout",
    "order_place",
    "order_settings_update",
    "order_transition",
    "payment_confirm",
    "payment_record",
    "payment_reject",
    "payment_submit",
    "review_create",
]
