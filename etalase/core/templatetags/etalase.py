"""Template filters for people: ``{{ amount|money:"IDR" }}``, ``{{ value|phone }}``.

Both run once per row of a list (30 rows a page), and parsing a phone number or applying a Babel
pattern is among the dearest things a row does; the same numbers and amounts come back page after
page, so each text is kept once made (a bounded cache per server process, keyed by everything the
text depends on: the number; the amount, currency and reader's locale).
"""

from functools import lru_cache

from django import template

from etalase.core.formats import babel_locale, money_format
from etalase.core.phones import phone_display

register = template.Library()

CACHED_TEXTS = 8192


@register.filter
def money(amount_minor: int | None, currency: str = "IDR") -> str:
    if amount_minor is None:
        return ""
    return _money(int(amount_minor), currency, babel_locale())


@lru_cache(maxsize=CACHED_TEXTS)
def _money(amount_minor: int, currency: str, locale: str) -> str:
    return money_format(amount_minor, currency, language=locale.split("_")[0])


@register.filter
def phone(e164: str | None) -> str:
    return _phone(e164) if e164 else ""


@lru_cache(maxsize=CACHED_TEXTS)
def _phone(e164: str) -> str:
    return phone_display(e164)
