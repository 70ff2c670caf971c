"""Money and dates for people, per locale: Rp 15.000 in Indonesian, IDR 15,000 in English."""

import datetime as dt
from zoneinfo import ZoneInfo

from babel.dates import format_datetime as babel_format_datetime
from babel.numbers import format_currency, get_currency_precision
from django.utils import timezone, translation

BABEL_LOCALES = {"id": "id_ID", "en": "en_ID"}


def babel_locale(language: str | None = None) -> str:
    language = (language or translation.get_language() or "id").split("-")[0]
    return BABEL_LOCALES.get(language, "id_ID")


def money_format(amount_minor: int, currency: str = "IDR", *, language: str | None = None) -> str:
    """Format integer minor units. IDR has no minor unit in practice: 15000 -> "Rp 15.000"."""
    if isinstance(amount_minor, float):
        raise TypeError("Money is never a float; pass integer minor units.")
    locale = babel_locale(language)
    precision = get_currency_precision(currency)
    value = amount_minor if precision == 0 else amount_minor / 10**precision
    if locale.startswith("id"):
        text = format_currency(value, currency, locale=locale, format="¤ #,##0", currency_digits=True)
        return text.replace("\xa0", " ")
    text = format_currency(value, currency, locale=locale, format="¤¤ #,##0", currency_digits=True)
    return text.replace("\xa0", " ")


def datetime_format(
    value: dt.datetime, *, tz: str | None = None, language: str | None = None, style: str = "medium"
) -> str:
    zone = ZoneInfo(tz) if tz else timezone.get_current_timezone()
    return babel_format_datetime(value.astimezone(zone), format=style, locale=babel_locale(language))
