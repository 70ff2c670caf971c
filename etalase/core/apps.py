from typing import Any

from django.apps import AppConfig
from django.contrib.admin.options import BaseModelAdmin
from django.forms.models import BaseModelForm


def _subscriptable(cls: type) -> None:
    """Let a Django class that the type stubs declare generic take its parameters in a class base.

    ``class OrderAdmin(admin.ModelAdmin[Order])`` names the model for the type checker; at run time
    the subscript returns the class itself, so nothing else changes.
    """

    def class_getitem(klass: type, *args: Any) -> type:
        return klass

    if "__class_getitem__" not in vars(cls):
        cls.__class_getitem__ = classmethod(class_getitem)  # type: ignore[attr-defined]


for _generic in (BaseModelAdmin, BaseModelForm):
    _subscriptable(_generic)


class CoreConfig(AppConfig):
    name = "etalase.core"
    label = "core"
