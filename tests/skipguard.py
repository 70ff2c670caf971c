"""pytest plugin (``-p tests.skipguard``): with ETALASE_FORBID_SKIPS=1, any skipped test fails the run.

CI uses it so that browser or PostgreSQL tests can never silently not run.
"""

import os

import pytest

_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and not hasattr(report, "wasxfail"):
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("ETALASE_FORBID_SKIPS") == "1" and _skipped:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"ETALASE_FORBID_SKIPS=1 but {len(_skipped)} test(s) were skipped:", red=True)
            for nodeid in _skipped[:50]:
                reporter.write_line(f"  {nodeid}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
