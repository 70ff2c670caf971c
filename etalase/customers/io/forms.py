from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from etalase.customers.io.fields import ImportField
from etalase.customers.io.parsers import import_max_bytes

ACCEPT = ",".join(
    (".csv", ".txt", ".tsv", ".xlsx", ".vcf", "text/csv", "text/plain", "text/vcard", "text/x-vcard")
    + ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",)
)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV, Excel workbook (.xlsx) or a phone's address book (.vcf), up to %(size)s MB."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit = import_max_bytes()
        field = self.fields["file"]
        field.help_text = field.help_text % {"size": max(1, limit // (1024 * 1024))}
        field.widget.attrs.update(
            {
                "accept": ACCEPT,
                "data-max-bytes": str(limit),
                "data-too-large": str(_("This file is too large. Split it into smaller files.")),
                "aria-describedby": "id_file_helptext",
            }
        )


EXAMPLES_SHOWN = 3
EXAMPLES_LENGTH = 80


def _examples(samples: list[str]) -> str:
    """A column's first distinct values, a few at most: a column saying "Sleman" in every row shows it once."""
    distinct: dict[str, str] = {}
    for sample in samples:
        value = " ".join(sample.split())
        if value:
            distinct.setdefault(value.casefold(), value)
    return ", ".join(list(distinct.values())[:EXAMPLES_SHOWN])[:EXAMPLES_LENGTH]


class MappingForm(forms.Form):
    """One choice per column of the file (which customer field it holds), and whether row 1 is a header."""

    has_header = forms.BooleanField(label=_("The first row holds column names"), required=False)

    def __init__(self, *args: Any, headers: list[str], samples: list[list[str]], show_header: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if not show_header:
            del self.fields["has_header"]
        choices = [("", _("— Do not import —")), *ImportField.choices]
        for index, header in enumerate(headers):
            examples = _examples(samples[index])
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header,
                choices=choices,
                required=False,
                help_text=_("For example: %(values)s") % {"values": examples} if examples else "",
            )

    def mapping(self) -> dict[str, str]:
        return {
            name.removeprefix("column_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("column_") and value
        }
