"""``crowd_measure``: throughput and latency of pages under a crowd, and every request a crowd makes of a
storefront is one counted view once the buffer is flushed."""

import shutil

import pytest
from django.urls import reverse

from etalase.activity.models import Activity
from etalase.bench.crowd import crowd_measure, wrk_report_parse
from etalase.catalog.enums import Verb
from etalase.catalog.visits import visits_flush

WRK_REPORT = """Running 20s test @ http://127.0.0.1:8000/b/batik-sari/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   112.50ms   40.20ms 612.00ms   71.23%
    Req/Sec    71.83     20.11   130.00     68.00%
  Latency Distribution
     50%  105.12ms
     75%  131.40ms
     90%  160.02ms
     99%    1.21s
  2861 requests in 20.03s, 52.31MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:    142.84
Transfer/sec:      2.61MB
"""


def test_a_wrk_report_is_read_into_figures():
    figures = wrk_report_parse(WRK_REPORT)

    assert figures == {
        "requests": 2861,
        "requests_per_second": 142.84,
        "p50_ms": 105.12,
        "p75_ms": 131.4,
        "p90_ms": 160.02,
        "p99_ms": 1210.0,
        "non_2xx_3xx": 4,
        "socket_errors": 3,
    }


@pytest.mark.django_db(transaction=True)
def test_every_request_of_a_crowd_is_one_counted_view(live_server, business, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)  # the Python client: it counts every request sent
    storefront = reverse("catalog:storefront", args=[business.slug])

    result = crowd_measure(live_server.url, ["/healthz", storefront], seconds=1, connections=2)

    assert result["tool"] == "python"
    figures = result["paths"][storefront]
    assert figures["requests"] > 0
    assert figures["non_2xx_3xx"] == figures["socket_errors"] == 0
    assert figures["p50_ms"] <= figures["p99_ms"]
    visits_flush()
    assert Activity.objects.filter(verb=Verb.VIEWED_BUSINESS).count() == figures["requests"]


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")
@pytest.mark.django_db(transaction=True)
def test_wrk_measures_a_storefront(live_server, business):
    storefront = reverse("catalog:storefront", args=[business.slug])

    result = crowd_measure(live_server.url, [storefront], seconds=1, connections=2)

    figures = result["paths"][storefront]
    assert result["tool"] == "wrk"
    assert figures["requests"] > 0
    assert figures["requests_per_second"] > 0
    visits_flush()
    # wrk stops with requests in flight: the server may have answered (and counted) up to one per connection more.
    assert figures["requests"] <= Activity.objects.filter(verb=Verb.VIEWED_BUSINESS).count() <= figures["requests"] + 2


def test_nonsense_durations_are_refused():
    with pytest.raises(ValueError, match="at least 1"):
        crowd_measure("http://127.0.0.1:1", ["/"], seconds=0, connections=1)
