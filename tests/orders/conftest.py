"""The orders fixtures (``shop``, ``product``, ``order``, ``cashier``, ...) are in ``tests/plugins/orders.py``,
registered for every folder; the helpers they use are in ``tests/support/orders.py``."""
