"""The customer's order pages: carts, checkout, their orders and payments, reviews.

Adding to the cart while logged out: the POST keeps the intended act in the session and sends the
person to log in with ``?next=`` the resume page, which adds the product for the now signed-in
customer and returns to the product (or goes on to checkout for "Buy now").
"""

import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from etalase.accounts.auth import page_user
from etalase.catalog.models import Product
from etalase.catalog.selectors import product_public_get
from etalase.core.errors import DomainError
from etalase.core.pagination import page_number, paginate
from etalase.directory.models import Business
from etalase.directory.selectors import business_public_get, business_public_require
from etalase.orders.enums import PaymentMethod
from etalase.orders.forms import (
    CartAddForm,
    CartUpdateForm,
    CheckoutForm,
    CustomerCancelForm,
    PaymentSubmitForm,
    ReviewForm,
)
from etalase.orders.models import Order, Payment
from etalase.orders.proofs import proof_response
from etalase.orders.selectors import (
    cart_for,
    carts_for_user,
    customer_order_get,
    customer_order_list,
    fulfilments_for,
    order_payable_minor,
    order_settings_for,
    payment_methods_for,
)
from etalase.orders.services.carts import cart_add, cart_set_quantity, order_reorder
from etalase.orders.services.gateway import gateway_checkout_start
from etalase.orders.services.payments import payment_submit
from etalase.orders.services.placement import order_checkout
from etalase.orders.services.reviews import review_create
from etalase.orders.services.status import order_cancel
from etalase.orders.transitions import order_can_customer_cancel
from etalase.orders.views.common import (
    LIST_PAGE_SIZE,
    amount_text,
    first_error,
    form_attempt,
    int_or_none,
    is_htmx,
    local_path,
    order_summary,
    raise_not_found,
    receipt_url,
    render_in_business_time,
    whatsapp_receipt_url,
)

PENDING_ACT = "orders_pending_cart_add"
PENDING_ACT_MAX_AGE = 30 * 60  # seconds: an act begun and abandoned at the login page is forgotten
CART_CHANGED = "cartChanged"  # htmx event: cart badges listen to it


def _ask_to_log_in(request: HttpRequest, act: dict[str, Any], message: str) -> HttpResponse:
    request.session[PENDING_ACT] = {**act, "at": int(time.time())}
    messages.info(request, message)
    login_url = f"{reverse('accounts:login')}?{urlencode({'next': reverse('orders:cart_resume')})}"
    if is_htmx(request):
        return HttpResponseClientRedirect(login_url)
    return redirect(login_url)


def _product_page(business: Business, product_id: int) -> str:
    return reverse("catalog:product", args=[business.slug, product_id])


def _after_add(request: HttpRequest, business: Business, *, buy: bool, page_url: str, count: int) -> HttpResponse:
    notice = _("Added to your cart.")
    if buy:
        if is_htmx(request):
            return HttpResponseClientRedirect(reverse("orders:checkout", args=[business.slug]))
        return redirect("orders:checkout", slug=business.slug)
    if is_htmx(request):
        response = render(request, "orders/_cart_added.html", {"business": business, "notice": notice, "count": count})
        response["HX-Trigger"] = CART_CHANGED
        return response
    messages.success(request, notice)
    return redirect(page_url)


@require_POST
def cart_add_view(request: HttpRequest, slug: str) -> HttpResponse:
    business = business_public_require(slug=slug)
    form = CartAddForm(request.POST)
    buy = bool(request.POST.get("buy"))
    if not form.is_valid():
        error = first_error(form)
        page_url = local_path(request, request.POST.get("next")) or reverse("orders:cart", args=[business.slug])
        if is_htmx(request):
            return render(request, "orders/_cart_added.html", {"business": business, "error": error})
        messages.error(request, error)
        return redirect(page_url)
    product_id = form.cleaned_data["product_id"]
    quantity = form.cleaned_data["quantity"]
    product = product_public_get(business, product_id)
    if product is None:
        raise Http404
    page_url = local_path(request, request.POST.get("next")) or _product_page(business, product.pk)
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
        cart = cart_add(user=request.user, product=product, quantity=quantity)
    except DomainError as error:
        raise_not_found(error)
        if is_htmx(request):
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
    page_url = local_path(request, act.get("next")) or reverse("orders:cart_list")
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
        cart_add(user=request.user, product=product, quantity=quantity)
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
        "cart": cart_for(business=business, user=page_user(request)),
        "settings": settings,
        "notice": notice,
        "error": error,
    }
    if is_htmx(request) and request.method == "POST":
        response = render(request, "orders/cart.html#cart-body", context, status=status)
        response["HX-Trigger"] = CART_CHANGED
        return response
    return render(request, "orders/cart.html", context, status=status)


@require_GET
def cart(request: HttpRequest, slug: str) -> HttpResponse:
    business = business_public_require(slug=slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return _cart_page(request, business)


@require_POST
def cart_update(request: HttpRequest, slug: str) -> HttpResponse:
    business = business_public_require(slug=slug)
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("orders:cart", args=[business.slug]))
    form = CartUpdateForm(request.POST)
    if not form.is_valid():
        error = first_error(form)
        if not is_htmx(request):
            messages.error(request, error)
            return redirect("orders:cart", slug=business.slug)
        return _cart_page(request, business, error=error)
    quantity = form.cleaned_data["quantity"]
    try:
        cart_set_quantity(
            user=request.user, business=business, product_id=form.cleaned_data["product_id"], quantity=quantity
        )
    except DomainError as error:
        raise_not_found(error)
        if not is_htmx(request):
            messages.error(request, str(error.message))
            return redirect("orders:cart", slug=business.slug)
        # htmx swaps only successful answers: the error comes back as 200 and the notice explains.
        return _cart_page(request, business, error=str(error.message))
    notice = _("Removed from your cart.") if quantity == 0 else _("Quantity changed.")
    if not is_htmx(request):
        messages.success(request, notice)
        return redirect("orders:cart", slug=business.slug)
    return _cart_page(request, business, notice=notice)


@require_GET
def cart_badge(request: HttpRequest, slug: str) -> HttpResponse:
    """The storefront's cart link with the number of items, loaded by htmx (and again on cartChanged)."""
    business = business_public_require(slug=slug)
    count = cart_for(business=business, user=request.user).count if request.user.is_authenticated else 0
    return render(request, "orders/_cart_badge.html", {"business": business, "count": count})


@require_GET
def cart_list(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return render(request, "orders/cart_list.html", {"nav": "me", "carts": carts_for_user(user=request.user)})


@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest, slug: str) -> HttpResponse:
    business = business_public_require(slug=slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    settings = order_settings_for(business=business)
    fulfilments = fulfilments_for(business=business, settings=settings)
    form = CheckoutForm(request.POST or None, fulfilments=fulfilments)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        order = form_attempt(
            form,
            lambda: order_checkout(
                user=page_user(request),
                business=business,
                fulfilment=data["fulfilment"],
                delivery_address=data["delivery_address"],
                note=data["note"],
                preferred_time=data["preferred_time"],
                idempotency_key=data["idempotency_key"],
            ),
        )
        if order is not None:
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
            "PaymentMethod": PaymentMethod,
        },
        status=400 if form.is_bound else 200,
    )


@require_GET
def my_orders(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    page = paginate(customer_order_list(user=request.user), page=page_number(request), size=LIST_PAGE_SIZE)
    return render(request, "orders/my_orders.html", {"nav": "me", "page": page})


def _my_order_get(request: HttpRequest, slug: str, number: int) -> Order:
    business = business_public_get(slug=slug) or Business.objects.filter(slug=slug).first()
    if business is None:
        raise Http404
    try:
        return customer_order_get(user=page_user(request), business=business, number=number)
    except DomainError as error:
        raise Http404 from error


def customer_order_action(view: Callable[[HttpRequest, Order], HttpResponse]) -> Callable[..., HttpResponse]:
    """A form a customer posts on their order's page: signed out, they log in and come back to the
    page (a POST-only address cannot be returned to); another person's order answers 404."""

    @require_POST
    @wraps(view)
    def wrapper(request: HttpRequest, slug: str, number: int) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(reverse("orders:my_order", args=[slug, number]))
        return view(request, _my_order_get(request, slug, number))

    return wrapper


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
    summary = order_summary(order)
    payable = order_payable_minor(order)
    can_pay = not order.is_cancelled and payable > 0
    pay_forms = dict(pay_forms or {})
    for method in (PaymentMethod.TRANSFER, PaymentMethod.QRIS):
        if method in methods and method not in pay_forms:
            pay_forms[method] = PaymentSubmitForm(method=method, initial={"amount_minor": amount_text(payable)})
    reviewed = {review.product_id for review in order.reviews.all()}
    review_lines = []
    review_form_shown = False
    if order.is_completed:
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
        "PaymentMethod": PaymentMethod,
        "payable_minor": payable,
        "can_pay": can_pay,
        "transfer_form": pay_forms.get(PaymentMethod.TRANSFER),
        "qris_form": pay_forms.get(PaymentMethod.QRIS),
        "can_cancel": order_can_customer_cancel(order),
        "cancel_form": cancel_form or CustomerCancelForm(),
        "review_lines": review_lines,
        "receipt_url": receipt_url(request, order),
        "whatsapp_url": whatsapp_receipt_url(request, order),
        "error": error,
    }
    return render_in_business_time(request, business, "orders/my_order.html", context, status=status)


