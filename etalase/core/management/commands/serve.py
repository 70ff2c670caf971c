import argparse
import os
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connections


class Command(BaseCommand):
    help = (
        "Serve Etalase over HTTP with the ASGI server (uvicorn). Before listening it applies unapplied "
        "migrations (unless --no-migrate) and collects static files when the manifest is missing or stale."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "1")))
        parser.add_argument(
            "--migrate",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="Apply unapplied migrations before listening (default); with --no-migrate, refuse to start.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from etalase.core.server import server_run

        self._migrations_check(migrate=options["migrate"])
        self._static_check()
        connections.close_all()
        server_run(
            host=options["host"],
            port=options["port"],
            workers=options["workers"],
            forwarded_allow_ips=getattr(settings, "FORWARDED_ALLOW_IPS", "127.0.0.1"),
        )

    def _migrations_check(self, *, migrate: bool) -> None:
        from etalase.core.server import migrations_unapplied

        try:
            unapplied = migrations_unapplied()
        except DatabaseError as error:
            raise CommandError(f"The database cannot be reached ({error}). Check DATABASE_URL.") from error
        if not unapplied:
            self.stdout.write("Database: every migration is applied.")
            return
        if not migrate:
            raise CommandError(
                f"The database lacks {len(unapplied)} migrations ({', '.join(unapplied[:5])}"
                f"{', …' if len(unapplied) > 5 else ''}). Run `etalase migrate` first, "
                "or start `etalase serve` without --no-migrate."
            )
        self.stdout.write(f"Database: applying {len(unapplied)} migrations…")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(f"Database: applied {len(unapplied)} migrations.")

    def _static_check(self) -> None:
        from etalase.core.server import static_files_stale

        reason = static_files_stale()
        if reason is None:
            self.stdout.write("Static files: served from the source folders (no collection needed).")
            return
        if not reason:
            self.stdout.write(f"Static files: the collection in {settings.STATIC_ROOT} is current.")
            return
        self.stdout.write(f"Static files: {reason}; collecting them into {settings.STATIC_ROOT}…")
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write("Static files: collected.")
