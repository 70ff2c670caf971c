"""Money and dates for people, per locale: Rp 15.000 in Indonesian, IDR 15,000 in English."""

import datetime as dt
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime as babel_format_datetime
from babel.numbers import NumberPattern, get_currency_precision, parse_pattern
from django.utils import timezone, translation

BABEL_LOCALES = {"id": "id_ID", "en": "en"}

# Digits after the decimal point of each currency's minor unit, as Etalase stores it. Rupiah have no
# coins below Rp 1 in use, so an IDR amount is stored in whole rupiah; other currencies follow ISO 4217.
MINOR_UNIT_DIGITS = {"IDR": 0, "JPY": 0, "KRW": 0, "VND": 0}


def babel_locale(language: str | None = None) -> str:
    language = (language or translation.get_language() or "id").split("-")[0]
    return BABEL_LOCALES.get(language, "id_ID")


@lru_cache(maxsize=256)
def minor_unit_digits(currency: str) -> int:
    return MINOR_UNIT_DIGITS.get(currency, get_currency_precision(currency))


@lru_cache(maxsize=64)
def _money_pattern(locale: str, digits: int) -> tuple[Locale, NumberPattern]:
    decimals = "." + "0" * digits if digits else ""
    # Indonesian readers know "Rp"; in English the ISO code avoids confusion with other rupees.
    pattern = f"¤ #,##0{decimals}" if locale.startswith("id") else f"¤¤ #,##0{decimals}"
    return Locale.parse(locale), parse_pattern(pattern)


def money_format(amount_minor: int, currency: str = "IDR", *, language: str | None = None) -> str:
    """Format integer minor units for the reader: 15000 IDR -> "Rp 15.000" (id), "IDR 15,000" (en)."""
    if isinstance(amount_minor, float) or not isinstance(amount_minor, int):
        raise TypeError("Money is an integer of minor units, never a float.")
    digits = minor_unit_digits(currency)
    locale, pattern = _money_pattern(babel_locale(language), digits)
    value = Decimal(amount_minor).scaleb(-digits)
    text: str = pattern.apply(value, locale, currency=currency, currency_digits=False)
    return text.replace("\xa0", " ")


def datetime_format(
    value: dt.datetime, *, tz: str | None = None, language: str | None = None, style: str = "medium"
) -> str:
    zone = ZoneInfo(tz) if tz else timezone.get_current_timezone()
    return babel_format_datetime(value.astimezone(zone), format=style, locale=babel_locale(language))
