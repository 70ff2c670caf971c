"""``etalase bench dashboard`` at a tiny size: it generates, rebuilds, checks against raw counts and reports."""

import io

import pytest
from django.core.management import call_command

from etalase.activity.models import Activity
from etalase.insights.models import AppliedActivity

pytestmark = pytest.mark.django_db


def test_the_dashboard_benchmark_runs_end_to_end_at_a_small_size():
    out = io.StringIO()
    call_command(
        "bench",
        "dashboard",
        "--businesses=4",
        "--activities=600",
        "--days=20",
        "--requests=3",
        "--current-database",
        stdout=out,
        stderr=io.StringIO(),
    )
    report = out.getvalue()
    assert Activity.objects.filter(business__slug__startswith="bench-").count() == 600
    assert AppliedActivity.objects.count() == 600
    assert "Rollups equal a direct count" in report
    for period in ("today", "7d", "30d", "custom 90d"):
        assert f"\n{period} " in report
