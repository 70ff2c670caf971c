import logging
import signal
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from etalase.activity.worker import Worker, supervise


class Command(BaseCommand):
    # The checks query the database (SQLite's JSON support) in a transaction: a worker started while the
    # file is locked would stop on them. The web server runs them; the worker starts whatever the lock.
    requires_system_checks: list[str] = []
    help = (
        "Run the worker: process activities (the spine), the background tasks (imports, web push) and the "
        "timed commands (daily digests, nightly customer scores, import clean-up). See docs/pipeline.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="Process what is due, then exit.")
        parser.add_argument("--no-schedule", action="store_true", help="Do not run the timed commands.")
        parser.add_argument(
            "--processes", type=int, default=1, help="Worker processes to run and restart when one dies (default 1)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["verbosity"]:
            logging.getLogger("etalase.worker").setLevel(logging.WARNING)
        processes = max(1, options["processes"])
        if processes > 1 and not options["batch"]:
            arguments = ["--no-schedule"] if options["no_schedule"] else []
            supervise(processes, [*arguments, "-v", str(options["verbosity"])])
            return
        worker = Worker(schedule=not options["no_schedule"], batch=options["batch"])
        signal.signal(signal.SIGTERM, worker.request_stop)
        signal.signal(signal.SIGINT, worker.request_stop)
        worker.run()
        if options["batch"]:
            self.stdout.write(f"Processed {worker.stats.processed} activities, {worker.stats.tasks} tasks.")
