"""Reviews: a customer rates the products of a completed order."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from etalase.accounts.models import User
from etalase.activity.enums import Channel
from etalase.activity.services import activity_record
from etalase.core.errors import Conflict, NotFound, ValidationError
from etalase.core.numbers import is_whole_number
from etalase.orders.enums import OrderStatus, Verb
from etalase.orders.models import Order, OrderLine, Review
from etalase.orders.services.common import invalid, text_clean

REVIEW_MAX_LENGTH = 2000


@transaction.atomic
def review_create(
    *, order: Order, user: User, product_id: int, rating: int, text: str = "", channel: str = Channel.WEB
) -> Review:
    """The customer rates a product of one of their completed orders, once per order and product."""
    if user is None or order.customer_id != user.pk:
        raise NotFound(_("Order not found."))
    order = Order.objects.select_related("business").get(pk=order.pk)  # its status now, not when it was read
    if order.status != OrderStatus.COMPLETED:
        raise ValidationError(_("You can review the products once the order is completed."), code="not_completed")
    if not is_whole_number(rating) or not 1 <= rating <= 5:
        raise invalid(_("Choose a rating from 1 to 5 stars."), field="rating")
    text = text_clean(text, limit=REVIEW_MAX_LENGTH, field="text", label=_("The review"))
    line = OrderLine.objects.filter(order=order, product_id=product_id).select_related("product").first()
    if line is None or line.product is None:
        raise invalid(_("This product is not part of the order."), field="product_id")
    if Review.objects.filter(order=order, product_id=product_id).exists():
        raise Conflict(_("You have already reviewed this product for this order."), code="already_reviewed")
    try:
        with transaction.atomic():
            review = Review.objects.create(
                business_id=order.business_id, order=order, product=line.product, user=user, rating=rating, text=text
            )
    except IntegrityError as exc:
        raise Conflict(_("You have already reviewed this product for this order."), code="already_reviewed") from exc
    activity_record(
        verb=Verb.REVIEWED,
        business=order.business,
        actor=user,
        target=line.product,
        channel=channel,
        data={
            "number": order.number,
            "order_id": order.pk,
            "product_id": line.product_id,
            "rating": rating,
            "contact_id": order.contact_id,
        },
    )
    return review
