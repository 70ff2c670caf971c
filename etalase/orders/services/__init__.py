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

Import a service from the module that owns it (``from etalase.orders.services.placement import
order_place``); this package re-exports nothing.
"""
