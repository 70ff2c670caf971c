"""Live latency: activity recorded → notification received by a connected SSE client (p50/p95).

Runs the embedded setup for real: a fresh SQLite file (or ``--database-url``), the ASGI server
(uvicorn) and ``etalase worker`` (``--processes N``) in their own processes, an owner connected to
``/notifications/stream/`` over plain HTTP, and a customer whose favourites and questions are
recorded through the services, at a steady rate. Each act is timestamped when its transaction has
committed and matched with the event that names it.
"""

import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from etalase.bench.common import percentile

TARGET_P95_MS = {"sqlite": 200.0, "postgresql": 1000.0}
"""20 acts/s with one worker on SQLite; 100 acts/s with two worker processes on PostgreSQL."""


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument("--events", type=int, default=200, help="Acts to record and time (at least 200 for p95).")
    parser.add_argument("--rate", type=float, default=20.0, help="Acts recorded per second (default 20).")
    parser.add_argument("--processes", type=int, default=1, help="Worker processes (``etalase worker --processes``).")
    parser.add_argument("--database-url", default="", help="Default: a fresh SQLite file under var/bench/.")
    parser.add_argument("--redis-url", default="", help="Wake streams by Redis pub/sub instead of polling.")
    parser.add_argument("--inner", action="store_true", help="(internal) run against the prepared database")
    parser.add_argument("--port", type=int, default=0, help="(internal) the server's port")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _environment(database_url: str, redis_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        DJANGO_SETTINGS_MODULE="config.settings",
        ETALASE_TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def run(command: BaseCommand, **options: Any) -> None:
    if options["inner"]:
        _measure(command, **options)
        return
    database_url = options["database_url"]
    if not database_url:
        folder = Path(settings.DATA_DIR) / "bench"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"live-{time.strftime('%Y%m%d-%H%M%S')}.sqlite3"
        database_url = f"sqlite:///{path}"
    env = _environment(database_url, options["redis_url"])
    command.stdout.write(f"Database: {database_url}\nMigrating…")
    subprocess.run([sys.executable, "-m", "etalase.cli", "migrate", "--noinput", "-v", "0"], env=env, check=True)  # noqa: S603
    inner = [
        sys.executable,
        "-m",
        "etalase.cli",
        "bench",
        "live",
        "--inner",
        "--events",
        str(options["events"]),
        "--rate",
        str(options["rate"]),
        "--processes",
        str(options["processes"]),
        "--port",
        str(_free_port()),
    ]
    subprocess.run(inner, env=env, check=True)  # noqa: S603


# --- inside the prepared environment ---------------------------------------------------------------


class StreamReader(threading.Thread):
    """Reads the owner's event stream line by line and notes when each notification arrived."""

    def __init__(self, port: int, session_key: str) -> None:
        super().__init__(daemon=True)
        self.port = port
        self.session_key = session_key
        self.received: dict[str, float] = {}
        self.connected = threading.Event()
        self.lock = threading.Lock()

    def run(self) -> None:
        import http.client

        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=None)
        connection.request(
            "GET",
            "/notifications/stream/",
            headers={"Cookie": f"sessionid={self.session_key}", "Accept": "text/event-stream"},
        )
        response = connection.getresponse()
        if response.status != 200:
            raise RuntimeError(f"stream answered {response.status}")
        self.connected.set()
        event, data = "", ""
        while True:
            line = response.readline()
            if not line:
                return
            text = line.decode().rstrip("\n")
            if text.startswith("event: "):
                event = text[7:]
            elif text.startswith("data: "):
                data = text[6:]
            elif text == "":
                if event == "notification" and data:
                    arrived = time.perf_counter()
                    payload = json.loads(data)
                    token = _token_in(f"{payload.get('title', '')} {payload.get('body', '')}")
                    if token:
                        with self.lock:
                            self.received.setdefault(token, arrived)
                event, data = "", ""


def _token_in(text: str) -> str | None:
    for word in text.replace(":", " ").split():
        if word.startswith("BENCH") and word[5:].isdigit():
            return word
    return None


