"""Money for people: Rp 15.000 in Indonesian, IDR 15,000 in English (ARCHITECTURE.md §4)."""

import datetime as dt
import re

import pytest
from django.utils import translation

from etalase.core.formats import datetime_format, money_format


@pytest.mark.parametrize(
    ("amount", "language", "shown"),
    [
        (15000, "id", "Rp 15.000"),
        (15000, "en", "IDR 15,000"),
        (1250000, "id", "Rp 1.250.000"),
        (1250000, "en", "IDR 1,250,000"),
        (0, "id", "Rp 0"),
    ],
)
def test_rupiah_are_shown_whole_in_the_language_of_the_reader(amount, language, shown):
    assert money_format(amount, "IDR", language=language) == shown


def test_the_active_language_is_used_when_none_is_given():
    with translation.override("en"):
        assert money_format(15000, "IDR") == money_format(15000, "IDR", language="en")
    with translation.override("id"):
        assert money_format(15000, "IDR") == money_format(15000, "IDR", language="id")


@pytest.mark.parametrize("amount", [15000.0, 0.5, float("nan")])
def test_money_is_never_a_float(amount):
    with pytest.raises(TypeError, match="never a float"):
        money_format(amount, "IDR", language="id")


def test_a_moment_is_shown_in_the_business_timezone():
    moment = dt.datetime(2026, 3, 1, 1, 30, tzinfo=dt.UTC)

    shown = datetime_format(moment, tz="Asia/Jakarta", language="en", style="short")

    assert re.search(r"\b0?8[.:]30\b", shown), shown
