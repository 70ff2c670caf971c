"""How a business takes orders and payments: its order settings."""

from typing import Any

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from etalase.accounts.models import User
from etalase.core.errors import ValidationError
from etalase.core.numbers import is_whole_number
from etalase.directory.models import Business
from etalase.orders.models import OrderSettings
from etalase.orders.selectors import order_settings_for
from etalase.orders.services.common import invalid

DELIVERY_FEE_MAX_MINOR = 10**9
SETTINGS_TEXT_MAX_LENGTH = 500

_SETTINGS_FLAGS = (
    "accepts_orders",
    "pickup_enabled",
    "delivery_enabled",
    "cash_enabled",
    "transfer_enabled",
    "qris_enabled",
    "gateway_enabled",
)

_SETTINGS_TEXTS = {"bank_details": SETTINGS_TEXT_MAX_LENGTH, "qris_details": SETTINGS_TEXT_MAX_LENGTH}


@transaction.atomic
def order_settings_update(*, business: Business, actor: User | None, **fields: Any) -> OrderSettings:
    """Change how the business takes orders and payments; fields not given stay as they are."""
    settings = order_settings_for(business=business)
    settings = OrderSettings.objects.select_for_update().get(pk=settings.pk)
    unknown = set(fields) - set(_SETTINGS_FLAGS) - set(_SETTINGS_TEXTS) - {"delivery_fee_minor", "gateway_server_key"}
    if unknown:
        raise invalid(_("Unknown setting: %(name)s.") % {"name": ", ".join(sorted(unknown))})
    errors: dict[str, str | Promise] = {}
    for name in _SETTINGS_FLAGS:
        if name in fields:
            setattr(settings, name, bool(fields[name]))
    for name, limit in _SETTINGS_TEXTS.items():
        if name in fields:
            value = str(fields[name] or "").replace("\x00", "").strip()
            if len(value) > limit:
                errors[name] = _("At most %(count)d characters.") % {"count": limit}
            setattr(settings, name, value)
    if "delivery_fee_minor" in fields:
        fee = fields["delivery_fee_minor"]
        if fee is None:
            fee = 0
        if not is_whole_number(fee) or fee < 0:
            errors["delivery_fee_minor"] = _("Enter the delivery fee as a whole number, 0 or more.")
        elif fee > DELIVERY_FEE_MAX_MINOR:
            errors["delivery_fee_minor"] = _("The delivery fee is too high.")
        else:
            settings.delivery_fee_minor = fee
    if "gateway_server_key" in fields:
        key = str(fields["gateway_server_key"] or "").strip()
        if len(key) > 128:
            errors["gateway_server_key"] = _("At most %(count)d characters.") % {"count": 128}
        settings.gateway_server_key = key
    if settings.accepts_orders and not (settings.pickup_enabled or settings.delivery_enabled):
        errors["pickup_enabled"] = _("Offer pickup, delivery or both to take orders.")
    if settings.gateway_enabled and not settings.gateway_server_key:
        errors["gateway_server_key"] = _("Enter the payment gateway's server key to take online payments.")
    if errors:
        message = next(iter(errors.values())) if len(errors) == 1 else _("Some fields are not valid.")
        raise ValidationError(message, fields=errors)
    settings.save()
    return settings
