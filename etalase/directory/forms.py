from django import forms
from django.utils.translation import gettext_lazy as _

from etalase.directory.enums import TIMEZONE_CHOICES, Role
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
    description = forms.CharField(
        label=_("Short description"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
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
