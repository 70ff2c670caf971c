from typing import Any

from django import forms

from etalase.core.errors import DomainError


def form_add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's error on the form: per field where it names fields, else on top."""
    placed = False
    for name, message in error.fields.items():
        if name in form.fields:
            form.add_error(name, str(message))
            placed = True
    if not placed or error.message and not error.fields:
        form.add_error(None, str(error.message))


def text_area_field(
    *, label: Any, max_length: int, rows: int, help_text: Any, required: bool = False
) -> forms.CharField:
    """A text box of several lines (a description, a caption), optional unless ``required``."""
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=help_text,
    )
