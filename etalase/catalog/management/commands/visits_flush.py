"""``etalase visits_flush``: write the buffered storefront and product views to the activity spine.

The worker runs it every second; it is safe to run at any time, twice at once, or again after
being killed halfway (see ``etalase.catalog.visits``).
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from etalase.catalog.visits import BATCH_SIZE, visits_flush


class Command(BaseCommand):
    help = "Write the buffered storefront and product views to the activity spine."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="rows per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        written = visits_flush(batch_size=max(1, options["batch_size"]))
        if options["verbosity"] >= 1:
            self.stdout.write(f"{written} new views recorded.")