@require_GET
def my_order(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return _my_order_page(request, _my_order_get(request, slug, number))


def _back_to_my_order(order: Order) -> HttpResponse:
    return redirect("orders:my_order", slug=order.business.slug, number=order.number)


@customer_order_action
def my_order_cancel(request: HttpRequest, order: Order) -> HttpResponse:
    form = CustomerCancelForm(request.POST)
    if form.is_valid():
        done = form_attempt(
            form,
            lambda: order_cancel(
                order=order, actor=page_user(request), reason=form.cleaned_data["reason"], by_customer=True
            ),
        )
        if done is not None:
            messages.success(request, _("Your order #%(number)s is cancelled.") % {"number": order.number})
            return _back_to_my_order(order)
    return _my_order_page(request, order, cancel_form=form, status=400)


@customer_order_action
def my_order_reorder(request: HttpRequest, order: Order) -> HttpResponse:
    try:
        cart_view = order_reorder(user=page_user(request), order=order)
    except DomainError as error:
        raise_not_found(error)
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


@customer_order_action
def my_order_pay(request: HttpRequest, order: Order) -> HttpResponse:
    method = request.POST.get("method", "")
    form = PaymentSubmitForm(request.POST, request.FILES, method=method)
    if form.is_valid():
        data = form.cleaned_data
        done = form_attempt(
            form,
            lambda: payment_submit(
                order=order,
                user=page_user(request),
                method=data["method"],
                amount_minor=data["amount_minor"],
                reference=data["reference"],
                proof=data.get("proof"),
                idempotency_key=data["idempotency_key"],
            ),
        )
        if done is not None:
            messages.success(request, _("Thank you! The shop will check your payment and confirm it."))
            return _back_to_my_order(order)
    pay_forms: dict[str, PaymentSubmitForm] = {}
    if method in (PaymentMethod.TRANSFER, PaymentMethod.QRIS):
        pay_forms[method] = form
        error = ""
    else:
        error = first_error(form) if form.errors else _("Choose how you paid.")
    return _my_order_page(request, order, pay_forms=pay_forms, error=error, status=400)


@customer_order_action
def my_order_gateway(request: HttpRequest, order: Order) -> HttpResponse:
    try:
        url = gateway_checkout_start(order=order, user=page_user(request))
    except DomainError as error:
        raise_not_found(error)
        return _my_order_page(request, order, error=str(error.message), status=400)
    return redirect(url)


@customer_order_action
def my_order_review(request: HttpRequest, order: Order) -> HttpResponse:
    form = ReviewForm(request.POST, product_id=int_or_none(request.POST.get("product_id")))
    if form.is_valid():
        data = form.cleaned_data
        done = form_attempt(
            form,
            lambda: review_create(
                order=order,
                user=page_user(request),
                product_id=data["product_id"],
                rating=data["rating"],
                text=data["text"],
            ),
        )
        if done is not None:
            messages.success(request, _("Thank you for your review!"))
            return _back_to_my_order(order)
    return _my_order_page(request, order, review_form=form, status=400)


@require_GET
def my_payment_proof(request: HttpRequest, slug: str, number: int, payment_id: int) -> HttpResponseBase:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    order = _my_order_get(request, slug, number)
    payment = Payment.objects.filter(order=order, pk=payment_id).first()
    if payment is None:
        raise Http404
    return proof_response(payment)
