"""Verbs are declared once: each app's ``TextChoices`` registered on the spine, one owner per value, and
nothing records or reacts to a verb the registry does not know."""

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import models

import etalase
from etalase.accounts.enums import Verb as AccountVerb
from etalase.activity.registry import (
    verb_label,
    verb_named,
    verb_registered,
    verbs_all,
    verbs_handled,
    verbs_register,
)
from etalase.catalog.enums import Verb as CatalogVerb
from etalase.customers.enums import UpperVerbs, Verb, upper_verbs
from etalase.customers.privacy.enums import PrivacyVerb
from etalase.directory.enums import Verb as DirectoryVerb
from etalase.engagement.enums import Verb as EngagementVerb
from etalase.orders.enums import Verb as OrderVerb

SOURCE = Path(etalase.__file__).parent
APP_VERBS = (AccountVerb, DirectoryVerb, CatalogVerb, Verb, PrivacyVerb, EngagementVerb, OrderVerb)


def test_every_app_s_verbs_are_registered_once_with_their_labels():
    values = [value for verbs in APP_VERBS for value in verbs.values]
    assert len(values) == len(set(values)), "two apps declare the same verb"
    assert set(values) == verbs_all()
    for verbs in APP_VERBS:
        for verb in verbs:
            assert verb_registered(verb)
            assert verb_label(verb) == str(verb.label)


def test_a_verb_another_app_owns_cannot_be_registered_again():
    class Clash(models.TextChoices):
        ORDERED = "ordered", "ordered again"

    with pytest.raises(ImproperlyConfigured, match="'ordered'"):
        verbs_register(Clash)
    assert verb_label("ordered") == str(OrderVerb.ORDERED.label)
    verbs_register(OrderVerb)  # the owner registering again changes nothing
    assert verb_named("orders", "ORDERED") == OrderVerb.ORDERED


def test_an_unknown_verb_has_no_name_and_a_readable_label():
    assert not verb_registered("something_unregistered")
    assert verb_label("something_unregistered") == "something unregistered"
    with pytest.raises(LookupError):
        verb_named("orders", "SHIPPED_TO_THE_MOON")


def test_customers_names_the_upper_apps_verbs_through_the_registry():
    verbs = upper_verbs()
    assert verbs == UpperVerbs(
        ordered=OrderVerb.ORDERED,
        order_status_changed=OrderVerb.ORDER_STATUS_CHANGED,
        cancelled=OrderVerb.CANCELLED,
        paid=OrderVerb.PAID,
        payment_confirmed=OrderVerb.PAYMENT_CONFIRMED,
        payment_rejected=OrderVerb.PAYMENT_REJECTED,
        favourited=EngagementVerb.FAVOURITED,
        unfavourited=EngagementVerb.UNFAVOURITED,
        viewed_business=CatalogVerb.VIEWED_BUSINESS,
        viewed_product=CatalogVerb.VIEWED_PRODUCT,
    )


def test_every_verb_a_handler_waits_for_is_registered():
    assert sorted(verbs_handled() - verbs_all()) == []


# --- every verb recorded in the source is registered ---------------------------------------------


class Unresolved(Exception):
    pass


class Module:
    """One source file calling ``activity_record``: its tree, the loaded module and its functions."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tree = ast.parse(path.read_text(encoding="utf-8"))
        name = ".".join(path.relative_to(SOURCE.parent).with_suffix("").parts)
        self.namespace = vars(importlib.import_module(name))
        self.parents: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(self.tree):
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node

    def where(self, node: ast.AST) -> str:
        return f"{self.path.relative_to(SOURCE.parent)}:{getattr(node, 'lineno', '?')}"

    def function_of(self, node: ast.AST) -> ast.FunctionDef | None:
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, ast.FunctionDef):
                return node
        return None

    def calls_to(self, name: str) -> Iterator[ast.Call]:
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Call) and _called_name(node) == name:
                yield node

    def verbs(self, expression: ast.expr, depth: int = 0) -> set[str]:
        """Every value ``expression`` can have: constants, module names, both branches of a choice,
        a local variable's assignments, a parameter's arguments at this module's calls."""
        if depth > 5:
            raise Unresolved(self.where(expression))
        if isinstance(expression, ast.IfExp):
            return self.verbs(expression.body, depth) | self.verbs(expression.orelse, depth)
        try:
            value = eval(compile(ast.Expression(expression), str(self.path), "eval"), dict(self.namespace))  # noqa: S307 - our own source
        except NameError:
            value = None
        if isinstance(value, str):
            return {str(value)}
        if not isinstance(expression, ast.Name):
            raise Unresolved(self.where(expression))
        function = self.function_of(expression)
        if function is None:
            raise Unresolved(self.where(expression))
        return self._local_verbs(expression.id, function, depth + 1)

    def _local_verbs(self, name: str, function: ast.FunctionDef, depth: int) -> set[str]:
        found: set[str] = set()
        for node in ast.walk(function):
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
                found |= self.verbs(node.value, depth)
        parameters = [argument.arg for argument in [*function.args.args, *function.args.kwonlyargs]]
        if name in parameters:
            for call in self.calls_to(function.name):
                found |= self.verbs(_argument(call, function, name), depth)
        if not found:
            raise Unresolved(f"{self.where(function)} {name}")
        return found


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _argument(call: ast.Call, function: ast.FunctionDef, name: str) -> ast.expr:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    positional = [argument.arg for argument in function.args.args]
    if positional and positional[0] == "self":
        positional = positional[1:]
    return call.args[positional.index(name)]


def recorded_verbs() -> dict[str, set[str]]:
    """Where ``activity_record`` is called in the source, and the verbs each call can record."""
    found: dict[str, set[str]] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" in path.parts or "activity_record(" not in path.read_text(encoding="utf-8"):
            continue
        module = Module(path)
        for call in module.calls_to("activity_record"):
            verb: Any = next((keyword.value for keyword in call.keywords if keyword.arg == "verb"), None)
            if verb is not None:
                found[module.where(call)] = module.verbs(verb)
    return found


def test_every_verb_recorded_in_the_source_is_a_registered_verb():
    recorded = recorded_verbs()
    assert len(recorded) > 30  # the scan finds the callers
    unknown = {where: sorted(verbs - verbs_all()) for where, verbs in recorded.items() if verbs - verbs_all()}
    assert unknown == {}
