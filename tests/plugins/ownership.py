"""pytest plugin (registered in ``tests/conftest.py``): one owner per table, checked on every write the suite makes.

Each app writes only its own tables; another app's rows change through that app's services
(ARCHITECTURE.md §3). The import contract cannot see a write (``product.save()`` from orders imports
nothing new), so this plugin watches the database instead: for every INSERT, UPDATE, DELETE or
REPLACE that the suite sends, it finds the innermost Etalase module on the call stack (the code that
asked for the write) and fails the run when that module's app does not own the table.

What does not count as a crossing:
- a delete that Django cascades (``on_delete``) from the owner's own delete, and a ``SET NULL`` it
  applies on the way: the model that declares the foreign key chose that;
- migrations (they build the schema and its seed rows for every app);
- the test code itself (factories, fixtures and handlers a test registers write wherever they must
  to set a scene);
- ``core`` (shared plumbing with no tables of its own) is looked through, to the app that called it;
- ``demo`` and ``bench`` generate data sets (months of history, millions of rows) in bulk, which no
  service produces; they sit above every app and no user reaches them.

The static half of the same rule (``tests/test_ownership.py``) reads the source: raw SQL that names
another app's table, and ``OtherModel.objects....update()``-style writes.
"""

from __future__ import annotations

import os
import re
import sys
from collections import defaultdict
from types import FrameType
from typing import Any

import pytest

PACKAGE_ROOT = (
    os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "etalase") + os.sep
)
TESTS_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
CASCADE_FILE = os.path.join("django", "db", "models", "deletion.py")
LOOKED_THROUGH = {"core"}
DATA_GENERATORS = {"demo", "bench"}
WRITE = re.compile(
    r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?([A-Za-z0-9_]+)"?',
    re.IGNORECASE,
)

_table_owner: dict[str, str] = {}
_crossings: dict[tuple[str, str, str], int] = defaultdict(int)


def table_owners() -> dict[str, str]:
    """``{table: app label}`` for every Etalase model, many-to-many tables included."""
    from django.apps import apps

    owners: dict[str, str] = {}
    for model in apps.get_models(include_auto_created=True):
        if model.__module__.startswith("etalase."):
            owners[model._meta.db_table] = model._meta.app_label
    return owners


def writer_of(frame: FrameType | None) -> tuple[str, str] | None:
    """``(app, "file:line")`` of the innermost Etalase code above ``frame``, or ``None`` when the write
    is a cascade, a migration's, or the test code's own."""
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename.endswith(CASCADE_FILE) or filename.startswith(TESTS_ROOT):
            return None
        if filename.startswith(PACKAGE_ROOT):
            relative = filename[len(PACKAGE_ROOT) :]
            app = relative.split(os.sep, 1)[0]
            if f"{os.sep}migrations{os.sep}" in relative or app in DATA_GENERATORS:
                return None
            if app not in LOOKED_THROUGH:
                return app, f"etalase/{relative}:{frame.f_lineno}"
        frame = frame.f_back
    return None


def write_check(sql: str) -> None:
    match = WRITE.match(sql)
    if match is None:
        return
    owner = _table_owner.get(match.group(1))
    if owner is None:
        return
    writer = writer_of(sys._getframe(2))
    if writer is not None and writer[0] != owner:
        _crossings[(writer[1], writer[0], match.group(1))] += 1


def _wrap(method: Any) -> Any:
    def wrapper(self: Any, sql: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(sql, str):
            write_check(sql)
        return method(self, sql, *args, **kwargs)

    wrapper.__wrapped__ = method  # type: ignore[attr-defined]
    return wrapper


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    from django.db.backends import utils

    for name in ("execute", "executemany"):
        method = getattr(utils.CursorWrapper, name)
        if not hasattr(method, "__wrapped__"):
            setattr(utils.CursorWrapper, name, _wrap(method))


def pytest_sessionstart(session: pytest.Session) -> None:
    _table_owner.update(table_owners())


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not _crossings:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(
            f"{len(_crossings)} place(s) write a table another app owns (call that app's service instead):",
            red=True,
        )
        for (place, app, table), count in sorted(_crossings.items()):
            reporter.write_line(f"  {place} ({app}) writes {table} ×{count}", red=True)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
