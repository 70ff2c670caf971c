"""The receipt anyone with its link may open, and the built-in sandbox payment gateway's page."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from etalase.core.errors import DomainError
from etalase.orders.models import Order
from etalase.orders.selectors import order_payable_minor, order_receipt_get
from etalase.orders.services.gateway import gateway_sandbox_pay
from etalase.orders.views.common import (
    order_summary,
    raise_not_found,
    receipt_url,
    render_in_business_time,
    whatsapp_receipt_url,
)


def _receipt_order(token: str) -> Order:
    try:
        return order_receipt_get(token=token)
    except DomainError as error:
        raise Http404 from error


@require_GET
def receipt(request: HttpRequest, token: str) -> HttpResponse:
    order = _receipt_order(token)
    context = {
        **order_summary(order),
        "receipt_url": receipt_url(request, order),
        "whatsapp_url": whatsapp_receipt_url(request, order),
    }
    response = render_in_business_time(request, order.business, "orders/receipt.html", context)
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _order_page_for(order: Order) -> str:
    return reverse("orders:my_order", args=[order.business.slug, order.number]) + "#payment"


@require_http_methods(["GET", "POST"])
def gateway_sandbox(request: HttpRequest, token: str) -> HttpResponse:
    """The built-in test payment gateway: what a real gateway's payment page would do, in one click.

    Only the order's customer opens it (the receipt token alone, shared by WhatsApp, is not enough
    to settle an order here).
    """
    if not settings.PAYMENT_SANDBOX:
        raise Http404
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    order = _receipt_order(token)
    if order.customer_id != request.user.pk:
        raise Http404
    error = ""
    # What the order page says is still to pay: payments waiting for confirmation are not asked twice.
    amount = order_payable_minor(order)
    if request.method == "POST":
        if request.POST.get("action") != "pay" or not amount:
            messages.info(request, _("The payment was cancelled. Nothing was charged."))
            return redirect(_order_page_for(order))
        try:
            notification = gateway_sandbox_pay(order=order, amount_minor=amount)
        except DomainError as error_raised:
            raise_not_found(error_raised)
            error = str(error_raised.message)
        else:
            if notification.outcome in ("paid", "duplicate"):
                messages.success(request, _("Payment received. Thank you!"))
                return redirect(_order_page_for(order))
            error = _("The payment gateway did not take the payment (%(outcome)s). Nothing was charged.") % {
                "outcome": notification.outcome
            }
    context = {**order_summary(order), "error": error, "amount_minor": amount}
    response = render_in_business_time(
        request, order.business, "orders/gateway_sandbox.html", context, status=400 if error else 200
    )
    response["X-Robots-Tag"] = "noindex"
    return response
