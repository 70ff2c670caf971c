"""``etalase bench crm --quick``: it generates one business's contacts and activities, checks them, times
every case and the CSV import, and reports p50/p95 per case against the issue's targets."""

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from etalase.activity.models import Activity
from etalase.customers.models import Contact, ContactTag, Segment
from etalase.directory.models import Business

pytestmark = pytest.mark.django_db

ROW = re.compile(r"^(?P<label>\S.{0,39}?)\s+(?P<runs>\d+)\s+(?P<p50>\d+\.\d)\s+(?P<p95>\d+\.\d)\s+(?P<target>< \d+|—)")


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("bench", "crm", "--quick", "--current-database", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_crm_benchmark_runs_end_to_end_in_quick_mode():
    report = run("--repetitions=2", "--import-rows=60")

    business = Business.objects.get(slug="bench-crm")
    assert Contact.objects.filter(business=business).count() == 2000
    assert Activity.objects.filter(business=business).count() >= 20_000
    assert ContactTag.objects.filter(business=business).exists()
    assert Segment.objects.filter(business=business).count() == 11
    assert "A recount of every contact's orders, spending and favourites from the activities changed nothing" in report
    assert "Every search's count equals a substring scan of the search text" in report

    rows = {match["label"].strip(): match for line in report.splitlines() if (match := ROW.match(line))}
    for label in (
        "page: no filter",
        "page: city",
        "page: tag",
        "page: spent between",
        "search: name word, rare",
        "search: start of a name",
        "search: phone 0812-3456-7890",
        "search: phone +62 812 3456 7890",
        "count: saved segments",
        "count: tag",
        "info: timeline, app user",
    ):
        assert label in rows, label
        assert int(rows[label]["runs"]) >= 2
        assert float(rows[label]["p50"]) <= float(rows[label]["p95"])
    assert rows["page: city"]["target"] == "< 50"
    assert rows["count: tag"]["target"] == "< 200"
    assert rows["info: timeline, app user"]["target"] == "—"
    assert re.search(r"CSV import, 60 rows .* re-run creates nothing\): (met|MISSED)", report)
    assert re.search(r"rerun .* created 0, merged \d+, rejected \d+ \(done\)", report)
    assert re.search(r"\d+ of \d+ targets met", report)


def test_a_database_holding_the_benchmark_is_refused_unless_reused():
    run("--repetitions=1", "--import-rows=0", "--contacts=300", "--activities=2000")
    with pytest.raises(CommandError, match="already holds the CRM benchmark"):
        run("--repetitions=1", "--import-rows=0")
    report = run("--repetitions=1", "--import-rows=0", "--reuse")
    assert "Generated" not in report
    assert re.search(r"Business bench-crm: \d+ contacts in the list", report)
    assert "CSV import" not in report
