"""Pages over HTTP: the production server, a real client, latency per page and throughput.

``etalase bench http`` builds (or, with ``--reuse``, finds) the CRM benchmark's business — the same
generator as ``etalase bench crm``, here 100,000 contacts and 1,000,000 activities by default — then
starts the production server as a subprocess (``ETALASE_ENV=production``, a generated
``SECRET_KEY``, ``ALLOWED_HOSTS=127.0.0.1``, no HTTPS redirect, static files collected into a
temporary folder, ``etalase serve --workers 2`` on a free port), logs in as the shop's owner over
HTTP (the form, its CSRF token, the session cookie) and times each page sequentially, ``--requests``
times, once with a new TCP connection per request and once over one kept-alive connection:

    hello-world (``/healthz``, no database), the customer list, a search, a tag filter, a contact's
    page, the dashboard and its insights panel (a fragment the dashboard loads at once), the insights
    page, the storefront, a product page, Discover.

Then ``wrk`` (``/usr/bin/wrk``, 16 connections) measures each page's throughput for ``--duration``
seconds. The table gives p50/p95/p99 in ms, each page's median as a multiple of hello-world's, the
queries one request makes (counted in process with Django's test client) and the targets: p95 of
25 ms over new connections for the list, a search, a filter and a contact, 20 ms for the dashboard
and its panel.

The database is chosen as for ``etalase bench crm`` (``--database-url``, else ``DATABASE_URL``,
else ``var/bench-http.sqlite3``). The figures depend on the machine: say how busy it was with them.

    etalase bench http --database-url postgres://root@127.0.0.1:5432/pagetime_bench
    etalase bench http --reuse --database-url postgres://root@127.0.0.1:5432/pagetime_bench --only list
    etalase bench http --quick                                   # a small data set (the smoke test)
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from etalase.accounts.models import User
from etalase.bench.common import add_database_arguments, database_prepare, percentile
from etalase.bench.crm import BUSINESS_SLUG, _large_cache, dataset_generate
from etalase.catalog.models import Product
from etalase.customers.models import Contact, Tag
from etalase.directory.models import Business, Membership

REEXEC_MARK = "ETALASE_BENCH_HTTP_DATABASE"
DEFAULT_FILE = "bench-http.sqlite3"
HOST = "127.0.0.1"
WRK = "/usr/bin/wrk"
TARGET_CRM_MS = 25.0
TARGET_DASHBOARD_MS = 20.0
DEFAULTS = {"contacts": 100_000, "activities": 1_000_000, "requests": 200, "duration": 5.0}
QUICK = {"contacts": 1000, "activities": 10_000, "requests": 5, "duration": 0.0}
ROTATION = 20
"""Different inputs a page cycles through (searches, tags, contacts), so one row never stays hot alone."""


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument("--contacts", type=int, default=DEFAULTS["contacts"])
    parser.add_argument("--activities", type=int, default=DEFAULTS["activities"])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--requests", type=int, default=DEFAULTS["requests"], help="timed requests per page and way")
    parser.add_argument(
        "--duration", type=float, default=DEFAULTS["duration"], help="seconds of wrk per page (0: none)"
    )
    parser.add_argument("--connections", type=int, default=16, help="wrk's connections")
    parser.add_argument("--workers", type=int, default=2, help="the server's worker processes")
    parser.add_argument("--only", default="", help="measure only the pages whose name contains this text")
    parser.add_argument("--quick", action="store_true", help="a small data set and few requests (tests)")
    add_database_arguments(parser)


def run(command: BaseCommand, **options: Any) -> None:
    if options["quick"]:
        for name, value in QUICK.items():
            if options[name] == DEFAULTS[name]:
                options[name] = value
    database_prepare(command, options, mark=REEXEC_MARK, default_file=DEFAULT_FILE)
    out = command.stdout
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url or connection.vendor == "sqlite" and not Path(str(connection.settings_dict["NAME"])).exists():
        raise CommandError("The server needs a database it can open: give --database-url.")
    business = _business(options, out)
    owner_password = _owner_password(business)  # before the owner is read: sessions carry its hash
    pages = Pages.of(business)
    with _server(database_url, workers=options["workers"]) as base:
        client = HttpClient(base)
        client.login(pages.owner_login, owner_password)
        wanted = [page for page in pages.all() if options["only"] in page.name]
        for page in wanted:
            page.queries = _queries(page, pages.owner)
            page.new = _timings(client, page, options["requests"], keep_alive=False)
            page.kept = _timings(client, page, options["requests"], keep_alive=True)
            sys.stderr.write(f"\r{page.name:<14} {len(page.new)} + {len(page.kept)} requests")
            sys.stderr.flush()
        sys.stderr.write("\n")
        if options["duration"] > 0:
            if not Path(WRK).exists():
                out.write(f"No {WRK}: throughput left out.")
            else:
                for page in wanted:
                    page.rate = wrk_rate(
                        base + page.paths[0], client.cookie_header(page), options["duration"], options["connections"]
                    )
    out.write(report(wanted, vendor=connection.vendor, workers=options["workers"], requests=options["requests"]))


def _business(options: dict[str, Any], out: Any) -> Business:
    business = Business.objects.filter(slug=BUSINESS_SLUG).first()
    if business is not None and not (options["reuse"] or options["flush"]):
        raise CommandError("This database already holds the benchmark business: pass --reuse, or --flush to empty it.")
    if business is not None and options["flush"] and not options["reuse"]:
        call_command("flush", verbosity=0, interactive=False)
        business = None
    if business is None:
        started = time.perf_counter()
        with _large_cache():
            business, summary = dataset_generate(
                contacts=options["contacts"],
                activities=options["activities"],
                days=options["days"],
                seed=options["seed"],
            )
        out.write(f"Generated {summary} in {time.perf_counter() - started:.1f} s.")
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql" and not connection.in_atomic_block:
                cursor.execute("VACUUM customers_contact, customers_contacttag, activity_activity")
            cursor.execute("ANALYZE")
    return business


def _owner_password(business: Business) -> str:
    """A fresh password for the shop's owner, to log in over HTTP like anyone (the benchmark's own data)."""
    password = secrets.token_urlsafe(18)
    owner_id = Membership.objects.filter(business=business).order_by("pk").values_list("user_id", flat=True)[0]
    User.objects.filter(pk=owner_id).update(password=make_password(password))
    return password


# --- the pages ---------------------------------------------------------------------------------------


@dataclass
class Page:
    name: str
    paths: list[str]
    member: bool  # sent with the owner's session (the business side); else as an anonymous visitor
    target: float | None = None
    queries: int | None = None
    new: list[float] = field(default_factory=list)
    kept: list[float] = field(default_factory=list)
    rate: float | None = None


@dataclass
class Pages:
    owner: User
    owner_login: str
    pages: list[Page]

    @classmethod
    def of(cls, business: Business) -> Pages:
        slug = business.slug
        owner_id = Membership.objects.filter(business=business).order_by("pk").values_list("user_id", flat=True)[0]
        owner = User.objects.get(pk=owner_id)
        listing = reverse("customers:list", args=[slug])
        contacts = Contact.objects.filter(business=business, merged_into__isnull=True)
        first_words = [
            name.split()[0].lower()
            for name in contacts.exclude(name="").order_by("pk").values_list("name", flat=True)[: ROTATION * 10]
        ]
        searches = sorted(set(first_words))[:ROTATION] or ["budi"]
        tags = list(Tag.objects.filter(business=business).order_by("name").values_list("name", flat=True))
        busy = list(
            contacts.filter(last_seen_at__isnull=False)
            .order_by("-last_seen_at")
            .values_list("pk", flat=True)[:ROTATION]
        )
        product = Product.objects.filter(business=business).order_by("position", "pk").values_list("pk", flat=True)[0]
        pages = [
            Page("hello-world", [reverse("healthz")], member=False),
            Page("list", [listing], member=True, target=TARGET_CRM_MS),
            Page("search", [f"{listing}?{urlencode({'q': word})}" for word in searches], True, TARGET_CRM_MS),
            Page("tag filter", [f"{listing}?{urlencode({'tag': tag})}" for tag in tags or [""]], True, TARGET_CRM_MS),
            Page(
                "contact",
                [
                    reverse("customers:detail", args=[slug, pk])
                    for pk in busy or [contacts.values_list("pk", flat=True)[0]]
                ],
                member=True,
                target=TARGET_CRM_MS,
            ),
            Page("dashboard", [reverse("directory:dashboard", args=[slug])], member=True, target=TARGET_DASHBOARD_MS),
            Page("panel", [reverse("insights:panel", args=[slug])], member=True, target=TARGET_DASHBOARD_MS),
            Page("insights", [reverse("insights:page", args=[slug])], member=True),
            Page("storefront", [reverse("catalog:storefront", args=[slug])], member=False),
            Page("product", [reverse("catalog:product", args=[slug, product])], member=False),
            Page("discover", [reverse("web:discover")], member=False),
        ]
        login = owner.email or owner.phone
        return cls(owner=owner, owner_login=str(login), pages=pages)

    def all(self) -> list[Page]:
        return self.pages


def _queries(page: Page, owner: User) -> int:
    """The queries one request for the page makes, through Django's test client in this process."""
    client = Client()
    if page.member:
        client.force_login(owner)
    client.get(page.paths[0])  # a first request fills the per-process caches, as in a running server
    with CaptureQueriesContext(connection) as captured:
        response = client.get(page.paths[-1])
    if response.status_code != 200:
        raise CommandError(f"{page.name}: {page.paths[-1]} answered {response.status_code} in process.")
    return len(captured.captured_queries)


