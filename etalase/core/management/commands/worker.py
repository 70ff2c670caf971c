import logging
import threading
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

logger = logging.getLogger(__name__)

# Commands the worker runs on a timer besides the task queue: (command, every N seconds). Each is
# idempotent, so running it in several workers at once, or more often than needed, is harmless.
# (command, every N seconds, arguments). customer_scores --due scores each business once a night,
# between 01:00 and 05:00 in its own timezone.
SCHEDULE: list[tuple[str, int, tuple[str, ...]]] = [
    ("notification_digests", 600, ()),
    ("customer_scores", 3600, ("--due",)),
    ("imports_purge", 3600, ()),
]


def _every(command: str, seconds: int, arguments: tuple[str, ...], stop: threading.Event) -> None:
    while not stop.wait(seconds):
        try:
            call_command(command, *arguments, verbosity=0)
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
            for command, seconds, arguments in SCHEDULE:
                threading.Thread(target=_every, args=(command, seconds, arguments, stop), daemon=True).start()
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
