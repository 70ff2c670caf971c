"""Throughput of public pages under a crowd: requests per second and latency percentiles per path.

:func:`crowd_measure` drives a running server with ``wrk`` (one run per path, ``--latency`` for the
percentiles) and parses its report. Without ``wrk`` on the PATH it falls back to a plain Python client
(one thread per connection, ``http.client`` keep-alive): slower to generate load, so its figures are a
floor, and the report says which tool measured. Every request is a new visitor (no cookies are kept),
the worst case for visit counting.
"""

from __future__ import annotations

import http.client
import re
import shutil
import subprocess
import threading
import time
from typing import Any
from urllib.parse import urljoin, urlsplit

from etalase.bench.common import percentile

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
_DURATION = re.compile(r"^([\d.]+)(us|ms|s|m)$")


def _milliseconds(text: str) -> float:
    match = _DURATION.match(text.strip())
    if match is None:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def wrk_report_parse(output: str) -> dict[str, Any]:
    """The figures of one ``wrk --latency`` report: requests, requests/s, p50/p75/p90/p99 (ms), errors."""
    result: dict[str, Any] = {"requests": 0, "requests_per_second": 0.0, "non_2xx_3xx": 0, "socket_errors": 0}
    for label, value in re.findall(r"^\s*(50|75|90|99)%\s+(\S+)\s*$", output, re.MULTILINE):
        result[f"p{label}_ms"] = round(_milliseconds(value), 2)
    if match := re.search(r"^\s*(\d+) requests in", output, re.MULTILINE):
        result["requests"] = int(match.group(1))
    if match := re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE):
        result["requests_per_second"] = float(match.group(1))
    if match := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output):
        result["non_2xx_3xx"] = int(match.group(1))
    if match := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output):
        result["socket_errors"] = sum(int(number) for number in match.groups())
    return result


def _wrk_measure(wrk: str, url: str, seconds: int, connections: int) -> dict[str, Any]:
    threads = max(1, min(2, connections))
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s", url]
    completed = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60)  # noqa: S603
    return wrk_report_parse(completed.stdout)


def _python_measure(url: str, seconds: int, connections: int) -> dict[str, Any]:
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    latencies: list[float] = []
    failures = [0, 0]  # non-2xx/3xx answers, connection errors
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client() -> None:
        mine: list[float] = []
        bad = errors = 0
        connection: http.client.HTTPConnection | None = None
        while time.monotonic() < deadline:
            try:
                if connection is None:
                    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=10)
                started = time.perf_counter()
                connection.request("GET", target, headers={"Host": parts.netloc})
                response = connection.getresponse()
                response.read()
                mine.append((time.perf_counter() - started) * 1000)
                bad += not 200 <= response.status < 400
            except (OSError, http.client.HTTPException):
                errors += 1
                if connection is not None:
                    connection.close()
                connection = None
        if connection is not None:
            connection.close()
        with lock:
            latencies.extend(mine)
            failures[0] += bad
            failures[1] += errors

    workers = [threading.Thread(target=client, daemon=True) for _ in range(connections)]
    started = time.monotonic()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = max(time.monotonic() - started, 1e-9)
    latencies.sort()
    result: dict[str, Any] = {
        "requests": len(latencies),
        "requests_per_second": round(len(latencies) / elapsed, 2),
        "non_2xx_3xx": failures[0],
        "socket_errors": failures[1],
    }
    for share in (50, 75, 90, 99):
        result[f"p{share}_ms"] = round(percentile(latencies, share / 100), 2) if latencies else 0.0
    return result


def crowd_measure(base_url: str, paths: list[str], seconds: int, connections: int) -> dict[str, Any]:
    """Load each of ``paths`` (relative to ``base_url``) for ``seconds`` with ``connections`` at once.

    Returns ``{"tool": "wrk" | "python", "seconds", "connections", "paths": {path: figures}}`` where the
    figures are ``requests``, ``requests_per_second``, ``p50_ms``, ``p75_ms``, ``p90_ms``, ``p99_ms``,
    ``non_2xx_3xx`` and ``socket_errors``. The paths run one after the other, in the order given.
    """
    if seconds < 1 or connections < 1:
        raise ValueError("seconds and connections must be at least 1")
    wrk = shutil.which("wrk")
    figures: dict[str, dict[str, Any]] = {}
    for path in paths:
        url = urljoin(base_url.rstrip("/") + "/", path.lstrip("/"))
        if wrk:
            figures[path] = _wrk_measure(wrk, url, seconds, connections)
        else:
            figures[path] = _python_measure(url, seconds, connections)
    return {"tool": "wrk" if wrk else "python", "seconds": seconds, "connections": connections, "paths": figures}
