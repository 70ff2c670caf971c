"""``etalase bench http --quick``: a small data set, the production server started as a subprocess, a
login over HTTP and every page timed; the report names each page, its queries and the targets.

The command runs as its own process (as people run it): it starts a server that must open the same
database, so it works on a SQLite file of its own, not on the test database.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings

PAGES = (
    "hello-world",
    "list",
    "search",
    "tag filter",
    "contact",
    "dashboard",
    "panel",
    "insights",
    "storefront",
    "product",
    "discover",
)


def bench(*args: str, database: Path) -> subprocess.CompletedProcess[str]:
    """The command as people run it (``etalase`` is ``python -m etalase.cli``), on this checkout."""
    environment = {
        key: value for key, value in os.environ.items() if key not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
    }
    environment["PYTHONPATH"] = str(settings.BASE_DIR)
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "etalase.cli", "bench", "http", "--quick", f"--database-url=sqlite:///{database}"]
        + list(args),
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_the_http_benchmark_logs_in_and_times_every_page(tmp_path):
    database = tmp_path / "bench-http.sqlite3"
    result = bench("--requests=2", database=database)
    assert result.returncode == 0, result.stderr[-3000:]
    report = result.stdout
    assert "Generated 1000 contacts" in report
    for page in PAGES:
        row = re.search(rf"^{page} +(\d+) \|(.*)$", report, re.MULTILINE)
        assert row is not None, (page, report)
    assert re.search(r"^hello-world +0 \|", report, re.MULTILINE)  # the baseline touches no database
    assert re.search(r"^list .*p95 ≤ 25: (met|not met)$", report, re.MULTILINE)
    assert re.search(r"^dashboard .*p95 ≤ 20: (met|not met)$", report, re.MULTILINE)
