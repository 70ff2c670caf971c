import logging
import threading
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

logger = logging.getLogger(__name__)

# Commands the worker runs on a timer besides the task queue: (command, every N seconds). Each is
# idempotent, so running it in several workers at once, or more often than needed, is harmless.
SCHEDULE = [("notification_digests", 600)]


def _every(command: str, seconds: int, stop: threading.Event) -> None:
    while not stop.wait(seconds):
        try:
            call_command(command, verbosity=0)
        except Exception:
            logger.exception("Scheduled command %s failed", command)


class Command(BaseCommand):
    help = "Run the task worker (processes activities, notifications and other background work)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch", action="store_true", help="Drain the queue, then exit.")
        parser.add_argument("--no-schedule", action="store_true", help="Do not run the timed commands (daily digests).")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        if not options["batch"] and not options["no_schedule"]:
            for command, seconds in SCHEDULE:
                threading.Thread(target=_every, args=(command, seconds, stop), daemon=True).start()
        extra = ["--batch"] if options["batch"] else []
        try:
            # One line per task drowns the demo's output; `-v 2` brings the task log back.
            call_command(
                "db_worker",
                "--queue-name",
                "*",
                "--no-reload",
                "--interval",
                "0.1",
                *extra,
                verbosity=max(0, options["verbosity"] - 1),
            )
        finally:
            stop.set()
