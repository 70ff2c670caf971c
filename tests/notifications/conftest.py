"""Notification fixtures: the app's URLs wired in, a shop with a product and a team,
VAPID keys and a local push service."""

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from etalase.notifications.management.commands.vapid_keys import vapid_keys_generate
from tests.support.engagement import product_made


@pytest.fixture
def product(business):
    return product_made(business, "Batik Tulis Parang")


@pytest.fixture
def vapid(settings) -> dict[str, str]:
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
def push_service(monkeypatch) -> Iterator[PushService]:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    service = PushService()
    yield service
    service.close()
