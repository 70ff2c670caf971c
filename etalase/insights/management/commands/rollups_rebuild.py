"""``rollups_rebuild --business <slug|all> --from YYYY-MM-DD --to YYYY-MM-DD``: recount from the activity table."""

import datetime as dt
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from etalase.core.errors import DomainError
from etalase.directory.models import Business
from etalase.insights.services import rollups_rebuild


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value}") from error


class Command(BaseCommand):
    help = "Rebuild the daily rollups of a date range (days in each business's timezone) from the activities."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--business", required=True, help="a business's slug, or 'all'")
        parser.add_argument("--from", dest="start", required=True, type=_day, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, type=_day, help="last day, YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["business"]
        businesses = None
        if slug != "all":
            business = Business.objects.filter(slug=slug).first()
            if business is None:
                raise CommandError(f"No business with the web address {slug!r}.")
            businesses = [business]

        def progress(done: int, total: int) -> None:
            sys.stderr.write(f"\r{done}/{total} businesses")
            sys.stderr.flush()

        started = time.perf_counter()
        try:
            result = rollups_rebuild(
                businesses=businesses, start=options["start"], end=options["end"], progress=progress
            )
        except DomainError as error:
            raise CommandError(str(error.message)) from error
        sys.stderr.write("\n")
        self.stdout.write(
            f"Rebuilt {result.businesses} businesses: {result.activities} activities, "
            f"{result.metric_rows} rollup rows, {result.visitor_rows} visitor rows "
            f"in {time.perf_counter() - started:.1f} s."
        )
