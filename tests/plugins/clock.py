"""The clock of a test, and of a whole run.

A test whose outcome depends on the date or the time of day pins the clock::

    @pytest.mark.clock("2026-06-15 10:00 Asia/Jakarta")
    def test_interest_three_views_today(...): ...

The clock starts at that moment and runs on (``tick=False`` stops it there); the database rows the
test's fixtures make are made at that moment too. A marker on a class or a module pins each of its
tests.

``--clock WHEN`` moves the whole run, so that the suite can be tried at the hours where a shop's day
and UTC's day differ (CI runs the time-sensitive folders at 00:30 and at 23:30 in Jakarta)::

    pytest --clock "2026-12-08 00:30 Asia/Jakarta" tests/notifications
    pytest --clock "23:30 Asia/Jakarta" tests/insights     # today, at 23:30 in Jakarta

``WHEN`` is an ISO date and time with its offset (``2026-12-08T00:30+07:00``), or a date and time
followed by a time zone name, or a time of day followed by a time zone name. A time without a zone
is refused: it would mean another moment on every machine.
"""

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest
import time_machine

_RUN_CLOCK = pytest.StashKey[time_machine.travel]()


def moment_parse(when: str) -> dt.datetime:
    """``when`` (see the module's docstring) as an aware datetime."""
    text = when.strip()
    head, _sep, zone_name = text.rpartition(" ")
    if head and not zone_name[:1].isdigit() and zone_name[:1] not in "+-":
        try:
            zone: dt.tzinfo = ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"Unknown time zone in clock {when!r}") from error
        head = head.strip()
        if ":" in head and "-" not in head:  # a time of day: today, in that zone
            time_of_day = dt.time.fromisoformat(head)
            return dt.datetime.combine(dt.datetime.now(zone).date(), time_of_day, tzinfo=zone)
        return dt.datetime.fromisoformat(head).replace(tzinfo=zone)
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"Clock {when!r} has no time zone: add an offset or a zone name")
    return moment


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--clock",
        metavar="WHEN",
        default=None,
        help='run the whole session with the clock moved to WHEN (e.g. "2026-12-08 00:30 Asia/Jakarta"), ticking',
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        'clock(when, tick=True): the test runs with the clock at WHEN (e.g. "2026-06-15 10:00 Asia/Jakarta")',
    )
    when = config.getoption("--clock", default=None)
    if when:
        traveller = time_machine.travel(moment_parse(when), tick=True)
        traveller.start()
        config.stash[_RUN_CLOCK] = traveller


def pytest_unconfigure(config: pytest.Config) -> None:
    traveller = config.stash.get(_RUN_CLOCK, None)
    if traveller is not None:
        traveller.stop()


def pytest_report_header(config: pytest.Config) -> str | None:
    when = config.getoption("--clock", default=None)
    return f"clock: the run starts at {moment_parse(when).isoformat()}" if when else None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # First among the test's fixtures, so that the rows its fixtures make are made at that moment.
    for item in items:
        if isinstance(item, pytest.Function) and item.get_closest_marker("clock") is not None:
            item.fixturenames.insert(0, "_clock_pinned")


@pytest.fixture
def _clock_pinned(request: pytest.FixtureRequest) -> Iterator[dt.datetime]:
    marker = request.node.get_closest_marker("clock")
    if marker is None or not marker.args:
        pytest.fail("@pytest.mark.clock needs a moment")
    moment = marker.args[0] if isinstance(marker.args[0], dt.datetime) else moment_parse(marker.args[0])
    with time_machine.travel(moment, tick=marker.kwargs.get("tick", True)):
        yield moment


@pytest.fixture
def clock_now(request: pytest.FixtureRequest) -> dt.datetime:
    """The moment the test's ``@pytest.mark.clock`` pinned (the test fails without one)."""
    if request.node.get_closest_marker("clock") is None:
        pytest.fail("clock_now needs @pytest.mark.clock(...) on the test")
    return request.getfixturevalue("_clock_pinned")
