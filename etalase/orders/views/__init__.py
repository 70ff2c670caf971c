"""Order pages, one module a side: ``shop`` (the customer's carts, checkout and orders), ``manage``
(the business's orders, payments, reconciliation and settings) and ``receipts`` (the shared receipt
and the sandbox payment page); ``common`` holds what they share.

Views stay thin: read the form, call one service or selector, render. A service's ``DomainError``
comes back on the form it belongs to (400), a row of another business or of another customer is a
404, never a 500.
"""
