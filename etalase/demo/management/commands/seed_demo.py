import datetime as dt
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.timezone import localtime

from etalase.demo.data import DemoAlreadyLoaded, demo_seed


class Command(BaseCommand):
    help = "Load the demo data set: businesses and their teams, customers and weeks of their activity."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026, help="The same seed gives the same data.")
        parser.add_argument("--customers", type=int, default=300, help="How many customers sign up.")
        parser.add_argument("--days", type=int, default=90, help="How many days of activity, up to now.")
        parser.add_argument(
            "--now",
            type=dt.datetime.fromisoformat,
            default=None,
            help="The story's present, e.g. 2026-11-28T12:00+07:00 (default: now); with --seed, the same data.",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete every business and user (and all their data) first, then load the demo.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["customers"] < 0 or options["days"] < 1:
            raise CommandError("--customers must be 0 or more and --days 1 or more.")
        if options["now"] is not None and options["now"].tzinfo is None:
            raise CommandError("--now needs a time zone, e.g. 2026-11-28T12:00+07:00.")
        if options["reset"] and getattr(settings, "PRODUCTION", False):
            raise CommandError("--reset deletes every user and business; it is refused in production mode.")
        verbosity = options.get("verbosity", 1)
        started = time.monotonic()

        def progress(message: str) -> None:
            if verbosity >= 1:
                self.stdout.write(f"  {message}")

        try:
            summary = demo_seed(
                seed=options["seed"],
                customers=options["customers"],
                days=options["days"],
                reset=options["reset"],
                progress=progress,
                now=options["now"],
            )
        except DemoAlreadyLoaded as exc:
            raise CommandError("The demo data is already loaded; use --reset to load it again.") from exc
        if verbosity < 1:
            return
        roles = ", ".join(f"{count} {role}" for role, count in summary.members_by_role.items())
        span = ""
        if summary.first_activity and summary.last_activity:
            first, last = localtime(summary.first_activity), localtime(summary.last_activity)
            span = f" from {first:%Y-%m-%d} to {last:%Y-%m-%d}"
        self.stdout.write(
            self.style.SUCCESS(f"Demo data loaded in {time.monotonic() - started:.1f} s (seed {options['seed']}).")
        )
        self.stdout.write(
            f"  businesses: {summary.businesses} ({summary.verified_businesses} verified) "
            f"in {summary.categories} fields and {summary.cities} cities"
        )
        self.stdout.write(f"  team members: {roles}; {summary.pending_invitations} invitations pending")
        self.stdout.write(f"  customers: {summary.customers}; operators: {summary.operators}")
        self.stdout.write(
            f"  products: {summary.products} ({summary.published_products} on show) "
            f"with {summary.product_photos} photos; posts: {summary.posts}"
        )
        self.stdout.write(
            f"  follows: {summary.follows}; favourites: {summary.favourites}; "
            f"comments: {summary.comments} ({summary.answered_questions} of {summary.questions} questions answered)"
        )
        self.stdout.write(f"  views: {summary.views}; shares: {summary.shares}")
        self.stdout.write(
            f"  orders: {summary.orders} ({summary.open_orders} open); payments: {summary.payments} "
            f"({summary.payments_waiting} waiting for confirmation); reviews: {summary.reviews}"
        )
        self.stdout.write(f"  activities: {summary.activities}{span}")
