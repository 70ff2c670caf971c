from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from etalase.activity.enums import Channel
from etalase.customers.enums import AuditAction, ConsentChannel
from etalase.directory.models import Membership


class EraseConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that this cannot be undone"),
        error_messages={"required": _("Tick the box to confirm the erasure.")},
    )


RECEIVED_VIA = [
    (Channel.PHONE, _("By phone")),
    (Channel.COUNTER, _("In person")),
    (Channel.WHATSAPP, _("WhatsApp")),
    (Channel.SMS, _("SMS")),
    (Channel.EMAIL, _("Email")),
]


class StaffEraseForm(EraseConfirmForm):
    received_via = forms.ChoiceField(label=_("How did the customer ask?"), choices=RECEIVED_VIA)

    field_order = ["received_via", "confirm"]


class MarketingConsentForm(forms.Form):
    """One box per channel; an unticked box withdraws consent for that channel."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for value, label in ConsentChannel.choices:
            self.fields[value] = forms.BooleanField(label=label, required=False)


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), required=False)
    member = forms.TypedChoiceField(label=_("Team member"), required=False, coerce=int, empty_value=None)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, members: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        action = cast(forms.ChoiceField, self.fields["action"])
        member = cast(forms.ChoiceField, self.fields["member"])
        action.choices = [("", _("All actions")), *AuditAction.choices]
        member.choices = [("", _("Everyone")), *((m.user_id, str(m.user)) for m in members)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned
