"""The orders and payments API: carts, checkout, orders, payments, receipts, reviews, gateway callbacks."""

from ninja import Router

router = Router(tags=["orders"])