def _wait_for_server(port: int, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/offline/", timeout=2):  # noqa: S310
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start")


def _measure(command: BaseCommand, **options: Any) -> None:
    events = max(1, int(options["events"]))
    customer, products, question_product, session_key = _setup(events)
    port = options["port"]
    server, worker = _processes_start(port, options["processes"])
    try:
        _wait_for_server(port)
        reader = StreamReader(port, session_key)
        reader.start()
        if not reader.connected.wait(15):
            raise RuntimeError("could not connect to the stream")
        _backlog_drained(120)  # the setup's activities (product publications) are not timed

        command.stdout.write(
            f"Recording {events} acts (favourites and questions) at {options['rate']:g}/s, "
            f"{options['processes']} worker process(es), "
            f"{'Redis pub/sub' if os.environ.get('REDIS_URL') else 'database polling'} for the stream…"
        )
        started = time.perf_counter()
        recorded = _acts_record(events, customer, products, question_product, rate=options["rate"])
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            with reader.lock:
                if all(token in reader.received for token in recorded):
                    break
            time.sleep(0.05)
        finished = time.perf_counter()
    finally:
        _processes_stop(server, worker)
    _report(command, reader, recorded, started=started, finished=finished, **options)


def _setup(events: int) -> tuple[Any, list[int], int, str]:
    """An owner (signed in: the session key), a customer, a shop with a product per two acts and one
    for questions. Returns the customer, the products, the question's product and the session key."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from etalase.accounts.services import user_signup
    from etalase.catalog.services import product_create
    from etalase.directory.services import business_register
    from etalase.directory.tenancy import business_context_resolve

    stamp = str(int(time.time()))[-6:]
    owner = user_signup(
        phone=f"0812{stamp}01", password=secrets.token_urlsafe(16), name="Pemilik Bench", language="en", verified=True
    )
    customer = user_signup(phone=f"0812{stamp}02", password=secrets.token_urlsafe(16), name="Budi Bench", language="en")
    business = business_register(
        owner=owner, name=f"Bench Batik {stamp}", category_slug="fashion-batik", city="Solo", whatsapp=f"0812{stamp}03"
    )
    context = business_context_resolve(user=owner, slug=business.slug)
    products = [
        product_create(context=context, title=f"Batik BENCH{i}", price_minor=100_000, publish=True).pk
        for i in range((events + 1) // 2)
    ]
    question_product = product_create(context=context, title="Kain Lurik", price_minor=90_000, publish=True).pk
    session = SessionStore()
    session[SESSION_KEY] = str(owner.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = owner.get_session_auth_hash()
    session.create()
    return customer, products, question_product, session.session_key or ""


def _processes_start(port: int, processes: int) -> tuple[subprocess.Popen[bytes], subprocess.Popen[bytes]]:
    """The ASGI server and the worker (``processes`` worker processes), in their own processes."""
    env = dict(os.environ)
    server = subprocess.Popen(  # noqa: S603
        # config.asgi, not this module: importing this module loads models before Django is set up.
        [sys.executable, "-m", "uvicorn", "config.asgi:application"]
        + [
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--lifespan",
            "off",
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
    )
    worker = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "etalase.cli", "worker", "--no-schedule", "--processes", str(processes), "-v", "0"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return server, worker


def _backlog_drained(seconds: float) -> None:
    from etalase.activity.models import Activity

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and Activity.objects.filter(processed_at__isnull=True).exists():
        time.sleep(0.2)
    time.sleep(0.5)


def _processes_stop(*processes: subprocess.Popen[bytes]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _acts_record(
    events: int, customer: Any, products: list[int], question_product: int, *, rate: float
) -> dict[str, float]:
    """Favourites and questions in turn, each with a token its notification names: {token: committed at}.

    Paced on a fixed schedule (act ``i`` at ``i / rate`` seconds), so a slow act does not lower the rate."""
    from etalase.engagement.services import comment_add, favourite_add

    recorded: dict[str, float] = {}
    began = time.perf_counter()
    for i in range(events):
        wait = began + i / max(rate, 0.001) - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        if i % 2 == 0:
            product_id = products[i // 2]
            token = f"BENCH{i // 2}"
            favourite_add(user=customer, product_id=product_id)
        else:
            token = f"BENCH{100_000 + i}"
            comment_add(user=customer, product_id=question_product, body=f"Ada stok? {token}", kind="question")
        recorded[token] = time.perf_counter()
    return recorded


def _report(
    command: BaseCommand,
    reader: StreamReader,
    recorded: dict[str, float],
    *,
    started: float,
    finished: float,
    **options: Any,
) -> None:
    with reader.lock:
        latencies = [(reader.received[t] - recorded[t]) * 1000 for t in recorded if t in reader.received]
    missing = len(recorded) - len(latencies)
    if not latencies:
        command.stderr.write("No notification arrived.")
        return
    p50, p95 = statistics.median(latencies), percentile(latencies, 0.95)
    last_arrival = max(reader.received.values())
    vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1].replace("sqlite3", "sqlite")
    target = TARGET_P95_MS.get(vendor, 1000.0)
    sent_rate = len(recorded) / max(1e-9, max(recorded.values()) - min(recorded.values())) if len(recorded) > 1 else 0
    command.stdout.write(
        "\n".join(
            [
                "",
                "etalase bench live — activity recorded → notification received over SSE",
                f"  database          {vendor}",
                f"  worker processes  {options['processes']}",
                f"  rate              {options['rate']:g} acts/s asked, {sent_rate:.1f} acts/s recorded",
                f"  events            {len(recorded)} sent, {len(latencies)} received, {missing} missing",
                f"  p50               {p50:8.1f} ms",
                f"  p95               {p95:8.1f} ms   (target ≤ {target:.0f} ms: "
                f"{'met' if p95 <= target else 'NOT met'})",
                f"  max               {max(latencies):8.1f} ms",
                f"  throughput        {len(latencies) / max(1e-9, last_arrival - started):8.1f} notifications/s "
                f"({finished - started:.1f} s in all)",
            ]
        )
    )
