from django import forms
from django.utils.translation import gettext_lazy as _


class PreferenceForm(forms.Form):
    """Quiet hours and the daily summary of one scope; the kind × channel grid is read beside it."""

    business = forms.SlugField(required=False, max_length=64, widget=forms.HiddenInput)
    quiet_start = forms.TimeField(label=_("Quiet from"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    quiet_end = forms.TimeField(label=_("until"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    digest_enabled = forms.BooleanField(label=_("Send me a daily summary"), required=False)
    digest_hour = forms.TypedChoiceField(
        label=_("at"), coerce=int, choices=[(hour, f"{hour:02d}:00") for hour in range(24)], initial=18
    )
