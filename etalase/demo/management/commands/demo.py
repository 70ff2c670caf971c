import os
import subprocess
import sys
import threading
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from etalase.demo.data import DEMO_PASSWORD, demo_is_loaded, demo_logins


class Command(BaseCommand):
    help = "Start the Etalase demo: migrate, load demo data (once), run the web server and the worker."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--reset", action="store_true", help="Reload the demo data from scratch.")
        parser.add_argument("--no-serve", action="store_true", help="Prepare the data, then exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        if options["reset"] or not demo_is_loaded():
            self.stdout.write("Loading the demo data (half a minute or so)…")
            call_command("seed_demo", reset=options["reset"])
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(self.style.SUCCESS(f"\nEtalase demo: {url}"))
        self.stdout.write(f"Database: {settings.DATABASES['default']['NAME']}")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for role, login in demo_logins():
            self.stdout.write(f"  {role:<22} {login}")
        self.stdout.write("Operator admin: /admin/ with the operator login above.\n")
        if options["no_serve"]:
            return
        stop = threading.Event()
        supervisor = threading.Thread(target=self._worker_supervise, args=(stop,), daemon=True)
        supervisor.start()
        try:
            call_command("serve", host=options["host"], port=options["port"])
        finally:
            stop.set()
            supervisor.join(timeout=15)

    def _worker_supervise(self, stop: threading.Event) -> None:
        """Run ``etalase worker`` and start it again whenever it dies, until the demo stops."""
        delay = 1.0
        while not stop.is_set():
            started = time.monotonic()
            worker = subprocess.Popen([sys.executable, "-m", "etalase.cli", "worker"])  # noqa: S603
            while worker.poll() is None and not stop.wait(0.5):
                pass
            if stop.is_set():
                worker.terminate()
                try:
                    worker.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    worker.kill()
                return
            if stop.wait(0.5):  # Ctrl+C stops the worker and the server together
                return
            delay = 1.0 if time.monotonic() - started > 60 else min(delay * 2, 30.0)
            self.stderr.write(
                f"The worker stopped (exit code {worker.returncode}); starting it again in {delay:.0f} s."
            )
            stop.wait(delay)
