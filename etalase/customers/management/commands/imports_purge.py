"""``etalase imports_purge``: delete what contact imports keep of customers' files once it is no longer needed.

An upload never started is deleted with its file after 24 hours; a done or failed import loses its
uploaded file after 7 days and keeps its counts and per-row report. Run it hourly (the worker does);
it is safe to run again at any time.
"""

from typing import Any

from django.core.management.base import BaseCommand

from etalase.customers.io.purge import SOURCE_KEPT_FOR, UNSTARTED_KEPT_FOR, imports_purge


class Command(BaseCommand):
    help = "Delete never-started contact uploads and the uploaded files of finished imports once they are old."

    def handle(self, *args: Any, **options: Any) -> None:
        result = imports_purge()
        if options["verbosity"] >= 1:
            for pk in result.removed:
                self.stdout.write(f"Import {pk}: never started, deleted with its file.")
            for pk in result.cleared:
                self.stdout.write(f"Import {pk}: finished, its uploaded file deleted; counts and report kept.")
        for pk in result.failed:
            self.stderr.write(f"Import {pk}: the file could not be deleted; it is tried again on the next run.")
        hours = f"{UNSTARTED_KEPT_FOR.total_seconds() / 3600:g}"
        self.stdout.write(
            f"Deleted {len(result.removed)} imports never started (uploaded more than {hours} hours ago) and "
            f"the uploaded files of {len(result.cleared)} finished imports (finished more than "
            f"{SOURCE_KEPT_FOR.days} days ago)."
        )
