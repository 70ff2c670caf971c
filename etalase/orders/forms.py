"""Forms of the order pages: the first check of what a person typed; the services check again and decide.

Amounts are read with the catalog's ``MoneyField`` ("15000", "15.000", "Rp 15.000" -> 15000 minor units).
"""

import uuid
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from etalase.catalog.forms import MoneyField
from etalase.core.api import MAX_ID
from etalase.orders.enums import Fulfilment, OrderChannel, OrderStatus, PaymentMethod

MAX_QUANTITY = 999
STAFF_ORDER_LINES = 10
STAFF_CHANNELS = (OrderChannel.PHONE, OrderChannel.CHAT, OrderChannel.WHATSAPP, OrderChannel.WALK_IN)
PROOF_TYPES = "image/jpeg,image/png,image/webp,application/pdf"


def idempotency_key_new() -> str:
    """A fresh key for each rendered form: submitting the same form twice gives one order or payment."""
    return uuid.uuid4().hex


def _product_id_field(**kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choose a product."),
            "invalid": _("This is not a product number."),
            "min_value": _("This is not a product number."),
            "max_value": _("This is not a product number."),
        },
        **kwargs,
    )


def _quantity_field(*, minimum: int, **kwargs: Any) -> forms.IntegerField:
    kwargs.setdefault("label", _("Quantity"))
    return forms.IntegerField(
        min_value=minimum,
        max_value=MAX_QUANTITY,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": minimum, "max": MAX_QUANTITY, "step": 1}),
        error_messages={
            "required": _("Enter a quantity."),
            "invalid": _("Enter a whole number."),
            "min_value": _("The quantity must be at least %(limit_value)s."),
            "max_value": _("The quantity can be at most %(limit_value)s."),
        },
        **kwargs,
    )


class IdempotentForm(forms.Form):
    idempotency_key = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", idempotency_key_new())


# --- the customer ---------------------------------------------------------------------------------


class CartAddForm(forms.Form):
    product_id = _product_id_field()
    quantity = _quantity_field(minimum=1, initial=1, required=False)

    def clean_quantity(self) -> int:
        return self.cleaned_data.get("quantity") or 1


class CartUpdateForm(forms.Form):
    product_id = _product_id_field()
    quantity = _quantity_field(minimum=0)


class CheckoutForm(IdempotentForm):
    fulfilment = forms.ChoiceField(
        label=_("How do you want to get your order?"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose pickup or delivery."),
            "invalid_choice": _("Choose pickup or delivery."),
        },
    )
    delivery_address = forms.CharField(
        label=_("Delivery address"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
        help_text=_("Street, number, area and a landmark, for delivery."),
    )
    preferred_time = forms.CharField(
        label=_("Preferred time"),
        max_length=80,
        required=False,
        help_text=_("Optional. For example: tomorrow after 4 pm."),
    )
    note = forms.CharField(
        label=_("Note for the shop"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional. Size, colour, a message…"),
    )

    def __init__(self, *args: Any, fulfilments: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Fulfilment.choices)
        field: forms.ChoiceField = self.fields["fulfilment"]  # type: ignore[assignment]
        field.choices = [(value, labels[value]) for value in fulfilments]
        if len(fulfilments) >= 1 and not self.is_bound:
            self.initial.setdefault("fulfilment", fulfilments[0])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("fulfilment") == Fulfilment.DELIVERY and not (data.get("delivery_address") or "").strip():
            self.add_error("delivery_address", _("Enter the address to deliver to."))
        return data


def _amount_field(label: Any = None) -> MoneyField:
    return MoneyField(
        label=label or _("Amount"),
        error_messages={"required": _("Enter the amount.")},
        help_text=_("In rupiah, for example 150000 or 150.000."),
    )


def _proof_field(*, required: bool = False) -> forms.FileField:
    return forms.FileField(
        label=_("Proof of payment"),
        required=required,
        help_text=_("A photo or screenshot of the transfer (JPEG, PNG, WebP) or a PDF, at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": PROOF_TYPES}),
        error_messages={"required": _("Attach the proof of the transfer.")},
    )


class _AmountCheck:
    def clean_amount_minor(self) -> int:
        amount = self.cleaned_data["amount_minor"]  # type: ignore[attr-defined]
        if amount is None:
            raise forms.ValidationError(_("Enter the amount."))
        if amount <= 0:
            raise forms.ValidationError(_("The amount must be more than zero."))
        return int(amount)


class PaymentSubmitForm(_AmountCheck, IdempotentForm):
    """A customer telling the shop they paid: transfer with proof, or a QRIS / e-wallet reference."""

    method = forms.ChoiceField(
        choices=[
            (PaymentMethod.TRANSFER, PaymentMethod.TRANSFER.label),
            (PaymentMethod.QRIS, PaymentMethod.QRIS.label),
        ],
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("Choose how you paid."), "required": _("Choose how you paid.")},
    )
    amount_minor = _amount_field(_("Amount you paid"))
    reference = forms.CharField(
        label=_("Reference"),
        max_length=120,
        required=False,
        help_text=_("The transaction or reference number from your bank or e-wallet app."),
    )
    proof = _proof_field()

    def __init__(self, *args: Any, method: str = PaymentMethod.TRANSFER, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("method", method)
        self.auto_id = f"pay-{method}-%s"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("method") == PaymentMethod.QRIS and not (data.get("reference") or "").strip():
            self.add_error("reference", _("Enter the reference number of your payment."))
        if data.get("method") == PaymentMethod.TRANSFER and not data.get("proof") and "proof" not in self.errors:
            self.add_error("proof", _("Attach the proof of the transfer."))
        return data


class CustomerCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you cancelling? (optional)"),
        max_length=300,
        required=False,
    )


