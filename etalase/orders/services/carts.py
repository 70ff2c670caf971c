"""The customer's carts: adding, changing, emptying, and putting a past order in the cart again.

The cart never holds more than the stock, and only products on sale now; prices are read at checkout.
"""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from etalase.accounts.models import User
from etalase.catalog.enums import ProductStatus
from etalase.catalog.models import Product
from etalase.core.errors import NotFound
from etalase.directory.enums import BusinessStatus
from etalase.directory.models import Business
from etalase.orders.models import Cart, CartItem, Order, OrderLine
from etalase.orders.selectors import CartView, cart_for
from etalase.orders.services.common import (
    MAX_LINE_QUANTITY,
    PRODUCT_NOT_FOUND,
    PRODUCT_UNAVAILABLE,
    accepting_orders,
    cart_locked,
    invalid,
    quantity_check,
    stock_message,
)


def _orderable_product(*, business: Business | None, product_id: int) -> Product:
    """A product a customer may put in a cart now, or a clear error."""
    product = Product.objects.select_related("business").filter(pk=product_id).first()
    if product is None or (business is not None and product.business_id != business.pk):
        raise NotFound(PRODUCT_NOT_FOUND)
    if (
        product.status != ProductStatus.PUBLISHED
        or product.is_hidden
        or product.business.status != BusinessStatus.ACTIVE
    ):
        raise invalid(PRODUCT_UNAVAILABLE % {"title": product.title}, code="unavailable")
    return product


def _cart_locked_or_new(*, user: User, business: Business) -> Cart:
    Cart.objects.get_or_create(user=user, business=business)
    return Cart.objects.select_for_update().get(user=user, business=business)


@transaction.atomic
def cart_add(*, user: User, product: Product, quantity: int = 1) -> CartView:
    """Put ``quantity`` more of ``product`` in the user's cart at its business.

    The product must be on sale now; the cart never holds more than the stock.
    """
    quantity = quantity_check(quantity)
    product = _orderable_product(business=None, product_id=product.pk)
    business = product.business
    accepting_orders(business)
    cart = _cart_locked_or_new(user=user, business=business)
    item = CartItem.objects.filter(cart=cart, product=product).first()
    new_quantity = (item.quantity if item else 0) + quantity
    if new_quantity > MAX_LINE_QUANTITY:
        raise invalid(_("The quantity is too high."), field="quantity")
    if product.stock is not None and new_quantity > product.stock:
        raise invalid(stock_message(product), field="quantity", code="out_of_stock")
    if item is None:
        CartItem.objects.create(cart=cart, product=product, quantity=new_quantity)
    else:
        CartItem.objects.filter(pk=item.pk).update(quantity=new_quantity)
    cart.save(update_fields=["updated_at"])
    return cart_for(business=business, user=user)


@transaction.atomic
def cart_set_quantity(*, user: User, business: Business, product_id: int, quantity: int) -> CartView:
    """Set how many of a product the cart holds; 0 removes it."""
    quantity = quantity_check(quantity, allow_zero=True)
    if quantity == 0:
        existing = cart_locked(user=user, business=business)
        if existing is not None:
            CartItem.objects.filter(cart=existing, product_id=product_id).delete()
            existing.save(update_fields=["updated_at"])
        return cart_for(business=business, user=user)
    cart = _cart_locked_or_new(user=user, business=business)
    product = _orderable_product(business=business, product_id=product_id)
    if product.stock is not None and quantity > product.stock:
        raise invalid(stock_message(product), field="quantity", code="out_of_stock")
    updated = CartItem.objects.filter(cart=cart, product=product).update(quantity=quantity)
    if not updated:
        accepting_orders(business)
        CartItem.objects.create(cart=cart, product=product, quantity=quantity)
    cart.save(update_fields=["updated_at"])
    return cart_for(business=business, user=user)


@transaction.atomic
def cart_clear(*, user: User, business: Business) -> None:
    CartItem.objects.filter(cart__user=user, cart__business=business).delete()


@transaction.atomic
def order_reorder(*, user: User, order: Order) -> CartView:
    """Put the lines of one of the user's past orders in the cart again, at today's prices.

    Lines no longer for sale (or sold out) are skipped; a line is cut to the stock left. The
    returned cart's ``skipped`` names what could not be added.
    """
    if order.customer_id != user.pk:
        raise NotFound(_("Order not found."))
    business = order.business
    accepting_orders(business)
    cart = _cart_locked_or_new(user=user, business=business)
    skipped: list[str] = []
    for line in OrderLine.objects.filter(order=order).select_related("product", "product__business"):
        product = line.product
        if product is None or product.status != ProductStatus.PUBLISHED or product.is_hidden:
            skipped.append(line.title)
            continue
        item = CartItem.objects.filter(cart=cart, product=product).first()
        in_cart = item.quantity if item else 0
        room = MAX_LINE_QUANTITY - in_cart
        if product.stock is not None:
            room = min(room, product.stock - in_cart)
        quantity = min(line.quantity, room)
        if quantity <= 0:
            skipped.append(line.title)
            continue
        if item is None:
            CartItem.objects.create(cart=cart, product=product, quantity=quantity)
        else:
            CartItem.objects.filter(pk=item.pk).update(quantity=in_cart + quantity)
    cart.save(update_fields=["updated_at"])
    view = cart_for(business=business, user=user)
    view.skipped = skipped
    return view
