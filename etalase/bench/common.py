"""What the benchmarks share: the database they run on, progress bars, percentiles, writing activities.

``crm`` and ``dashboard`` never write to the project's own database by accident: :func:`database_prepare`
re-runs the command once with ``DATABASE_URL`` set to ``--database-url``, else to the caller's
``DATABASE_URL``, else to a SQLite file under ``var/`` (deleted and recreated unless ``--reuse``),
then migrates it.
"""

import itertools
import json
import math
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction

from etalase.activity.models import Activity
from etalase.activity.services import data_contact_id
from etalase.catalog.enums import ProductStatus
from etalase.catalog.models import Product
from etalase.directory.models import Business

BATCH = 50_000
"""Activities written per statement on SQLite (and between two progress reports)."""


def add_database_arguments(parser: CommandParser) -> None:
    parser.add_argument("--database-url", default=None, help="where the data goes (default: see the module docstring)")
    parser.add_argument("--flush", action="store_true", help="empty a database that already holds data")
    parser.add_argument("--reuse", action="store_true", help="measure the data already there; generate nothing")
    parser.add_argument("--current-database", action="store_true", help="use the configured database as it is (tests)")


def database_prepare(command: BaseCommand, options: dict[str, Any], *, mark: str, default_file: str) -> None:
    """Run on the benchmark's own database (re-running the command once if needed), migrated; say which."""
    if not options["current_database"] and not os.environ.get(mark):
        _reexec(options, mark=mark, default_file=default_file)
    call_command("migrate", verbosity=0, interactive=False)
    command.stdout.write(f"Database: {connection.vendor} ({connection.settings_dict['NAME']})")


def _reexec(options: dict[str, Any], *, mark: str, default_file: str) -> None:
    """Run this same command again with ``DATABASE_URL`` chosen for the benchmark (never returns)."""
    target = options["database_url"] or os.environ.get("DATABASE_URL")
    if not target:
        file = Path(settings.BASE_DIR) / "var" / default_file
        file.parent.mkdir(parents=True, exist_ok=True)
        if not options["reuse"]:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{file}{suffix}").unlink(missing_ok=True)
        target = f"sqlite:///{file}"
    environment = {**os.environ, "DATABASE_URL": target, mark: "1"}
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, [sys.executable, *sys.argv], environment)  # noqa: S606


def progress_bar(label: str, unit: str) -> Callable[[int, int], None]:
    """``show(done, total)``: a progress bar on standard error, with the seconds since it was made."""
    started = time.perf_counter()

    def show(done: int, total: int) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        sys.stderr.write(
            f"\r{label:<10} [{'#' * filled}{'.' * (width - filled)}] {done:>9}/{total} {unit} "
            f"{time.perf_counter() - started:6.1f} s"
        )
        sys.stderr.flush()

    return show


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile: the smallest value with at least ``fraction`` of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1))]


def p50_p95_ms(seconds: Sequence[float]) -> tuple[float, float]:
    """The median and the 95th percentile of timings in seconds, in milliseconds."""
    return statistics.median(seconds) * 1000, percentile(seconds, 0.95) * 1000


ACTIVITY_COLUMNS = [
    "business_id",
    "actor_id",
    "verb",
    "target_type_id",
    "target_id",
    "data",
    "channel",
    "occurred_at",
    "recorded_at",
    "processed_at",
    "contact_id",
]
"""The generated rows' fields, then the contact the data names (``activity_record`` copies it too)."""


def activities_insert(rows: Iterator[tuple[Any, ...]], *, total: int) -> int:
    """Write generated activities (the ACTIVITY_COLUMNS but the last) in bulk: ``COPY`` on PostgreSQL,
    ``executemany`` in batches elsewhere. Returns how many were written."""
    table = connection.ops.quote_name(Activity._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(name) for name in ACTIVITY_COLUMNS)
    progress = progress_bar("activities", "rows")
    written = 0
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg's own cursor: COPY
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row((*row[:5], json.dumps(row[5]), *row[6:], data_contact_id(row[5])))
                    written += 1
                    if written % BATCH == 0:
                        progress(written, total)
    else:
        written = _activities_executemany(rows, table=table, columns=columns, total=total, progress=progress)
    progress(written, total)
    sys.stderr.write("\n")
    return written


def _activities_executemany(
    rows: Iterator[tuple[Any, ...]], *, table: str, columns: str, total: int, progress: Callable[[int, int], None]
) -> int:
    adapt = connection.ops.adapt_datetimefield_value
    placeholders = ", ".join(["%s"] * len(ACTIVITY_COLUMNS))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
    written = 0
    while True:
        batch = [
            (*row[:5], json.dumps(row[5]), row[6], adapt(row[7]), adapt(row[8]), adapt(row[9]), data_contact_id(row[5]))
            for row in itertools.islice(rows, BATCH)
        ]
        if not batch:
            return written
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, batch)
        written += len(batch)
        progress(written, total)


def product_published(business: Business, *, title: str, price_minor: int, position: int, now: Any) -> Product:
    """A published product to write in bulk with the others (``Product.objects.bulk_create``)."""
    return Product(
        business=business,
        title=title,
        price_minor=price_minor,
        status=ProductStatus.PUBLISHED,
        published_at=now,
        position=position,
    )
