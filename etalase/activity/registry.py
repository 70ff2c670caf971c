"""Handlers that react to activities after commit, registered from each app's ``AppConfig.ready``.

A handler receives the saved :class:`Activity` and must be idempotent: an activity may be processed
again after a crash or a retry.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

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


_verb_labels: dict[str, object] = {}


def verbs_register(choices: Iterable[tuple[str, object]]) -> None:
    """Register human labels for an app's verbs (a TextChoices' ``choices``)."""
    for value, label in choices:
        _verb_labels[value] = label


def verb_label(verb: str) -> str:
    return str(_verb_labels.get(verb, verb.replace("_", " ")))