# --- the server and the client -----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@contextmanager
def _server(database_url: str, *, workers: int) -> Iterator[str]:
    """The production server on a free port, with its own static files; its base URL while it runs."""
    folder = Path(tempfile.mkdtemp(prefix="etalase-bench-http-"))
    environment = {
        key: value for key, value in os.environ.items() if key not in {"DEBUG", "DJANGO_SETTINGS_MODULE", REEXEC_MARK}
    }
    environment.update(
        ETALASE_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS=HOST,
        SECURE_SSL_REDIRECT="0",
        DATABASE_URL=database_url,
        ETALASE_DATA_DIR=str(folder),
        LOG_LEVEL="WARNING",
    )
    cli = [sys.executable, "-m", "etalase.cli"]
    subprocess.run([*cli, "collectstatic", "--noinput", "-v0"], env=environment, check=True, cwd=settings.BASE_DIR)  # noqa: S603
    port = _free_port()
    log = (folder / "server.log").open("wb")
    server = subprocess.Popen(  # noqa: S603
        [*cli, "serve", "--host", HOST, "--port", str(port), "--workers", str(workers)],
        env=environment,
        cwd=settings.BASE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://{HOST}:{port}"
    try:
        _wait_until_up(port, server, folder / "server.log")
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


def _wait_until_up(port: int, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise CommandError("The server stopped:\n" + log.read_text(errors="replace")[-2000:])
        try:
            status, _body, _cookies = request_once(HOST, port, "/healthz")
        except OSError:
            time.sleep(0.2)
            continue
        if status == 200:
            return
    raise CommandError("The server did not answer /healthz within a minute.")


def request_once(
    host: str,
    port: int,
    path: str,
    *,
    method: str = "GET",
    body: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes, dict[str, str]]:
    """One request over a new connection: status, body and the cookies it sets."""
    conn = http.client.HTTPConnection(host, port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read(), _cookies(response)
    finally:
        conn.close()


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    cookies = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _sep, value = header.split(";", 1)[0].partition("=")
        cookies[name.strip()] = value.strip()
    return cookies


class HttpClient:
    """A plain HTTP/1.1 client holding the owner's cookies (they are ``Secure``, so a browser would not
    send them over plain HTTP; the server behind a TLS proxy sees exactly these)."""

    def __init__(self, base: str) -> None:
        host_port = base.removeprefix("http://")
        self.host, _sep, port = host_port.partition(":")
        self.port = int(port)
        self.cookies: dict[str, str] = {}

    def login(self, identifier: str, password: str) -> None:
        login_path = reverse("accounts:login")
        status, body, cookies = request_once(self.host, self.port, login_path)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if status != 200 or token is None or "csrftoken" not in cookies:
            raise CommandError(f"The login page answered {status} without a CSRF token.")
        form = urlencode({"identifier": identifier, "password": password, "csrfmiddlewaretoken": token[1].decode()})
        status, body, cookies = request_once(
            self.host,
            self.port,
            login_path,
            method="POST",
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={cookies['csrftoken']}",
            },
        )
        if status != 302 or "sessionid" not in cookies:
            raise CommandError(f"Logging in as the owner answered {status}: {body[:300]!r}")
        self.cookies = cookies

    def cookie_header(self, page: Page) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items()) if page.member else ""

    def headers(self, page: Page) -> dict[str, str]:
        cookie = self.cookie_header(page)
        return {"Cookie": cookie} if cookie else {}


def _timings(client: HttpClient, page: Page, count: int, *, keep_alive: bool) -> list[float]:
    """``count`` sequential requests (after a few untimed ones), each from sending to the last byte read;
    over new connections the time includes connecting."""
    headers = client.headers(page)
    kept: http.client.HTTPConnection | None = None
    seconds = []
    warm_up = min(5, max(1, count // 10))
    try:
        for n in range(warm_up + count):
            path = page.paths[n % len(page.paths)]
            started = time.perf_counter()
            if keep_alive:
                if kept is None:
                    kept = http.client.HTTPConnection(client.host, client.port, timeout=30)
                kept.request("GET", path, headers=headers)
                response = kept.getresponse()
                response.read()
                status = response.status
            else:
                conn = http.client.HTTPConnection(client.host, client.port, timeout=30)
                try:
                    conn.request("GET", path, headers={**headers, "Connection": "close"})
                    response = conn.getresponse()
                    response.read()
                    status = response.status
                finally:
                    conn.close()
            elapsed = time.perf_counter() - started
            if status != 200:
                raise CommandError(f"{page.name}: {path} answered {status}.")
            if n >= warm_up:
                seconds.append(elapsed)
    finally:
        if kept is not None:
            kept.close()
    return seconds


def wrk_rate(url: str, cookie: str, duration: float, connections: int) -> float | None:
    """Requests per second ``wrk`` reaches on ``url``; None when some answers were not 2xx/3xx."""
    command = [WRK, "-t2", f"-c{connections}", f"-d{max(1, round(duration))}s", "--latency"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    result = subprocess.run([*command, url], capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0 or "Non-2xx or 3xx responses" in result.stdout:
        return None
    found = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
    return float(found[1]) if found else None


# --- the report ----------------------------------------------------------------------------------------


def _ms(seconds: list[float], fraction: float) -> float:
    return percentile(seconds, fraction) * 1000 if seconds else float("nan")


def report(pages: list[Page], *, vendor: str, workers: int, requests: int) -> str:
    hello = next((page for page in pages if page.name == "hello-world"), None)
    base = _ms(hello.new, 0.5) if hello else None
    lines = [
        f"Over HTTP ({vendor}, {workers} workers, {requests} sequential requests per page and way; ms)",
        f"{'page':<12} {'queries':>7} | {'new connection p50 p95 p99':>27} | {'keep-alive p50 p95 p99':>23} | "
        f"{'× hello':>7} | {'req/s':>7} | target",
    ]
    for page in pages:
        new = [_ms(page.new, fraction) for fraction in (0.5, 0.95, 0.99)]
        kept = [_ms(page.kept, fraction) for fraction in (0.5, 0.95, 0.99)]
        ratio = f"{new[0] / base:7.1f}" if base else f"{'—':>7}"
        rate = f"{page.rate:7.0f}" if page.rate is not None else f"{'—':>7}"
        if page.target is None:
            target = "—"
        else:
            target = f"p95 ≤ {page.target:.0f}: " + ("met" if new[1] <= page.target else "not met")
        lines.append(
            f"{page.name:<12} {page.queries if page.queries is not None else '—':>7} | "
            f"{new[0]:8.1f} {new[1]:8.1f} {new[2]:8.1f} | {kept[0]:6.1f} {kept[1]:7.1f} {kept[2]:7.1f} | "
            f"{ratio} | {rate} | {target}"
        )
    return "\n".join(lines)
