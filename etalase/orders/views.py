"""Order pages: the customer's carts, checkout, orders and payments; the receipt; the business's
orders, payments, daily reconciliation and order settings.

Views stay thin: read the form, call one service or selector, render. A service's ``DomainError``
comes back on the form it belongs to (400), a row of another business or of another customer is a
404, never a 500.

Adding to the cart while logged out: the POST keeps the intended act in the session and sends the
person to log in with ``?next=`` the resume page, which adds the product for the now signed-in
customer and returns to the product (or goes on to checkout for "Buy now").
"""

import datetime as dt
import time
from typing import Any
from urllib.parse import quote, urlencode, urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from etalase.accounts.models import User
from etalase.catalog.models import Product
from etalase.catalog.selectors import product_public_get, product_public_list
from etalase.core.errors import DomainError
from etalase.core.formats import money_format
from etalase.core.forms import form_add_domain_error
from etalase.core.pagination import paginate
from etalase.customers.selectors import contact_get, contact_search
from etalase.customers.services import contact_create
from etalase.directory.models import Business
from etalase.directory.permissions import Permission
from etalase.directory.selectors import business_public_get, membership_list
from etalase.directory.tenancy import BusinessContext, business_view
from etalase.orders.enums import Fulfilment, OrderStatus, PaymentMethod, PaymentStatus
from etalase.orders.forms import (
    CartAddForm,
    CartUpdateForm,
    CheckoutForm,
    ContactSearchForm,
    CustomerCancelForm,
    OrderSettingsForm,
    PaymentSubmitForm,
    ReconciliationForm,
    RecordPaymentForm,
    RejectForm,
    ReviewForm,
    StaffCancelForm,
    StaffOrderForm,
    StatusForm,
)
from etalase.orders.models import Order, OrderSettings, Payment
from etalase.orders.proofs import proof_response
from etalase.orders.selectors import (
    cart_for,
    carts_for_user,
    customer_order_get,
    customer_order_list,
    order_get,
    order_list,
    order_receipt_get,
    order_settings_for,
    payment_get,
    payment_methods_for,
    reconciliation_for,
)
from etalase.orders.services import (
    LineRequest,
    cart_add,
    cart_set_quantity,
    gateway_checkout_start,
    gateway_sandbox_pay,
    order_cancel,
    order_checkout,
    order_place,
    order_reorder,
    order_settings_update,
    order_transition,
    payment_confirm,
    payment_record,
    payment_reject,
    payment_submit,
    review_create,
)
from etalase.orders.transitions import order_can_cancel, order_can_customer_cancel, order_next_statuses

LIST_PAGE_SIZE = 20
CONTACT_RESULTS = 8
STAFF_PRODUCT_CHOICES = 300
PENDING_ACT = "orders_pending_cart_add"
PENDING_ACT_MAX_AGE = 30 * 60  # seconds: an act begun and abandoned at the login page is forgotten
CART_CHANGED = "cartChanged"  # htmx event: cart badges listen to it
STATUS_FILTERS = (
    OrderStatus.PENDING,
    OrderStatus.CONFIRMED,
    OrderStatus.PACKED,
    OrderStatus.READY_FOR_PICKUP,
    OrderStatus.OUT_FOR_DELIVERY,
    OrderStatus.COMPLETED,
    OrderStatus.CANCELLED,
)
STAFF_METHODS = (PaymentMethod.CASH, PaymentMethod.TRANSFER, PaymentMethod.QRIS)


# --- helpers --------------------------------------------------------------------------------------


def _context(request: HttpRequest) -> BusinessContext:
    return request.business_context  # type: ignore[attr-defined,no-any-return]


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("page", "1")), 10_000))
    except ValueError:
        return 1


def _raise_not_found(error: DomainError) -> None:
    if error.status == 404:
        raise Http404 from error


def _local(request: HttpRequest, url: str | None) -> str | None:
    """``url`` as a path on this site, or None for anything pointing elsewhere."""
    if not url or not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _public_business(slug: str) -> Business:
    business = business_public_get(slug=slug)
    if business is None:
        raise Http404
    return business


def _business_zone(business: Business) -> ZoneInfo:
    try:
        return ZoneInfo(business.timezone or "Asia/Jakarta")
    except (ValueError, KeyError):
        return ZoneInfo("Asia/Jakarta")


