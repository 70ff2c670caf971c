#!/bin/sh
# Install the test tools and run everything: ruff, mypy, the layer contract, and the whole test suite
# on SQLite, then on PostgreSQL when one is reachable. Browser tests run when Chromium is installed.
#   ETALASE_TEST_DATABASE_URL  PostgreSQL to use (default postgres://127.0.0.1:5432/postgres as the
#                              current user; pytest creates its own test_ database next to it)
#   ETALASE_REQUIRE_POSTGRES=1 fail instead of skipping the PostgreSQL run when none is reachable
#   ETALASE_FORBID_SKIPS=1     fail when any test was skipped (CI sets both)
#   ETALASE_CLOCK_RUNS=0       skip the runs of the time-sensitive tests at 00:30 and 23:30 in Jakarta
set -eu
cd "$(dirname "$0")/.."
. scripts/lib.sh
venv_ensure test

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy"; .venv/bin/mypy etalase config tests
echo "== layers"; .venv/bin/lint-imports
echo "== translations"; .venv/bin/python scripts/i18n.py --check

if [ ! -x /usr/bin/chromium ] && [ -z "${ETALASE_CHROMIUM:-}" ]; then
    echo "Chromium is not installed (apt-get install chromium): browser tests will be skipped."
fi

echo "== tests on SQLite"
env -u DATABASE_URL .venv/bin/pytest -p tests.skipguard -m "not postgres_only" "$@"

# The tests that depend on the date or the hour, again with the clock where a shop's day in Jakarta
# and UTC's day differ (today, just after midnight and just before it, in Jakarta).
time_sensitive="tests/notifications tests/insights tests/activity tests/demo tests/customers/test_aggregates.py
    tests/customers/test_filters.py tests/customers/test_list_plans.py tests/orders/test_payments.py
    tests/orders/test_pages_staff.py tests/catalog/test_storefront.py tests/engagement/test_feed.py"
if [ "${ETALASE_CLOCK_RUNS:-1}" != "0" ]; then
    for clock in "00:30 Asia/Jakarta" "23:30 Asia/Jakarta"; do
        echo "== time-sensitive tests on SQLite at $clock"
        # shellcheck disable=SC2086 # one path a word
        env -u DATABASE_URL .venv/bin/pytest -p tests.skipguard -q -m "not postgres_only and not browser" \
            --clock "$clock" $time_sensitive
    done
fi

pg_url="${ETALASE_TEST_DATABASE_URL:-${DATABASE_URL:-postgres://127.0.0.1:5432/postgres}}"
case "$pg_url" in postgres*) ;; *) pg_url="postgres://127.0.0.1:5432/postgres" ;; esac
if .venv/bin/python -c "import psycopg, sys; psycopg.connect(sys.argv[1], connect_timeout=3).close()" "$pg_url" 2>/dev/null; then
    echo "== tests on PostgreSQL"
    DATABASE_URL="$pg_url" .venv/bin/pytest -p tests.skipguard -m "not sqlite_only" "$@"
elif [ "${ETALASE_REQUIRE_POSTGRES:-0}" = "1" ]; then
    echo "PostgreSQL is required (ETALASE_REQUIRE_POSTGRES=1) but $pg_url is not reachable." >&2
    exit 1
else
    echo "PostgreSQL is not reachable at $pg_url: the PostgreSQL run is skipped."
fi
echo "All checks passed."
