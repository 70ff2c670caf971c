"""One owner per table: no app writes another app's models (ARCHITECTURE.md §3).

Two halves. The ``tests.plugins.ownership`` plugin watches every write the suite sends to the database and
fails the run on a crossing (the tests below prove it notices one). The static half reads the source
for what a run might not reach: raw SQL naming another app's table (or reaching for its
``_meta.db_table``), and writes through another app's model class
(``Product.objects.filter(...).update(...)``, ``Contact.objects.create(...)``).
"""

import ast
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.apps import apps

from tests.plugins import ownership

ROOT = Path(__file__).resolve().parent.parent / "etalase"
WRITE_METHODS = {
    "save",
    "delete",
    "update",
    "create",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
}
EXEMPT_APPS = {"core", *ownership.DATA_GENERATORS}


def _app_of(path: Path) -> str:
    return path.relative_to(ROOT).parts[0]


def _sources() -> Iterator[Path]:
    for path in sorted(ROOT.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        if _app_of(path) in EXEMPT_APPS:
            continue
        yield path


def _foreign_models(tree: ast.Module, app: str) -> dict[str, str]:
    """Names bound by ``from etalase.<other>.models import X`` → the other app."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("etalase."):
            parts = node.module.split(".")
            if len(parts) >= 3 and parts[-1] == "models" and parts[1] != app:
                for alias in node.names:
                    names[alias.asname or alias.name] = parts[1]
    return names


def _chain_root(node: ast.expr) -> ast.expr:
    """``Product`` in ``Product.objects.filter(...).select_for_update().update``."""
    while True:
        if isinstance(node, ast.Attribute):
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            return node


def static_crossings(path: Path, source: str | None = None) -> list[str]:
    """Writes in ``path`` that touch another app's model class or table."""
    app = _app_of(path)
    text = path.read_text() if source is None else source
    tree = ast.parse(text)
    foreign = _foreign_models(tree, app)
    owners = ownership.table_owners()
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WRITE_METHODS:
            root = _chain_root(node.func.value)
            if isinstance(root, ast.Name) and root.id in foreign:
                found.append((node.lineno, f"writes {root.id} ({foreign[root.id]})"))
        if isinstance(node, ast.Attribute) and node.attr == "db_table":
            root = _chain_root(node.value)
            if isinstance(root, ast.Name) and root.id in foreign:
                found.append((node.lineno, f"raw SQL on {root.id}'s table ({foreign[root.id]})"))
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = _sql_write_anywhere(node.value)
            if match is not None:
                owner = owners.get(match)
                if owner is not None and owner != app:
                    found.append((node.lineno, f"raw SQL writes {match} ({owner})"))
    where = path.relative_to(ROOT.parent)
    return [f"{where}:{line} {what}" for line, what in sorted(found)]


def _sql_write_anywhere(text: str) -> str | None:
    for line in text.splitlines():
        match = ownership.WRITE.match(line)
        if match is not None:
            return match.group(1)
    return None


def test_no_module_writes_another_apps_models() -> None:
    crossings = [line for path in _sources() for line in static_crossings(path)]
    assert crossings == []


def test_the_static_check_sees_a_foreign_write_and_raw_sql() -> None:
    source = (
        "from etalase.catalog.models import Product\n"
        "def take(product_id):\n"
        "    Product.objects.filter(pk=product_id).update(stock=0)\n"
        "SQL = 'UPDATE customers_contact SET rfm_score = 1'\n"
    )
    crossings = static_crossings(ROOT / "orders" / "example.py", source)
    assert len(crossings) == 2
    assert "writes Product (catalog)" in crossings[0]
    assert "raw SQL writes customers_contact (customers)" in crossings[1]


def test_the_static_check_lets_an_app_write_its_own_models() -> None:
    source = "from etalase.catalog.models import Product\nProduct.objects.filter(pk=1).update(stock=0)\n"
    assert static_crossings(ROOT / "catalog" / "example.py", source) == []


def test_every_table_has_one_owner_app() -> None:
    owners = ownership.table_owners()
    assert owners["catalog_product"] == "catalog"
    assert owners["customers_contact"] == "customers"
    assert set(owners.values()) <= {config.label for config in apps.get_app_configs()}


@pytest.mark.django_db
def test_the_plugin_notices_a_write_to_another_apps_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """A module of orders that saves a catalog row directly is reported with its file and line."""
    from django.db import connection

    monkeypatch.setattr(ownership, "_crossings", Counter())
    filename = os.path.join(ownership.PACKAGE_ROOT, "orders", "example.py")
    code = compile("cursor.execute('UPDATE catalog_product SET stock = 0 WHERE id = -1')\n", filename, "exec")
    with connection.cursor() as cursor:
        exec(code, {"cursor": cursor})  # noqa: S102 - a fixed statement, run as if orders wrote it
    assert dict(ownership._crossings) == {("etalase/orders/example.py:1", "orders", "catalog_product"): 1}


@pytest.mark.django_db
def test_the_plugin_lets_the_owner_write(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import connection

    monkeypatch.setattr(ownership, "_crossings", Counter())
    filename = os.path.join(ownership.PACKAGE_ROOT, "catalog", "example.py")
    code = compile("cursor.execute('UPDATE catalog_product SET stock = 0 WHERE id = -1')\n", filename, "exec")
    with connection.cursor() as cursor:
        exec(code, {"cursor": cursor})  # noqa: S102
    assert dict(ownership._crossings) == {}
