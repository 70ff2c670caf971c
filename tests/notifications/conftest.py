"""Notification fixtures: the app's URLs wired in, a shop with a product and a team, committed acts,
VAPID keys and a local push service."""

import base64
import json
import os
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from etalase.notifications.management.commands.vapid_keys import vapid_keys_generate
from tests.engagement.conftest import product_made


@pytest.fixture
def product(business):  # type: ignore[no-untyped-def]
    return product_made(business, "Batik Tulis Parang")


@pytest.fixture
def committed(django_capture_on_commit_callbacks) -> Callable[[], Any]:  # type: ignore[no-untyped-def]
    """``with committed():`` runs what the block leaves for after commit (activity processing,
    pushes, stream wake-ups), as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def browser_keys() -> tuple[str, str]:
    """A browser's subscription keys: a P-256 public key (65 bytes) and a 16-byte auth secret."""
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return b64url(public), b64url(os.urandom(16))


@pytest.fixture
def vapid(settings) -> dict[str, str]:  # type: ignore[no-untyped-def]
    public, private = vapid_keys_generate()
    settings.VAPID_PUBLIC_KEY = public
    settings.VAPID_PRIVATE_KEY = private
    settings.VAPID_SUBJECT = "mailto:ops@etalase.test"
    settings.WEB_PUSH_ALLOW_LOCAL_ENDPOINTS = True
    return {"public": public, "private": private}


class PushService:
    """A push service on 127.0.0.1: records each encrypted POST and answers ``status``."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.status = 201
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                service.requests.append(
                    {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
                )
                self.send_response(service.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def endpoint(self, name: str = "device-1") -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/push/{name}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def push_service(monkeypatch) -> Iterator[PushService]:  # type: ignore[no-untyped-def]
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    service = PushService()
    yield service
    service.close()


def sse_events(text: str) -> list[dict[str, Any]]:
    """Parse Server-Sent Events: [{"id":..., "event":..., "data": parsed JSON}], comments skipped."""
    events = []
    for block in text.split("\n\n"):
        fields: dict[str, Any] = {}
        for line in block.splitlines():
            if not line or line.startswith(":"):
                continue
            name, _sep, value = line.partition(": ")
            fields[name] = value
        if "data" in fields:
            fields["data"] = json.loads(fields["data"])
            events.append(fields)
    return events
