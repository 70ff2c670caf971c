from django import forms
from django.utils.translation import gettext_lazy as _

from etalase.customers.enums import ConsentChannel, ConsentPurpose, ConsentSource, Stage
from etalase.customers.services.aggregates import STAGE_AUTO
from etalase.customers.services.notes import NOTE_MAX_LENGTH
from etalase.customers.services.tags import TAG_MAX_LENGTH


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, required=False)
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=32,
        required=False,
        help_text=_("For example 0812-3456-7890."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    email = forms.EmailField(label=_("Email"), required=False)
    city = forms.CharField(label=_("City"), max_length=80, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    birthday = forms.DateField(
        label=_("Birthday"),
        required=False,
        help_text=_("For birthday greetings and offers."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Note"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only your team sees notes."),
    )


class TagForm(forms.Form):
    tag = forms.CharField(
        label=_("Tag"), max_length=TAG_MAX_LENGTH, widget=forms.TextInput(attrs={"list": "tag-names"})
    )


class StageForm(forms.Form):
    stage = forms.ChoiceField(
        label=_("Stage"),
        choices=[
            (STAGE_AUTO, _("Automatic (from orders)")),
            (Stage.VIP, Stage.VIP.label),
            (Stage.INACTIVE, Stage.INACTIVE.label),
        ],
    )


class ConsentForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=ConsentChannel.choices)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=ConsentPurpose.choices)
    granted = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Gave consent")), ("0", _("Withdrew consent"))],
        coerce=lambda value: value == "1",
    )
    source = forms.ChoiceField(
        label=_("How"),
        choices=[(value, label) for value, label in ConsentSource.choices if value != ConsentSource.API],
        initial=ConsentSource.STAFF,
    )
