"""``etalase notification_digests``: send the daily summaries due this hour (run it hourly, e.g. by cron)."""

from typing import Any

from django.core.management.base import BaseCommand

from etalase.notifications.services import digest_send_due


class Command(BaseCommand):
    help = "Send the daily notification summaries whose hour it is now (idempotent: run hourly)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{digest_send_due()} summaries sent.")
