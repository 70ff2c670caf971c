"""The business side of orders: the order list and detail, taking an order by phone, chat or at
the counter, payments (recording, confirming, rejecting, proofs), the day's reconciliation and the
order settings. Each page names its permission in ``@business_view``."""

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from etalase.accounts.auth import page_user
from etalase.catalog.selectors import product_public_list
from etalase.core.errors import DomainError
from etalase.core.formats import money_format
from etalase.core.pagination import page_number, paginate
from etalase.customers.selectors import contact_get, contact_search
from etalase.directory.models import Business
from etalase.directory.permissions import Permission
from etalase.directory.selectors import membership_list
from etalase.directory.tenancy import business_context_of, business_view
from etalase.orders.enums import Fulfilment, OrderStatus, PaymentMethod, PaymentStatus
from etalase.orders.forms import (
    ContactSearchForm,
    OrderSettingsForm,
    ReconciliationForm,
    RecordPaymentForm,
    RejectForm,
    StaffCancelForm,
    StaffOrderForm,
    StatusForm,
)
from etalase.orders.models import Order, OrderSettings, Payment
from etalase.orders.proofs import proof_response
from etalase.orders.selectors import (
    fulfilments_for,
    order_get,
    order_list,
    order_payable_minor,
    order_settings_for,
    payment_get,
    payment_methods_for,
    reconciliation_for,
)
from etalase.orders.services.order_settings import order_settings_update
from etalase.orders.services.payments import payment_confirm, payment_record, payment_reject
from etalase.orders.services.placement import LineRequest, NewContact, order_take
from etalase.orders.services.status import order_cancel, order_transition
from etalase.orders.transitions import order_can_cancel, order_next_statuses
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
    whatsapp_receipt_url,
)
from etalase.orders.wording import recon_problems, recon_row_shown

CONTACT_RESULTS = 8
STAFF_PRODUCT_CHOICES = 300
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


def _status_filter(request: HttpRequest) -> str:
    value = request.GET.get("status", "")
    return value if value in OrderStatus.values else ""