class ReviewForm(forms.Form):
    product_id = _product_id_field()
    rating = forms.TypedChoiceField(
        label=_("Your rating"),
        choices=[(number, str(number)) for number in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose 1 to 5 stars."), "invalid_choice": _("Choose 1 to 5 stars.")},
    )
    text = forms.CharField(
        label=_("Your review (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, product_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if product_id is not None:
            self.auto_id = f"review-{product_id}-%s"
            if not self.is_bound:
                self.initial["product_id"] = product_id


# --- the business side ----------------------------------------------------------------------------


class StatusForm(forms.Form):
    to_status = forms.ChoiceField(
        choices=OrderStatus.choices,
        error_messages={"required": _("Choose the new status."), "invalid_choice": _("Choose the new status.")},
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class StaffCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        max_length=300,
        error_messages={"required": _("Say why the order is cancelled.")},
        help_text=_("The customer sees this reason."),
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejecting"),
        max_length=300,
        error_messages={"required": _("Say why the payment is rejected.")},
    )


class RecordPaymentForm(_AmountCheck, IdempotentForm):
    amount_minor = _amount_field()
    method = forms.ChoiceField(
        label=_("Method"),
        error_messages={"required": _("Choose the method."), "invalid_choice": _("Choose the method.")},
    )
    reference = forms.CharField(label=_("Reference"), max_length=120, required=False)
    proof = _proof_field()
    received_by = forms.TypedChoiceField(
        label=_("Received by"),
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose who received it.")},
        help_text=_("The team member who has the money (you, unless you choose someone else)."),
    )

    def __init__(
        self,
        *args: Any,
        methods: Sequence[str] = (),
        members: Sequence[tuple[int, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(PaymentMethod.choices)
        self.fields["method"].choices = [(value, labels[value]) for value in methods]  # type: ignore[attr-defined]
        self.fields["received_by"].choices = list(members)  # type: ignore[attr-defined]
        self.auto_id = "record-%s"


class ContactSearchForm(forms.Form):
    q = forms.CharField(max_length=80, required=False)


class StaffOrderForm(IdempotentForm):
    """An order taken by phone, chat, WhatsApp or at the counter: a contact, lines, pickup or delivery."""

    contact = forms.IntegerField(
        label=_("Customer"),
        required=False,
        min_value=1,
        max_value=MAX_ID,
        widget=forms.HiddenInput,
        error_messages={"invalid": _("Choose a customer from the list.")},
    )
    contact_name = forms.CharField(label=_("Name"), max_length=120, required=False)
    contact_phone = forms.CharField(
        label=_("Phone number"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
    )
    contact_email = forms.EmailField(
        label=_("Email"), required=False, error_messages={"invalid": _("Enter a valid email address.")}
    )
    channel = forms.ChoiceField(
        label=_("How was the order taken?"),
        choices=[(channel.value, channel.label) for channel in STAFF_CHANNELS],
        widget=forms.RadioSelect,
        initial=OrderChannel.PHONE,
        error_messages={"required": _("Choose how the order was taken."), "invalid_choice": _("Choose a channel.")},
    )
    fulfilment = forms.ChoiceField(
        label=_("Pickup or delivery"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose pickup or delivery."), "invalid_choice": _("Choose pickup or delivery.")},
    )
    delivery_address = forms.CharField(
        label=_("Delivery address"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    preferred_time = forms.CharField(label=_("Preferred time"), max_length=80, required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(
        self,
        *args: Any,
        products: Sequence[tuple[int, str]] = (),
        fulfilments: Sequence[str] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Fulfilment.choices)
        self.fields["fulfilment"].choices = [(value, labels[value]) for value in fulfilments]  # type: ignore[attr-defined]
        if fulfilments and not self.is_bound:
            self.initial.setdefault("fulfilment", fulfilments[0])
        product_choices = [("", _("Choose a product"))] + [(str(pk), label) for pk, label in products]
        for index in range(1, STAFF_ORDER_LINES + 1):
            self.fields[f"product_{index}"] = forms.TypedChoiceField(
                label=_("Product"),
                choices=product_choices,
                coerce=int,
                required=False,
                empty_value=None,
                error_messages={"invalid_choice": _("Choose a product from the list.")},
            )
            self.fields[f"quantity_{index}"] = _quantity_field(minimum=1, required=False, initial=1)

    def line_rows(self) -> list[tuple[int, forms.BoundField, forms.BoundField]]:
        return [
            (index, self[f"product_{index}"], self[f"quantity_{index}"]) for index in range(1, STAFF_ORDER_LINES + 1)
        ]

    def lines(self) -> list[tuple[int, int]]:
        """(product id, quantity) of each filled row, in order; a product chosen twice adds up."""
        quantities: dict[int, int] = {}
        for index in range(1, STAFF_ORDER_LINES + 1):
            product_id = self.cleaned_data.get(f"product_{index}")
            if product_id:
                quantities[product_id] = quantities.get(product_id, 0) + (
                    self.cleaned_data.get(f"quantity_{index}") or 1
                )
        return list(quantities.items())

    def has_new_contact(self) -> bool:
        return any(
            (self.cleaned_data.get(name) or "").strip() for name in ("contact_name", "contact_phone", "contact_email")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            if not data.get("contact") and not self.has_new_contact():
                self.add_error("contact", _("Choose a customer, or enter a new customer's name or phone number."))
            if not self.lines():
                self.add_error("product_1", _("Add at least one product."))
        if data.get("fulfilment") == Fulfilment.DELIVERY and not (data.get("delivery_address") or "").strip():
            self.add_error("delivery_address", _("Enter the address to deliver to."))
        return data


class OrderSettingsForm(forms.Form):
    accepts_orders = forms.BooleanField(label=_("Take orders from the storefront"), required=False)
    pickup_enabled = forms.BooleanField(label=_("Pickup at the shop"), required=False)
    delivery_enabled = forms.BooleanField(label=_("Delivery"), required=False)
    delivery_fee_minor = MoneyField(
        label=_("Delivery fee"), required=False, help_text=_("Added to delivery orders. 0 or empty for free delivery.")
    )
    cash_enabled = forms.BooleanField(label=_("Cash on pickup or delivery"), required=False)
    transfer_enabled = forms.BooleanField(label=_("Bank transfer"), required=False)
    bank_details = forms.CharField(
        label=_("Bank account for transfers"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Bank, account number and name. Customers see this when they pay by transfer."),
    )
    qris_enabled = forms.BooleanField(label=_("QRIS / e-wallet"), required=False)
    qris_details = forms.CharField(
        label=_("QRIS / e-wallet instructions"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: scan the QRIS at the counter, or send to GoPay 0812…"),
    )
    gateway_enabled = forms.BooleanField(label=_("Online payment (payment gateway)"), required=False)
    gateway_server_key = forms.CharField(
        label=_("Payment gateway server key"),
        max_length=128,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}, render_value=False),
        help_text=_("Leave empty to keep the key you saved before."),
    )
    gateway_server_key_remove = forms.BooleanField(label=_("Remove the saved server key"), required=False)

    def clean_delivery_fee_minor(self) -> int:
        fee = self.cleaned_data.get("delivery_fee_minor") or 0
        if fee < 0:
            raise forms.ValidationError(_("The delivery fee cannot be negative."))
        return int(fee)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("accepts_orders") and not (data.get("pickup_enabled") or data.get("delivery_enabled")):
            self.add_error("pickup_enabled", _("Offer pickup, delivery or both."))
        return data

    def settings_fields(self) -> dict[str, Any]:
        """Fields for ``order_settings_update``: the saved key stays unless a new one is typed or it is removed."""
        data = dict(self.cleaned_data)
        remove = data.pop("gateway_server_key_remove", False)
        key = (data.pop("gateway_server_key", "") or "").strip()
        if remove:
            data["gateway_server_key"] = ""
        elif key:
            data["gateway_server_key"] = key
        return data


class ReconciliationForm(forms.Form):
    date = forms.DateField(
        label=_("Day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _("Enter a date such as 2025-01-31.")},
    )
