from django import forms
from django.utils.translation import gettext_lazy as _

from etalase.insights.enums import Period


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class RangeForm(forms.Form):
    """The period chooser: a named period, or a custom range of two days (ISO dates from the date inputs)."""

    period = forms.ChoiceField(label=_("Period"), choices=Period.choices, required=False)
    start = forms.DateField(label=_("From"), required=False, widget=DateInput(), input_formats=["%Y-%m-%d"])
    end = forms.DateField(label=_("To"), required=False, widget=DateInput(), input_formats=["%Y-%m-%d"])
