"""What ``etalase serve`` runs: the checks before listening, and uvicorn set up for Etalase."""

import json
import socket
from pathlib import Path
from typing import Any

import uvicorn
from django.apps import apps
from django.contrib.staticfiles.finders import get_finders
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor


def migrations_unapplied() -> list[str]:
    """The migrations the database has not had yet, as ``app.name``."""
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def static_files_stale() -> str | None:
    """Why the collected static files must be collected again ("" when current, None when not needed).

    Only the manifest storage (production) needs them: without its manifest every page that names a
    static file fails. Stale means a source file is missing from the manifest or changed after it.
    """
    storage = staticfiles_storage
    if not isinstance(storage, ManifestFilesMixin):
        return None
    manifest = Path(storage.path(storage.manifest_name))
    if not manifest.is_file():
        return "no manifest of collected static files"
    collected_at = manifest.stat().st_mtime
    try:
        known = set(json.loads(manifest.read_text(encoding="utf-8")).get("paths", {}))
    except (OSError, ValueError, AttributeError):
        return "an unreadable manifest of collected static files"
    ignore_patterns = getattr(apps.get_app_config("staticfiles"), "ignore_patterns", ["CVS", ".*", "*~"])
    for finder in get_finders():
        for name, source in finder.list(ignore_patterns):
            prefix = getattr(source, "prefix", None)
            public_name = f"{prefix}/{name}" if prefix else name
            if public_name.replace("\\", "/") not in known:
                return f"{public_name} is not collected"
            if source.get_modified_time(name).timestamp() > collected_at:
                return f"{public_name} changed after the last collection"
    return ""


class TcpConfig(uvicorn.Config):
    """uvicorn's settings, with a listening socket whose accepted connections send at once.

    With several workers uvicorn binds one socket in the parent and hands it to each worker. It
    creates that socket without naming the protocol (``proto`` 0), and asyncio sets ``TCP_NODELAY``
    on accepted connections only when the listening socket says ``IPPROTO_TCP``. So each response
    on a kept-alive connection waited for Nagle's algorithm and the client's delayed ACK (~40 ms).
    Wrapping the same descriptor again lets Python read the protocol from the kernel (6, TCP); the
    workers inherit it, and asyncio turns Nagle off for every connection as it does with one worker.
    """

    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto != socket.IPPROTO_TCP:
            sock = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
            sock.set_inheritable(True)
        return sock


def server_run(*, host: str, port: int, workers: int, forwarded_allow_ips: str | list[str], **extra: Any) -> None:
    """Serve ``config.asgi`` with uvicorn (one process, or ``workers`` sharing one socket)."""
    from uvicorn.config import STARTUP_FAILURE
    from uvicorn.supervisors import Multiprocess

    config = TcpConfig(
        "config.asgi:application",
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
        lifespan="off",
        **extra,
    )
    server = uvicorn.Server(config=config)
    if config.workers > 1:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
        return
    server.run()
    if not server.started:
        raise SystemExit(STARTUP_FAILURE)
