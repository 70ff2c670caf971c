"""Amounts as shop owners type them."""

import pytest
from django import forms

from etalase.catalog.forms import money_parse


@pytest.mark.parametrize(
    ("typed", "currency", "amount"),
    [
        ("15000", "IDR", 15_000),
        ("15.000", "IDR", 15_000),
        ("15,000", "IDR", 15_000),
        ("Rp 15.000", "IDR", 15_000),
        ("Rp15.000", "IDR", 15_000),
        ("IDR 1.250.000", "IDR", 1_250_000),
        (" 2 500 ", "IDR", 2_500),
        ("0", "IDR", 0),
        ("-5.000", "IDR", -5_000),
        ("12.50", "USD", 1_250),
        ("12", "USD", 1_200),
        ("1,299.9", "USD", 129_990),
    ],
)
def test_amounts_people_type_are_read_in_minor_units(typed, currency, amount):
    assert money_parse(typed, currency) == amount


@pytest.mark.parametrize("typed", ["15.5", "15.00", "1.5000", "lima ribu", "15000abc", "1e5", "", "9" * 40])
def test_ambiguous_or_wrong_amounts_are_refused(typed):
    with pytest.raises(forms.ValidationError):
        money_parse(typed, "IDR")
