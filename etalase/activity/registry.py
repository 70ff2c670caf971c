"""Handlers that react to activities after commit, registered from each app's ``AppConfig.ready``.

A handler receives the saved :class:`Activity`. The spine's ledger (``HandlerRun``) runs each handler
once per activity: its work and its ledger row commit together, and a failing handler is retried
later without running again the ones that succeeded (docs/pipeline.md).
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Literal, overload

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models

if TYPE_CHECKING:
    from etalase.activity.models import Activity

Handler = Callable[["Activity"], None]
BatchHandler = Callable[[list["Activity"]], None]
ALL_VERBS = "*"

_handlers: dict[str, list[Handler]] = defaultdict(list)
_batch_handlers: dict[str, list[BatchHandler]] = defaultdict(list)
_names: dict[str, object] = {}


def handler_name(handler: object) -> str:
    """A handler's stable name in the ledger: its dotted path (``etalase.insights.handlers.rollups_on_activity``)."""
    qualname = getattr(handler, "__qualname__", None) or type(handler).__qualname__
    return f"{handler.__module__}.{qualname}"


def _name_claim(handler: object) -> None:
    name = handler_name(handler)
    known = _names.get(name)
    if known is not None and known is not handler:
        raise ImproperlyConfigured(f"Another handler is already registered as {name!r}: the ledger needs one per name.")
    _names[name] = handler


@overload
def handler_register(handler: Handler, *, verbs: Iterable[str] = ..., batch: Literal[False] = ...) -> Handler: ...
@overload
def handler_register(handler: BatchHandler, *, verbs: Iterable[str] = ..., batch: Literal[True]) -> BatchHandler: ...
def handler_register(handler: Any, *, verbs: Iterable[str] = (ALL_VERBS,), batch: bool = False) -> Any:
    """Run ``handler`` for every processed activity of ``verbs`` (default: every verb).

    A plain handler receives one :class:`Activity`. With ``batch=True`` it receives a list of the
    claimed batch's activities of those verbs (oldest first) and must apply them all or raise; on a
    failure each activity is then offered again alone (``handler([activity])``), so one bad row does
    not block the rest. Either way the spine's ledger records the handler as done per activity in the
    same transaction as its work, and a failed one is retried later.
    """
    _name_claim(handler)
    registry = _batch_handlers if batch else _handlers
    for verb in verbs:
        if handler not in registry[verb]:
            registry[verb].append(handler)
    return handler


def handles(*verbs: str) -> Callable[[Handler], Handler]:
    """Decorator form: ``@handles("ordered", "paid")``; no verbs means every verb."""

    def decorator(handler: Handler) -> Handler:
        return handler_register(handler, verbs=verbs or (ALL_VERBS,))

    return decorator


def handlers_for(verb: str) -> list[Handler]:
    """The plain (one activity at a time) handlers of ``verb``, in the order they run."""
    return [*_handlers.get(verb, []), *_handlers.get(ALL_VERBS, [])]


def batch_handlers_for(verb: str) -> list[BatchHandler]:
    return [*_batch_handlers.get(verb, []), *_batch_handlers.get(ALL_VERBS, [])]


def batch_handlers_all() -> list[BatchHandler]:
    """Every batch handler once, in registration order."""
    seen: list[BatchHandler] = []
    for handlers in _batch_handlers.values():
        seen.extend(handler for handler in handlers if handler not in seen)
    return seen


def handler_unregister(handler: object) -> None:
    for registry in (_handlers, _batch_handlers):
        for handlers in registry.values():
            if handler in handlers:
                handlers.remove(handler)  # type: ignore[arg-type]
    if _names.get(handler_name(handler)) is handler:
        del _names[handler_name(handler)]


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
    return frozenset(
        verb
        for registry in (_handlers, _batch_handlers)
        for verb, handlers in registry.items()
        if handlers and verb != ALL_VERBS
    )


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