def _render_in_business_time(
    request: HttpRequest, business: Business, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """Times on an order are the shop's times, whoever looks at them."""
    with timezone.override(_business_zone(business)):
        return render(request, template, context, status=status)


def _fulfilments(settings: OrderSettings) -> list[str]:
    choices: list[str] = []
    if settings.pickup_enabled:
        choices.append(Fulfilment.PICKUP)
    if settings.delivery_enabled:
        choices.append(Fulfilment.DELIVERY)
    return choices


def _pending_minor(order: Order) -> int:
    """Payments waiting for confirmation, from the payments the selector already fetched."""
    return sum(payment.amount_minor for payment in order.payments.all() if payment.status == PaymentStatus.PENDING)


def _payable_minor(order: Order) -> int:
    return max(order.total_minor - order.paid_minor - _pending_minor(order), 0)


def _amount_text(amount_minor: int) -> str:
    """An amount as a person would type it into the amount box: 150000."""
    return str(max(amount_minor, 0))


def _receipt_url(request: HttpRequest, order: Order) -> str:
    return request.build_absolute_uri(reverse("orders:receipt", args=[order.receipt_token]))


def _whatsapp_receipt_url(request: HttpRequest, order: Order, phone: str = "") -> str:
    text = _("Receipt of order #%(number)s at %(shop)s: %(url)s") % {
        "number": order.number,
        "shop": order.business.name,
        "url": _receipt_url(request, order),
    }
    digits = "".join(ch for ch in phone if ch.isdigit())
    return f"https://wa.me/{digits}?text={quote(text, safe='')}"


def _order_summary(order: Order) -> dict[str, Any]:
    """What the customer, the staff and the receipt pages all show about an order."""
    payments = list(order.payments.all())
    return {
        "order": order,
        "business": order.business,
        "lines": list(order.lines.all()),
        "events": list(order.events.all()),
        "payments": payments,
        "pending_minor": sum(p.amount_minor for p in payments if p.status == PaymentStatus.PENDING),
        "currency": order.currency,
    }


# --- the cart ------------------------------------------------------------------------------------


def _ask_to_log_in(request: HttpRequest, act: dict[str, Any], message: str) -> HttpResponse:
    request.session[PENDING_ACT] = {**act, "at": int(time.time())}
    messages.info(request, message)
    login_url = f"{reverse('accounts:login')}?{urlencode({'next': reverse('orders:cart_resume')})}"
    if _is_htmx(request):
        return HttpResponseClientRedirect(login_url)
    return redirect(login_url)


def _product_page(business: Business, product_id: int) -> str:
    return reverse("catalog:product", args=[business.slug, product_id])


def _after_add(request: HttpRequest, business: Business, *, buy: bool, page_url: str, count: int) -> HttpResponse:
    notice = _("Added to your cart.")
    if buy:
        if _is_htmx(request):
            return HttpResponseClientRedirect(reverse("orders:checkout", args=[business.slug]))
        return redirect("orders:checkout", slug=business.slug)
    if _is_htmx(request):
        response = render(request, "orders/_cart_added.html", {"business": business, "notice": notice, "count": count})
        response["HX-Trigger"] = CART_CHANGED
        return response
    messages.success(request, notice)
    return redirect(page_url)


@require_POST
def cart_add_view(request: HttpRequest, slug: str) -> HttpResponse:
    business = _public_business(slug)
    form = CartAddForm(request.POST)
    buy = bool(request.POST.get("buy"))
    if not form.is_valid():
        error = str(next(iter(form.errors.values()))[0])
        page_url = _local(request, request.POST.get("next")) or reverse("orders:cart", args=[business.slug])
        if _is_htmx(request):
            return render(request, "orders/_cart_added.html", {"business": business, "error": error})
        messages.error(request, error)
        return redirect(page_url)
    product_id = form.cleaned_data["product_id"]
    quantity = form.cleaned_data["quantity"]
    product = product_public_get(business, product_id)
    if product is None:
        raise Http404
    page_url = _local(request, request.POST.get("next")) or _product_page(business, product.pk)
    if not request.user.is_authenticated:
        return _ask_to_log_in(
            request,
            {
                "slug": business.slug,
                "product_id": product.pk,
                "quantity": quantity,
                "buy": buy,
                "next": page_url,
            },
            _("Log in to order %(product)s. We will put it in your cart right after.") % {"product": product.title},
        )
    try:
        cart = cart_add(user=_user(request), product=product, quantity=quantity)
    except DomainError as error:
        _raise_not_found(error)
        if _is_htmx(request):
            return render(request, "orders/_cart_added.html", {"business": business, "error": error.message})
        messages.error(request, str(error.message))
        return redirect(page_url)
    return _after_add(request, business, buy=buy, page_url=page_url, count=cart.count)


@require_GET
def cart_resume(request: HttpRequest) -> HttpResponse:
    """Finish the "Add to cart" begun before logging in."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    act = request.session.pop(PENDING_ACT, None)
    if not isinstance(act, dict) or time.time() - float(act.get("at", 0)) > PENDING_ACT_MAX_AGE:
        return redirect("orders:cart_list")
    business = business_public_get(slug=str(act.get("slug", "")))
    page_url = _local(request, act.get("next")) or reverse("orders:cart_list")
    product: Product | None = None
    if business is not None:
        try:
            product = product_public_get(business, int(act.get("product_id", 0)))
        except (TypeError, ValueError):
            product = None
    if business is None or product is None:
        messages.error(request, _("This product is no longer available."))
        return redirect(page_url)
    try:
        quantity = max(1, int(act.get("quantity", 1)))
        cart_add(user=_user(request), product=product, quantity=quantity)
    except (TypeError, ValueError):
        messages.error(request, _("This product is no longer available."))
        return redirect(page_url)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect(page_url)
    if act.get("buy"):
        return redirect("orders:checkout", slug=business.slug)
    messages.success(request, _("Added to your cart."))
    return redirect(page_url)


def _cart_page(
    request: HttpRequest, business: Business, *, notice: str = "", error: str = "", status: int = 200
) -> HttpResponse:
    settings = order_settings_for(business=business)
    context = {
        "nav": "discover",
        "business": business,
        "cart": cart_for(business=business, user=request.user),
        "settings": settings,
        "notice": notice,
        "error": error,
    }
    if _is_htmx(request) and request.method == "POST":
        response = render(request, "orders/cart.html#cart-body", context, status=status)
        response["HX-Trigger"] = CART_CHANGED
        return response
    return render(request, "orders/cart.html", context, status=status)


@require_GET
def cart(request: HttpRequest, slug: str) -> HttpResponse:
    business = _public_business(slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return _cart_page(request, business)


@require_POST
def cart_update(request: HttpRequest, slug: str) -> HttpResponse:
    business = _public_business(slug)
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("orders:cart", args=[business.slug]))
    form = CartUpdateForm(request.POST)
    if not form.is_valid():
        error = str(next(iter(form.errors.values()))[0])
        if not _is_htmx(request):
            messages.error(request, error)
            return redirect("orders:cart", slug=business.slug)
        return _cart_page(request, business, error=error)
    quantity = form.cleaned_data["quantity"]
    try:
        cart_set_quantity(
            user=_user(request), business=business, product_id=form.cleaned_data["product_id"], quantity=quantity
        )
    except DomainError as error:
        _raise_not_found(error)
        if not _is_htmx(request):
            messages.error(request, str(error.message))
            return redirect("orders:cart", slug=business.slug)
        # htmx swaps only successful answers: the error comes back as 200 and the notice explains.
        return _cart_page(request, business, error=str(error.message))
    notice = _("Removed from your cart.") if quantity == 0 else _("Quantity changed.")
    if not _is_htmx(request):
        messages.success(request, notice)
        return redirect("orders:cart", slug=business.slug)
    return _cart_page(request, business, notice=notice)


@require_GET
def cart_badge(request: HttpRequest, slug: str) -> HttpResponse:
    """The storefront's cart link with the number of items, loaded by htmx (and again on cartChanged)."""
    business = _public_business(slug)
    count = cart_for(business=business, user=request.user).count if request.user.is_authenticated else 0
    return render(request, "orders/_cart_badge.html", {"business": business, "count": count})


@require_GET
def cart_list(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return render(request, "orders/cart_list.html", {"nav": "me", "carts": carts_for_user(user=request.user)})


# --- checkout ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest, slug: str) -> HttpResponse:
    business = _public_business(slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    settings = order_settings_for(business=business)
    fulfilments = _fulfilments(settings)
    form = CheckoutForm(request.POST or None, fulfilments=fulfilments)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = order_checkout(
                user=_user(request),
                business=business,
                fulfilment=data["fulfilment"],
                delivery_address=data["delivery_address"],
                note=data["note"],
                preferred_time=data["preferred_time"],
                idempotency_key=data["idempotency_key"],
            )
        except DomainError as error:
            _raise_not_found(error)
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("Thank you! Your order #%(number)s is placed.") % {"number": order.number})
            return redirect("orders:my_order", slug=business.slug, number=order.number)
    cart_view = cart_for(business=business, user=request.user)
    return render(
        request,
        "orders/checkout.html",
        {
            "nav": "discover",
            "business": business,
            "cart": cart_view,
            "settings": settings,
            "form": form,
            "can_order": settings.accepts_orders and bool(fulfilments),
            "delivery_total_minor": cart_view.subtotal_minor + settings.delivery_fee_minor,
            "methods": payment_methods_for(business=business, settings=settings),
        },
        status=400 if form.is_bound else 200,
    )


# --- the customer's orders -----------------------------------------------------------------------


@require_GET
def my_orders(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    page = paginate(customer_order_list(user=request.user), page=_page_number(request), size=LIST_PAGE_SIZE)
    return render(request, "orders/my_orders.html", {"nav": "me", "page": page})


def _my_order_get(request: HttpRequest, slug: str, number: int) -> Order:
    business = business_public_get(slug=slug) or Business.objects.filter(slug=slug).first()
    if business is None:
        raise Http404
    try:
        return customer_order_get(user=request.user, business=business, number=number)
    except DomainError as error:
        raise Http404 from error


def _my_order_page(
    request: HttpRequest,
    order: Order,
    *,
    pay_forms: dict[str, PaymentSubmitForm] | None = None,
    review_form: ReviewForm | None = None,
    cancel_form: CustomerCancelForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    business = order.business
    settings = order_settings_for(business=business)
    methods = payment_methods_for(business=business, settings=settings)
    summary = _order_summary(order)
    payable = max(order.total_minor - order.paid_minor - summary["pending_minor"], 0)
    can_pay = order.status != OrderStatus.CANCELLED and payable > 0
    pay_forms = dict(pay_forms or {})
    for method in (PaymentMethod.TRANSFER, PaymentMethod.QRIS):
        if method in methods and method not in pay_forms:
            pay_forms[method] = PaymentSubmitForm(method=method, initial={"amount_minor": _amount_text(payable)})
    reviewed = {review.product_id for review in order.reviews.all()}
    review_lines = []
    review_form_shown = False
    if order.status == OrderStatus.COMPLETED:
        for line in summary["lines"]:
            if line.product_id is None:
                continue
            form = ReviewForm(product_id=line.product_id)
            if review_form is not None and review_form.data.get("product_id") == str(line.product_id):
                form = review_form
                review_form_shown = line.product_id not in reviewed
            review_lines.append({"line": line, "reviewed": line.product_id in reviewed, "form": form})
    if review_form is not None and review_form.errors and not review_form_shown and not error:
        # The review's form is not on the page (not completed yet, already reviewed): say why on top.
        error = str(next(iter(review_form.errors.values()))[0])
    context = {
        **summary,
        "nav": "me",
        "settings": settings,
        "methods": methods,
        "payable_minor": payable,
        "can_pay": can_pay,
        "transfer_form": pay_forms.get(PaymentMethod.TRANSFER),
        "qris_form": pay_forms.get(PaymentMethod.QRIS),
        "can_cancel": order_can_customer_cancel(order),
        "cancel_form": cancel_form or CustomerCancelForm(),
        "review_lines": review_lines,
        "receipt_url": _receipt_url(request, order),
        "whatsapp_url": _whatsapp_receipt_url(request, order),
        "error": error,
    }
    return _render_in_business_time(request, business, "orders/my_order.html", context, status=status)


@require_GET
def my_order(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return _my_order_page(request, _my_order_get(request, slug, number))


def _back_to_my_order(order: Order) -> HttpResponse:
    return redirect("orders:my_order", slug=order.business.slug, number=order.number)


@require_POST
def my_order_cancel(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("orders:my_order", args=[slug, number]))
    order = _my_order_get(request, slug, number)
    form = CustomerCancelForm(request.POST)
    if form.is_valid():
        try:
            order_cancel(order=order, actor=_user(request), reason=form.cleaned_data["reason"], by_customer=True)
        except DomainError as error:
            _raise_not_found(error)
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("Your order #%(number)s is cancelled.") % {"number": order.number})
            return _back_to_my_order(order)
    return _my_order_page(request, order, cancel_form=form, status=400)


@require_POST
def my_order_reorder(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("orders:my_order", args=[slug, number]))
    order = _my_order_get(request, slug, number)
    try:
        cart_view = order_reorder(user=_user(request), order=order)
    except DomainError as error:
        _raise_not_found(error)
        messages.error(request, str(error.message))
        return _back_to_my_order(order)
    skipped = list(getattr(cart_view, "skipped", []) or [])
    if skipped:
        messages.info(
            request,
            _("Some products are no longer available and were not added: %(titles)s") % {"titles": ", ".join(skipped)},
        )
    if not cart_view.is_empty:
        messages.success(request, _("The products of order #%(number)s are in your cart.") % {"number": order.number})
    return redirect("orders:cart", slug=order.business.slug)


@require_POST
def my_order_pay(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("orders:my_order", args=[slug, number]))
    order = _my_order_get(request, slug, number)
    method = request.POST.get("method", "")
    form = PaymentSubmitForm(request.POST, request.FILES, method=method)
    if form.is_valid():
        data = form.cleaned_data
        try:
            payment_submit(
                order=order,
                user=_user(request),
                method=data["method"],
                amount_minor=data["amount_minor"],
                reference=data["reference"],
                proof=data.get("proof"),
                idempotency_key=data["idempotency_key"],
            )
        except DomainError as failure:
            _raise_not_found(failure)
            form_add_domain_error(form, failure)
        else:
            messages.success(request, _("Thank you! The shop will check your payment and confirm it."))
            return _back_to_my_order(order)
    pay_forms: dict[str, PaymentSubmitForm] = {}
    if method in (PaymentMethod.TRANSFER, PaymentMethod.QRIS):
        pay_forms[method] = form
        error = ""
    else:
        error = str(next(iter(form.errors.values()))[0]) if form.errors else _("Choose how you paid.")
    return _my_order_page(request, order, pay_forms=pay_forms, error=error, status=400)


@require_POST
def my_order_gateway(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("orders:my_order", args=[slug, number]))
    order = _my_order_get(request, slug, number)
    try:
        url = gateway_checkout_start(order=order, user=_user(request))
    except DomainError as error:
        _raise_not_found(error)
        return _my_order_page(request, order, error=str(error.message), status=400)
    return redirect(url)


@require_POST
def my_order_review(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("orders:my_order", args=[slug, number]))
    order = _my_order_get(request, slug, number)
    form = ReviewForm(request.POST, product_id=_int_or_none(request.POST.get("product_id")))
    if form.is_valid():
        data = form.cleaned_data
        try:
            review_create(
                order=order,
                user=_user(request),
                product_id=data["product_id"],
                rating=data["rating"],
                text=data["text"],
            )
        except DomainError as failure:
            _raise_not_found(failure)
            form_add_domain_error(form, failure)
        else:
            messages.success(request, _("Thank you for your review!"))
            return _back_to_my_order(order)
    return _my_order_page(request, order, review_form=form, status=400)


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


# --- receipt and the sandbox payment gateway -----------------------------------------------------


def _receipt_order(token: str) -> Order:
    try:
        return order_receipt_get(token=token)
    except DomainError as error:
        raise Http404 from error


@require_GET
def receipt(request: HttpRequest, token: str) -> HttpResponse:
    order = _receipt_order(token)
    context = {
        **_order_summary(order),
        "receipt_url": _receipt_url(request, order),
        "whatsapp_url": _whatsapp_receipt_url(request, order),
    }
    response = _render_in_business_time(request, order.business, "orders/receipt.html", context)
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
    amount = _payable_minor(order)
    if request.method == "POST":
        if request.POST.get("action") != "pay" or not amount:
            messages.info(request, _("The payment was cancelled. Nothing was charged."))
            return redirect(_order_page_for(order))
        try:
            notification = gateway_sandbox_pay(order=order, amount_minor=amount)
        except DomainError as error_raised:
            _raise_not_found(error_raised)
            error = str(error_raised.message)
        else:
            if notification.outcome in ("paid", "duplicate"):
                messages.success(request, _("Payment received. Thank you!"))
                return redirect(_order_page_for(order))
            error = _("The payment gateway did not take the payment (%(outcome)s). Nothing was charged.") % {
                "outcome": notification.outcome
            }
    context = {**_order_summary(order), "error": error, "amount_minor": amount}
    response = _render_in_business_time(
        request, order.business, "orders/gateway_sandbox.html", context, status=400 if error else 200
    )
    response["X-Robots-Tag"] = "noindex"
    return response


# --- the business side: orders -------------------------------------------------------------------


def _status_filter(request: HttpRequest) -> str:
    value = request.GET.get("status", "")
    return value if value in OrderStatus.values else ""


@business_view(Permission.ORDERS_VIEW)
@require_GET
def manage_list(request: HttpRequest) -> HttpResponse:
    context = _context(request)
    business = context.business
    status = _status_filter(request)
    query = request.GET.get("q", "").strip()[:80]
    page = paginate(
        order_list(business=business, status=status or None, query=query),
        page=_page_number(request),
        size=LIST_PAGE_SIZE,
    )
    seen = _int_or_none(request.GET.get("seen", "")) or 0
    newest = max((order.pk for order in page.items), default=0)
    refreshing = _is_htmx(request) and request.headers.get("HX-Target") == "order-list"
    new_count = sum(1 for order in page.items if order.pk > seen) if refreshing and seen else 0
    base = {key: value for key, value in (("status", status), ("q", query)) if value}
    context_data = {
        "nav": "orders",
        "page": page,
        "status": status,
        "query": query,
        "filters": [("", _("All"))] + [(value, OrderStatus(value).label) for value in STATUS_FILTERS],
        "querystring_base": urlencode(base) + "&" if base else "",
        "refresh_url": "?" + urlencode({**base, "page": page.number, "seen": max(newest, seen)}),
        "seen": seen,
        "new_count": new_count,
        "refreshing": refreshing,
        "can_manage": context.has(Permission.ORDERS_MANAGE),
        "can_reconcile": context.has(Permission.PAYMENTS_CONFIRM),
        "can_configure": context.has(Permission.BUSINESS_EDIT),
    }
    if refreshing:
        return render(request, "orders/manage_list.html#order-list", context_data)
    return render(request, "orders/manage_list.html", context_data)


def _manage_order(request: HttpRequest, number: int) -> Order:
    try:
        return order_get(business=_context(request).business, number=number)
    except DomainError as error:
        raise Http404 from error


def _members(business: Business) -> list[tuple[int, str]]:
    return [(membership.user.pk, membership.user.display_name) for membership in membership_list(business=business)]


def _record_form(
    request: HttpRequest, order: Order, methods: list[str], data: Any = None, files: Any = None
) -> RecordPaymentForm:
    staff_methods = [method for method in STAFF_METHODS if method in methods or method == PaymentMethod.CASH]
    return RecordPaymentForm(
        data,
        files,
        methods=staff_methods,
        members=_members(order.business),
        initial={"amount_minor": _amount_text(_payable_minor(order)), "received_by": request.user.pk},
    )


def _manage_detail_page(
    request: HttpRequest,
    order: Order,
    *,
    cancel_form: StaffCancelForm | None = None,
    record_form: RecordPaymentForm | None = None,
    reject_form: RejectForm | None = None,
    reject_payment_id: int | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    context = _context(request)
    business = context.business
    settings = order_settings_for(business=business)
    methods = payment_methods_for(business=business, settings=settings)
    summary = _order_summary(order)
    can_record = context.has(Permission.PAYMENTS_RECORD) and order.status != OrderStatus.CANCELLED
    data = {
        **summary,
        "nav": "orders",
        "payable_minor": max(order.total_minor - order.paid_minor - summary["pending_minor"], 0),
        "next_statuses": [(value, OrderStatus(value).label) for value in order_next_statuses(order)]
        if context.has(Permission.ORDERS_MANAGE)
        else [],
        "can_manage": context.has(Permission.ORDERS_MANAGE),
        "can_cancel": context.has(Permission.ORDERS_MANAGE) and order_can_cancel(order),
        "can_confirm": context.has(Permission.PAYMENTS_CONFIRM),
        "can_record": can_record,
        "confirms_at_once": context.has(Permission.PAYMENTS_CONFIRM),
        "cancel_form": cancel_form or StaffCancelForm(auto_id="cancel-%s"),
        "record_form": (record_form or _record_form(request, order, methods)) if can_record else None,
        "reject_form": reject_form,
        "reject_payment_id": reject_payment_id,
        "receipt_url": _receipt_url(request, order),
        "whatsapp_url": _whatsapp_receipt_url(request, order, order.contact.phone),
        "error": error,
    }
    return render(request, "orders/manage_detail.html", data, status=status)


@business_view(Permission.ORDERS_VIEW)
@require_GET
def manage_detail(request: HttpRequest, number: int) -> HttpResponse:
    return _manage_detail_page(request, _manage_order(request, number))


def _back_to_manage(order: Order) -> HttpResponse:
    return redirect("orders:manage_detail", slug=order.business.slug, number=order.number)


@business_view(Permission.ORDERS_MANAGE)
@require_POST
def manage_status(request: HttpRequest, number: int) -> HttpResponse:
    order = _manage_order(request, number)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _manage_detail_page(request, order, error=str(next(iter(form.errors.values()))[0]), status=400)
    try:
        order = order_transition(
            order=order, actor=_user(request), to_status=form.cleaned_data["to_status"], note=form.cleaned_data["note"]
        )
    except DomainError as error:
        _raise_not_found(error)
        return _manage_detail_page(request, _manage_order(request, number), error=str(error.message), status=400)
    messages.success(
        request,
        _("Order #%(number)s: %(status)s.") % {"number": order.number, "status": order.get_status_display()},
    )
    return _back_to_manage(order)


@business_view(Permission.ORDERS_MANAGE)
@require_POST
def manage_cancel(request: HttpRequest, number: int) -> HttpResponse:
    order = _manage_order(request, number)
    form = StaffCancelForm(request.POST, auto_id="cancel-%s")
    if form.is_valid():
        try:
            order_cancel(order=order, actor=_user(request), reason=form.cleaned_data["reason"], by_customer=False)
        except DomainError as error:
            _raise_not_found(error)
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("Order #%(number)s is cancelled.") % {"number": order.number})
            return _back_to_manage(order)
    return _manage_detail_page(request, _manage_order(request, number), cancel_form=form, status=400)


@business_view(Permission.PAYMENTS_RECORD)
@require_POST
def manage_payment_record(request: HttpRequest, number: int) -> HttpResponse:
    context = _context(request)
    order = _manage_order(request, number)
    methods = payment_methods_for(business=context.business)
    form = _record_form(request, order, methods, request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        members = {membership.user.pk: membership.user for membership in membership_list(business=context.business)}
        confirm = context.has(Permission.PAYMENTS_CONFIRM)
        try:
            payment = payment_record(
                order=order,
                actor=_user(request),
                method=data["method"],
                amount_minor=data["amount_minor"],
                reference=data["reference"],
                proof=data.get("proof"),
                received_by=members.get(data["received_by"]) if data["received_by"] else None,
                confirm=confirm,
                idempotency_key=data["idempotency_key"],
            )
        except DomainError as error:
            _raise_not_found(error)
            form_add_domain_error(form, error)
        else:
            amount = money_format(payment.amount_minor, order.currency)
            if payment.status == PaymentStatus.CONFIRMED:
                notice = _("%(amount)s recorded and confirmed.") % {"amount": amount}
            else:
                notice = _("%(amount)s recorded. A cashier or the owner confirms it.") % {"amount": amount}
            messages.success(request, notice)
            return _back_to_manage(order)
    return _manage_detail_page(request, _manage_order(request, number), record_form=form, status=400)


def _payment_for(request: HttpRequest, payment_id: int) -> Payment:
    try:
        return payment_get(business=_context(request).business, payment_id=payment_id)
    except DomainError as error:
        raise Http404 from error


def _after_payment_action(request: HttpRequest, payment: Payment) -> HttpResponse:
    back = _local(request, request.POST.get("next"))
    if back:
        return redirect(back)
    return redirect("orders:manage_detail", slug=payment.business.slug, number=payment.order.number)


@business_view(Permission.PAYMENTS_CONFIRM)
@require_POST
def payment_confirm_view(request: HttpRequest, payment_id: int) -> HttpResponse:
    payment = _payment_for(request, payment_id)
    try:
        payment = payment_confirm(payment=payment, actor=_user(request))
    except DomainError as error:
        _raise_not_found(error)
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("Payment of %(amount)s confirmed.")
            % {"amount": money_format(payment.amount_minor, payment.order.currency)},
        )
    return _after_payment_action(request, payment)


@business_view(Permission.PAYMENTS_CONFIRM)
@require_POST
def payment_reject_view(request: HttpRequest, payment_id: int) -> HttpResponse:
    payment = _payment_for(request, payment_id)
    form = RejectForm(request.POST, auto_id=f"reject-{payment.pk}-%s")
    if form.is_valid():
        try:
            payment = payment_reject(payment=payment, actor=_user(request), reason=form.cleaned_data["reason"])
        except DomainError as error:
            _raise_not_found(error)
            form_add_domain_error(form, error)
        else:
            messages.success(
                request,
                _("Payment of %(amount)s rejected.")
                % {"amount": money_format(payment.amount_minor, payment.order.currency)},
            )
            return _after_payment_action(request, payment)
    order = _manage_order(request, payment.order.number)
    return _manage_detail_page(request, order, reject_form=form, reject_payment_id=payment.pk, status=400)


# --- the business side: a new order by phone, chat or at the counter ------------------------------


def _product_choices(business: Business) -> list[tuple[int, str]]:
    choices = []
    for product in product_public_list(business)[:STAFF_PRODUCT_CHOICES]:
        label = f"{product.title} · {money_format(product.price_minor, product.currency)}"
        if product.stock is not None:
            label += " · " + _("stock %(count)s") % {"count": product.stock}
        choices.append((product.pk, label))
    return choices


def _contact_results(business: Business, query: str) -> list[Any]:
    return list(contact_search(business=business, query=query, limit=CONTACT_RESULTS)) if query else []


@business_view(Permission.ORDERS_MANAGE)
@require_GET
def contact_picker(request: HttpRequest) -> HttpResponse:
    business = _context(request).business
    form = ContactSearchForm(request.GET)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    return render(
        request,
        "orders/_contact_picker.html",
        {"contacts": _contact_results(business, query), "query": query, "selected": None},
    )


def _staff_contact(business: Business, form: StaffOrderForm) -> Any:
    data = form.cleaned_data
    if data.get("contact"):
        contact = contact_get(business=business, contact_id=data["contact"])
        if contact is None:
            message = _("Choose a customer from the list.")
            raise _FieldError("contact", message)
        return contact
    try:
        return contact_create(
            business=business, name=data["contact_name"], phone=data["contact_phone"], email=data["contact_email"]
        )
    except DomainError as error:
        fields = {f"contact_{name}": message for name, message in error.fields.items()}
        raise DomainError(error.message, code=error.code, fields=fields) from error


class _FieldError(DomainError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, fields={field: message})


@business_view(Permission.ORDERS_MANAGE)
@require_http_methods(["GET", "POST"])
def manage_new(request: HttpRequest) -> HttpResponse:
    context = _context(request)
    business = context.business
    settings = order_settings_for(business=business)
    fulfilments = _fulfilments(settings) or [Fulfilment.PICKUP]
    products = _product_choices(business)
    form = StaffOrderForm(request.POST or None, products=products, fulfilments=fulfilments)
    query = request.GET.get("q", "").strip()[:80]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                contact = _staff_contact(business, form)
                order = order_place(
                    business=business,
                    lines=[LineRequest(product_id=pk, quantity=quantity) for pk, quantity in form.lines()],
                    fulfilment=data["fulfilment"],
                    actor=_user(request),
                    contact=contact,
                    customer=contact.user,
                    channel=data["channel"],
                    delivery_address=data["delivery_address"],
                    note=data["note"],
                    preferred_time=data["preferred_time"],
                    idempotency_key=data["idempotency_key"],
                )
        except DomainError as error:
            _raise_not_found(error)
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("Order #%(number)s is created.") % {"number": order.number})
            return redirect("orders:manage_detail", slug=business.slug, number=order.number)
    selected = None
    if form.is_bound and form.data.get("contact"):
        selected = contact_get(business=business, contact_id=_int_or_none(form.data.get("contact")) or 0)
    return render(
        request,
        "orders/manage_new.html",
        {
            "nav": "orders",
            "form": form,
            "has_products": bool(products),
            "query": query,
            "contacts": _contact_results(business, query),
            "selected": selected,
        },
        status=400 if form.is_bound else 200,
    )


# --- the business side: payments and settings ----------------------------------------------------


@business_view(Permission.PAYMENTS_CONFIRM)
@require_GET
def reconciliation(request: HttpRequest) -> HttpResponse:
    business = _context(request).business
    form = ReconciliationForm(request.GET or None)
    today = timezone.localdate()
    day = today
    if form.is_bound and form.is_valid() and form.cleaned_data["date"]:
        day = form.cleaned_data["date"]
    if not form.is_bound:
        form = ReconciliationForm(initial={"date": today})
    report = reconciliation_for(business=business, day=day)
    return render(
        request,
        "orders/reconciliation.html",
        {
            "nav": "orders",
            "form": form,
            "report": report,
            "day": day,
            "currency": business.currency,
            "previous_day": (day - dt.timedelta(days=1)).isoformat(),
            "next_day": (day + dt.timedelta(days=1)).isoformat() if day < today else "",
            "can_confirm": True,
        },
        status=400 if form.errors else 200,
    )


def _settings_initial(settings: OrderSettings) -> dict[str, Any]:
    return {
        "accepts_orders": settings.accepts_orders,
        "pickup_enabled": settings.pickup_enabled,
        "delivery_enabled": settings.delivery_enabled,
        "delivery_fee_minor": str(settings.delivery_fee_minor),
        "cash_enabled": settings.cash_enabled,
        "transfer_enabled": settings.transfer_enabled,
        "bank_details": settings.bank_details,
        "qris_enabled": settings.qris_enabled,
        "qris_details": settings.qris_details,
        "gateway_enabled": settings.gateway_enabled,
    }


@business_view(Permission.BUSINESS_EDIT)
@require_http_methods(["GET", "POST"])
def order_settings(request: HttpRequest) -> HttpResponse:
    context = _context(request)
    business = context.business
    settings = order_settings_for(business=business)
    form = OrderSettingsForm(request.POST or None, initial=_settings_initial(settings))
    if request.method == "POST" and form.is_valid():
        try:
            order_settings_update(business=business, actor=_user(request), **form.settings_fields())
        except DomainError as error:
            _raise_not_found(error)
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("Order settings saved."))
            return redirect("orders:settings", slug=business.slug)
    return render(
        request,
        "orders/settings.html",
        {"nav": "orders", "form": form, "has_server_key": bool(settings.gateway_server_key)},
        status=400 if form.is_bound else 200,
    )


# --- proofs of payment: personal data, shown only to the shop's team and the paying customer ------


@business_view(Permission.ORDERS_VIEW)
@require_GET
def payment_proof(request: HttpRequest, payment_id: int) -> HttpResponse:
    return proof_response(_payment_for(request, payment_id))  # type: ignore[return-value]  # it streams


@require_GET
def my_payment_proof(request: HttpRequest, slug: str, number: int, payment_id: int) -> HttpResponseBase:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    order = _my_order_get(request, slug, number)
    payment = Payment.objects.filter(order=order, pk=payment_id).first()
    if payment is None:
        raise Http404
    return proof_response(payment)
