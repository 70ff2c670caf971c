"""Template filters for people: ``{{ amount|money:"IDR" }}``, ``{{ value|phone }}``."""

from django import template

from etalase.core.formats import money_format
from etalase.core.phones import phone_display

register = template.Library()


@register.filter
def money(amount_minor: int | None, currency: str = "IDR") -> str:
    if amount_minor is None:
        return ""
    return money_format(int(amount_minor), currency)


@register.filter
def phone(e164: str | None) -> str:
    return phone_display(e164) if e164 else ""
