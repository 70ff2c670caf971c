"""``customer_scores [--business <slug>] [--due] [--preferences recent|all|none]``: the nightly scoring pass.

Recomputes every contact's RFM scores and segment, churn risk, information and individual-service
scores (and the preferences of recently active contacts) for every active business, or one, and
refreshes the cached quintile bounds the activity handler scores with during the day. Run it once
a night (cron, systemd timer), or hourly with ``--due`` (each business is then scored once a night
between 01:00 and 05:00 in its own timezone); it is safe to run again at any time.
"""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from etalase.directory.enums import BusinessStatus
from etalase.directory.models import Business
from etalase.insights.customers.services import PREFERENCE_MODES, customer_scores_recompute, nightly_due


class Command(BaseCommand):
    help = "Recompute the customer scores (RFM, churn risk, information matrix, preferences) of every business."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--business", help="only this business (its web address, the slug)")
        parser.add_argument(
            "--due", action="store_true", help="only businesses where it is night and not yet scored tonight"
        )
        parser.add_argument(
            "--preferences",
            choices=PREFERENCE_MODES,
            default="recent",
            help="recent: contacts active in the last 26 hours (default); all: every contact; none: skip",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["business"]
        if slug:
            businesses = list(Business.objects.select_related("category").filter(slug=slug))
            if not businesses:
                raise CommandError(f"No business with the web address {slug!r}.")
        else:
            businesses = list(
                Business.objects.select_related("category").filter(status=BusinessStatus.ACTIVE).order_by("pk")
            )
        if options["due"]:
            businesses = [business for business in businesses if nightly_due(business)]
        started = time.perf_counter()
        contacts = changed = 0
        for business in businesses:
            result = customer_scores_recompute(business=business, preferences=options["preferences"])
            contacts += result.contacts
            changed += result.changed
            if options["verbosity"] >= 2 or slug:
                steps = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in result.seconds.items())
                self.stdout.write(
                    f"{business.slug}: {result.contacts} contacts, {result.with_orders} with orders, "
                    f"{result.changed} changed, {result.preferences} preferences ({steps})"
                )
        self.stdout.write(
            f"Scored {contacts} contacts of {len(businesses)} businesses ({changed} changed) "
            f"in {time.perf_counter() - started:.2f} s."
        )
