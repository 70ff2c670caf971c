"""What the order pages share: htmx and safe redirects, domain errors on forms, the order summary
every order page shows, receipt links and rendering in the shop's time."""

from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from etalase.core.errors import DomainError
from etalase.core.forms import form_add_domain_error
from etalase.directory.models import Business
from etalase.orders.models import Order
from etalase.orders.selectors import order_pending_minor

LIST_PAGE_SIZE = 20


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def raise_not_found(error: DomainError) -> None:
    if error.status == 404:
        raise Http404 from error


def local_path(request: HttpRequest, url: str | None) -> str | None:
    """``url`` as a path on this site, or None for anything pointing elsewhere."""
    if not url or not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _business_zone(business: Business) -> ZoneInfo:
    try:
        return ZoneInfo(business.timezone or "Asia/Jakarta")
    except (ValueError, KeyError):
        return ZoneInfo("Asia/Jakarta")


def render_in_business_time(
    request: HttpRequest, business: Business, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """Times on an order are the shop's times, whoever looks at them."""
    with timezone.override(_business_zone(business)):
        return render(request, template, context, status=status)


def amount_text(amount_minor: int) -> str:
    """An amount as a person would type it into the amount box: 150000."""
    return str(max(amount_minor, 0))


def receipt_url(request: HttpRequest, order: Order) -> str:
    return request.build_absolute_uri(reverse("orders:receipt", args=[order.receipt_token]))


def whatsapp_receipt_url(request: HttpRequest, order: Order, phone: str = "") -> str:
    text = _("Receipt of order #%(number)s at %(shop)s: %(url)s") % {
        "number": order.number,
        "shop": order.business.name,
        "url": receipt_url(request, order),
    }
    digits = "".join(ch for ch in phone if ch.isdigit())
    return f"https://wa.me/{digits}?text={quote(text, safe='')}"


def order_summary(order: Order) -> dict[str, Any]:
    """What the customer, the staff and the receipt pages all show about an order."""
    payments = list(order.payments.all())
    return {
        "order": order,
        "business": order.business,
        "lines": list(order.lines.all()),
        "events": list(order.events.all()),
        "payments": payments,
        "pending_minor": order_pending_minor(order),
        "currency": order.currency,
    }


def int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def first_error(form: forms.Form) -> str:
    """The first thing wrong with a bound form, to say on top of a page or in a message."""
    return str(next(iter(form.errors.values()))[0])


def form_attempt[T](form: forms.Form, action: Callable[[], T]) -> T | None:
    """Run ``action`` (one service call): its result, or None with the ``DomainError`` put on
    ``form`` (a 404 stays a 404)."""
    try:
        return action()
    except DomainError as error:
        raise_not_found(error)
        form_add_domain_error(form, error)
        return None
