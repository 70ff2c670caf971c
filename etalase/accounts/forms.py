from django import forms
from django.utils.translation import gettext_lazy as _

from etalase.accounts.enums import Language


class SignupForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=120, required=False)
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=32,
        required=False,
        help_text=_("For example 0812-3456-7890. You can use an email address instead."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    email = forms.CharField(
        label=_("Email address"),
        max_length=254,
        required=False,
        widget=forms.TextInput(attrs={"type": "email", "autocomplete": "email"}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=128,
        help_text=_("At least 8 characters, not only numbers."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)


class LoginForm(forms.Form):
    identifier = forms.CharField(
        label=_("Phone number or email"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class ProfileForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=120, required=False)


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"), max_length=80, help_text=_("For example: cashier tablet, accounting app.")
    )


def _code_field() -> forms.CharField:
    return forms.CharField(
        label=_("Code"),
        max_length=12,
        help_text=_("The 6 digits we sent you."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autocapitalize": "none"}
        ),
    )


class VerifyForm(forms.Form):
    code = _code_field()


class PasswordResetForm(forms.Form):
    identifier = forms.CharField(
        label=_("Phone number or email"),
        max_length=254,
        help_text=_("The one you signed up with. We send a code to it."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )


class PasswordResetConfirmForm(PasswordResetForm):
    code = _code_field()
    password = forms.CharField(
        label=_("New password"),
        max_length=128,
        help_text=_("At least 8 characters, not only numbers."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