@business_view(Permission.ORDERS_VIEW)
@require_GET
def manage_list(request: HttpRequest) -> HttpResponse:
    context = business_context_of(request)
    business = context.business
    status = _status_filter(request)
    query = request.GET.get("q", "").strip()[:80]
    page = paginate(
        order_list(business=business, status=status or None, query=query),
        page=page_number(request),
        size=LIST_PAGE_SIZE,
    )
    seen = int_or_none(request.GET.get("seen", "")) or 0
    newest = max((order.pk for order in page.items), default=0)
    refreshing = is_htmx(request) and request.headers.get("HX-Target") == "order-list"
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
        return order_get(business=business_context_of(request).business, number=number)
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
        initial={"amount_minor": amount_text(order_payable_minor(order)), "received_by": request.user.pk},
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
    context = business_context_of(request)
    business = context.business
    settings = order_settings_for(business=business)
    methods = payment_methods_for(business=business, settings=settings)
    summary = order_summary(order)
    can_record = context.has(Permission.PAYMENTS_RECORD) and not order.is_cancelled
    data = {
        **summary,
        "nav": "orders",
        "payable_minor": order_payable_minor(order),
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
        "receipt_url": receipt_url(request, order),
        "whatsapp_url": whatsapp_receipt_url(request, order, order.contact.phone),
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
        return _manage_detail_page(request, order, error=first_error(form), status=400)
    try:
        order = order_transition(
            order=order,
            actor=page_user(request),
            to_status=form.cleaned_data["to_status"],
            note=form.cleaned_data["note"],
        )
    except DomainError as error:
        raise_not_found(error)
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
        done = form_attempt(
            form,
            lambda: order_cancel(
                order=order, actor=page_user(request), reason=form.cleaned_data["reason"], by_customer=False
            ),
        )
        if done is not None:
            messages.success(request, _("Order #%(number)s is cancelled.") % {"number": order.number})
            return _back_to_manage(order)
    return _manage_detail_page(request, _manage_order(request, number), cancel_form=form, status=400)


@business_view(Permission.PAYMENTS_RECORD)
@require_POST
def manage_payment_record(request: HttpRequest, number: int) -> HttpResponse:
    context = business_context_of(request)
    order = _manage_order(request, number)
    methods = payment_methods_for(business=context.business)
    form = _record_form(request, order, methods, request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        members = {membership.user.pk: membership.user for membership in membership_list(business=context.business)}
        confirm = context.has(Permission.PAYMENTS_CONFIRM)
        payment = form_attempt(
            form,
            lambda: payment_record(
                order=order,
                actor=page_user(request),
                method=data["method"],
                amount_minor=data["amount_minor"],
                reference=data["reference"],
                proof=data.get("proof"),
                received_by=members.get(data["received_by"]) if data["received_by"] else None,
                confirm=confirm,
                idempotency_key=data["idempotency_key"],
            ),
        )
        if payment is not None:
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
        return payment_get(business=business_context_of(request).business, payment_id=payment_id)
    except DomainError as error:
        raise Http404 from error


def _after_payment_action(request: HttpRequest, payment: Payment) -> HttpResponse:
    back = local_path(request, request.POST.get("next"))
    if back:
        return redirect(back)
    return redirect("orders:manage_detail", slug=payment.business.slug, number=payment.order.number)


@business_view(Permission.PAYMENTS_CONFIRM)
@require_POST
def payment_confirm_view(request: HttpRequest, payment_id: int) -> HttpResponse:
    payment = _payment_for(request, payment_id)
    try:
        payment = payment_confirm(payment=payment, actor=page_user(request))
    except DomainError as error:
        raise_not_found(error)
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
        rejected = form_attempt(
            form, lambda: payment_reject(payment=payment, actor=page_user(request), reason=form.cleaned_data["reason"])
        )
        if rejected is not None:
            messages.success(
                request,
                _("Payment of %(amount)s rejected.")
                % {"amount": money_format(rejected.amount_minor, rejected.order.currency)},
            )
            return _after_payment_action(request, rejected)
    order = _manage_order(request, payment.order.number)
    return _manage_detail_page(request, order, reject_form=form, reject_payment_id=payment.pk, status=400)


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
    business = business_context_of(request).business
    form = ContactSearchForm(request.GET)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    return render(
        request,
        "orders/_contact_picker.html",
        {"contacts": _contact_results(business, query), "query": query, "selected": None},
    )


NEW_CONTACT_FIELDS = ("name", "phone", "email")
"""The new customer's fields, called ``contact_<name>`` on the form."""


def _staff_order_take(request: HttpRequest, form: StaffOrderForm) -> Order:
    """Take the order the form describes, for the customer picked from the list or a new one."""
    business = business_context_of(request).business
    data = form.cleaned_data
    contact = None
    if data.get("contact"):
        contact = contact_get(business=business, contact_id=data["contact"])
        if contact is None:
            message = _("Choose a customer from the list.")
            raise DomainError(message, fields={"contact": message})
    try:
        return order_take(
            business=business,
            actor=page_user(request),
            contact=contact,
            new_contact=None
            if contact is not None
            else NewContact(name=data["contact_name"], phone=data["contact_phone"], email=data["contact_email"]),
            lines=[LineRequest(product_id=pk, quantity=quantity) for pk, quantity in form.lines()],
            fulfilment=data["fulfilment"],
            channel=data["channel"],
            delivery_address=data["delivery_address"],
            note=data["note"],
            preferred_time=data["preferred_time"],
            idempotency_key=data["idempotency_key"],
        )
    except DomainError as error:
        error.fields = {
            f"contact_{name}" if name in NEW_CONTACT_FIELDS else name: text for name, text in error.fields.items()
        }
        raise


@business_view(Permission.ORDERS_MANAGE)
@require_http_methods(["GET", "POST"])
def manage_new(request: HttpRequest) -> HttpResponse:
    business = business_context_of(request).business
    fulfilments = fulfilments_for(business=business) or [Fulfilment.PICKUP]
    products = _product_choices(business)
    form = StaffOrderForm(request.POST or None, products=products, fulfilments=fulfilments)
    query = request.GET.get("q", "").strip()[:80]
    if request.method == "POST" and form.is_valid():
        order = form_attempt(form, lambda: _staff_order_take(request, form))
        if order is not None:
            messages.success(request, _("Order #%(number)s is created.") % {"number": order.number})
            return redirect("orders:manage_detail", slug=business.slug, number=order.number)
    selected = None
    if form.is_bound and form.data.get("contact"):
        selected = contact_get(business=business, contact_id=int_or_none(form.data.get("contact")) or 0)
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


@business_view(Permission.PAYMENTS_CONFIRM)
@require_GET
def reconciliation(request: HttpRequest) -> HttpResponse:
    business = business_context_of(request).business
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
            "problems": recon_problems(report),
            "rows_by_method": [recon_row_shown(row, report.currency) for row in report.rows_by_method],
            "rows_by_staff": [recon_row_shown(row, report.currency) for row in report.rows_by_staff],
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
    context = business_context_of(request)
    business = context.business
    settings = order_settings_for(business=business)
    form = OrderSettingsForm(request.POST or None, initial=_settings_initial(settings))
    if request.method == "POST" and form.is_valid():
        done = form_attempt(
            form, lambda: order_settings_update(business=business, actor=page_user(request), **form.settings_fields())
        )
        if done is not None:
            messages.success(request, _("Order settings saved."))
            return redirect("orders:settings", slug=business.slug)
    return render(
        request,
        "orders/settings.html",
        {"nav": "orders", "form": form, "has_server_key": bool(settings.gateway_server_key)},
        status=400 if form.is_bound else 200,
    )


@business_view(Permission.ORDERS_VIEW)
@require_GET
def payment_proof(request: HttpRequest, payment_id: int) -> HttpResponse:
    return proof_response(_payment_for(request, payment_id))  # type: ignore[return-value]  # it streams
