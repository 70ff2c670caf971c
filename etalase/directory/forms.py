from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from etalase.core.forms import text_area_field
from etalase.directory.enums import TIMEZONE_CHOICES, Role
from etalase.directory.hours import DAY_NAMES, DAYS
from etalase.directory.models import Business
from etalase.directory.selectors import category_list


class BusinessForm(forms.Form):
    name = forms.CharField(label=_("Business name"), max_length=120)
    category = forms.ChoiceField(label=_("Business field"))
    city = forms.CharField(label=_("City"), max_length=80, help_text=_("For example Yogyakarta."))
    whatsapp = forms.CharField(
        label=_("WhatsApp number"),
        max_length=32,
        help_text=_("Customers chat with you on this number. For example 0812-3456-7890."),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    description = text_area_field(
        label=_("Short description"),
        max_length=300,
        rows=3,
        help_text=_("What you sell, in one or two sentences."),
    )
    timezone = forms.ChoiceField(
        label=_("Time zone"),
        choices=TIMEZONE_CHOICES,
        initial="Asia/Jakarta",
        required=False,
        help_text=_("Opening hours and reports use this time."),
    )
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("A square picture (JPEG, PNG or WebP), at most 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        choices = [("", _("Choose…"))] + [(c.slug, c.name) for c in category_list()]
        self.fields["category"].choices = choices  # type: ignore[attr-defined]


class InviteForm(forms.Form):
    identifier = forms.CharField(
        label=_("Phone number or email"),
        max_length=254,
        help_text=_(
            "Someone new joins when they sign up with this phone number or email; "
            "someone who already has an account accepts under Notifications."
        ),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.SALES)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class StorefrontForm(forms.Form):
    """Cover, address, map location and one opening range per day (the API takes several)."""

    cover = forms.FileField(
        label=_("Cover picture"),
        required=False,
        help_text=_("A wide picture of your shop or products (JPEG, PNG or WebP), at most 8 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    cover_remove = forms.BooleanField(label=_("Remove the cover picture"), required=False)
    address = forms.CharField(
        label=_("Address"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    latitude = forms.CharField(label=_("Latitude"), max_length=20, required=False)
    longitude = forms.CharField(label=_("Longitude"), max_length=20, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day in DAYS:
            self.fields[f"open_{day}"] = forms.CharField(
                label=_("%(day)s opens") % {"day": DAY_NAMES[day]},
                required=False,
                max_length=5,
                widget=forms.TimeInput(attrs={"type": "time"}),
            )
            self.fields[f"close_{day}"] = forms.CharField(
                label=_("%(day)s closes") % {"day": DAY_NAMES[day]},
                required=False,
                max_length=5,
                widget=forms.TimeInput(attrs={"type": "time"}),
            )

    def day_rows(self) -> list[tuple[str, Any, Any]]:
        return [(str(DAY_NAMES[day]), self[f"open_{day}"], self[f"close_{day}"]) for day in DAYS]

    def opening_hours(self) -> dict[str, list[list[str]]]:
        hours: dict[str, list[list[str]]] = {}
        for day in DAYS:
            start = (self.cleaned_data.get(f"open_{day}") or "").strip()[:5]
            end = (self.cleaned_data.get(f"close_{day}") or "").strip()[:5]
            if start or end:
                hours[day] = [[start, end]]
        return hours

    @staticmethod
    def initial_for(business: Business) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "address": business.address,
            "latitude": business.latitude if business.latitude is not None else "",
            "longitude": business.longitude if business.longitude is not None else "",
        }
        for day, ranges in (business.opening_hours or {}).items():
            if ranges:
                initial[f"open_{day}"], initial[f"close_{day}"] = ranges[0]
        return initial
