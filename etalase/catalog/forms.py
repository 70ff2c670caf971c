"""Forms of the owner's catalog pages. They read what people type; the services decide what is valid."""

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from etalase.core.formats import minor_unit_digits
from etalase.core.forms import text_area_field

_CURRENCY_PREFIX = re.compile(r"^(rp\.?|idr)\s*", re.IGNORECASE)
_GROUPED = re.compile(r"^\d{1,3}(?:[.,\s\u00a0]\d{3})+$")


def money_parse(text: str, currency: str = "IDR") -> int:
    """An amount as people type it, in minor units: "15000", "15.000", "Rp 15.000", "15,000" -> 15000.

    Thousands separators may be dots, commas or spaces, but every group must have three digits, so
    "15.5" is refused rather than read as 155. A minus sign is kept: the service explains why a
    negative price is refused. Currencies with cents accept a decimal part ("12.50" USD -> 1250).
    """
    value = " ".join(str(text).split())
    value = _CURRENCY_PREFIX.sub("", value).strip()
    negative = value.startswith("-")
    if negative:
        value = value[1:].strip()
    digits = minor_unit_digits(currency)
    amount: int | None = None
    if re.fullmatch(r"\d{1,18}", value):
        amount = int(value) * 10**digits
    elif _GROUPED.fullmatch(value) and len(value) <= 24:
        amount = int(re.sub(r"\D", "", value)) * 10**digits
    elif digits:
        whole_part = r"(\d{1,3}(?:[.,\s]\d{3})*|\d{1,15})"
        match = re.fullmatch(whole_part + r"[.,](\d{1," + str(digits) + "})", value)
        if match:
            whole = re.sub(r"\D", "", match.group(1))
            try:
                amount = int(Decimal(f"{whole}.{match.group(2)}").scaleb(digits))
            except InvalidOperation:
                amount = None
    if amount is None:
        raise forms.ValidationError(_("Enter an amount such as 15000 or 15.000."), code="invalid")
    return -amount if negative else amount


class MoneyField(forms.CharField):
    """A text box for an amount; ``clean`` gives integer minor units (or None when empty)."""

    def __init__(self, *, currency: str = "IDR", **kwargs: Any) -> None:
        self.currency = currency
        # No max_length: its validator would measure the cleaned integer. money_parse bounds the text.
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "maxlength": 32})
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        return money_parse(text, self.currency)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one ``<input type=file multiple>``; each picture is checked by the service."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif", "multiple": True})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        cleaned = single(data, initial)
        return [cleaned] if cleaned else []


PHOTO_HELP = _("Up to 8 photos (JPEG, PNG, WebP or GIF), at most 8 MB each. The first one is the cover.")


class ProductForm(forms.Form):
    title = forms.CharField(label=_("Name"), max_length=120, help_text=_("For example: Kopi Gayo 250 g."))
    price_minor = MoneyField(label=_("Price"), help_text=_("In rupiah, for example 15000 or 15.000."))
    compare_at_minor = MoneyField(
        label=_("Price before discount"),
        required=False,
        help_text=_("Optional. Shown struck through next to the price."),
    )
    stock = forms.IntegerField(
        label=_("Stock"),
        required=False,
        help_text=_("Leave empty for unlimited. 0 shows “Sold out”."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 1}),
    )
    sku = forms.CharField(
        label=_("SKU (your own code)"), max_length=64, required=False, help_text=_("Optional, unique in your shop.")
    )
    description = text_area_field(
        label=_("Description"),
        max_length=5000,
        rows=6,
        help_text=_("Size, material, taste, how to order… Line breaks are kept."),
    )

    def __init__(self, *args: Any, currency: str = "IDR", with_photos: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("price_minor", "compare_at_minor"):
            self.fields[name].currency = currency  # type: ignore[attr-defined]
        if with_photos:
            self.fields["images"] = MultipleFileField(label=_("Photos"), required=False, help_text=PHOTO_HELP)


class PhotosForm(forms.Form):
    images = MultipleFileField(label=_("Add photos"), help_text=PHOTO_HELP)


class PostForm(forms.Form):
    image = forms.FileField(
        label=_("Picture"),
        help_text=_("JPEG, PNG, WebP or GIF, at most 8 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
    )
    caption = text_area_field(
        label=_("Caption"),
        max_length=2200,
        rows=4,
        help_text=_("News, a promotion, a new arrival… Line breaks are kept."),
    )
    products = forms.TypedMultipleChoiceField(
        label=_("Tag products"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Customers open them from the post."),
    )

    def __init__(self, *args: Any, product_choices: list[tuple[int, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["products"].choices = product_choices  # type: ignore[attr-defined]
