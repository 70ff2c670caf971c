"""Settings of the ``etalase worker`` processes the tests start: production settings on the test
database (``DATABASE_URL``), with short leases, retries and polls, and the tests' handlers."""

from config.settings import *  # noqa: F403
from config.settings import INSTALLED_APPS as PRODUCTION_APPS

INSTALLED_APPS = [*PRODUCTION_APPS, "tests.worker.apps.WorkerTestsConfig"]
ACTIVITY_LEASE_SECONDS = 3
ACTIVITY_RETRY_FIRST_SECONDS = 0.3
ACTIVITY_POLL_SECONDS = 0.3
