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
