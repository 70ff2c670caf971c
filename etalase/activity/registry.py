"""Handlers that react to activities after commit, registered from each app's ``AppConfig.ready``.

A handler receives the saved :class:`Activity` and must be idempotent: an activity may be processed
again after a crash or a retry.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models

if TYPE_CHECKING:
    from etalase.activity.models import Activity

Handler = Callable[["Activity"], None]
ALL_VERBS = "*"

_handlers: dict[str, list[Handler]] = defaultdict(list)


def handler_register(handler: Handler, *, verbs: Iterable[str] = (ALL_VERBS,)) -> Handler:
    for verb in verbs:
        if handler not in _handlers[verb]:
            _handlers[verb].append(handler)
    return handler


def handles(*verbs: str) -> Callable[[Handler], Handler]:
    """Decorator form: ``@handles("ordered", "paid")``; no verbs means every verb."""

    def decorator(handler: Handler) -> Handler:
        return handler_register(handler, verbs=verbs or (ALL_VERBS,))

    return decorator


def handlers_for(verb: str) -> list[Handler]:
    return [*_handlers.get(verb, []), *_handlers.get(ALL_VERBS, [])]


def handler_unregister(handler: Handler) -> None:
    for handlers in _handlers.values():
        if handler in handlers:
            handlers.remove(handler)


# --- verbs ---------------------------------------------------------------------------------------
# Each app declares its verbs once, as a ``TextChoices`` class in its ``enums.py``, and registers the
# class here from ``AppConfig.ready``. The registry is then the one place that knows every verb: its
# label, the app that owns it, and its value by name for an app that may not import the owner.

_verb_classes: dict[str, list[type[models.TextChoices]]] = defaultdict(list)
_verb_owners: dict[str, type[models.TextChoices]] = {}


def _qualified_name(verbs: type) -> str:
    return f"{verbs.__module__}.{verbs.__qualname__}"


def verbs_register(verbs: type[models.TextChoices]) -> None:
    """Register an app's verbs: its ``TextChoices`` class (values and labels), from ``AppConfig.ready``.

    A verb value has one owner: a value another class already registered raises ImproperlyConfigured.
    Registering the same class again changes nothing.
    """
    for value in verbs.values:
        owner = _verb_owners.get(value)
        if owner is not None and _qualified_name(owner) != _qualified_name(verbs):
            raise ImproperlyConfigured(
                f"Verb {value!r} of {_qualified_name(verbs)} is already registered by {_qualified_name(owner)}."
            )
    app = apps.get_containing_app_config(verbs.__module__)
    registered = _verb_classes[app.label if app is not None else verbs.__module__]
    registered[:] = [known for known in registered if _qualified_name(known) != _qualified_name(verbs)]
    registered.append(verbs)
    for value in verbs.values:
        _verb_owners[value] = verbs


def verb_registered(verb: str) -> bool:
    return verb in _verb_owners


def verbs_all() -> frozenset[str]:
    """Every registered verb value."""
    return frozenset(_verb_owners)


def verbs_handled() -> frozenset[str]:
    """The verbs some handler is registered for (besides every verb's)."""
    return frozenset(verb for verb, handlers in _handlers.items() if handlers and verb != ALL_VERBS)


def verb_named(app_label: str, name: str) -> str:
    """The value of the verb called ``name`` (its member name, e.g. ``"ORDERED"``) that app ``app_label``
    registered. For an app that reacts to the acts of an app above it, which it may not import
    (ARCHITECTURE.md §3); LookupError when no such verb is registered.
    """
    for verbs in _verb_classes.get(app_label, ()):
        if name in verbs.names:
            return str(verbs[name].value)
    raise LookupError(f"No verb {name!r} registered by the {app_label!r} app.")


def verb_label(verb: str) -> str:
    owner = _verb_owners.get(verb)
    return str(owner(verb).label) if owner is not None else verb.replace("_", " ")
